"""False positives on reviewed benign command lines: how many would guardrail deny or ask?

    .venv/bin/python benchmarks/benign_corpus.py [--corpus ../shared/corpora/tldr-benign-commands.jsonl]
        [--show 30] [--json out.json]

Every line is judged in process, with the built-in packs and no intent, in a scratch cwd with no files, exactly
as `guardrail check` would. Prints the decisions, and the rules behind each deny/ask with examples. Run it with
another checkout's interpreter (`/path/to/checkout/.venv/bin/python benchmarks/benign_corpus.py`) to compare
before and after a change: the script uses only `guardrail.service.decide_call` (or, in checkouts older than
the service, `guardrail.engine`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "corpora" / "tldr-benign-commands.jsonl"


def judge_function(cwd: str, home: str):  # noqa: ANN201
    """A function command -> (decision or None, rule ids), from whichever API this checkout has."""
    try:
        from guardrail import service
    except ImportError:
        service = None
    if service is not None:
        from guardrail.model import ToolCall

        env = {"HOME": home, "GUARDRAIL_CACHE_DIR": os.path.join(home, ".cache", "guardrail")}
        setup = service.load_setup(cwd, env)

        def judge(command: str) -> tuple[str | None, list[str]]:
            call = ToolCall("Bash", {"command": command}, cwd=cwd, project_dir=cwd)
            ctx = service.context_for(call, setup.values, env, read_file=lambda _p: None)
            verdict = service.decide_call(call, setup.ruleset, ctx)
            return verdict.decision, verdict.rule_ids

        return judge
    # a checkout from before guardrail.service (2026-12-07): the engine and context had other homes
    import importlib

    EvalContext = importlib.import_module("guardrail.checks").EvalContext  # noqa: N806
    evaluate = importlib.import_module("guardrail.engine").evaluate
    from guardrail.model import ToolCall
    from guardrail.packs import load_ruleset

    ruleset = load_ruleset()

    def judge_old(command: str) -> tuple[str | None, list[str]]:
        ctx = EvalContext(cwd=cwd, project_dir=cwd, home=home, env={}, read_file=lambda _p: None)
        verdict = evaluate(ToolCall("Bash", {"command": command}, cwd=cwd, project_dir=cwd), ruleset, ctx)
        return verdict.decision, verdict.rule_ids

    return judge_old


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(DEFAULT))
    ap.add_argument("--show", type=int, default=20, help="example lines to print per rule")
    ap.add_argument("--json", help="write every deny/ask line and its rules to this file")
    args = ap.parse_args()
    lines = [json.loads(x)["command"] for x in Path(args.corpus).read_text().splitlines() if x.strip()]
    work = tempfile.mkdtemp(prefix="guardrail-benign-")
    home = os.path.join(work, "home")
    cwd = os.path.join(home, "project")
    os.makedirs(cwd)
    judge = judge_function(cwd, home)
    decisions: Counter[str] = Counter()
    by_rule: dict[str, list[str]] = defaultdict(list)
    flagged = []
    started = time.perf_counter()
    for i, command in enumerate(lines, 1):
        try:
            decision, rules = judge(command)
        except Exception as exc:  # noqa: BLE001 - counted, shown, never hidden
            decision, rules = "error", [f"{type(exc).__name__}: {exc}"[:200]]
        decisions[decision or "none"] += 1
        if decision is not None:
            flagged.append({"command": command, "decision": decision, "rules": rules})
            for r in sorted(set(rules)):
                by_rule[r].append(command)
        if i % 5000 == 0:
            print(f"  {i:,}/{len(lines):,} lines", file=sys.stderr)
    elapsed = time.perf_counter() - started
    print(f"{len(lines):,} benign lines in {elapsed:.1f} s: " + ", ".join(f"{k} {v:,}" for k, v in decisions.most_common()))
    print(f"flagged (deny or ask): {decisions['deny'] + decisions['ask']:,} = "
          f"{(decisions['deny'] + decisions['ask']) / len(lines):.2%}")
    for rule, commands in sorted(by_rule.items(), key=lambda kv: -len(kv[1])):
        print(f"\n{rule}: {len(commands)}")
        for c in commands[:args.show]:
            print(f"    {c[:140]}")
    if args.json:
        Path(args.json).write_text(json.dumps({"decisions": dict(decisions), "flagged": flagged}, indent=1))


if __name__ == "__main__":
    main()
