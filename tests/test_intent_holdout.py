"""Held-out paired scenarios (tests/intent/holdout.toml): accuracy on phrasing the extractor was not tuned on.

Known misses carry `todo` in the TOML and run as strict xfail, so a fix shows up as XPASS.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
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
    base = evaluate(ToolCall("Bash", {"command": pair["command"]}), RULESET)
    assert base.decision in ("deny", "ask"), f"no rule matches {pair['command']!r}"
    got = verdict.decision
    if expect == "relaxed":
        assert STRICTNESS[got] < STRICTNESS[base.decision], (verdict.reason, intent.grants)
    elif expect == "kept":
        assert got == base.decision, (verdict.reason, intent.grants)
    else:
        assert got == expect, (verdict.reason, intent.grants, intent.prohibitions)
