"""Reading human prompts from transcripts: the section 9 rule, tolerance, bounded tail reads."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "intent"))
from builder import Session  # noqa: E402

from guardrail.intent.transcript import (  # noqa: E402
    human_prompt_text,
    is_human_prompt_text,
    prompt_text,
    read_tail_lines,
    tail_prompts,
)

SHARED = Path(__file__).parent / "data" / "transcripts"
# Every real transcript and the human prompts it holds (whole file read), checked by hand against the files.
KNOWN = {
    "daaain-claude-code-log/edge_cases.jsonl": 4,
    "daaain-claude-code-log/representative_messages.jsonl": 4,
    "daaain-claude-code-log/session_b.jsonl": 2,
    "daaain-claude-code-log/todowrite_examples.jsonl": 2,
    "marot-spotter/4d5611e5-241a-462a-8d15-5122611a9569.jsonl": 2,  # + compact summary + task notification: 0
    "marot-spotter/4d5611e5-241a-462a-8d15-5122611a9569.subagents.agent-a2898e3.jsonl": 0,  # sidechain only
    "marot-spotter/short.jsonl": 1,  # + interrupt marker
    "marot-spotter/subagent.jsonl": 2,  # slash command args + "create the beads"; isMeta skill body excluded
    "marot-spotter/tool_heavy.jsonl": 3,  # incl. "/mcp"; caveat + local-command-stdout excluded
    "recorded-2.1.330/agent_allow_project_dir/2c830410-352e-48e5-99e5-de7729768b56.jsonl": 1,
    "recorded-2.1.330/agent_allow_project_dir/2c830410-352e-48e5-99e5-de7729768b56/subagents/agent-a1557e1adc549cdbc.jsonl": 0,
    "recorded-2.1.330/agent_allow_project_dir/2c830410-352e-48e5-99e5-de7729768b56/subagents/agent-a1ba4032951064282.jsonl": 0,
    "recorded-2.1.330/agent_allow_project_dir/2c830410-352e-48e5-99e5-de7729768b56/subagents/agent-a70ccdd60cc43b726.jsonl": 0,
    "recorded-2.1.330/deny_default.jsonl": 1,
    "recorded-2.1.330/interactive_ask_yes.jsonl": 1,
    "recorded-2.1.330/multi_allow.jsonl": 1,  # the tagged <task-notification> turn is not a prompt
    "recorded-2.1.330/v2.1.197_allow.jsonl": 1,
    "simonw-claude-code-transcripts/sample_session.jsonl": 2,
}


def test_every_real_transcript_is_listed() -> None:
    found = {str(p.relative_to(SHARED)) for p in SHARED.rglob("*.jsonl")}
    assert found == set(KNOWN)


@pytest.mark.parametrize("rel", sorted(KNOWN))
def test_real_transcript_prompt_counts(rel: str) -> None:
    prompts = tail_prompts(str(SHARED / rel), max_bytes=50_000_000)
    assert len(prompts) == KNOWN[rel], [p.text[:60] for p in prompts]
    for p in prompts:
        assert is_human_prompt_text(p.text)
        assert not p.text.startswith(("<task-notification", "<local-command", "[Request interrupted"))


def test_real_prompt_details() -> None:
    multi = tail_prompts(str(SHARED / "recorded-2.1.330/multi_allow.jsonl"))
    assert [(p.text, p.prompt_id) for p in multi] == [("please say hi", "b457329e-bc74-4fa6-b41c-18fad2bb0626")]
    assert multi[0].when > 1.7e9 and multi[0].source == "transcript"
    slash = tail_prompts(str(SHARED / "marot-spotter/subagent.jsonl"))
    assert slash[0].text.startswith("/handgemacht:create-beads websearch to learn")
    assert slash[1].text == "create the beads"
    long = tail_prompts(str(SHARED / "marot-spotter/4d5611e5-241a-462a-8d15-5122611a9569.jsonl"), max_bytes=10**8)
    assert [p.text for p in long][1] == "continue"


def test_tail_is_bounded_on_a_long_real_session() -> None:
    """The 3.1 MB session's prompts are in its first 2 MB: the default tail does not reach them (documented)."""
    path = str(SHARED / "marot-spotter/4d5611e5-241a-462a-8d15-5122611a9569.jsonl")
    assert tail_prompts(path) == []
    assert len(tail_prompts(path, max_bytes=4_000_000)) == 2


def _line(**kw):
    base = {"type": "user", "isSidechain": False, "message": {"role": "user", "content": "drop the users table"}}
    base.update(kw)
    return base


