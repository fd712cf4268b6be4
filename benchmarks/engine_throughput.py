"""In-process engine throughput over the labelled corpus (tests/corpus/*.jsonl).

    .venv/bin/python benchmarks/engine_throughput.py [--rounds 5]

Prints calls/s for a cold first pass (every SQL text and script seen for the first time) and for warm
passes, and the same for a baseline that only parses each command with tree-sitter (the floor any
shell-aware engine pays), measured in the same run. Target (issue 7): >= 20,000 calls/s.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_cases() -> list[dict]:
    cases = []
    for path in sorted((ROOT / "tests" / "corpus").glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                cases.append(json.loads(line))
    return cases


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    from guardrail.checks import EvalContext
    from guardrail.engine import evaluate
    from guardrail.model import ToolCall
    from guardrail.packs import load_ruleset
    from guardrail.shell import parse_command

    ruleset = load_ruleset()
    cases = load_cases()
    calls = [ToolCall(tool_name=c["tool_name"], tool_input=c["tool_input"], cwd="/work/proj", project_dir="/work/proj")
             for c in cases]

    def one_pass() -> float:
        t0 = time.perf_counter()
        for call in calls:
            evaluate(call, ruleset, EvalContext(cwd="/work/proj", project_dir="/work/proj", home="/home/user"))
        return time.perf_counter() - t0

    def parse_pass() -> float:
        t0 = time.perf_counter()
        for call in calls:
            if call.tool_name == "Bash":
                parse_command(call.tool_input["command"])
        return time.perf_counter() - t0

    cold = one_pass()
    warm = min(one_pass() for _ in range(args.rounds))
    floor = min(parse_pass() for _ in range(args.rounds))
    n = len(calls)
    print(f"corpus: {n} tool calls, {len(ruleset.rules)} rules")
    print(f"engine cold pass : {n / cold:10.0f} calls/s  ({cold / n * 1e6:7.1f} us/call)")
    print(f"engine warm pass : {n / warm:10.0f} calls/s  ({warm / n * 1e6:7.1f} us/call)")
    print(f"parse-only floor : {n / floor:10.0f} calls/s  ({floor / n * 1e6:7.1f} us/call)")
    print(f"engine / parse-only time ratio (warm): {warm / floor:.2f}x")


if __name__ == "__main__":
    main()
