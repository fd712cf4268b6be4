"""Audit trail: record shape, redaction, one-write appends under real concurrency, failure paths."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

import guardrail
from guardrail import audit

SECRET = "ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5"


def record(i: int = 0, **kw: object) -> dict:
    payload = {
        "session_id": "sess-1",
        "tool_use_id": f"toolu_{i}",
        "tool_name": "Bash",
        "tool_input": {"command": f"GITHUB_TOKEN={SECRET} gh repo delete org/r{i} --yes"},
        "cwd": "/work/p",
        "permission_mode": "default",
    }
    payload.update(kw.pop("payload", {}))  # type: ignore[arg-type]
    args: dict = dict(event="PreToolUse", payload=payload, decision="deny", rule_ids=["git.repo_delete"],
                      reason="deleting a repository", elapsed_ms=1.25)
    args.update(kw)
    return audit.make_record(**args)


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines()


# --- make_record ------------------------------------------------------------------------------------


def test_record_has_schema_1_fields_in_order() -> None:
    rec = record()
    assert list(rec)[:13] == ["schema", "time", "session_id", "tool_use_id", "event", "tool", "input", "decision",
                              "rule_ids", "reason", "cwd", "guardrail_version", "eval_ms"]
    assert rec["schema"] == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", rec["time"])
    assert rec["guardrail_version"] == guardrail.__version__
    assert (rec["session_id"], rec["tool_use_id"], rec["tool"], rec["decision"]) == ("sess-1", "toolu_0", "Bash", "deny")
    assert rec["eval_ms"] == 1.25 and rec["mode"] == "default"
    assert "intent" not in rec and "error" not in rec and "outcome" not in rec


def test_redaction_reaches_every_free_text_field() -> None:
    rec = record(
        intent={"grants": [{"quote": f"use token {SECRET} to delete the repo"}]},
        error=f"boom near {SECRET}",
        outcome={"stderr_head": f"fatal: auth {SECRET} rejected"},
        reason=f"would use {SECRET}",
    )
    line = audit.encode_line(rec).decode()
    assert SECRET not in line and SECRET[4:20] not in line
    assert rec["input"]["command"] == "GITHUB_TOKEN=[REDACTED:github_token] gh repo delete org/r0 --yes"
    assert "[REDACTED:github_token]" in rec["intent"]["grants"][0]["quote"]


def test_long_strings_are_truncated_with_a_marker() -> None:
    rec = record(payload={"tool_input": {"command": "echo " + "a" * 20_000}})
    cmd = rec["input"]["command"]
    assert len(cmd) < audit.MAX_STRING + 100
    assert re.search(r"…\[truncated \d+ chars\]$", cmd)


def test_a_secret_cut_by_truncation_is_not_half_kept() -> None:
    for offset in range(-40, 41, 4):  # the token straddles the cut at many positions
        text = "x" * (audit.MAX_STRING + offset) + " " + SECRET + " tail " + "y" * 3000
        cmd = record(payload={"tool_input": {"command": text}})["input"]["command"]
        pieces = [SECRET[i : i + 8] for i in range(len(SECRET) - 7)]
        assert not any(p in cmd for p in pieces), offset


@pytest.mark.parametrize("payload", [None, [], "garbage", 42, {"session_id": 5, "tool_use_id": ["x"], "tool_input": "str", "cwd": {}},
                                     {"tool_input": {"a": float("nan"), "b": b"bytes", "c": {1, 2}}}])
def test_malformed_payloads_still_make_a_record(payload: object) -> None:
    rec = audit.make_record(event="PreToolUse", payload=payload, decision="deny", rule_ids=[], reason="bad input",  # type: ignore[arg-type]
                            elapsed_ms=0.0, error="payload is not a JSON object")
    line = audit.encode_line(rec)
    assert json.loads(line)["decision"] == "deny"


def test_line_is_capped_without_splitting() -> None:
    big = {f"field{i}": "z" * 4000 for i in range(100)}  # ~400 KB of input
    rec = record(payload={"tool_input": big})
    line = audit.encode_line(rec)
    assert len(line) <= audit.MAX_LINE_BYTES and line.endswith(b"\n") and line.count(b"\n") == 1
    back = json.loads(line)
    assert back["truncated"] is True and back["decision"] == "deny" and back["tool_use_id"] == "toolu_0"


def test_outcome_summary_keeps_no_output_and_redacts_stderr() -> None:
    ok = audit.outcome_from_payload({"hook_event_name": "PostToolUse", "duration_ms": 12,
                                     "tool_response": {"stdout": f"AWS_SECRET_ACCESS_KEY=abc{SECRET}", "stderr": f"warn {SECRET}",
                                                       "interrupted": False}})
    assert ok["ok"] is True and ok["stdout_bytes"] > 0 and ok["duration_ms"] == 12
    assert SECRET not in json.dumps(ok) and "stdout" not in ok
    failed = audit.outcome_from_payload({"hook_event_name": "PostToolUseFailure", "error": f"exit 1: {SECRET}", "is_interrupt": True})
    assert failed["ok"] is False and failed["interrupted"] is True and SECRET not in failed["error"]


def test_default_audit_path_precedence(tmp_path: Path) -> None:
    env = {"HOME": "/home/u"}
    assert audit.default_audit_path(env) == Path("/home/u/.local/state/guardrail/audit.jsonl")
    env["XDG_STATE_HOME"] = "/x/state"
    assert audit.default_audit_path(env) == Path("/x/state/guardrail/audit.jsonl")
    env["CLAUDE_PLUGIN_DATA"] = "/plugin/data"
    assert audit.default_audit_path(env) == Path("/plugin/data/audit.jsonl")
    env["GUARDRAIL_AUDIT_LOG"] = str(tmp_path / "a.jsonl")
    assert audit.default_audit_path(env) == tmp_path / "a.jsonl"


def test_audit_module_stays_off_heavy_imports() -> None:
    code = (
        "import sys, guardrail.audit as a\n"
        "heavy = lambda: sorted(m for m in sys.modules if m.split('.')[0] in {'click','rich','pydantic','sqlparse','tree_sitter'})\n"
        "assert heavy() == [] and 'guardrail.redact' not in sys.modules, heavy()\n"
        "a.make_record(event='PreToolUse', payload={'tool_input': {'command': 'PGPASSWORD=x1234567 psql'}}, decision='deny',"
        " rule_ids=[], reason='', elapsed_ms=0)\n"
        "assert heavy() == [], heavy()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- append_record ------------------------------------------------------------------------------------


def test_append_creates_private_dir_and_file(tmp_path: Path) -> None:
    path = tmp_path / "state" / "guardrail" / "audit.jsonl"
    assert audit.append_record(record(), path) is None
    assert audit.append_record(record(1), path) is None
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    recs = list(audit.iter_records(path))
    assert [r["tool_use_id"] for r in recs] == ["toolu_0", "toolu_1"]
    assert SECRET not in path.read_text()


@pytest.mark.parametrize("kind", ["under-a-file", "is-a-directory"])
def test_unwritable_path_returns_an_error(tmp_path: Path, kind: str) -> None:
    (tmp_path / "file").write_text("x")
    (tmp_path / "dir").mkdir()
    path = tmp_path / "file" / "audit.jsonl" if kind == "under-a-file" else tmp_path / "dir"
    err = audit.append_record(record(), path)
    assert err is not None and str(path) in err and ("ENOTDIR" in err or "EISDIR" in err)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions; the read-only mount test covers this")
def test_permission_denied_returns_an_error(tmp_path: Path) -> None:
    d = tmp_path / "locked"
    d.mkdir(mode=0o500)
    err = audit.append_record(record(), d / "audit.jsonl")
    assert err is not None and "EACCES" in err


def test_encoding_failure_returns_an_error(tmp_path: Path) -> None:
    class Bad:
        def __str__(self) -> str:
            raise RuntimeError("no str")

    err = audit.append_record({"schema": 1, "x": Bad()}, tmp_path / "a.jsonl")
    assert err is not None and "could not be encoded" in err


@pytest.fixture
def mount_tmpfs(tmp_path: Path):
    mounted: list[Path] = []

    def mount(name: str, options: str) -> Path:
        where = tmp_path / name
        where.mkdir()
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True, text=True)
        if proc.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.strip() or 'mount failed'}); needs root with CAP_SYS_ADMIN")
        mounted.append(where)
        return where

    yield mount
    for where in mounted:
        subprocess.run(["umount", str(where)], check=False)


def test_read_only_filesystem_returns_an_error(mount_tmpfs) -> None:
    ro = mount_tmpfs("ro", "ro,size=64k")
    err = audit.append_record(record(), ro / "audit.jsonl")
    assert err is not None and "EROFS" in err


def test_dev_full_reports_disk_full(tmp_path: Path) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    err = audit.append_record(record(), "/dev/full")
    assert err is not None and "ENOSPC" in err


def test_full_disk_keeps_every_acknowledged_record_readable(mount_tmpfs) -> None:
    """A real 64 KiB tmpfs filled to the last byte: appends start failing with an error, and every
    append that reported success is still a whole, parseable line (a torn tail is skipped)."""
    mnt = mount_tmpfs("tiny", "size=64k")
    path = mnt / "audit.jsonl"
    ok, errors = [], []
    for i in range(2000):
        err = audit.append_record(record(i, payload={"tool_input": {"command": f"echo {i} " + "p" * (i % 700)}}), path)
        (errors if err else ok).append(err or i)
        if len(errors) >= 20:
            break
    assert ok and errors, "the disk never filled"
    assert all("ENOSPC" in e or "short write" in e for e in errors), errors[:3]
    got = [int(r["tool_use_id"].split("_")[1]) for r in audit.iter_records(path)]
    assert got == ok


# --- concurrency --------------------------------------------------------------------------------------

WRITER = r"""
import sys
from guardrail import audit
path, wid, n, max_bytes, keep = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
errors = 0
for i in range(n):
    if i % 97 == 0:  # some lines near the 64 KiB cap, so a split write would show
        tool_input = {f"f{k}": f"{wid}:{i}:" + "x" * 3990 for k in range(15)}
    else:
        tool_input = {"command": f"echo {wid} {i} " + "y" * ((i * 37) % 1500)}
    rec = audit.make_record(event="PreToolUse", payload={"session_id": f"w{wid}", "tool_use_id": f"{wid}-{i}",
        "tool_name": "Bash", "tool_input": tool_input, "cwd": "/"}, decision="deny", rule_ids=["t"], reason="r",
        elapsed_ms=0.1)
    if audit.append_record(rec, path, max_bytes=max_bytes, keep=keep) is not None:
        errors += 1
