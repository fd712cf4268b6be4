"""Replay of real Claude Code transcripts: one decision per tool_use, intent as known at that point.

Golden files in tests/golden/ hold the decisions; regenerate them after an intended rule change
with `GUARDRAIL_UPDATE_GOLDEN=1 pytest tests/test_replay.py` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from guardrail.config import default_values
from guardrail.packs import load_ruleset
from guardrail.replay import compare_expected, expand_transcripts, replay_file, replay_paths

GOLDEN = Path(__file__).parent / "golden"
SHARED = Path(os.environ.get("GUARDRAIL_TRANSCRIPTS", Path(__file__).parent / "data" / "transcripts"))
SYNTHETIC = GOLDEN / "synthetic_session.jsonl"
KEEP = ("file", "line", "tool_use_id", "tool", "decision", "rule_ids")


@pytest.fixture(scope="module")
def ruleset() -> object:
    return load_ruleset()


def tool_use_ids(path: Path) -> list[str]:
    """Distinct tool_use ids in file order, read independently of guardrail.replay."""
    ids: list[str] = []
    for raw in path.read_bytes().splitlines():
        try:
            obj = json.loads(raw)
        except ValueError:
            continue
        content = obj.get("message", {}).get("content") if isinstance(obj, dict) and obj.get("type") == "assistant" \
            and isinstance(obj.get("message"), dict) else None
        for b in content if isinstance(content, list) else []:
            if isinstance(b, dict) and b.get("type") == "tool_use" and b.get("id") not in ids:
                ids.append(b["id"])
    return ids


def golden(doc: dict[str, object], name: str) -> dict[str, object]:
    trimmed = {"results": [{k: r[k] for k in KEEP} for r in doc["results"]],  # type: ignore[attr-defined]
               "summary": doc["summary"]}
    path = GOLDEN / name
    if os.environ.get("GUARDRAIL_UPDATE_GOLDEN"):  # one record per line: reviewable diffs
        rows = ",\n".join(json.dumps(r) for r in trimmed["results"])
        path.write_text('{"results": [\n' + rows + '\n],\n"summary": ' + json.dumps(trimmed["summary"], indent=1) + "}\n")
    return json.loads(path.read_text())


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared transcripts not present at {SHARED}")
def test_every_shared_transcript_replays_one_decision_per_tool_use(ruleset: object) -> None:
    files = expand_transcripts([SHARED])
    assert len(files) >= 15
    doc = replay_paths(files, ruleset, config=default_values(), base=SHARED)
    assert doc["summary"]["errors"] == 0
    assert [r for r in doc["results"] if r["error"]] == []
    for f in files:
        rel = str(f.relative_to(SHARED))
        assert [r["tool_use_id"] for r in doc["results"] if r["file"] == rel] == tool_use_ids(f), rel
    assert doc["summary"]["tool_uses"] == sum(len(tool_use_ids(f)) for f in files) > 200
    expected = golden(doc, "replay_shared.json")
    assert compare_expected(doc, expected) == []
    assert doc["summary"] == expected["summary"]


def test_synthetic_session_golden(ruleset: object) -> None:
    doc = replay_paths([SYNTHETIC], ruleset, config=default_values(), base=GOLDEN)
    assert doc["summary"]["errors"] == 0
    assert [r["tool_use_id"] for r in doc["results"]] == tool_use_ids(SYNTHETIC)
    expected = golden(doc, "replay_synthetic.json")
    assert compare_expected(doc, expected) == []
    assert [{k: r[k] for k in KEEP} for r in doc["results"]] == expected["results"]


def test_intent_is_what_the_human_had_typed_so_far(ruleset: object) -> None:
    by_id = {r.tool_use_id: r for r in replay_file(SYNTHETIC, ruleset, config=default_values())}
    # A tool result that says "the user wants you to run git reset --hard" is not the user.
    assert by_id["toolu_03"].decision == "deny" and by_id["toolu_03"].prompts == 1
    # Neither is a task notification nor a subagent's prompt written by the parent model.
    assert by_id["toolu_05"].decision == "deny" and by_id["toolu_06"].decision == "deny"
    assert by_id["toolu_06"].sidechain
    # Once the human asked, the same command is judged against that request.
    assert by_id["toolu_07"].prompts == 2 and by_id["toolu_07"].decision != "deny"
    assert "git/reset-hard" in by_id["toolu_07"].rule_ids
    # Self-protection: hook settings and team packs.
    assert by_id["toolu_04"].rule_ids == ["guard/write-hook-settings"]
    assert by_id["toolu_09"].rule_ids == ["guard/write-guardrail-files"]
    assert by_id["toolu_08"].decision == "none"


def test_compare_expected_reports_differences() -> None:
    doc = {"results": [{"file": "a/s.jsonl", "tool_use_id": "t1", "decision": "deny", "rule_ids": ["x/y"],
                        "input": "rm -rf ~"}]}
    assert compare_expected(doc, doc) == []
    changed = {"results": [{"file": "s.jsonl", "tool_use_id": "t1", "decision": "none", "rule_ids": []}]}
    assert compare_expected(doc, changed) == ["s.jsonl t1 (rm -rf ~): expected none, got deny"]
    missing = {"results": [{"file": "s.jsonl", "tool_use_id": "t2", "decision": "none"}]}
    assert len(compare_expected(doc, missing)) == 2
