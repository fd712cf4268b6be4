"""Fixtures for the real-CLI tests: the pinned `claude` binary, a throwaway HOME + project, real
SQLite databases and git repositories, and a run-time tally printed at the end of the session."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .harness import CLAUDE, PINNED_VERSION, Sandbox

_ELAPSED: list[tuple[str, float]] = []  # (test id, seconds in `claude -p`) for the summary line


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def need(ok: bool, msg: str) -> None:
    """Skip locally, fail under CI: a CI run without the real CLI must not pass vacuously."""
    if ok:
        return
    if in_ci():
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def claude_cli() -> Path:
    need(CLAUDE.exists(), f"{CLAUDE} is missing: run `npm ci` in the repo root (package.json pins "
         f"@anthropic-ai/claude-code {PINNED_VERSION})")
    out = subprocess.run([str(CLAUDE), "--version"], capture_output=True, text=True, timeout=30,
                         env={"PATH": os.environ.get("PATH", ""), "HOME": "/nonexistent", "DISABLE_AUTOUPDATER": "1"})
    # tool_result wording changes between releases: the assertions below are for the pinned one.
    assert out.stdout.startswith(PINNED_VERSION), f"expected claude {PINNED_VERSION}, got {out.stdout!r} {out.stderr!r}"
    return CLAUDE


@pytest.fixture(scope="session")
def sqlite3_bin() -> str:
    path = shutil.which("sqlite3")
    need(path is not None, "the sqlite3 command-line shell is missing (apt-get install sqlite3)")
    return str(path)


@pytest.fixture(scope="session")
def git_bin() -> str:
    path = shutil.which("git")
    need(path is not None, "git is missing (apt-get install git)")
    return str(path)


@pytest.fixture
def sandbox(tmp_path: Path, claude_cli: Path, request: Any) -> Sandbox:
    home, project = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    project.mkdir()
    return Sandbox(home=home, project=project, on_run=lambda r: _ELAPSED.append((request.node.nodeid, r.elapsed_s)))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _ELAPSED:
        return
    total = sum(t for _, t in _ELAPSED)
    slowest = max(_ELAPSED, key=lambda x: x[1])
    terminalreporter.write_line(
        f"realcli: {len(_ELAPSED)} claude -p sessions, {total:.1f}s in the CLI "
        f"(slowest {slowest[1]:.1f}s: {slowest[0]})")
