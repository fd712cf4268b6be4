"""Hook latency: guardrail's real launcher against a bare Python hook that only reads its stdin JSON.

Both are spawned exactly as Claude Code spawns a hook (a new process, payload on stdin), interleaved
call by call so machine noise hits both alike. Prints p50/p95 per payload kind and the ratios.

    .venv/bin/python benchmarks/hook_latency.py [--n 200] [--json out.json]

The baseline uses the same interpreter guardrail runs on (GUARDRAIL_PYTHON, default: this one).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PAYLOADS = {
    "bash-benign": {"tool_name": "Bash", "tool_input": {"command": "ls -la src && git status", "description": "x"}},
    "bash-benign-long": {"tool_name": "Bash", "tool_input": {
        "command": "npm run build && npm test -- --coverage | tee out.log; grep -r TODO src | wc -l"}},
    "bash-deny": {"tool_name": "Bash", "tool_input": {"command": "git reset --hard origin/main"}},
    "bash-sql-deny": {"tool_name": "Bash", "tool_input": {"command": "psql -c 'DROP TABLE users'"}},
    "read": {"tool_name": "Read", "tool_input": {"file_path": "/tmp/x/README.md"}},
    "edit": {"tool_name": "Edit", "tool_input": {"file_path": "/tmp/x/app.py", "old_string": "a", "new_string": "b"}},
}


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(q * (len(values) - 1))))
    return values[k]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="calls per payload kind and side")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    python = os.environ.get("GUARDRAIL_PYTHON", sys.executable)
    tmp = Path(tempfile.mkdtemp(prefix="guardrail-bench-"))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp), "GUARDRAIL_PYTHON": python,
        "GUARDRAIL_AUDIT_LOG": str(tmp / "audit.jsonl"), "GUARDRAIL_STATE_DIR": str(tmp / "state"),
        "GUARDRAIL_CACHE_DIR": str(tmp / "cache"), "CLAUDE_PLUGIN_ROOT": str(ROOT), "CLAUDE_PROJECT_DIR": str(tmp),
    }
    guard = ["sh", str(ROOT / "hooks" / "launch.sh"), "pre-tool-use"]
    bare = [python, "-c", "import json,sys; json.load(sys.stdin)"]
    results: dict[str, dict[str, list[float]]] = {}
    for kind, body in PAYLOADS.items():
        payload = json.dumps({"session_id": "bench", "transcript_path": "/dev/null", "cwd": str(tmp),
                              "permission_mode": "default", "hook_event_name": "PreToolUse",
                              "tool_use_id": "toolu_bench", **body}).encode()
        subprocess.run(guard, input=payload, env=env, capture_output=True)  # warm the rule cache
        times: dict[str, list[float]] = {"guardrail": [], "bare": []}
        for i in range(args.n):
            order = (("guardrail", guard), ("bare", bare)) if i % 2 == 0 else (("bare", bare), ("guardrail", guard))
            for name, cmd in order:
                t0 = time.perf_counter()
                proc = subprocess.run(cmd, input=payload, env=env, capture_output=True)
                times[name].append((time.perf_counter() - t0) * 1000)
                if proc.returncode != 0:
                    sys.exit(f"{name} failed on {kind}: {proc.stderr.decode()[:500]}")
        results[kind] = times
    all_g = [t for r in results.values() for t in r["guardrail"]]
    all_b = [t for r in results.values() for t in r["bare"]]
    rows = []
    print(f"interpreter: {python}  calls per side and kind: {args.n}")
    print(f"{'payload':<18}{'guard p50':>10}{'guard p95':>10}{'bare p50':>10}{'bare p95':>10}{'p50 x':>8}{'p95 x':>8}")
    for kind, r in [*results.items(), ("ALL", {"guardrail": all_g, "bare": all_b})]:
        g50, g95, b50, b95 = pct(r["guardrail"], .5), pct(r["guardrail"], .95), pct(r["bare"], .5), pct(r["bare"], .95)
        rows.append({"payload": kind, "guardrail_p50_ms": g50, "guardrail_p95_ms": g95, "bare_p50_ms": b50,
                     "bare_p95_ms": b95, "ratio_p50": g50 / b50, "ratio_p95": g95 / b95,
                     "guardrail_mean_ms": statistics.fmean(r["guardrail"])})
        print(f"{kind:<18}{g50:>10.1f}{g95:>10.1f}{b50:>10.1f}{b95:>10.1f}{g50 / b50:>8.2f}{g95 / b95:>8.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"python": python, "n": args.n, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
