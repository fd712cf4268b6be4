"""Findings to a verdict: intent adjusts each finding, the strictest decides, the reason explains.

The reason is what Claude reads when a call is stopped: the deciding rule's message (what happened, what to do
instead), how intent moved it, and the other rules that matched.
"""

from __future__ import annotations

from guardrail.model import Finding, STRICTNESS, Verdict
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any


def decide(findings: list[Finding], *, intent: Any = None, non_interactive: bool = False) -> Verdict:
    """Combine findings: intent adjusts each one, the strictest decides, the reason explains."""
    if not findings:
        return Verdict(decision=None, intent=_intent_summary(intent))
    adjusted: list[tuple[Finding, str, str]] = []
    changes: list[dict[str, str]] = []  # how intent moved each finding: shown by `check` and the audit trail
    for f in findings:
        decision, note = f.decision, ""
        if intent is not None and f.decision != "log":
            from guardrail.intent.model import match_finding
            from guardrail.intent.policy import apply_intent

            m = match_finding(intent, f)
            decision, note = apply_intent(f, m, non_interactive=non_interactive)
            changes.append({"rule_id": f.rule_id, "rule_decision": f.decision, "decision": decision,
                            "match": m.kind, "quote": m.quote})
        elif non_interactive and decision == "ask":
            decision, note = "deny", "No human can answer a confirmation prompt here, so this is denied: stop and ask the user in your reply."
        adjusted.append((f, decision, note))
    summary = _intent_summary(intent)
    if summary is not None:
        summary["changes"] = changes
    top = adjusted[0] if len(adjusted) == 1 else max(
        adjusted, key=lambda x: (STRICTNESS.get(x[1], 0), _SEVERITY.get(x[0].severity, 0)))
    decision = top[1]
    if decision == "log":
        return Verdict(decision=None, reason="", findings=findings, intent=summary)
    deciding = [x for x in adjusted if x[1] == decision]
    reason = _reason(decision, deciding)
    return Verdict(decision=decision, reason=reason, findings=findings, intent=summary)  # type: ignore[arg-type]


_SEVERITY = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


def _reason(decision: str, deciding: list[tuple[Finding, str, str]]) -> str:
    f, _, note = deciding[0]
    chain = ""
    if f.chain:
        chain = " (reached through " + " -> ".join(f.chain) + ")"
    head = {"deny": "guardrail blocked this", "ask": "guardrail wants confirmation", "allow": "guardrail allowed this"}[decision]
    parts = [f"{head} [{f.rule_id}]{chain}: {f.message}"]
    if note:
        parts.append(note)
    others = sorted({x[0].rule_id for x in deciding[1:]} - {f.rule_id}) if len(deciding) > 1 else ()
    if others:
        parts.append("Also matched: " + ", ".join(others) + ".")
    text = " ".join(parts)
    return text[:1500]


def _intent_summary(intent: Any) -> dict[str, Any] | None:
    if intent is None:
        return None
    try:
        return {
            "prompts": len(intent.prompts),
            "grants": [{"effects": sorted(g.effects), "objects": list(g.objects), "environment": g.environment,
                        "quote": g.quote} for g in intent.grants][:10],
            "prohibitions": [{"kind": p.kind, "effects": sorted(p.effects), "objects": list(p.objects),
                              "quote": p.quote} for p in intent.prohibitions][:10],
        }
    except AttributeError:
        return None
