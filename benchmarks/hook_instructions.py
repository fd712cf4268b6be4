"""Hook cost in instructions, per kind of call: deterministic where wall time is not.

    .venv/bin/python benchmarks/hook_instructions.py [--before DIR] [--kinds bash-benign,read,...]

Each payload kind runs once through guardrail's hook entry (the interpreter the launcher would exec, with `-I`,
caches warmed by an earlier call) under `valgrind --tool=callgrind`, and prints the instructions it executed beside
a bare Python hook that only reads its stdin JSON. With --before DIR (another checkout with its own .venv, e.g. a
`git worktree` of an earlier commit), that version is counted too, so a change is measured before and after on the
same machine: callgrind counts the same total for the same binary and input whatever else the machine is doing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from hook_latency import PAYLOADS  # noqa: E402  (the same kinds as the latency benchmark)

KINDS = {**PAYLOADS,
         "git-status": {"tool_name": "Bash", "tool_input": {"command": "git status"}},
         "npm-test": {"tool_name": "Bash", "tool_input": {"command": "npm test"}},
         "ls": {"tool_name": "Bash", "tool_input": {"command": "ls -la"}}}
HOOK = "from guardrail.hookio import main; main()"
BARE = "import json,sys; json.load(sys.stdin)"


def instructions(argv: list[str], payload: bytes, env: dict[str, str], out_dir: Path) -> int:
    out = out_dir / "callgrind.out"
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *argv], input=payload, env=env,
                   capture_output=True, check=False)
    for line in out.read_text().splitlines():
        m = re.match(r"^(?:summary|totals): (\d+)", line)
        if m:
            out.unlink()
            return int(m.group(1))
    raise RuntimeError(f"no callgrind summary for {argv}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", help="another guardrail checkout (with .venv) to count as well")
    ap.add_argument("--kinds", default=",".join(KINDS), help="comma-separated payload kinds")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    python = os.environ.get("GUARDRAIL_PYTHON", sys.executable)
    tmp = Path(tempfile.mkdtemp(prefix="guardrail-instr-"))
    sides = {"guardrail": (python, tmp / "cache-now")}
    if args.before:
        sides["before"] = (str(Path(args.before).resolve() / ".venv" / "bin" / "python"), tmp / "cache-before")
    base_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp),
                "GUARDRAIL_AUDIT_LOG": str(tmp / "audit.jsonl"), "GUARDRAIL_STATE_DIR": str(tmp / "state")}
    rows = []
    print(f"{'kind':<18}{'bare':>12}" + "".join(f"{name:>14}{'x bare':>8}" for name in sides)
          + ("   now/before" if args.before else ""))
    for kind in args.kinds.split(","):
        body = KINDS[kind]
        payload = json.dumps({"session_id": "bench", "transcript_path": "/dev/null", "cwd": str(tmp),
                              "permission_mode": "default", "hook_event_name": "PreToolUse",
                              "tool_use_id": "toolu_bench", **body}).encode()
        bare = instructions([python, "-I", "-c", BARE], payload, base_env, tmp)
        row = {"kind": kind, "bare": bare}
        line = f"{kind:<18}{bare / 1e6:>11.1f}M"
        for name, (py, cache) in sides.items():
            env = {**base_env, "GUARDRAIL_CACHE_DIR": str(cache)}
            subprocess.run([py, "-I", "-c", HOOK, "pre-tool-use"], input=payload, env=env, capture_output=True)  # warm
            n = instructions([py, "-I", "-c", HOOK, "pre-tool-use"], payload, env, tmp)
            row[name] = n
            line += f"{n / 1e6:>13.1f}M{n / bare:>8.2f}"
        if args.before:
            row["ratio"] = row["guardrail"] / row["before"]
            line += f"{row['ratio']:>13.3f}"
        rows.append(row)
        print(line)
    if args.json:
        Path(args.json).write_text(json.dumps({"python": python, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
