"""`guardrail audit` (the click group in guardrail/commands/audit.py) over a real log file."""

from __future__ import annotations

import json
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from guardrail import audit
from guardrail.commands.audit import command, compute_stats, parse_since


def write_log(path: Path) -> None:
    """Two sessions over two days: decisions, an outcome, an internal error; secrets in inputs."""
    rows = [
        ("2026-11-30T10:00:00.000Z", "sess-aaa", "t1", "Bash", "deny", ["git.reset_hard"], {"command": "git reset --hard"}),
        ("2026-11-30T10:05:00.000Z", "sess-aaa", "t2", "Bash", "ask", ["db.drop_table"], {"command": "PGPASSWORD=hunter2x psql -c 'drop table t'"}),
        ("2026-12-01T09:00:00.000Z", "sess-bbb", "t3", "Write", "allow", ["files.env_write"], {"file_path": "/p/.env", "content": "A=1"}),
        ("2026-12-01T09:01:00.000Z", "sess-bbb", "t4", "Bash", "deny", ["fs.rm_root", "git.reset_hard"], {"command": "rm -rf / && git reset --hard"}),
    ]
    for t, sid, tuid, tool, decision, rules, inp in rows:
        rec = audit.make_record(event="PreToolUse", payload={"session_id": sid, "tool_use_id": tuid, "tool_name": tool,
                                "tool_input": inp, "cwd": "/p"}, decision=decision, rule_ids=rules, reason=f"{decision} because", elapsed_ms=1.0)
        rec["time"] = t
        assert audit.append_record(rec, path) is None
    out = audit.make_record(event="PostToolUse", payload={"session_id": "sess-aaa", "tool_use_id": "t2", "tool_name": "Bash"},
                            decision=None, rule_ids=[], reason="", elapsed_ms=0.5, outcome={"ok": True})
    out["time"] = "2026-11-30T10:06:00.000Z"
    audit.append_record(out, path)
    err = audit.make_record(event="PreToolUse", payload=[], decision="deny", rule_ids=[], reason="internal error",
                            elapsed_ms=0.1, error="ValueError: bad")
    err["time"] = "2026-12-01T09:02:00.000Z"
    audit.append_record(err, path)
    with open(path, "ab") as f:
        f.write(b'{"schema":1,"torn')  # a torn tail must not break the reader


@pytest.fixture
def log(tmp_path: Path) -> Path:
    p = tmp_path / "audit.jsonl"
    write_log(p)
    return p


def run(*args: str, env: dict | None = None) -> tuple[int, str]:
    res = CliRunner().invoke(command, list(args), env=env or {"NO_COLOR": "1", "COLUMNS": "200"}, catch_exceptions=False)
    return res.exit_code, res.output


def jsonl(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_tail_jsonl_returns_last_n_in_file_order(log: Path) -> None:
    code, out = run("tail", "-n", "3", "--path", str(log), "--format", "jsonl")
    assert code == 0
    recs = jsonl(out)
    assert [r["tool_use_id"] for r in recs] == ["t4", "t2", None]
    assert [r["event"] for r in recs] == ["PreToolUse", "PostToolUse", "PreToolUse"]
    assert recs[-1]["error"] == "ValueError: bad"


def test_tail_table_shows_decisions_and_no_secret(log: Path) -> None:
    code, out = run("tail", "--path", str(log))
    assert code == 0
    assert "hunter2x" not in out and "[REDACTED:secret_assignment]" in out
    for word in ("deny", "ask", "allow", "git.reset_hard", "sess-aaa", "ran", "ValueError: bad"):
        assert word in out, word
    assert "\x1b[" not in out  # NO_COLOR


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--decision", "deny"], ["t1", "t4", None]),
        (["--decision", "deny", "--decision", "ask"], ["t1", "t2", "t4", None]),
        (["--decision", "none"], ["t2"]),
        (["--session", "sess-b"], ["t3", "t4"]),
        (["--rule", "git.*"], ["t1", "t4"]),
        (["--rule", "fs.rm_root"], ["t4"]),
        (["--tool", "Write"], ["t3"]),
        (["--event", "posttooluse"], ["t2"]),
        (["--since", "2026-12-01"], ["t3", "t4", None]),
        (["--since", "2026-12-01T09:00:30Z", "--decision", "deny"], ["t4", None]),
    ],
)
def test_filters(log: Path, args: list[str], expected: list[str | None]) -> None:
    code, out = run("tail", "-n", "100", "--path", str(log), "--format", "jsonl", *args)
    assert code == 0
    assert [r.get("tool_use_id") for r in jsonl(out)] == expected


