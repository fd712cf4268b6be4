"""Every inline case and scenario of every built-in pack, one pytest item each.

Ids read `<pack>/<rule>/<kind>/<index>` (index = position in the rule's `tests` list), so
`pytest -k git/reset-hard` runs one rule. Each rule case runs against that rule alone.
`todo_match`/`todo_ok` cases are strict xfails: they fail the suite once the gap is fixed, so
the case gets promoted to `match`/`ok`.
"""

from __future__ import annotations

import pytest

from guardrail.packs import builtin_sources
from guardrail.testing import case_ids, load_pack_cases, run_pack_tests

_PACKS = load_pack_cases(builtin_sources())
_CASES = [c for pc in _PACKS for c in case_ids(pc)]
_IDS = [cid for cid, _ in _CASES]


def _param(cid: str, todo: bool) -> object:
    if todo:
        return pytest.param(cid, id=cid, marks=pytest.mark.xfail(strict=True, reason="known gap (todo case)"))
    return pytest.param(cid, id=cid)


@pytest.fixture(scope="module")
def results() -> dict[str, object]:
    return {r.id: r for r in run_pack_tests()}


def test_builtin_packs_have_cases() -> None:
    assert {pc.model.pack.id for pc in _PACKS} >= {"filesystem", "git", "database"}
    assert len(_IDS) == len(set(_IDS)), "case ids must be unique"


@pytest.mark.parametrize("case_id", [_param(c, todo) for c, todo in _CASES])
def test_pack_case(case_id: str, results: dict[str, object]) -> None:
    r = results[case_id]
    if r.status == "SKIP":  # type: ignore[attr-defined]
        pytest.skip(r.detail)  # type: ignore[attr-defined]
    # todo cases "pass" only as XPASS (the gap is fixed): strict xfail turns that into a failure.
    assert r.status in ("PASS", "XPASS"), f"{r.status}: {r.detail} (input: {r.input!r})"  # type: ignore[attr-defined]
