"""The real launcher (`sh hooks/launch.sh EVENT`) as Claude Code runs it: a subprocess, the payload on stdin,
a real transcript file at transcript_path, the plugin root in CLAUDE_PLUGIN_ROOT.

Covers the interpreter search order (GUARDRAIL_PYTHON, an installed `guardrail` on PATH, the plugin's
own venv) and the fail-closed answer when none is found.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAUNCHER = ROOT / "hooks" / "launch.sh"
TRANSCRIPT = ROOT / "tests" / "data" / "transcripts" / "recorded-2.1.330" / "deny_default.jsonl"


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path / "home"),
        "CLAUDE_PLUGIN_ROOT": str(ROOT),
        "CLAUDE_PROJECT_DIR": str(tmp_path),
        "GUARDRAIL_AUDIT_LOG": str(tmp_path / "audit.jsonl"),
        "GUARDRAIL_STATE_DIR": str(tmp_path / "state"),
        "GUARDRAIL_CACHE_DIR": str(tmp_path / "cache"),
    }
    env.update(extra)
    return env


def pre_tool_use(command: str, tmp_path: Path) -> dict[str, Any]:
    return {
        "session_id": "6b0c58f1-0f5e-4f7b-9a53-3f7c0e1d2a4b", "transcript_path": str(TRANSCRIPT),
        "cwd": str(tmp_path), "permission_mode": "default", "hook_event_name": "PreToolUse",
        "tool_name": "Bash", "tool_input": {"command": command, "description": "test"}, "tool_use_id": "toolu_L1",
    }


def launch(event: str, body: dict[str, Any] | bytes, env: dict[str, str]) -> tuple[int, str, str]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    proc = subprocess.run(["sh", str(LAUNCHER), event], input=raw, env=env, capture_output=True, timeout=30)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def test_transcript_fixture_is_real() -> None:
    first = json.loads(TRANSCRIPT.read_text().splitlines()[0])
    assert "type" in first


def test_guardrail_python_first(tmp_path: Path) -> None:
    code, out, err = launch("pre-tool-use", pre_tool_use("rm -rf ~", tmp_path),
                            base_env(tmp_path, GUARDRAIL_PYTHON=sys.executable))
    assert code == 0, err
    hso = json.loads(out)["hookSpecificOutput"]
    assert hso["permissionDecision"] == "deny" and "rm-recursive-critical-path" in hso["permissionDecisionReason"]
    assert "Traceback" not in err
    rec = json.loads((tmp_path / "audit.jsonl").read_text().splitlines()[-1])
    assert rec["decision"] == "deny"


def test_benign_call_prints_nothing(tmp_path: Path) -> None:
    code, out, err = launch("pre-tool-use", pre_tool_use("ls -la", tmp_path),
                            base_env(tmp_path, GUARDRAIL_PYTHON=sys.executable))
    assert (code, out) == (0, ""), err


@pytest.mark.parametrize("event,body", [
    ("user-prompt-submit", {"session_id": "s", "hook_event_name": "UserPromptSubmit", "prompt": "hello"}),
    ("post-tool-use", {"session_id": "s", "hook_event_name": "PostToolUse", "tool_name": "Bash",
                       "tool_input": {"command": "ls"}, "tool_use_id": "t", "tool_response": {}}),
    ("post-tool-use-failure", {"session_id": "s", "hook_event_name": "PostToolUseFailure", "tool_name": "Bash",
                               "tool_input": {"command": "ls"}, "tool_use_id": "t", "error": "x"}),
])
def test_other_events_exit_zero_silently(tmp_path: Path, event: str, body: dict[str, Any]) -> None:
    code, out, err = launch(event, body, base_env(tmp_path, GUARDRAIL_PYTHON=sys.executable))
    assert (code, out) == (0, ""), err


def test_garbage_stdin_fails_closed_through_the_launcher(tmp_path: Path) -> None:
    code, out, _ = launch("pre-tool-use", b"\x00{{{", base_env(tmp_path, GUARDRAIL_PYTHON=sys.executable))
    assert code == 0 and json.loads(out)["hookSpecificOutput"]["permissionDecision"] == "deny"


def test_bad_guardrail_python_fails_closed_with_fix(tmp_path: Path) -> None:
    code, out, _ = launch("pre-tool-use", pre_tool_use("ls", tmp_path),
                          base_env(tmp_path, GUARDRAIL_PYTHON=str(tmp_path / "nope" / "python")))
    hso = json.loads(out)["hookSpecificOutput"]
    assert code == 0 and hso["permissionDecision"] == "deny" and "GUARDRAIL_PYTHON" in hso["permissionDecisionReason"]


def test_installed_guardrail_on_path_is_found(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "guardrail"
    script.write_text(f"#!{sys.executable}\nfrom guardrail.cli import main\nmain()\n")
    script.chmod(0o755)
    env = base_env(tmp_path, PATH=f"{bindir}:/usr/bin:/bin")
    code, out, err = launch("pre-tool-use", pre_tool_use("rm -rf ~", tmp_path), env)
    assert code == 0 and json.loads(out)["hookSpecificOutput"]["permissionDecision"] == "deny", err


def test_console_script_with_sh_trampoline_is_not_mistaken_for_python(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "guardrail").write_text("#!/bin/sh\nexec something\n")
    code, out, _ = launch("pre-tool-use", pre_tool_use("ls", tmp_path), base_env(tmp_path, PATH=f"{bindir}:/usr/bin:/bin"))
    assert code == 0 and json.loads(out)["hookSpecificOutput"]["permissionDecision"] == "deny"


def test_plugin_venv_is_used_last(tmp_path: Path) -> None:
    data = tmp_path / "plugin-data"
    venv = data / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    # Make the test venv see this environment's packages (guardrail and its dependencies).
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    paths = {sysconfig.get_paths()["purelib"], str(ROOT)}
    (site / "guardrail_test.pth").write_text("\n".join(sorted(paths)) + "\n")
    env = base_env(tmp_path, CLAUDE_PLUGIN_DATA=str(data))
    code, out, err = launch("pre-tool-use", pre_tool_use("git reset --hard", tmp_path), env)
    assert code == 0 and json.loads(out)["hookSpecificOutput"]["permissionDecision"] == "deny", err


def test_no_python_anywhere_fails_closed_with_fix(tmp_path: Path) -> None:
    env = base_env(tmp_path, CLAUDE_PLUGIN_DATA=str(tmp_path / "empty-data"))
    code, out, _ = launch("pre-tool-use", pre_tool_use("ls", tmp_path), env)
    hso = json.loads(out)["hookSpecificOutput"]
    assert code == 0 and hso["permissionDecision"] == "deny"
    assert "pipx install claude-guardrail" in hso["permissionDecisionReason"] and "GUARDRAIL_PYTHON" in hso["permissionDecisionReason"]
    code, out, _ = launch("post-tool-use", b"{}", env)
    assert (code, out) == (0, "")


def test_hooks_json_registers_every_event_in_exec_form() -> None:
    spec = json.loads((ROOT / "hooks" / "hooks.json").read_text())["hooks"]
    assert set(spec) == {"PreToolUse", "PostToolUse", "PostToolUseFailure", "UserPromptSubmit", "SessionStart"}
    for event, entries in spec.items():
        (entry,) = entries
        (hook,) = entry["hooks"]
        assert entry["matcher"] == "*"
        assert hook["command"] == "sh" and hook["args"][0] == "${CLAUDE_PLUGIN_ROOT}/hooks/launch.sh"
        assert hook["onFailure"] == "block" and 0 < hook["timeout"] <= 30
        slug = hook["args"][1]
        assert "".join(p.capitalize() for p in slug.split("-")) == event


@pytest.mark.skipif(shutil.which("dash") is None, reason="dash not installed")
def test_launcher_is_posix_sh(tmp_path: Path) -> None:
    proc = subprocess.run(["dash", "-n", str(LAUNCHER)], capture_output=True)
    assert proc.returncode == 0, proc.stderr
    assert os.access(LAUNCHER, os.X_OK)
