"""`guardrail statusline` (issue 17): protection on or off, broken project packs, this session's decisions."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from guardrail import audit, hookio
from guardrail.commands import install as install_cmd
from guardrail.commands import statusline


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    (home / "repo" / ".git").mkdir(parents=True)
    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "GUARDRAIL_CONFIG", "GUARDRAIL_AUDIT_LOG", "CLAUDE_PLUGIN_DATA",
                "CLAUDE_CONFIG_DIR", "GUARDRAIL_STATE_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GUARDRAIL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(home / "repo")
    return home


def line(home: Path, session: str = "sess-1", fmt: str = "text") -> str:
    body = json.dumps({"session_id": session, "cwd": str(home / "repo"), "transcript_path": "/dev/null",
                       "workspace": {"current_dir": str(home / "repo"), "project_dir": str(home / "repo")}})
    res = CliRunner().invoke(statusline.command, ["--format", fmt], input=body)
    assert res.exit_code == 0, res.output
    return res.stdout.strip()


def test_off_when_not_registered(home: Path) -> None:
    assert line(home).startswith("guardrail off")


def test_on_with_this_sessions_calls_and_decisions(home: Path) -> None:
    assert CliRunner().invoke(install_cmd.command, ["--python", sys.executable]).exit_code == 0
    assert line(home) == "guardrail on"
    env = {"HOME": str(home), "GUARDRAIL_CACHE_DIR": str(home.parent / "cache"),
           "GUARDRAIL_STATE_DIR": str(home.parent / "state")}
    for session, command in (("sess-1", "ls"), ("sess-1", "git reset --hard"), ("other", "rm -rf ~")):
        body = {"hook_event_name": "PreToolUse", "session_id": session, "tool_name": "Bash", "cwd": str(home / "repo"),
                "tool_input": {"command": command}, "transcript_path": "/dev/null", "tool_use_id": command}
        hookio.handle("pre-tool-use", json.dumps(body).encode(), env)
    assert line(home) == "guardrail on · 2 calls checked · 1 deny"
    doc = json.loads(line(home, fmt="json"))
    assert doc["registered"] and doc["decisions"] == {"calls": 2, "deny": 1}
    assert audit.default_audit_file(env).startswith(str(home))


def test_broken_project_pack_is_shown(home: Path) -> None:
    assert CliRunner().invoke(install_cmd.command, ["--python", sys.executable]).exit_code == 0
    rules = home / "repo" / ".guardrail" / "rules"
    rules.mkdir(parents=True)
    (rules / "team.toml").write_text("schema = 1\n[pack\n")
    assert line(home) == "guardrail on · 1 broken project pack left out"


def test_user_pack_that_does_not_load_says_every_call_is_blocked(home: Path) -> None:
    assert CliRunner().invoke(install_cmd.command, ["--python", sys.executable]).exit_code == 0
    rules = home / ".config" / "guardrail" / "rules"
    rules.mkdir(parents=True)
    (rules / "mine.toml").write_text("schema = 1\n[pack\n")
    got = line(home)
    assert got.startswith("guardrail blocking every call") and "mine.toml" in got