@pytest.mark.parametrize(("line", "expect"), [
    (_line(), "drop the users table"),
    (_line(promptSource="typed", turnOrigin="human", origin={"kind": "human"}), "drop the users table"),
    (_line(promptSource="sdk", turnOrigin="sdk"), "drop the users table"),
    (_line(message={"role": "user", "content": [{"type": "text", "text": "drop it"}, {"type": "image"}]}), "drop it"),
    (_line(isSidechain=True), None),
    (_line(isMeta=True), None),
    (_line(isCompactSummary=True), None),
    (_line(turnOrigin="task_notification"), None),
    (_line(turnOrigin="peer"), None),
    (_line(turnOrigin="scheduled"), None),
    (_line(turnOrigin="auto_continuation"), None),
    (_line(turnOrigin="unknown"), None),
    (_line(promptSource="system"), None),
    (_line(origin={"kind": "task-notification"}), None),
    (_line(origin="human"), None),
    (_line(toolUseResult={"stdout": "x"}), None),
    (_line(message={"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": "drop it"}]}), None),
    (_line(message={"role": "user", "content": "<task-notification>\n<summary>drop it</summary>"}), None),
    (_line(message={"role": "user", "content": "<local-command-stdout>drop it</local-command-stdout>"}), None),
    (_line(message={"role": "user", "content": "<bash-input>rm -rf /</bash-input>"}), None),
    (_line(message={"role": "user", "content": "<bash-stdout>ok</bash-stdout>"}), None),
    (_line(message={"role": "user", "content": "<command-message>x is running</command-message>"}), None),
    (_line(message={"role": "user", "content": [{"type": "text", "text": "[Request interrupted by user]"}]}), None),
    (_line(message={"role": "user", "content": "<command-name>/db</command-name><command-args>drop t1</command-args>"}),
     "/db drop t1"),
    (_line(message="error"), None),
    (_line(message={"role": "user", "content": None}), None),
    (_line(message={"role": "user", "content": "   "}), None),
    (_line(type="assistant"), None),
    ("a string line", None),
    (["a", "list"], None),
    (None, None),
])
def test_human_prompt_text(line, expect) -> None:
    assert human_prompt_text(line) == expect


@pytest.mark.parametrize(("text", "human"), [
    ("drop the users table", True),
    ("/compact", True),
    ("<task-notification>\n<task-id>b1</task-id>", False),
    ("  <task-notification>", False),
    ("<local-command-caveat>Caveat</local-command-caveat>", False),
    ("[Request interrupted by user for tool use]", False),
    ("", False),
    ("\n\t ", False),
])
def test_is_human_prompt_text(text: str, human: bool) -> None:
    assert is_human_prompt_text(text) is human
    assert (prompt_text(text) is not None) is human


def test_tolerates_garbage_torn_tail_and_unknown_types(tmp_path: Path) -> None:
    s = Session()
    s.human("discard my local changes")
    s.lines.insert(0, "\"a json string\"")
    s.lines.insert(1, "[1, 2, 3]")
    s.lines.insert(2, "not json at all {")
    s.lines.append({"type": "brand-new-kind-2099", "payload": {"type": "user"}})
    path = s.write(tmp_path / "t.jsonl", torn_tail='{"type":"user","message":{"role":"user","content":"drop ev')
    prompts = tail_prompts(str(path))
    assert [p.text for p in prompts] == ["discard my local changes"]


@pytest.mark.parametrize("path", ["/dev/null", "/nonexistent/x.jsonl", "", "/", "/proc/self/status"])
def test_odd_paths_never_raise(path: str) -> None:
    assert tail_prompts(path) == []


def test_fifo_does_not_block(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    assert tail_prompts(str(fifo)) == []


def test_empty_and_binary_files(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "bin.jsonl").write_bytes(bytes(range(256)) * 100 + b'\n{"type":"user"\xff}\n')
    assert tail_prompts(str(tmp_path / "empty.jsonl")) == []
    assert tail_prompts(str(tmp_path / "bin.jsonl")) == []


def test_tail_read_skips_the_line_cut_by_the_seek(tmp_path: Path) -> None:
    s = Session()
    s.human("first prompt drop table a1")
    for _ in range(200):
        s.tool("Bash", {"command": "ls"}, "x" * 500)
    s.human("last prompt")
    path = s.write(tmp_path / "t.jsonl")
    size = path.stat().st_size
    tail = read_tail_lines(str(path), size // 2)
    assert all(line == b"" or json.loads(line) for line in tail)
    assert [p.text for p in tail_prompts(str(path), max_bytes=size // 2)] == ["last prompt"]
    assert [p.text for p in tail_prompts(str(path), max_bytes=size)] == ["first prompt drop table a1", "last prompt"]


def test_prompt_containing_tool_result_words_is_kept(tmp_path: Path) -> None:
    s = Session()
    s.human('my prompt mentions "type":"tool_result" and {"type": "user"} literally')
    path = s.write(tmp_path / "t.jsonl")
    assert len(tail_prompts(str(path))) == 1
