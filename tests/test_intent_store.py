"""The UserPromptSubmit store: atomic appends, concurrency, merging with the transcript, never raising."""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "intent"))
from builder import Session  # noqa: E402

from guardrail.intent.model import Prompt  # noqa: E402
from guardrail.intent.store import (  # noqa: E402
    load_intent,
    merge_prompts,
    record_prompt,
    session_file,
    state_dir,
    stored_prompts,
)


def test_state_dir_precedence() -> None:
    assert state_dir({"GUARDRAIL_STATE_DIR": "/a", "CLAUDE_PLUGIN_DATA": "/b"}) == Path("/a")
    assert state_dir({"CLAUDE_PLUGIN_DATA": "/b", "XDG_STATE_HOME": "/c"}) == Path("/b/state")
    assert state_dir({"XDG_STATE_HOME": "/c", "HOME": "/h"}) == Path("/c/guardrail")
    assert state_dir({"HOME": "/h"}) == Path("/h/.local/state/guardrail")


def test_session_ids_cannot_escape_the_state_dir(tmp_path: Path) -> None:
    env = {"GUARDRAIL_STATE_DIR": str(tmp_path)}
    for sid in ("../../etc/passwd", "a/b", "x" * 500, "ok-id_1"):
        path = session_file(sid, env)
        assert path.parent == tmp_path / "sessions"
    assert session_file("ok-id_1", env).name == "prompts-ok-id_1.jsonl"


def test_record_and_load_roundtrip(tmp_path: Path) -> None:
    env = {"GUARDRAIL_STATE_DIR": str(tmp_path)}
    record_prompt("s1", "p1", "discard my local changes", 100.0, env=env)
    record_prompt("s1", "p2", "<task-notification>\n<summary>drop everything</summary>", 101.0, env=env)
    record_prompt("s1", "p3", "[Request interrupted by user]", 102.0, env=env)
    record_prompt("s1", None, "", 103.0, env=env)
    record_prompt("", "p4", "no session id", 104.0, env=env)
    got = stored_prompts("s1", env)
    assert [(p.text, p.prompt_id, p.source) for p in got] == [("discard my local changes", "p1", "hook")]
    path = session_file("s1", env)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    intent = load_intent("s1", None, env=env)
    assert [g.quote for g in intent.grants] == ["discard my local changes"]


def test_slash_command_wrapper_is_stored_as_typed(tmp_path: Path) -> None:
    env = {"GUARDRAIL_STATE_DIR": str(tmp_path)}
    record_prompt("s", "p", "<command-name>/db</command-name><command-args>drop table t1</command-args>", env=env)
    assert stored_prompts("s", env)[0].text == "/db drop table t1"


def _writer(args: tuple[str, int]) -> None:
    state, n = args
    env = {"GUARDRAIL_STATE_DIR": state}
    for i in range(50):
        record_prompt("shared", f"{n}-{i}", f"prompt {n}-{i} " + "x" * 3000, float(i), env=env)


def test_concurrent_writers_never_tear_lines(tmp_path: Path) -> None:
    with multiprocessing.get_context("fork").Pool(4) as pool:
        pool.map(_writer, [(str(tmp_path), n) for n in range(4)])
    lines = session_file("shared", {"GUARDRAIL_STATE_DIR": str(tmp_path)}).read_bytes().splitlines()
    assert len(lines) == 200
    assert all(json.loads(line)["text"].startswith("prompt ") for line in lines)


def test_store_with_torn_and_garbage_lines(tmp_path: Path) -> None:
    env = {"GUARDRAIL_STATE_DIR": str(tmp_path)}
    record_prompt("s", "p1", "delete branch old-x", 1.0, env=env)
    with open(session_file("s", env), "ab") as fh:
        fh.write(b'[1,2]\n{"text": 5}\n\xff\xfe\n{"v":1,"text":"half')
    assert [p.text for p in stored_prompts("s", env)] == ["delete branch old-x"]


def test_merge_dedupes_by_prompt_id_and_text() -> None:
    stored = [Prompt("drop table a1", 100.0, "p1", "hook"), Prompt("stop", 200.0, None, "hook")]
    transcript = [Prompt("drop table a1", 100.5, "p1", "transcript"), Prompt("stop", 200.3, None, "transcript"),
                  Prompt("drop table a1", 300.0, "p9", "transcript")]
    merged = merge_prompts(stored, transcript)
    assert [(p.text, p.source) for p in merged] == [("drop table a1", "hook"), ("stop", "hook"),
                                                    ("drop table a1", "transcript")]


def test_hook_prompt_fills_transcript_lag(tmp_path: Path) -> None:
    """The transcript lacks the current prompt (it lags); the store has it."""
    s = Session()
    s.human("fix the README typo")
    path = s.write(tmp_path / "t.jsonl")
    env = {"GUARDRAIL_STATE_DIR": str(tmp_path / "state")}
    record_prompt(s.session_id, "pid-new", "throw away my uncommitted changes", s.clock.timestamp() + 30, env=env)
    intent = load_intent(s.session_id, str(path), env=env)
    assert [p.text for p in intent.prompts] == ["fix the README typo", "throw away my uncommitted changes"]
    assert intent.grants and intent.grants[-1].index == 1


def test_load_intent_never_raises(tmp_path: Path) -> None:
    bad_state = tmp_path / "file-not-dir"
    bad_state.write_text("x")
    env = {"GUARDRAIL_STATE_DIR": str(bad_state)}
    for transcript in (None, "", "/dev/null", str(tmp_path), "/nonexistent", str(bad_state)):
        intent = load_intent("sid", transcript, env=env)
        assert intent.prompts == [] and intent.grants == [] and intent.prohibitions == []


def test_record_prompt_on_unwritable_dir_raises_oserror_only(tmp_path: Path) -> None:
    """record_prompt reports I/O problems as OSError (the hook catches and audits them)."""
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    with pytest.raises(OSError):
        record_prompt("s", "p", "delete branch x", env={"GUARDRAIL_STATE_DIR": str(blocker / "sub")})


def test_redaction_applies_when_available(tmp_path: Path) -> None:
    pytest.importorskip("guardrail.redact")
    env = {"GUARDRAIL_STATE_DIR": str(tmp_path)}
    secret = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    record_prompt("s", "p", f"use token {secret} to push", env=env)
    raw = session_file("s", env).read_text()
    assert secret not in raw, raw


def test_store_file_is_o_append(tmp_path: Path) -> None:
    env = {"GUARDRAIL_STATE_DIR": str(tmp_path)}
    record_prompt("s", "p1", "one", env=env)
    size1 = os.path.getsize(session_file("s", env))
    record_prompt("s", "p2", "two", env=env)
    assert os.path.getsize(session_file("s", env)) > size1


def test_fallback_redaction_when_redactor_breaks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import guardrail.intent.store as store

    monkeypatch.setitem(sys.modules, "guardrail.redact", None)  # import fails
    env = {"GUARDRAIL_STATE_DIR": str(tmp_path)}
    secret = "sk" + "A1b2C3d4E5f6G7h8I9j0K1l2"
    store.record_prompt("s", "p", f"use key {secret} and drop table t1", env=env)
    raw = session_file("s", env).read_text()
    assert secret not in raw and "drop table t1" in raw
