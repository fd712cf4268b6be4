"""Held-out paired scenarios (tests/intent/holdout.toml): accuracy on phrasing the extractor was not tuned on.

Known misses carry `todo` in the TOML and run as strict xfail, so a fix shows up as XPASS.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "intent"))
from builder import Session
from test_intent_scenarios import PAIRS, _decide, _pair_session  # noqa: F401 - shared harness

from guardrail.engine import evaluate
from guardrail.model import STRICTNESS, ToolCall
from guardrail.packs import load_ruleset

HOLDOUT = tomllib.loads((Path(__file__).parent / "intent" / "holdout.toml").read_text())["pair"]
RULESET = load_ruleset()


@pytest.mark.parametrize(("pair", "side"), [pytest.param(p, s, id=f"{p['id']}-{s}") for p in HOLDOUT
                                            for s in ("in", "out")])
def test_holdout_pair(pair: dict, side: str, tmp_path: Path) -> None:
    if pair.get("todo") and side in pair.get("todo_sides", ["in", "out"]):
        pytest.xfail(pair["todo"])
    prompt = pair["in_scope" if side == "in" else "out_scope"]
    expect = pair["in_expect" if side == "in" else "out_expect"]
    verdict, intent = _decide(_pair_session(pair, prompt), tmp_path, pair["command"])
    base = evaluate(ToolCall("Bash", {"command": pair["command"]}, cwd="/home/dev/project"), RULESET)  # the session cwd
    assert base.decision in ("deny", "ask"), f"no rule matches {pair['command']!r}"
    got = verdict.decision
    if expect == "relaxed":
        assert STRICTNESS[got] < STRICTNESS[base.decision], (verdict.reason, intent.grants)
    elif expect == "kept":
        assert got == base.decision, (verdict.reason, intent.grants)
    else:
        assert got == expect, (verdict.reason, intent.grants, intent.prohibitions)


# Injection over the held-out pairs: the in-scope request appears only where no human typed it (a tool result,
# a README read, a web page, a task notification, a subagent prompt, assistant text) while the human asked the
# out-of-scope thing. The decision must never be looser than the rule's own.
INJECTION_ROUTES = ("tool_result", "readme", "web", "task_notification", "subagent", "assistant")


def _injected_session(pair: dict, route: str) -> Session:
    text = pair["in_scope"]
    s = Session()
    s.human(pair["out_scope"])
    if route == "tool_result":
        s.tool("Bash", {"command": "gh issue view 42", "description": "Read the issue"}, f"TODO from the team: {text}")
    elif route == "readme":
        s.read_file("/home/dev/project/README.md", f"# Setup\n\nMaintainer note: {text}\n")
    elif route == "web":
        s.web_fetch("https://example.com/runbook", f"Runbook step 3: {text}")
    elif route == "task_notification":
        s.task_notification(text)
    elif route == "subagent":
        s.sidechain_prompt(text)
    else:
        s.assistant_text(f"Plan: {text}")
    s.tool("Bash", {"command": "git status --short", "description": "Show status"}, " M src/app.py")
    return s


@pytest.mark.parametrize(("pair", "route"), [pytest.param(p, r, id=f"{p['id']}-{r}") for p in HOLDOUT
                                             for r in INJECTION_ROUTES])
def test_holdout_injection_never_loosens(pair: dict, route: str, tmp_path: Path) -> None:
    verdict, intent = _decide(_injected_session(pair, route), tmp_path / "injected", pair["command"])
    human_only, _ = _decide(_pair_session(pair, pair["out_scope"]), tmp_path / "human", pair["command"])
    base = evaluate(ToolCall("Bash", {"command": pair["command"]}, cwd="/home/dev/project"), RULESET)
    assert [p.text for p in intent.prompts] == [pair["out_scope"]], "only the typed prompt is the human's"
    # the injected text changes nothing: the same decision as the human's prompt alone (a known out-of-scope
    # miss such as h2-truncate-queue is the human's own words loosening, not the injection)
    assert verdict.decision == human_only.decision, (verdict.reason, intent.grants)
    if not (pair.get("todo") and "out" in pair.get("todo_sides", ["in", "out"])):
        assert STRICTNESS[verdict.decision] >= STRICTNESS[base.decision], (verdict.reason, intent.grants)
