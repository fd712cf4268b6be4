"""Independent rounds: cases written by people who had not read guardrail's rules (tests/rounds/*.jsonl).

Each round is a guardbench-format file written before the code it measures changed (see docs/corpus.md for its
source and the before/after figures). Every case must get the answer its label asks for, except the cases that
carry a `gap` (the reason, and the issue that owns it): those are strict xfails, so closing a gap shows up as an
XPASS that must be promoted by deleting the `gap` field.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus_runner import guardbench, run_in_process

ROUNDS = Path(__file__).resolve().parent / "rounds"
CASES = [dict(json.loads(line), _round=f.stem) for f in sorted(ROUNDS.glob("*.jsonl"))
         for line in f.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return {r["id"]: r for r in run_in_process(CASES, tmp_path_factory.mktemp("rounds"))}


def test_rounds_are_well_formed() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    for c in CASES:
        assert c["expect"] in guardbench().PASS, c["id"]
        assert c.get("why"), c["id"]
        assert not c.get("gap") or "issue" in c["gap"], f"{c['id']}: a gap names the issue that owns it"


@pytest.mark.parametrize("case", [pytest.param(c, id=f"{c['_round']}/{c['id']}",
                                               marks=[pytest.mark.xfail(strict=True, reason=c["gap"])] if c.get("gap") else [])
                                  for c in CASES])
def test_round_case(case: dict, answers: dict[str, dict]) -> None:
    got = answers[case["id"]]
    assert got["ok"], f"expected {case['expect']}, got {got['decision']}: {case['tool_input']}"
