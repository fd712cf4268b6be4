"""`claude plugin validate --strict .` must stay clean (issue 6): the pinned CLI checks our plugin and
marketplace manifests and hooks/hooks.json fully offline; --strict turns its warnings into failures."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CLAUDE = REPO / "node_modules" / ".bin" / "claude"

pytestmark = pytest.mark.realcli


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def test_plugin_validate_strict(tmp_path: Path) -> None:
    if not CLAUDE.exists():
        msg = f"{CLAUDE} is missing: run `npm ci` in the repo root (package.json pins @anthropic-ai/claude-code)"
        if _in_ci():
            pytest.fail(msg)
        pytest.skip(msg)
    # A throwaway HOME keeps the developer's ~/.claude out of it (and unmodified).
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "DISABLE_TELEMETRY": "1", "DISABLE_AUTOUPDATER": "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}
    proc = subprocess.run([str(CLAUDE), "plugin", "validate", "--strict", "."], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"claude plugin validate --strict . failed:\n{proc.stdout}\n{proc.stderr}"
    # It must have seen our hooks, or a renamed/moved hooks.json would pass vacuously.
    assert "PreToolUse" in proc.stdout and "launch" in proc.stdout, proc.stdout
