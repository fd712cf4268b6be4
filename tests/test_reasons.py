"""Reasons fit Claude Code's collapsed view (issue 17): at most decide.MAX_REASON characters, with the verdict, the
rule and the next step in the first 200; the whole story is in the explanation (audit record, `check --explain`)."""

from __future__ import annotations

import time

import pytest

from guardrail.decide import MAX_REASON, fit
from guardrail.engine import evaluate
from guardrail.intent.model import Prompt, extract_intent
from guardrail.model import ToolCall
from guardrail.packs import builtin_sources, load_ruleset
from guardrail.testing import load_pack_cases

RULESET = load_ruleset()
COMMANDS = sorted({c.value for pc in load_pack_cases(builtin_sources()) for r in pc.model.rule for c in r.tests
                   if c.kind == "match" and isinstance(c.value, str) and c.tool == "Bash"
                   and not (c.files or c.config or c.repeat or c.cwd)})
UNRELATED = extract_intent([Prompt(text="Fix the typo in README.md", when=time.time(), prompt_id=None, source="cli")])


@pytest.mark.parametrize("non_interactive", [False, True], ids=["interactive", "claude -p"])
def test_every_blocking_reason_fits_the_collapsed_view(non_interactive: bool) -> None:
    seen = 0
    for command in COMMANDS:
        v = evaluate(ToolCall("Bash", {"command": command}), RULESET, intent=UNRELATED, non_interactive=non_interactive)
        if v.decision not in ("deny", "ask"):
            continue
        seen += 1
        head = v.reason[:200]
        assert len(v.reason) <= MAX_REASON, (command, v.reason)
        assert head.startswith(("guardrail blocked this [", "guardrail wants confirmation [")), v.reason
        assert f"[{v.findings[0].rule_id}]" in head or any(f"[{r}]" in head for r in v.rule_ids), v.reason
        assert "ask the user" in head or "tell the user" in head, (command, v.reason)
        assert "not the user's consent" not in v.reason and "not the user's consent" in v.explanation
    assert seen > 300


def test_explanation_keeps_every_matched_rule() -> None:
    v = evaluate(ToolCall("Bash", {"command": "git reset --hard && rm -rf ~"}), RULESET, intent=UNRELATED)
    assert len(v.rule_ids) >= 2 and all(f"[{r}]" in v.explanation for r in v.rule_ids)


@pytest.mark.parametrize(("text", "limit", "expect"), [
    ("short", 10, "short"),
    ("one two three four", 16, "one two three…"),
    ("x" * 30, 10, "x" * 9 + "…"),
])
def test_fit_cuts_at_a_word(text: str, limit: int, expect: str) -> None:
    assert fit(text, limit) == expect and len(fit(text, limit)) <= limit