def test_json_format_is_one_array(log: Path) -> None:
    code, out = run("tail", "-n", "2", "--path", str(log), "--format", "json")
    assert code == 0 and isinstance(json.loads(out), list) and len(json.loads(out)) == 2


def test_since_durations_and_errors() -> None:
    now = time.time()
    assert parse_since("2h", now) < parse_since("1h", now) < parse_since("30m", now)
    assert parse_since("1d", now)[:10] == time.strftime("%Y-%m-%d", time.gmtime(now - 86400))
    assert parse_since("2026-12-01") == "2026-12-01T00:00:00.000Z"
    assert parse_since("2026-12-01T10:00:00+02:00") == "2026-12-01T08:00:00.000Z"
    code, out = run("tail", "--since", "yesterday-ish", "--path", "/nonexistent")
    assert code == 2 and "--since" in out and "30m" in out


def test_stats_json_counts_per_rule_session_day(log: Path) -> None:
    code, out = run("stats", "--path", str(log), "--format", "json")
    assert code == 0
    s = json.loads(out)
    assert s["totals"] == {"deny": 3, "ask": 1, "allow": 1, "decisions": 5, "outcomes": 1, "errors": 1, "calls": 5}
    rules = {r["rule_id"]: (r["total"], r["deny"], r["ask"], r["allow"]) for r in s["rules"]}
    assert rules["git.reset_hard"] == (2, 2, 0, 0) and rules["db.drop_table"] == (1, 0, 1, 0) and rules["(none)"] == (1, 1, 0, 0)
    sessions = {r["session_id"]: r["total"] for r in s["sessions"]}
    assert sessions == {"sess-aaa": 2, "sess-bbb": 2, "(none)": 1}
    assert [(d["day"], d["total"]) for d in s["days"]] == [("2026-11-30", 2), ("2026-12-01", 3)]


def test_stats_table_renders_three_tables(log: Path) -> None:
    code, out = run("stats", "--path", str(log))
    assert code == 0
    for title in ("Decisions per rule", "Decisions per session", "Decisions per day (UTC)", "git.reset_hard", "2026-11-30"):
        assert title in out
    assert "\x1b[" not in out


def test_color_only_without_no_color(log: Path) -> None:
    from rich.console import Console

    from guardrail.commands import audit as cli

    recs = list(audit.iter_records(log))
    for no_color, expect_color in (("1", False), ("", True)):
        con = Console(force_terminal=True, width=200, no_color=bool(no_color) or None, record=True)
        with con.capture() as cap:
            cli.render_records(recs, "table", con)
        assert ("\x1b[31" in cap.get() or "\x1b[1;31" in cap.get()) is expect_color


def test_missing_log_is_reported_not_a_crash(tmp_path: Path) -> None:
    code, out = run("tail", "--path", str(tmp_path / "none.jsonl"))
    assert code == 0 and "no audit log at" in out
    code, out = run("stats", "--path", str(tmp_path / "none.jsonl"), "--format", "json")
    assert code == 0 and json.loads(out)["totals"] == {}


def test_rotated_files_are_read_oldest_first(tmp_path: Path) -> None:
    p = tmp_path / "audit.jsonl"
    for i in range(40):
        rec = audit.make_record(event="PreToolUse", payload={"session_id": "s", "tool_use_id": f"t{i}", "tool_name": "Bash"},
                                decision="deny", rule_ids=["r"], reason="", elapsed_ms=0)
        audit.append_record(rec, p, max_bytes=1500, keep=50)
    code, out = run("tail", "-n", "100", "--path", str(p), "--format", "jsonl")
    assert [r["tool_use_id"] for r in jsonl(out)] == [f"t{i}" for i in range(40)]


