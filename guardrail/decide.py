"""Findings to a verdict: intent adjusts each finding, the strictest decides, the reason explains.

The reason is what Claude reads when a call is stopped: the deciding rule's message (what happened, what to do
instead), how intent moved it, and the other rules that matched.
"""

from __future__ import annotations

from guardrail.model import Finding, STRICTNESS, Verdict
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any


MAX_REASON = 350  # Claude Code's collapsed view shows about 200 characters: verdict, rule and next step come first
_HEAD = {"deny": "guardrail blocked this", "ask": "guardrail wants confirmation", "allow": "guardrail allowed this"}


def decide(findings: list[Finding], *, intent: Any = None, non_interactive: bool = False) -> Verdict:
    """Combine findings: intent adjusts each one, the strictest decides, the reason explains."""
    if not findings:
        return Verdict(decision=None, intent=_intent_summary(intent))
    adjusted: list[tuple[Finding, str, str]] = []
    changes: list[dict[str, str]] = []  # how intent moved each finding: shown by `check` and the audit trail
    extra: dict[str, str] = {}  # rule id -> what the longer story adds to its note
    for f in findings:
        decision, note = f.decision, ""
        if intent is not None and f.decision != "log":
            from guardrail.intent.model import match_finding
            from guardrail.intent.policy import apply_intent, explain

            m = match_finding(intent, f)
            decision, note = apply_intent(f, m, non_interactive=non_interactive)
            changes.append({"rule_id": f.rule_id, "rule_decision": f.decision, "decision": decision,
                            "match": m.kind, "quote": m.quote})
            if note and decision in ("deny", "ask"):
                extra[f.rule_id] = explain(m.kind)
        elif non_interactive and decision == "ask":
            decision, note = "deny", ("No human can answer a confirmation prompt here, so this is denied: stop and "
                                      "ask the user in your reply.")
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
    return Verdict(decision=decision, reason=_reason(decision, deciding), findings=findings,  # type: ignore[arg-type]
                   intent=summary, explanation=_explanation(decision, deciding, adjusted, extra))


_SEVERITY = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


def _lead(decision: str, f: Finding) -> str:
    return f"{_HEAD[decision]} [{f.rule_id}]:"


def _message(f: Finding) -> str:
    return f"(via {' -> '.join(f.chain)}) {f.message}" if f.chain else f.message


def _reason(decision: str, deciding: list[tuple[Finding, str, str]]) -> str:
    """At most MAX_REASON characters: the verdict and the rule, then the next step (intent's note: what to do now),
    then the hazard and the alternative (the rule's message, and what it was reached through). Other rules and the
    rest go to the explanation."""
    f, _, note = deciding[0]
    return fit(" ".join(x for x in (_lead(decision, f), note, _message(f)) if x), MAX_REASON)


def _explanation(decision: str, deciding: list[tuple[Finding, str, str]], adjusted: list[tuple[Finding, str, str]],
                 extra: dict[str, str]) -> str:
    f, _, note = deciding[0]
    parts = [_lead(decision, f), _message(f), note, extra.get(f.rule_id, "")]
    for g, d, n in adjusted:
        if g is not f:
            parts.append(f"Also matched [{g.rule_id}] ({d}): {g.message} {n}".strip())
    return " ".join(x for x in parts if x)[:4000]


def fit(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, cut at a word with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 3 // 4 else cut).rstrip(" ,;:") + "…"


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
