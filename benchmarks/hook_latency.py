"""Hook latency: guardrail's real launcher against a bare Python hook that only reads its stdin JSON.

Both are spawned exactly as Claude Code spawns a hook (a new process, payload on stdin), interleaved
call by call so machine noise hits both alike. Prints p50/p95 per payload kind and the ratios.

    .venv/bin/python benchmarks/hook_latency.py [--n 200] [--json out.json] [--peer /tmp/peer] [--launcher py|sh]

guardrail runs through the launcher hooks.json names: `python3 -I -S hooks/launch.py` (--launcher py, with this
interpreter standing in for the `python3` on PATH: a pyenv shim there adds its own ~70 ms to every hook), or the
POSIX one, `sh hooks/launch.sh` (--launcher sh).

The baseline uses the same interpreter guardrail runs on (GUARDRAIL_PYTHON, default: this one).
With --peer DIR (from `sh benchmarks/peer_setup.sh DIR`), cc-safety-net runs in the same interleaved
rotation. With --before DIR (another checkout of guardrail with its own `.venv`, e.g. a `git worktree` of an
earlier commit), that version runs in the rotation too, so a change is measured before and after in one run.
Wall time is what the user waits for; CPU time (user+sys of the child, from getrusage) is far
less sensitive to other load on the machine, so both are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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
    "powershell-benign": {"tool_name": "PowerShell", "tool_input": {"command": "Get-ChildItem -Recurse -Filter *.cs"}},
    "powershell-deny": {"tool_name": "PowerShell", "tool_input": {"command": "Remove-Item -Recurse -Force $HOME"}},
    "read": {"tool_name": "Read", "tool_input": {"file_path": "/tmp/x/README.md"}},
    "edit": {"tool_name": "Edit", "tool_input": {"file_path": "/tmp/x/app.py", "old_string": "a", "new_string": "b"}},
}


def session_tool_calls() -> list[dict]:
    """Every tool_use of the real Claude Code transcripts in tests/data/transcripts (see SOURCES.txt)."""
    calls, seen = [], set()
    for path in sorted((ROOT / "tests" / "data" / "transcripts").rglob("*.jsonl")):
        for line in path.read_text(errors="replace").splitlines():
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if not isinstance(obj, dict) or obj.get("type") != "assistant":
                continue
            for block in (obj.get("message") or {}).get("content") or []:
                if isinstance(block, dict) and block.get("type") == "tool_use" and block.get("id") not in seen:
                    seen.add(block.get("id"))
                    if isinstance(block.get("input"), dict):
                        calls.append({"tool_name": block["name"], "tool_input": block["input"]})
    return calls


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(q * (len(values) - 1))))
    return values[k]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="calls per payload kind and side")
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--peer", help="directory with node_modules/cc-safety-net (benchmarks/peer_setup.sh)")
    ap.add_argument("--before", help="another guardrail checkout (with .venv) to run in the same rotation")
    ap.add_argument("--launcher", choices=["py", "sh"], default="py",
                    help="py: hooks/launch.py, as hooks.json runs it; sh: hooks/launch.sh")
    ap.add_argument("--before-launcher", choices=["py", "sh"], default="sh", help="the launcher of --before")
    ap.add_argument("--mix", choices=["sessions", "kinds"], default="sessions",
                    help="sessions: every tool call of the real transcripts in tests/data/transcripts (the calls a "
                         "hook really sees, mostly benign), --n rounds; kinds: the synthetic kinds above, --n each")
    args = ap.parse_args()
    python = os.environ.get("GUARDRAIL_PYTHON", sys.executable)
    tmp = Path(tempfile.mkdtemp(prefix="guardrail-bench-"))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp), "GUARDRAIL_PYTHON": python,
        "GUARDRAIL_AUDIT_LOG": str(tmp / "audit.jsonl"), "GUARDRAIL_STATE_DIR": str(tmp / "state"),
        "GUARDRAIL_CACHE_DIR": str(tmp / "cache"), "CLAUDE_PLUGIN_ROOT": str(ROOT), "CLAUDE_PROJECT_DIR": str(tmp),
    }
    def launcher(kind: str, root: Path) -> list[str]:
        if kind == "py":
            return [sys.executable, "-I", "-S", str(root / "hooks" / "launch.py"), "pre-tool-use"]
        return ["sh", str(root / "hooks" / "launch.sh"), "pre-tool-use"]

    sides = {"guardrail": launcher(args.launcher, ROOT),
             "bare": [python, "-c", "import json,sys; json.load(sys.stdin)"]}
    envs = {name: env for name in sides}
    if args.peer:
        sides["cc-safety-net"] = ["node", str(Path(args.peer) / "node_modules" / "cc-safety-net" / "dist" / "bin" /
                                              "cc-safety-net.js"), "hook", "--coding-cli"]
        envs["cc-safety-net"] = env
    if args.before:
        other = Path(args.before).resolve()
        sides["before"] = launcher(args.before_launcher, other)
        envs["before"] = {**env, "GUARDRAIL_PYTHON": str(other / ".venv" / "bin" / "python"),
                          "GUARDRAIL_CACHE_DIR": str(tmp / "cache-before"), "CLAUDE_PLUGIN_ROOT": str(other)}
    names = list(sides)
    wall: dict[str, dict[str, list[float]]] = {}
    cpu: dict[str, dict[str, list[float]]] = {}
    payloads = PAYLOADS if args.mix == "kinds" else {"sessions": None}
    session_calls = session_tool_calls() if args.mix == "sessions" else []
    for kind, body in payloads.items():
        bodies = [body] * args.n if body is not None else session_calls * args.n
        wall[kind] = {n: [] for n in names}
        cpu[kind] = {n: [] for n in names}
        for i, one in enumerate(bodies):
            payload = json.dumps({"session_id": "bench", "transcript_path": "/dev/null", "cwd": str(tmp),
                                  "permission_mode": "default", "hook_event_name": "PreToolUse",
                                  "tool_use_id": "toolu_bench", **one}).encode()
            if i == 0:
                for warm in ("guardrail", "before"):  # warm the caches
                    if warm in sides:
                        subprocess.run(sides[warm], input=payload, env=envs[warm], capture_output=True)
            order = names[i % len(names):] + names[:i % len(names)]  # rotate who goes first
            for name in order:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t0 = time.perf_counter()
                proc = subprocess.run(sides[name], input=payload, env=envs[name], capture_output=True)
                wall[kind][name].append((time.perf_counter() - t0) * 1000)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[kind][name].append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
                if proc.returncode not in (0, 2):
                    sys.exit(f"{name} failed on {kind}: {proc.stderr.decode()[:500]}")
    rows = []
    total = sum(len(v["guardrail"]) for v in wall.values())
    print(f"interpreter: {python}  mix: {args.mix}  calls per side: {total}  (ms; ratios are guardrail / bare)")
    head = f"{'payload':<17}{'':<6}{'guard p50':>10}{'guard p95':>10}{'bare p50':>9}{'bare p95':>9}{'p50 x':>7}{'p95 x':>7}"
    if args.peer:
        head += f"{'peer p50':>9}{'peer p95':>9}{'g/peer p50':>11}"
    if args.before:
        head += f"{'bef p50':>9}{'bef p95':>9}{'g/bef p50':>10}"
    print(head)
    kinds = [*payloads, "ALL"] if len(payloads) > 1 else list(payloads)
    for metric, data in (("wall", wall), ("cpu", cpu)):
        for kind in kinds:
            r = ({n: [t for k in payloads for t in data[k][n]] for n in names} if kind == "ALL" else data[kind])
            g50, g95 = pct(r["guardrail"], .5), pct(r["guardrail"], .95)
            b50, b95 = pct(r["bare"], .5), pct(r["bare"], .95)
            row = {"metric": metric, "payload": kind, "guardrail_p50_ms": g50, "guardrail_p95_ms": g95,
                   "bare_p50_ms": b50, "bare_p95_ms": b95, "ratio_p50": g50 / b50, "ratio_p95": g95 / b95,
                   "guardrail_mean_ms": statistics.fmean(r["guardrail"])}
            line = f"{kind:<17}{metric:<6}{g50:>10.1f}{g95:>10.1f}{b50:>9.1f}{b95:>9.1f}{g50 / b50:>7.2f}{g95 / b95:>7.2f}"
            if args.peer:
                p50, p95 = pct(r["cc-safety-net"], .5), pct(r["cc-safety-net"], .95)
                row.update(peer_p50_ms=p50, peer_p95_ms=p95, ratio_to_peer_p50=g50 / p50)
                line += f"{p50:>9.1f}{p95:>9.1f}{g50 / p50:>11.2f}"
            if args.before:
                p50, p95 = pct(r["before"], .5), pct(r["before"], .95)
                row.update(before_p50_ms=p50, before_p95_ms=p95, ratio_to_before_p50=g50 / p50)
                line += f"{p50:>9.1f}{p95:>9.1f}{g50 / p50:>10.2f}"
            rows.append(row)
            print(line)
    if args.json:
        Path(args.json).write_text(json.dumps({"python": python, "n": args.n, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