def test_follow_prints_records_appended_later(tmp_path: Path) -> None:
    p = tmp_path / "audit.jsonl"
    write_log(p)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from guardrail.commands.audit import command; command()", "tail", "-n", "0", "--follow",
         "--format", "jsonl", "--path", str(p), "--decision", "deny"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        line = ""
        for i in range(60):  # the reader may take a while to start under load: keep appending until it shows
            for decision in ("allow", "deny"):
                rec = audit.make_record(event="PreToolUse", payload={"session_id": "s", "tool_use_id": f"{decision}{i}",
                                        "tool_name": "Bash", "tool_input": {"command": "DB_PASSWORD=s3cr3t99 x"}},
                                        decision=decision, rule_ids=[], reason="", elapsed_ms=0)
                audit.append_record(rec, p)
            if select.select([proc.stdout], [], [], 0.5)[0]:
                line = proc.stdout.readline()  # type: ignore[union-attr]
                break
        got = json.loads(line)
        assert got["tool_use_id"].startswith("deny") and "s3cr3t99" not in line  # filtered, redacted, new
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_compute_stats_ignores_records_without_decision() -> None:
    s = compute_stats([{"decision": None, "outcome": {"ok": False}}, {"decision": "deny", "rule_ids": ["a", "b"], "time": "2026-01-01T00:00:00.000Z"}])
    assert s["totals"] == {"outcomes": 1, "deny": 1, "decisions": 1}
    assert [r["rule_id"] for r in s["rules"]] == ["a", "b"]


def test_plugin_logs_are_found_and_named(tmp_path: Path) -> None:
    # Issue 17: the plugin writes under ~/.claude/plugins/data/guardrail-<marketplace>/; a shell's `guardrail audit`
    # must find it (and say which files it read) without being told.
    home = tmp_path / "home"
    plugin_log = home / ".claude" / "plugins" / "data" / "guardrail-inline" / "audit.jsonl"
    plugin_log.parent.mkdir(parents=True)
    write_log(plugin_log)
    env = {"HOME": str(home), "NO_COLOR": "1", "COLUMNS": "200", "GUARDRAIL_AUDIT_LOG": None, "XDG_STATE_HOME": None,
           "CLAUDE_PLUGIN_DATA": None, "CLAUDE_CONFIG_DIR": None, "XDG_CONFIG_HOME": None, "GUARDRAIL_CONFIG": None}
    res = CliRunner().invoke(command, ["path"], env=env)
    assert res.exit_code == 0 and res.output.splitlines() == [str(plugin_log)]
    res = CliRunner().invoke(command, ["tail", "-n", "1", "--format", "jsonl"], env=env)
    assert res.exit_code == 0 and jsonl(res.stdout)[0]["error"] == "ValueError: bad"
    res = CliRunner().invoke(command, ["tail"], env=env)
    assert res.exit_code == 0 and f"reading {plugin_log}" in res.stderr and "git.reset_hard" in res.stdout
    settings_log = home / ".local" / "state" / "guardrail" / "audit.jsonl"  # a settings install's log as well
    settings_log.parent.mkdir(parents=True)
    rec = audit.make_record(event="PreToolUse", payload={"session_id": "s-settings", "tool_use_id": "t9",
                            "tool_name": "Read", "tool_input": {"file_path": "/p/x"}}, decision=None, rule_ids=[],
                            reason="", elapsed_ms=0.1)
    audit.append_record(rec, settings_log)
    res = CliRunner().invoke(command, ["tail", "-n", "100", "--format", "jsonl"], env=env)
    ids = [r.get("tool_use_id") for r in jsonl(res.stdout)]
    assert ids[-1] == "t9" and "t1" in ids  # both logs, in time order


def test_piped_table_keeps_every_column(log: Path) -> None:
    env = {k: v for k, v in __import__("os").environ.items() if k != "COLUMNS"}
    out = subprocess.run([sys.executable, "-c", "from guardrail.commands.audit import command; command()", "tail",
                          "--path", str(log)], capture_output=True, text=True, env={**env, "NO_COLOR": "1"}, check=True)
    header = out.stdout.splitlines()[0]
    assert header.split()[:3] == ["time", "(UTC)", "session"] and "11-30 10:00:00" in out.stdout
    assert all(len(line) > 80 for line in out.stdout.splitlines()[1:3])  # not wrapped at 80 columns
