"""Fuzzing the hook (issue 7 item 3): whatever arrives on stdin, the hook answers validly and never fails open.

Valid answers for PreToolUse: nothing (no opinion) or one JSON object whose hookSpecificOutput carries
hookEventName "PreToolUse" and permissionDecision allow|deny|ask with a string reason. A malformed payload
must get a deny (never silence, which Claude Code reads as "go ahead"). A well-formed payload must not hit
the internal-error path. In-process through `hookio.handle` (the launcher's own entry) with hypothesis,
plus a small budget of the same inputs through the real launcher, checking exit codes and stderr.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guardrail import hookio

REPO = Path(__file__).resolve().parent.parent
LAUNCHER = REPO / "hooks" / "launch.sh"
INTERNAL_ERROR = "guardrail could not check this tool call"
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                      HealthCheck.function_scoped_fixture])


@pytest.fixture()
def env(tmp_path: Path) -> dict[str, str]:
    return {"HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin",
            "GUARDRAIL_AUDIT_LOG": str(tmp_path / "audit.jsonl"), "GUARDRAIL_STATE_DIR": str(tmp_path / "state")}


def payload(tool_input: object, tool_name: object = "Bash", **extra: object) -> dict:
    p = {"session_id": "fuzz-session", "transcript_path": "/nonexistent/transcript.jsonl", "cwd": "/tmp",
         "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": tool_name,
         "tool_input": tool_input, "tool_use_id": "toolu_fuzz"}
    p.update(extra)
    return p


def answer(raw: bytes, env: dict[str, str], event: str = "pre-tool-use") -> str | None:
    out = hookio.handle(event, raw, env)
    assert out is None or isinstance(out, str)
    return out


def decision_of(out: str | None) -> str | None:
    """Check `out` is a valid PreToolUse answer and return its decision (None = no opinion)."""
    if out is None or not out.strip():
        return None
    assert "\n" not in out.strip(), "one JSON object, one line"
    assert "Traceback (most recent call last)" not in out
    j = json.loads(out)
    h = j["hookSpecificOutput"]
    assert h["hookEventName"] == "PreToolUse"
    assert h["permissionDecision"] in ("allow", "deny", "ask")
    assert isinstance(h["permissionDecisionReason"], str) and h["permissionDecisionReason"]
    assert len(out) < 10_000, "Claude Code caps hook output at 10,000 characters"
    return h["permissionDecision"]


def reason_of(out: str | None) -> str:
    return json.loads(out)["hookSpecificOutput"]["permissionDecisionReason"] if out else ""


def assert_malformed_denied(raw: bytes, env: dict[str, str]) -> None:
    out = answer(raw, env)
    assert decision_of(out) == "deny", f"malformed payload {raw[:80]!r} got {out!r}"


def assert_well_formed_answer(p: dict, env: dict[str, str], *, internal_error_ok: bool = False) -> str | None:
    out = answer(json.dumps(p).encode(), env)
    d = decision_of(out)
    if internal_error_ok and INTERNAL_ERROR in reason_of(out):
        assert d == "deny", "an internal error must fail closed"
    else:
        assert INTERNAL_ERROR not in reason_of(out), f"internal error on a well-formed payload: {reason_of(out)[:300]}"
    return d


# --------------------------------------------------------------------------- malformed input


@FUZZ
@given(raw=st.binary(max_size=2048))
def test_random_bytes_are_denied(raw: bytes, env: dict[str, str]) -> None:
    assert_malformed_denied(raw, env)


@FUZZ
@given(cut=st.integers(min_value=0, max_value=10_000), command=st.text(max_size=200))
def test_truncated_json_is_denied(cut: int, command: str, env: dict[str, str]) -> None:
    raw = json.dumps(payload({"command": command})).encode()
    cut = cut % len(raw)  # strictly shorter than the full payload: never valid JSON
    assert_malformed_denied(raw[:cut], env)


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                           | st.text(alphabet=st.characters(max_codepoint=0x2FFFF), max_size=20),
                           lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
                           max_leaves=12)


@FUZZ
@given(value=JSON_VALUES.filter(lambda v: not isinstance(v, dict)))
def test_non_object_json_is_denied(value: object, env: dict[str, str]) -> None:
    assert_malformed_denied(json.dumps(value).encode(), env)


@FUZZ
@given(field=st.sampled_from(["session_id", "transcript_path", "cwd", "permission_mode", "tool_use_id"]),
       value=JSON_VALUES.filter(lambda v: v is not None and not isinstance(v, str)))
def test_wrong_field_types_are_denied(field: str, value: object, env: dict[str, str]) -> None:
    p = payload({"command": "rm -rf ~"})
    p[field] = value
    assert_malformed_denied(json.dumps(p).encode(), env)


@FUZZ
@given(tool_input=JSON_VALUES.filter(lambda v: not isinstance(v, dict)))
def test_tool_input_not_an_object_is_denied(tool_input: object, env: dict[str, str]) -> None:
    assert_malformed_denied(json.dumps(payload(tool_input)).encode(), env)


@FUZZ
@given(command=JSON_VALUES.filter(lambda v: not isinstance(v, str)))
def test_bash_command_not_a_string_is_denied(command: object, env: dict[str, str]) -> None:
    assert_malformed_denied(json.dumps(payload({"command": command})).encode(), env)


@pytest.mark.parametrize("raw", [
    b"", b"   \n", b"{", b"null", b"[]", b'"Bash"', b"{}", b'{"tool_name": "Bash"}',
    b'{"tool_name": "Bash", "tool_input": {}}', b'{"tool_name": "", "tool_input": {"command": "ls"}}',
    b'{"tool_name": 7, "tool_input": {"command": "ls"}}', b"\xff\xfe{\x00", b'{"tool_name": "Bash", "tool_input": {"command": "ls"}',
    b'{"hook_event_name": "PostToolUse", "tool_name": "Bash", "tool_input": {"command": "ls"}}',
    json.dumps(payload({"command": "rm -rf ~"})).encode()[:-1],
    b"\x00" * 100, ("{" * 100_000).encode(), ("[" * 50_000 + "]" * 50_000).encode(),
], ids=lambda r: repr(r[:24]))
def test_fuzz_corpus_malformed_denied(raw: bytes, env: dict[str, str]) -> None:
    assert_malformed_denied(raw, env)


def test_oversized_stdin_denied(env: dict[str, str]) -> None:
    p = payload({"command": "echo " + "a" * (hookio.MAX_STDIN_BYTES + 10)})
    assert_malformed_denied(json.dumps(p).encode(), env)


def test_unknown_event_is_not_a_traceback(env: dict[str, str]) -> None:
    out = answer(json.dumps(payload({"command": "ls"})).encode(), env, event="no-such-event")
    assert out is None or "Traceback" not in out


# --------------------------------------------------------------------------- well-formed but hostile


# Code points above plane 2 are kept out of the in-process strategies: tree-sitter-bash 0.25.1 segfaults on
# some of them (see test_launcher_survives_high_code_points), which would kill the whole pytest process.
TEXT = st.text(alphabet=st.characters(max_codepoint=0x2FFFF), max_size=400)


def nested_bash_c(inner: str, levels: int) -> str:
    for _ in range(levels):
        inner = "bash -c " + shlex.quote(inner)
    return inner


@FUZZ
@given(command=TEXT)
def test_any_command_text_gets_a_valid_answer(command: str, env: dict[str, str]) -> None:
    assert_well_formed_answer(payload({"command": command}), env)


SHELLISH = st.lists(st.sampled_from(
    ["rm", "-rf", "~", "/", "$(", ")", "`", "'", '"', "\\", ";", "&&", "||", "|", "<<", "EOF", "\n", "{", "}",
     "$IFS", "${", "eval", "bash -c", "git", "reset", "--hard", "sudo", "xargs", "(", "<(", ">", "*", "$HOME",
     "\u200b", "\u202e", "\u0430", "#", "if", "then", "fi", "for", "do", "done", "f()", "alias", "=", " "]),
    max_size=60).map("".join)


@FUZZ
@given(command=SHELLISH)
def test_shell_soup_gets_a_valid_answer(command: str, env: dict[str, str]) -> None:
    assert_well_formed_answer(payload({"command": command}), env)


@FUZZ
@given(tool_name=st.text(alphabet=st.characters(max_codepoint=0x2FFFF), min_size=1, max_size=40),
       tool_input=st.dictionaries(st.text(max_size=12), JSON_VALUES, max_size=6))
def test_any_tool_and_input_gets_a_valid_answer(tool_name: str, tool_input: dict, env: dict[str, str]) -> None:
    if tool_name == "Bash" and not isinstance(tool_input.get("command"), str):
        return  # covered by test_bash_command_not_a_string_is_denied
    assert_well_formed_answer(payload(tool_input, tool_name=tool_name), env)


@FUZZ
@given(tool=st.sampled_from(["Write", "Edit", "MultiEdit", "NotebookEdit"]),
       tool_input=st.dictionaries(st.sampled_from(["file_path", "content", "old_string", "new_string", "edits",
                                                    "notebook_path", "new_source"]), JSON_VALUES, max_size=5))
def test_file_tools_with_wrong_shapes_get_a_valid_answer(tool: str, tool_input: dict, env: dict[str, str]) -> None:
    # Wrong field types may still reach the internal-error path (see the xfail below); it must fail closed.
    assert_well_formed_answer(payload(tool_input, tool_name=tool), env, internal_error_ok=True)


@pytest.mark.parametrize("tool_input", [{"file_path": "/tmp/a", "edits": 1}, {"file_path": "/tmp/a", "edits": 2.5}])
def test_multiedit_wrong_edits_type_names_the_field(tool_input: dict, env: dict[str, str]) -> None:
    out = answer(json.dumps(payload(tool_input, tool_name="MultiEdit")).encode(), env)
    reason = reason_of(out)
    assert "internal error" not in reason and "tool_input.edits" in reason
    assert json.loads(out)["hookSpecificOutput"]["permissionDecision"] == "deny"


@pytest.mark.parametrize("command", [
    "echo hi; " * 40_000,  # ~360 KB of commands
    "$(" * 2_000 + "rm -rf ~" + ")" * 2_000,
    "(" * 3_000 + "ls" + ")" * 3_000,
    "{ " * 2_000 + "ls; " + "}; " * 2_000,
    nested_bash_c("rm -rf ~", 12),
    "a" * 1_000_000,
    "echo " + "$(echo " * 500 + "x" + ")" * 500,
    "f(){ f; }; f " + "| f " * 5_000,
], ids=["many-commands", "deep-cmdsubst", "deep-subshell", "deep-groups", "nested-bash-c", "one-huge-word",
        "deep-echo", "long-pipeline"])
def test_huge_and_deep_commands_are_bounded(command: str, env: dict[str, str]) -> None:
    t0 = time.perf_counter()
    d = assert_well_formed_answer(payload({"command": command}), env)
    elapsed = time.perf_counter() - t0
    assert d in ("ask", "deny"), "input beyond sane limits (or a resolved rm -rf ~) gets ask/deny, never a pass"
    assert elapsed < 5.0, f"took {elapsed:.1f}s; the hook must answer within its timeout"


def test_deep_json_nesting_in_tool_input(env: dict[str, str]) -> None:
    head = json.dumps(payload({"command": "ls"}))[:-2]  # drop the closing "}}" of tool_input and payload
    raw = (head + ', "extra": ' + '{"x": ' * 5_000 + '"rm -rf ~"' + "}" * 5_000 + "}}").encode()
    assert decision_of(answer(raw, env)) in (None, "allow", "deny", "ask")  # valid; no stack blow-up escapes


UNICODE_NOISE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u202d", "\u2066", "\u2069",
                 "\u00a0", "\u3000", "\u0301", "\U0001f4a5"]


@pytest.mark.parametrize("noise", UNICODE_NOISE, ids=[f"U+{ord(n):04X}" for n in UNICODE_NOISE])
def test_unicode_noise_as_an_extra_argument_keeps_the_block(noise: str, env: dict[str, str]) -> None:
    """`rm -rf ~ <noise>` still deletes the home directory: an extra odd argument must not unblock it."""
    d = assert_well_formed_answer(payload({"command": f"rm -rf ~ {noise}"}), env)
    assert d == "deny"


@pytest.mark.parametrize("command", [
    "r\u200bm -rf ~",            # zero-width inside the program name: runs nothing (command not found)
    "rm -rf \u202e~/ fr- mr",    # bidi override
    "rм -rf ~",                  # Cyrillic em homoglyph
    "git reset --hаrd",          # Cyrillic a in the flag
    "ｒｍ -rf ~",                # fullwidth
    "rm -rf ~\u0000",           # NUL
    "rm\u00a0-rf\u00a0~",        # no-break spaces are not separators in bash
])
def test_unicode_tricks_get_a_valid_answer(command: str, env: dict[str, str]) -> None:
    assert_well_formed_answer(payload({"command": command}), env)


@pytest.mark.parametrize("tool_name", ["Bash", "Write", "mcp__postgres__query", "Read"])
def test_unreadable_transcript_still_answers(tool_name: str, env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "t.jsonl"
    bad.write_bytes(b"\xff\xfe not json\n{\"type\": \"user\", \"message\": 7}\n" + b"x" * 100_000)
    os.chmod(bad, 0o000)
    ti = {"command": "git reset --hard"} if tool_name == "Bash" else {"file_path": "/tmp/x", "content": "y", "sql": "DROP TABLE t"}
    try:
        d = assert_well_formed_answer(payload(ti, tool_name=tool_name, transcript_path=str(bad)), env)
    finally:
        os.chmod(bad, 0o600)
    if tool_name == "Bash":
        assert d in ("deny", "ask")


# --------------------------------------------------------------------------- the real launcher


LAUNCHER_INPUTS = [
    b"", b"{", b"\xff\x00garbage", b"[1,2,3]",
    json.dumps(payload({"command": 12})).encode(),
    json.dumps(payload({"command": "rm -rf ~ \u202e"})).encode(),
    json.dumps(payload({"command": "$(" * 2_000 + "ls" + ")" * 2_000})).encode(),
    json.dumps(payload({"command": "ls -la"})).encode(),
]


@pytest.mark.parametrize("raw", LAUNCHER_INPUTS, ids=[f"in{i}" for i in range(len(LAUNCHER_INPUTS))])
def test_launcher_exit_codes_and_no_traceback(raw: bytes, env: dict[str, str]) -> None:
    e = dict(env, GUARDRAIL_PYTHON=sys.executable)
    p = subprocess.run(["sh", str(LAUNCHER), "pre-tool-use"], input=raw, capture_output=True, env=e, timeout=30)
    assert p.returncode in (0, 2), p.stderr[-500:]
    assert b"Traceback" not in p.stderr and b"Traceback" not in p.stdout
    out = p.stdout.decode()
    d = decision_of(out.strip() or None)
    if raw == LAUNCHER_INPUTS[-1]:
        assert d is None or d == "allow"
    elif raw in LAUNCHER_INPUTS[:5]:
        assert d == "deny", f"malformed input {raw[:40]!r} must be denied, got {out!r}"
    else:
        assert d in ("deny", "ask")


HIGH_CODE_POINTS = [0xE5E49, 0xF0000, 0x10FFFF, 0x102395, 0xE0067]


# tree-sitter-bash 0.25.1 segfaults on `{` followed by some code points above plane 2 (found by this suite); the
# hook exited 139, which Claude Code reads as no opinion. shell.py now replaces such characters before parsing.
def test_launcher_survives_high_code_points(env: dict[str, str]) -> None:
    """`rm -rf ~ {X}` with X above plane 2, three fresh processes each (the crash depends on memory layout)."""
    e = dict(env, GUARDRAIL_PYTHON=sys.executable)
    bad = []
    for cp in HIGH_CODE_POINTS:
        raw = json.dumps(payload({"command": "rm -rf ~ {" + chr(cp)})).encode()
        for _ in range(3):
            p = subprocess.run(["sh", str(LAUNCHER), "pre-tool-use"], input=raw, capture_output=True, env=e, timeout=30)
            if p.returncode not in (0, 2) or decision_of(p.stdout.decode().strip() or None) not in ("deny", "ask"):
                bad.append((hex(cp), p.returncode))
    assert not bad, f"hook failed open on: {bad}"
