#!/usr/bin/env python3
"""Score guardrail and the peer guard cc-safety-net on tests/corpus/ in one guardbench run.

Both hooks see every case, interleaved (A B, B A, ...) by guardbench's `vs` mode, so machine noise hits
both alike. Prints, for each hook: danger blocked, benign false-block, intent/injection accuracy, p50/p95
latency, and a per-area table (area = corpus file), plus the cases each hook gets wrong.

    sh benchmarks/peer_setup.sh /tmp/peer          # once: installs cc-safety-net pinned
    .venv/bin/python benchmarks/guardbench_compare.py [--peer-dir /tmp/peer] [--sample 4] [--fails 200]
        [--json out.json] [--markdown out.md] [--no-peer] [--only db.]

guardrail runs through its real launcher (hooks/launch.sh) with GUARDRAIL_PYTHON set to this interpreter,
and with its audit log and state dir in a scratch directory. The peer runs with HOME set to a scratch dir
so no user config leaks in.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus"
GUARDBENCH = Path(__file__).resolve().parent / "guardbench.py"
DANGER = ("deny", "block", "ask")


def guardrail_hook(python: str) -> str:
    return f"GUARDRAIL_PYTHON={shlex.quote(python)} sh {shlex.quote(str(REPO / 'hooks' / 'launch.sh'))} pre-tool-use"


def peer_hook(peer_dir: Path, home: Path) -> str:
    js = peer_dir / "node_modules" / "cc-safety-net" / "dist" / "bin" / "cc-safety-net.js"
    return f"HOME={shlex.quote(str(home))} node {shlex.quote(str(js))} hook --coding-cli"


def peer_version(peer_dir: Path) -> str:
    try:
        return json.loads((peer_dir / "node_modules" / "cc-safety-net" / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "?"


def load_corpus(files: list[Path], sample: int, only: str | None) -> tuple[list[dict], dict[str, str]]:
    """All cases (every `sample`-th one if sample > 1) and case id -> area (the corpus file's stem)."""
    cases, area = [], {}
    for f in files:
        for line in f.read_text().splitlines():
            if line.strip():
                c = json.loads(line)
                if only and only not in c.get("category", ""):
                    continue
                cases.append(c)
                area[c["id"]] = f.stem
    if sample > 1:
        cases = cases[::sample]
    return cases, area


def area_table(results: list[dict], area: dict[str, str]) -> dict[str, dict[str, list[int]]]:
    """area -> {danger: [stopped, n], benign: [false-blocked, n], other: [ok, n]}."""
    t: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"danger": [0, 0], "benign": [0, 0], "other": [0, 0]})
    for r in results:
        row = t[area.get(r["id"], "?")]
        stopped = r["decision"] in ("deny", "ask")
        if r["expect"] in DANGER:
            row["danger"][0] += stopped
            row["danger"][1] += 1
        elif r["expect"] == "allow":
            row["benign"][0] += stopped
            row["benign"][1] += 1
        else:
            row["other"][0] += r["ok"]
            row["other"][1] += 1
    return dict(sorted(t.items()))


def pct(a: int, n: int) -> str:
    return f"{100 * a / n:5.1f}% ({a}/{n})" if n else "   -"


