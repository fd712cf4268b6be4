"""In-process engine throughput over the labelled corpus (tests/corpus/*.jsonl).

    .venv/bin/python benchmarks/engine_throughput.py [--rounds 10]

Prints calls/s for a cold first pass (every SQL text, script and pattern seen for the first time) and for
warm passes, and the same for two baselines measured in the same run: guardrail's own parse of each Bash
command into the command model (plain word lines skip tree-sitter), and tree-sitter's parse alone (the floor
any shell-aware engine pays). Target (issue 7): >= 20,000 calls/s warm.
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
    ap.add_argument("--rounds", type=int, default=10, help="warm passes; the fastest is reported (less machine noise)")
    args = ap.parse_args()
    from guardrail.engine import evaluate
    from guardrail.model import EvalContext, ToolCall
    from guardrail.packs import load_ruleset
    from guardrail.shell.parse import parse_command
    from guardrail.shell.treesitter import ts_parser

    ruleset = load_ruleset()
    cases = load_cases()
    calls = [ToolCall(tool_name=c["tool_name"], tool_input=c["tool_input"], cwd="/work/proj", project_dir="/work/proj")
             for c in cases]

    def one_pass() -> float:
        t0 = time.perf_counter()
        for call in calls:
            evaluate(call, ruleset, EvalContext(cwd="/work/proj", project_dir="/work/proj", home="/home/user"))
        return time.perf_counter() - t0

    sources = [c.tool_input["command"] for c in calls if c.tool_name == "Bash"]

    def parse_pass() -> float:
        t0 = time.perf_counter()
        for source in sources:
            parse_command(source)
        return time.perf_counter() - t0

    parser = ts_parser()
    encoded = [s.encode("utf-8", "surrogatepass") for s in sources]

    def tree_sitter_pass() -> float:
        t0 = time.perf_counter()
        for data in encoded:
            parser.parse(data)
        return time.perf_counter() - t0

    cold = one_pass()
    warm = min(one_pass() for _ in range(args.rounds))
    floor = min(parse_pass() for _ in range(args.rounds))
    ts_floor = min(tree_sitter_pass() for _ in range(args.rounds))
    n = len(calls)
    print(f"corpus: {n} tool calls ({len(sources)} Bash), {len(ruleset.rules)} rules")
    print(f"engine cold pass : {n / cold:10.0f} calls/s  ({cold / n * 1e6:7.1f} us/call)")
    print(f"engine warm pass : {n / warm:10.0f} calls/s  ({warm / n * 1e6:7.1f} us/call)")
    print(f"command model    : {n / floor:10.0f} calls/s  ({floor / n * 1e6:7.1f} us/call)  (parse only)")
    print(f"tree-sitter only : {n / ts_floor:10.0f} calls/s  ({ts_floor / n * 1e6:7.1f} us/call)")
    print(f"engine / command model time ratio (warm): {warm / floor:.2f}x")
    print(f"target 20,000 calls/s warm: {'met' if n / warm >= 20_000 else 'not met'} ({n / warm / 20_000:.2f} of it)")


if __name__ == "__main__":
    main()
