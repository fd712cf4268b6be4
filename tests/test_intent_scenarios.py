"""Intent scenarios through real transcript files, the store and the engine with the built-in packs.

Paired scenarios: the same command under an in-scope and an out-of-scope prompt (tests/intent/paired.toml),
each run twice: from the transcript alone, and from the UserPromptSubmit store while the transcript lags
(the current prompt is not written yet). Other cases: tests/intent/cases.toml.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "intent"))
from builder import Session  # noqa: E402

from guardrail.engine import evaluate  # noqa: E402
from guardrail.intent.store import load_intent, record_prompt  # noqa: E402
from guardrail.model import STRICTNESS, ToolCall  # noqa: E402
from guardrail.packs import load_ruleset  # noqa: E402

DATA = Path(__file__).parent / "intent"
PAIRS = tomllib.loads((DATA / "paired.toml").read_text())["pair"]
CASES = tomllib.loads((DATA / "cases.toml").read_text())["case"]
RULESET = load_ruleset()


def _decide(session: Session, tmp: Path, command: str, *, non_interactive: bool = False,
            lag_last: bool = False, use_store: bool = False):
    env = {"GUARDRAIL_STATE_DIR": str(tmp / "state")}
    if use_store:
        for pid, text, when in session.human_prompts:
            record_prompt(session.session_id, pid, text, when, env=env)
    if lag_last:  # the transcript lags: the current prompt's line is not there yet
        cut = max(i for i, x in enumerate(session.lines) if isinstance(x, dict) and x.get("type") == "user"
                  and x.get("promptId") == session.human_prompts[-1][0] and isinstance(x["message"]["content"], str))
        session.lines = session.lines[:cut - 1]
    path = session.write(tmp / "projects" / "-home-dev-project" / f"{session.session_id}.jsonl")
    intent = load_intent(session.session_id, str(path), env=env)
    call = ToolCall("Bash", {"command": command}, cwd=session.cwd, session_id=session.session_id)
    return evaluate(call, RULESET, intent=intent, non_interactive=non_interactive), intent


def _pair_session(pair: dict, prompt: str) -> Session:
    s = Session(entrypoint="sdk-cli" if pair.get("sdk") else "cli")
    if pair.get("slash"):
        s.slash(pair["slash"], prompt)
    else:
        s.human(prompt, sdk=bool(pair.get("sdk")))
    s.tool("Bash", {"command": "git status --short", "description": "Show status"}, " M src/app.py\n?? notes.txt")
    return s


PAIR_PARAMS = [pytest.param(p, side, route, id=f"{p['id']}-{side}-{route}")
               for p in PAIRS for side in ("in", "out") for route in ("transcript", "store-lag")]


@pytest.mark.parametrize(("pair", "side", "route"), PAIR_PARAMS)
def test_paired_scenario(pair: dict, side: str, route: str, tmp_path: Path) -> None:
    prompt = pair["in_scope" if side == "in" else "out_scope"]
    expect = pair["in_expect" if side == "in" else "out_expect"]
    if pair.get("todo") and side in pair.get("todo_sides", ["in", "out"]):
        pytest.xfail(pair["todo"])
    session = _pair_session(pair, prompt)
    verdict, intent = _decide(session, tmp_path, pair["command"], use_store=route == "store-lag",
                              lag_last=route == "store-lag")
    assert intent.prompts, "the human prompt must be found"
    base = evaluate(ToolCall("Bash", {"command": pair["command"]}), RULESET)
    assert base.decision in ("deny", "ask"), f"no rule matches {pair['command']!r} any more: {base}"
    got = verdict.decision
    if expect == "relaxed":
        assert STRICTNESS[got] < STRICTNESS[base.decision], (verdict.reason, intent.grants, intent.prohibitions)
    elif expect == "kept":
        assert got == base.decision, verdict.reason
    else:
        assert got == expect, (verdict.reason, intent.grants, intent.prohibitions)
    if side == "out":
        assert STRICTNESS[got] >= STRICTNESS[base.decision]
    if any(f.severity == "critical" or f.environment == "prod" for f in verdict.findings if f.decision != "log"):
        assert got != "allow", "critical or production actions are never auto-allowed"
    if side == "out" and expect in ("deny", "ask"):
        assert any(k in verdict.reason for k in ("did not ask for", "earlier task", "named", "said not")), verdict.reason
        if "did not ask for" in verdict.reason:  # the user sees which request failed to match
            assert " ".join(prompt.split())[:40] in verdict.reason


def test_pair_count_and_contrast() -> None:
    assert len(PAIRS) >= 60
    assert len({p["id"] for p in PAIRS}) == len(PAIRS)
    for p in PAIRS:  # a pair is only a pair if the prompt changes the outcome
        if p["in_expect"] == "relaxed":
            assert p["out_expect"] == "kept", p["id"]
            continue
        assert STRICTNESS[p["in_expect"]] < STRICTNESS[p["out_expect"]], p["id"]


def _case_session(case: dict, tmp: Path) -> tuple[Session, list[str]]:
    s = Session(version=case.get("version", "2.1.330"), entrypoint="sdk-cli" if case.get("non_interactive") else "cli")
    hook_prompts: list[str] = []
    for step in case["steps"]:
        if "human" in step:
            s.human(step["human"], sdk=bool(step.get("sdk")))
            s.tool("Bash", {"command": "ls"}, "README.md\nsrc")
        elif "slash" in step:
            s.slash(step["slash"], step.get("args", ""))
        elif "tool_result" in step:
            s.tool("Bash", {"command": "make check"}, step["tool_result"], is_error=bool(step.get("is_error")))
        elif "read" in step:
            s.read_file(step["read"], step["content"])
        elif "web" in step:
            s.web_fetch(step["web"], step["content"])
        elif "task_notification" in step:
            s.task_notification(step["task_notification"], tagged=step.get("tagged", True))
        elif "sidechain" in step:
            if step.get("fresh_id"):
                s.prompt_id = "sidechain-own-id"  # a subagent line whose promptId matches no human prompt
            s.sidechain_prompt(step["sidechain"])
        elif "meta" in step:
            s.meta(step["meta"])
        elif "compact" in step:
            s.compact_summary(step["compact"])
        elif "local_command" in step:
            s.local_command(step["local_command"], step["stdout"])
        elif "interrupt" in step:
            s.interrupt()
        elif "origin" in step:
            s.turn_origin(step["text"], step["origin"])
        elif "assistant" in step:
            s.assistant_text(step["assistant"])
        elif "hook_prompt" in step:
            hook_prompts.append(step["hook_prompt"])
        else:  # pragma: no cover - a typo in cases.toml
            raise AssertionError(f"cases.toml: unknown step {step}")
    s.end_turn()
    return s, hook_prompts


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in CASES])
def test_case(case: dict, tmp_path: Path) -> None:
    if case.get("todo"):
        pytest.xfail(case["todo"])
    session, hook_prompts = _case_session(case, tmp_path)
    env = {"GUARDRAIL_STATE_DIR": str(tmp_path / "state")}
    for i, text in enumerate(hook_prompts):
        record_prompt(session.session_id, f"hook-{i}", text, session.clock.timestamp() + 60 + i, env=env)
    verdict, intent = _decide(session, tmp_path, case["command"], non_interactive=bool(case.get("non_interactive")))
    assert verdict.decision == case["expect"], (verdict.reason, intent.prompts, intent.grants, intent.prohibitions)
    if case["kind"] == "injection":
        base = evaluate(ToolCall("Bash", {"command": case["command"]}), RULESET,
                        non_interactive=bool(case.get("non_interactive")))
        assert STRICTNESS[verdict.decision] >= STRICTNESS[base.decision], "injected text loosened the decision"
        assert not intent.grants or all(g.quote not in verdict.reason for g in intent.grants)
        assert "not the user's consent" in verdict.explanation  # the whole story; the reason keeps the next step
    if case.get("non_interactive") and verdict.decision == "deny":
        assert "stop" in verdict.reason or "No human" in verdict.reason


def test_case_kinds_covered() -> None:
    kinds = {c["kind"] for c in CASES}
    assert {"revocation", "prohibition", "wrong_target", "multi", "injection"} <= kinds
    injected_via = {k for c in CASES if c["kind"] == "injection" for s in c["steps"] for k in s}
    assert {"tool_result", "read", "task_notification", "sidechain", "web", "meta", "compact"} <= injected_via
