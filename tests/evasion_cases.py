"""The harness the evasion suites share (tests/test_evasion*.py).

Each suite lists BLOCKED cases `(id, command, files)` that must end in deny or ask, PASSES benign twins
`(id, command)` or `(id, command, files)` that must not, and KNOWN_GAPS `{id: reason}` that turn blocked
cases into strict xfails (they fail loudly, XPASS, the day the gap closes). Decisions come from the pure engine
on guardrail.testing's fixed fake layout (cwd /work/proj, HOME /home/user), with no intent: nobody
asked. tests/test_fastpath.py reads the same BLOCKED lists to check the hook's prefilter never skips them.
"""

from __future__ import annotations

from typing import Any

import pytest

from guardrail.engine import evaluate
from guardrail.model import ToolCall
from guardrail.packs import load_ruleset
from guardrail.testing import CASE_CWD, case_context

RULESET = load_ruleset()


def gap(reason: str) -> Any:
    return pytest.mark.xfail(strict=True, reason=reason)


def decide(command: str, files: dict[str, str] | None = None) -> tuple[str | None, list[str]]:
    call = ToolCall(tool_name="Bash", tool_input={"command": command}, cwd=CASE_CWD, project_dir=CASE_CWD)
    verdict = evaluate(call, RULESET, case_context(None, files))
    return verdict.decision, verdict.rule_ids


def blocked_params(blocked: list[tuple[str, str, Any]], known_gaps: dict[str, str]) -> list[Any]:
    return [pytest.param(cmd, files, id=cid, marks=[gap(known_gaps[cid])] if cid in known_gaps else [])
            for cid, cmd, files in blocked]


def passes_params(passes: list[tuple[Any, ...]], files: dict[str, str] | None = None) -> list[Any]:
    """Twins as (command, files) params; a twin without its own files gets `files`."""
    return [pytest.param(case[1], case[2] if len(case) > 2 else files, id=case[0]) for case in passes]


def check_blocked(command: str, files: dict[str, str] | None) -> None:
    decision, rules = decide(command, files)
    assert decision in ("deny", "ask"), f"{command!r} -> {decision} {rules}"


def check_passes(command: str, files: dict[str, str] | None) -> None:
    decision, rules = decide(command, files)
    assert decision not in ("deny", "ask"), f"{command!r} -> {decision} {rules}"


def check_suite(blocked: list[tuple[str, str, Any]], passes: list[tuple[Any, ...]], known_gaps: dict[str, str]) -> None:
    """Every gap names a blocked case, and ids are unique across the suite."""
    ids = [case[0] for case in blocked] + [case[0] for case in passes]
    assert set(known_gaps) <= {case[0] for case in blocked}
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
