"""Run guardbench-format cases in process: guardbench's own `prepare` lays out the cwd, files and transcript,
`hookio.handle` answers in place of the hook's process, and guardbench's own `decide` reads the answer.

Shared by tests/test_corpus.py (the labelled corpus) and tests/test_rounds.py (the independent rounds).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GUARDBENCH_PATH = REPO / "benchmarks" / "guardbench.py"


def guardbench():  # noqa: ANN201
    spec = importlib.util.spec_from_file_location("guardbench", GUARDBENCH_PATH)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_in_process(cases: list[dict], root: Path) -> list[dict]:
    """guardbench's run_one, with hookio.handle in place of the subprocess."""
    from guardrail import hookio

    gb = guardbench()
    env = {"HOME": str(root / "home"), "PATH": "/usr/bin:/bin",
           "GUARDRAIL_AUDIT_LOG": str(root / "audit.jsonl"), "GUARDRAIL_STATE_DIR": str(root / "state")}
    (root / "home").mkdir(parents=True, exist_ok=True)
    results = []
    for case in cases:
        proj, payload = gb.prepare(case, root / "cases")
        if case.get("git") is not None:
            make_repo(proj, case["git"])
        t0 = time.perf_counter()
        out = hookio.handle("pre-tool-use", json.dumps(payload).encode(), dict(env, CLAUDE_PROJECT_DIR=str(proj)))
        ms = (time.perf_counter() - t0) * 1000
        d = gb.decide(0, out or "")
        results.append({"id": case["id"], "category": case["category"], "expect": case["expect"], "decision": d,
                        "ok": d in gb.PASS[case["expect"]], "ms": ms, "rc": 0, "stderr": "", "stdout": out or ""})
    return results


_GIT = ["git", "-c", "user.name=corpus", "-c", "user.email=corpus@example.invalid", "-c", "init.defaultBranch=main",
        "-c", "commit.gpgsign=false"]


def make_repo(proj: Path, spec: dict) -> None:
    """A case's `git` field: the project becomes a repository with every laid-out file committed, then the
    `after_commit` files are written (uncommitted changes to tracked files, or untracked files), so checks that ask
    git what a call would lose see a real working tree."""
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "--allow-empty", "-m", "corpus case"]):
        subprocess.run([*_GIT, *args], cwd=proj, check=True, capture_output=True)
    for rel, content in (spec.get("after_commit") or {}).items():
        path = proj / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