print(errors)
"""


def run_writers(path: Path, procs: int, n: int, max_bytes: int = 0, keep: int = 5) -> list[int]:
    ps = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(w), str(n), str(max_bytes), str(keep)],
                           stdout=subprocess.PIPE, text=True) for w in range(procs)]
    outs = [p.communicate(timeout=600)[0] for p in ps]
    assert all(p.returncode == 0 for p in ps)
    return [int(o.strip()) for o in outs]


def check_complete(raw_lines: list[bytes], procs: int, n: int) -> None:
    corrupt = 0
    seen: dict[int, set[int]] = {w: set() for w in range(procs)}
    for raw in raw_lines:
        try:
            r = json.loads(raw)
        except ValueError:
            corrupt += 1
            continue
        w, i = map(int, r["tool_use_id"].split("-"))
        seen[w].add(i)
    lost = sum(n - len(s) for s in seen.values())
    assert (lost, corrupt) == (0, 0)
    assert len(raw_lines) == procs * n  # and nothing duplicated


def test_eight_processes_thousand_appends_each_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    assert run_writers(path, 8, 1000) == [0] * 8
    check_complete(lines_of(path), 8, 1000)


def test_rotation_under_concurrency_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    keep = 500  # large enough that nothing is deleted, so every line must still be somewhere
    assert run_writers(path, 4, 500, max_bytes=256 * 1024, keep=keep) == [0] * 4
    files = audit.rotated_paths(path, keep)
    assert len(files) >= 3, "rotation never happened"
    raw = [line for f in [*files, str(path)] for line in Path(f).read_bytes().splitlines()]
    check_complete(raw, 4, 500)
    assert sum(1 for _ in audit.iter_all_records(path, keep)) == 2000


def test_rotation_keeps_at_most_keep_files(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    for i in range(60):
        assert audit.append_record(record(i), path, max_bytes=2000, keep=3) is None
    files = audit.rotated_paths(path, 3)
    assert [Path(f).name for f in files] == ["audit.jsonl.3", "audit.jsonl.2", "audit.jsonl.1"]
    ids = [int(r["tool_use_id"].split("_")[1]) for r in audit.iter_all_records(path, 3)]
    assert ids == sorted(ids) and ids[-1] == 59  # oldest dropped, order kept, newest present
    assert not path.exists() or path.stat().st_size < 2000 + 1000  # rotation runs right after a write


# --- reading ------------------------------------------------------------------------------------------


def test_iter_records_skips_torn_lines_and_recovers_glued_records(tmp_path: Path) -> None:
    good = [audit.encode_line(record(i)) for i in range(4)]
    path = tmp_path / "audit.jsonl"
    path.write_bytes(
        good[0]
        + b"not json at all\n"
        + b'{"schema":1,"time":"2026-12-0'  # torn by a crash, then the next writer's line glued on
        + good[1]
        + b"\n\n[1, 2, 3]\n\xff\xfe\x00garbage\n"
        + good[2]
        + good[3][:-20]  # torn tail, no newline
    )
    ids = [r["tool_use_id"] for r in audit.iter_records(path)]
    assert ids == ["toolu_0", "toolu_1", "toolu_2"]


def test_iter_records_on_a_missing_file_yields_nothing(tmp_path: Path) -> None:
    assert list(audit.iter_records(tmp_path / "nope.jsonl")) == []


# --- outcome linking ----------------------------------------------------------------------------------




def test_redact_hints_cover_every_pattern_and_sensitive_key() -> None:
    # audit.REDACT_HINTS lets a record skip importing redaction; it must never skip text redaction would change.
    from guardrail import redact

    hints = {h for _, _, spec_hints, *_ in redact._SPECS for h in spec_hints}
    assert all(spec_hints for _, _, spec_hints, *_ in redact._SPECS), "a pattern without hints would always run"
    assert all(any(a in h for a in audit.REDACT_HINTS) for h in hints | set(redact._KEY_WORDS))
    assert set(audit.REDACT_HINTS) <= hints  # and no hint of its own: it skips exactly what redact_text skips


def test_benign_record_skips_redaction_but_secrets_still_go() -> None:
    benign = audit.make_record(event="PreToolUse", payload={"session_id": "280d5c1e-5d8c-4a55-9d2c-7d1a9f1c2b3e",
                               "tool_name": "Bash", "tool_input": {"command": "ls -la src/", "description": "List"},
                               "cwd": "/home/me/app"}, decision=None, rule_ids=[], reason="", elapsed_ms=0.1)
    assert benign["input"] == {"command": "ls -la src/", "description": "List"}
    secret = audit.make_record(event="PreToolUse", payload={"tool_name": "Bash", "tool_input": {
        "command": "echo ghp_0123456789abcdefghijABCDEFGHIJ012345", "api_token": "abc123def456"}},
        decision=None, rule_ids=[], reason="", elapsed_ms=0.1)
    assert "ghp_0123" not in json.dumps(secret) and "abc123def456" not in json.dumps(secret)