def render(names: list[str], out: dict, area: dict[str, str], cases: list[dict], fails: int) -> str:
    by_id = {c["id"]: c for c in cases}
    lines = []
    lines.append("| hook | cases | score | danger blocked | benign false-block | intent/injection ok | errors | p50 ms | p95 ms |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for n in names:
        s = out[n]["summary"]
        lines.append(f"| {n} | {s['cases']} | {s['score']:.3f} | {100 * s['danger_blocked']:.1f}% | "
                     f"{100 * s['benign_false_block']:.1f}% | {100 * s['intent_ok']:.1f}% | {s['errors']} | "
                     f"{s['p50_ms']:.1f} | {s['p95_ms']:.1f} |")
    lines.append("")
    head = "| area | " + " | ".join(f"{n} danger blocked | {n} benign false-block | {n} not-deny ok" for n in names) + " |"
    lines.append(head)
    lines.append("|---" * (1 + 3 * len(names)) + "|")
    tables = {n: area_table(out[n]["results"], area) for n in names}
    for a in tables[names[0]]:
        cells = []
        for n in names:
            row = tables[n].get(a, {"danger": [0, 0], "benign": [0, 0], "other": [0, 0]})
            cells += [pct(*row["danger"]), pct(*row["benign"]), pct(*row["other"])]
        lines.append(f"| {a} | " + " | ".join(cells) + " |")
    for n in names:
        bad = [r for r in out[n]["results"] if not r["ok"]]
        lines.append("")
        lines.append(f"{n}: {len(bad)} cases wrong" + (f" (first {fails})" if fails and len(bad) > fails else ""))
        for r in bad[:fails]:
            c = by_id.get(r["id"], {})
            what = c.get("tool_input", {}).get("command") if c.get("tool_name") == "Bash" else c.get("tool_name")
            lines.append(f"  {r['id']} [{r['category']}] expect {r['expect']}, got {r['decision']}: "
                         f"{json.dumps(what, ensure_ascii=False)[:140]}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="*", type=Path, help="corpus files (default: tests/corpus/*.jsonl)")
    ap.add_argument("--peer-dir", type=Path, default=Path("/tmp/peer"))
    ap.add_argument("--no-peer", action="store_true", help="score guardrail alone")
    ap.add_argument("--python", default=sys.executable, help="interpreter with guardrail installed")
    ap.add_argument("--sample", type=int, default=1, help="keep every Nth case (quick runs)")
    ap.add_argument("--only", help="substring filter on category")
    ap.add_argument("--fails", type=int, default=0, help="list up to N wrong cases per hook (0 = none)")
    ap.add_argument("--json", type=Path, help="write guardbench's raw results here")
    ap.add_argument("--markdown", type=Path, help="write the tables here")
    a = ap.parse_args()

    files = a.cases or sorted(CORPUS.glob("*.jsonl"))
    cases, area = load_corpus(files, a.sample, a.only)
    with tempfile.TemporaryDirectory(prefix="gb-compare-") as tmp:
        t = Path(tmp)
        corpus = t / "cases.jsonl"
        corpus.write_text("".join(json.dumps(c) + "\n" for c in cases))
        (t / "peer-home").mkdir()
        env = dict(os.environ)
        env["GUARDRAIL_AUDIT_LOG"] = str(t / "audit.jsonl")
        env["GUARDRAIL_STATE_DIR"] = str(t / "state")
        raw = t / "raw.json"
        cmd = [sys.executable, str(GUARDBENCH), "run" if a.no_peer else "vs", "--hook", guardrail_hook(a.python),
               "--name", "guardrail", "--cases", str(corpus), "--json", str(raw)]
        names = ["guardrail"]
        if not a.no_peer:
            js = a.peer_dir / "node_modules" / "cc-safety-net" / "dist" / "bin" / "cc-safety-net.js"
            if not js.is_file():
                print(f"peer not installed at {a.peer_dir}: run `sh benchmarks/peer_setup.sh {a.peer_dir}` "
                      "or pass --no-peer", file=sys.stderr)
                return 2
            peer = f"cc-safety-net@{peer_version(a.peer_dir)}"
            cmd += ["--other", peer_hook(a.peer_dir, t / "peer-home"), "--other-name", peer]
            names.append(peer)
        proc = subprocess.run(cmd, env=env, text=True, capture_output=True)
        print(proc.stdout, end="")
        if proc.returncode != 0 or not raw.is_file():
            print(proc.stderr, file=sys.stderr)
            return 1
        out = json.loads(raw.read_text())
        if a.json:
            a.json.write_text(json.dumps(out, indent=1))
    report = render(names, out, area, cases, a.fails)
    print()
    print(report)
    if a.markdown:
        a.markdown.write_text(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
