"""The reasons Claude Code shows: their length, and whether verdict, rule and next step fit its collapsed view.

    .venv/bin/python benchmarks/reason_lengths.py [--json FILE]

Decides every firing (`match`) Bash case of the built-in packs under three sessions (no prompt, an unrelated
prompt, and the same under `claude -p`), as the hook does, and prints the reason lengths (min, median, p90,
max) and how many reasons have the verdict, the rule and the next step in the first 200 characters (what the
terminal's collapsed view shows; issue 17). Runs on any checkout with the same API, to compare before/after.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

VIEW = 200  # characters Claude Code's collapsed view shows (newcomer trial, 2.1.330)
# The words that say what to do next, in the reasons' wording before and after issue 17.
NEXT = ("ask the user", "tell the user", "Use `", "use `", "ask them", "wait for", "Act only on")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    from guardrail.engine import evaluate
    from guardrail.intent.model import Prompt, extract_intent
    from guardrail.model import ToolCall
    from guardrail.packs import builtin_sources, load_ruleset
    from guardrail.testing import load_pack_cases

    ruleset = load_ruleset()
    commands = [c.value for pc in load_pack_cases(builtin_sources()) for r in pc.model.rule for c in r.tests
                if c.kind == "match" and isinstance(c.value, str) and c.tool == "Bash" and not (c.files or c.config
                                                                                              or c.repeat or c.cwd)]
    unrelated = extract_intent([Prompt(text="Fix the typo in README.md", when=time.time(), prompt_id=None,
                                       source="cli")])
    sessions = {"no prompt": (None, False), "unrelated prompt": (unrelated, False), "claude -p": (unrelated, True)}
    report: dict[str, dict] = {}
    for name, (intent, ni) in sessions.items():
        lengths, in_view = [], 0
        for command in commands:
            v = evaluate(ToolCall("Bash", {"command": command}), ruleset, intent=intent, non_interactive=ni)
            if v.decision not in ("deny", "ask"):
                continue
            lengths.append(len(v.reason))
            head = v.reason[:VIEW]
            if any(f"[{r}]" in head for r in v.rule_ids) and any(w in head for w in NEXT):
                in_view += 1
        lengths.sort()
        report[name] = {"reasons": len(lengths), "min": lengths[0], "median": statistics.median(lengths),
                        "p90": lengths[int(len(lengths) * 0.9)], "max": lengths[-1],
                        "rule_and_next_step_in_first_200": in_view}
    for name, r in report.items():
        print(f"{name:17} {r['reasons']:4} reasons  length min {r['min']:4}  median {r['median']:6}  p90 {r['p90']:4}"
              f"  max {r['max']:4}  rule+next step in first {VIEW}: {r['rule_and_next_step_in_first_200']}"
              f" ({100 * r['rule_and_next_step_in_first_200'] / r['reasons']:.0f}%)")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    sys.exit(main())
