"""How intent changed each finding is visible end to end: in the audit record the real hook writes and in
`guardrail check --format json`.

Real hook entry (`hookio.handle`) for UserPromptSubmit then PreToolUse, a real transcript written in Claude
Code's shape, the real audit log read back with `audit.iter_records`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent / "intent"))
from builder import Session

from guardrail import audit, hookio


def _env(tmp: Path) -> dict[str, str]:
    return {"HOME": str(tmp / "home"), "PATH": "/usr/bin:/bin", "GUARDRAIL_AUDIT_LOG": str(tmp / "audit.jsonl"),
            "GUARDRAIL_STATE_DIR": str(tmp / "state"), "GUARDRAIL_CACHE_DIR": str(tmp / "cache")}


def _run(tmp: Path, prompt: str, command: str) -> tuple[str | None, list[dict]]:
    """The human types `prompt` (UserPromptSubmit), then Claude proposes `command` (PreToolUse)."""
    env = _env(tmp)
    s = Session()
    pid = s.human(prompt)
    hookio.handle("user-prompt-submit", json.dumps({
        "session_id": s.session_id, "transcript_path": "", "cwd": s.cwd, "hook_event_name": "UserPromptSubmit",
        "prompt": prompt, "prompt_id": pid}).encode(), env)
    s.tool("Bash", {"command": "git status --short"}, " M src/app.py")
    transcript = s.write(tmp / "projects" / f"{s.session_id}.jsonl")
    out = hookio.handle("pre-tool-use", json.dumps({
        "session_id": s.session_id, "transcript_path": str(transcript), "cwd": s.cwd,
        "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": "Bash",
        "tool_input": {"command": command, "description": "run"}, "tool_use_id": "toolu_audit_01"}).encode(), env)
    records = [r for r in audit.iter_records(tmp / "audit.jsonl") if r.get("event") == "PreToolUse"]
    return out, records


def test_requested_reset_records_how_intent_relaxed_the_rule(tmp_path: Path) -> None:
    out, records = _run(tmp_path, "Discard all my local changes, I want a clean working tree.", "git reset --hard")
    assert out is not None and json.loads(out)["hookSpecificOutput"]["permissionDecision"] == "allow"
    (rec,) = records
    assert rec["decision"] == "allow" and rec["rule_ids"] == ["git/reset-hard"]
    change = rec["intent"]["changes"][0]
    assert change == {"rule_id": "git/reset-hard", "rule_decision": "deny", "decision": "allow", "match": "grant",
                      "quote": "Discard all my local changes, I want a clean working tree"}
    assert rec["intent"]["grants"][0]["quote"] == change["quote"]  # the deciding prompt, quoted


def test_unrequested_reset_records_that_no_prompt_asked(tmp_path: Path) -> None:
    out, records = _run(tmp_path, "Fix the typo in the README.", "git reset --hard")
    assert json.loads(out)["hookSpecificOutput"]["permissionDecision"] == "deny"
    (change,) = records[0]["intent"]["changes"]
    assert change["rule_decision"] == change["decision"] == "deny" and change["match"] == "none"
    assert change["quote"] == "Fix the typo in the README."  # the current request, for the reviewer


def test_wrong_target_records_the_deny_per_finding(tmp_path: Path) -> None:
    out, records = _run(tmp_path, "Delete the preview-123 namespace in my kind-dev cluster.",
                        "kubectl --context kind-dev delete namespace preview-456")
    assert json.loads(out)["hookSpecificOutput"]["permissionDecision"] == "deny"
    changes = {c["rule_id"]: c for c in records[0]["intent"]["changes"]}
    assert set(changes) == {"infra/kubectl-delete-broad", "infra/kubectl-delete"}
    assert changes["infra/kubectl-delete"] == {
        "rule_id": "infra/kubectl-delete", "rule_decision": "ask", "decision": "deny", "match": "wrong_target",
        "quote": "Delete the preview-123 namespace in my kind-dev cluster"}


def test_check_json_shows_changes_per_finding() -> None:
    from guardrail.commands.check import command

    result = CliRunner().invoke(command, ["kubectl --context kind-dev delete namespace preview-123", "--prompt",
                                          "Delete the preview-123 namespace in my kind-dev cluster.",
                                          "--format", "json"])
    assert result.exit_code == 1, result.output  # 1: the call would be asked
    data = json.loads(result.output)
    changes = {c["rule_id"]: c for c in data["intent"]["changes"]}
    # the broad rule relaxes to ask (critical: never auto-allowed), the named-workload rule to allow
    assert changes["infra/kubectl-delete-broad"]["rule_decision"] == "deny"
    assert changes["infra/kubectl-delete-broad"]["decision"] == "ask"
    assert changes["infra/kubectl-delete"]["decision"] == "allow"
    assert {c["match"] for c in changes.values()} == {"grant"}
    assert data["decision"] == "ask"
