"""`guardrail doctor` in a temporary HOME: fails with the fix when nothing is registered, passes after
`guardrail install`, and spots the ways a registration silently breaks. The self-test runs the real
hook as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from guardrail import settings_file as sf
from guardrail.commands.doctor import command as doctor, resolve_launcher
from guardrail.commands.install import command as install

REPO = Path(__file__).resolve().parent.parent
BASE_PATH = "/usr/bin:/bin"  # no `guardrail` console script on it


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


@pytest.fixture
def project(tmp_path: Path) -> Path:
    p = tmp_path / "project"
    p.mkdir()
    return p


def _env(home: Path, **extra: str | None) -> dict[str, str | None]:
    env: dict[str, str | None] = {
        "HOME": str(home), "PATH": BASE_PATH, "CLAUDE_CONFIG_DIR": None, "GUARDRAIL_PYTHON": None,
        "CLAUDE_PLUGIN_DATA": None, "CLAUDE_PLUGIN_ROOT": None, "GUARDRAIL_AUDIT_LOG": None,
        "GUARDRAIL_STATE_DIR": None, "XDG_STATE_HOME": None, "XDG_CONFIG_HOME": None,
    }
    env.update(extra)
    return env


def run_doctor(home: Path, project: Path, *args: str, **env: str | None) -> tuple[Result, dict[str, Any]]:
    result = CliRunner().invoke(doctor, ["--project-dir", str(project), "--format", "json", *args],
                                env=_env(home, **env), catch_exceptions=False)
    return result, json.loads(result.output)


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in report["checks"]}


def test_fails_with_the_fix_when_not_registered(home: Path, project: Path) -> None:
    result, report = run_doctor(home, project)
    assert result.exit_code == 1
    assert report["ok"] is False
    reg = by_name(report)["registered"]
    assert reg["status"] == "fail"
    assert "not registered" in reg["summary"]
    assert "guardrail install" in reg["fix"] and "claude plugin install" in reg["fix"]


def test_text_output_names_the_failure_and_fix(home: Path, project: Path) -> None:
    result = CliRunner().invoke(doctor, ["--project-dir", str(project), "--no-self-test"], env=_env(home))
    assert result.exit_code == 1
    assert "✗ registered" in result.output
    assert "fix: run `guardrail install`" in result.output
    assert "check(s) failed: registered" in result.output


def test_passes_after_install(home: Path, project: Path) -> None:
    assert CliRunner().invoke(install, [], env=_env(home)).exit_code == 0
    result, report = run_doctor(home, project)
    checks = by_name(report)
    assert result.exit_code == 0, json.dumps(report, indent=2)
    assert report["ok"] is True
    assert checks["registered"]["status"] == "ok"
    assert str(home / ".claude" / "settings.json") in checks["registered"]["summary"]
    assert checks["launcher"]["status"] == "ok" and sys.executable in checks["launcher"]["summary"]
    assert checks["packs"]["data"]["rules"] > 0
    assert checks["audit-dir"]["status"] == "ok" and checks["state-dir"]["status"] == "ok"
    assert checks["self-test"]["status"] in ("ok", "warn")  # warn = slow machine, still a pass
    assert set(checks["self-test"]["data"]["latency_ms"]) == {
        "rm -rf / -> deny (cold)", "ls -> no opinion", "rm -rf / -> deny"}
    # the self-test used a throwaway audit log, not the user's
    assert not (home / ".local" / "state" / "guardrail" / "audit.jsonl").exists()


def test_registered_interpreter_gone(home: Path, project: Path) -> None:
    settings = sf.merge_install({}, "/nonexistent/venv/bin/python")
    (home / ".claude").mkdir()
    (home / ".claude" / "settings.json").write_text(sf.render(settings))
    result, report = run_doctor(home, project)
    launcher = by_name(report)["launcher"]
    assert result.exit_code == 1
    assert launcher["status"] == "fail" and "/nonexistent/venv/bin/python does not exist" in launcher["summary"]
    assert "guardrail install" in launcher["fix"]
    assert by_name(report)["self-test"]["status"] == "skip"


def test_only_some_events_registered(home: Path, project: Path) -> None:
    settings = sf.merge_install({}, sys.executable)
    del settings["hooks"]["UserPromptSubmit"]
    (home / ".claude").mkdir()
    (home / ".claude" / "settings.json").write_text(sf.render(settings))
    result, report = run_doctor(home, project, "--no-self-test")
    reg = by_name(report)["registered"]
    assert result.exit_code == 1 and reg["status"] == "fail" and "UserPromptSubmit" in reg["summary"]


def test_disable_all_hooks_is_a_failure(home: Path, project: Path) -> None:
    assert CliRunner().invoke(install, [], env=_env(home)).exit_code == 0
    local = project / ".claude" / "settings.local.json"
    local.parent.mkdir()
    local.write_text('{"disableAllHooks": true}')
    result, report = run_doctor(home, project, "--no-self-test")
    reg = by_name(report)["registered"]
    assert result.exit_code == 1 and "disableAllHooks" in reg["summary"] and str(local) in reg["fix"]


def test_unwritable_audit_dir_fails_with_the_variable_to_set(home: Path, project: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")  # a directory cannot be created under a file, even as root
    result, report = run_doctor(home, project, "--no-self-test", GUARDRAIL_AUDIT_LOG=str(blocker / "audit.jsonl"))
    audit_dir = by_name(report)["audit-dir"]
    assert result.exit_code == 1
    assert audit_dir["status"] == "fail" and str(blocker) in audit_dir["summary"]
    assert "GUARDRAIL_AUDIT_LOG" in audit_dir["fix"]


def test_plugin_hooks_use_the_plugin_data_dir(home: Path, project: Path) -> None:
    data = _install_plugin(home)
    result, report = run_doctor(home, project, "--no-self-test", GUARDRAIL_PYTHON=sys.executable)
    assert by_name(report)["audit-dir"]["data"]["paths"] == [str(data / "audit.jsonl")]
    assert by_name(report)["state-dir"]["data"]["paths"] == [str(data / "state")]


def test_invalid_settings_file_is_named(home: Path, project: Path) -> None:
    path = project / ".claude" / "settings.json"
    path.parent.mkdir()
    path.write_text("{nope")
    result, report = run_doctor(home, project, "--no-self-test")
    reg = by_name(report)["registered"]
    assert result.exit_code == 1
    assert any(str(path) in d and "not valid JSON" in d for d in reg["details"])


def _install_plugin(home: Path, *, enabled: bool = True) -> Path:
    """What `claude plugin install guardrail@local-mkt` leaves behind, pointing at this checkout."""
    plugins = home / ".claude" / "plugins"
    plugins.mkdir(parents=True)
    # the shape Claude Code 2.1.330 writes (seen after a real `claude plugin install`)
    (plugins / "installed_plugins.json").write_text(json.dumps({"version": 2, "plugins": {"guardrail@local-mkt": [
        {"scope": "user", "installPath": str(REPO), "version": "0.1.0", "installedAt": "2026-12-01T00:00:00.000Z",
         "lastUpdated": "2026-12-01T00:00:00.000Z", "gitCommitSha": "02e21abbef99793cc33bff999158f8d3bf914b23"}]}}))
    (home / ".claude" / "settings.json").write_text(json.dumps({"enabledPlugins": {"guardrail@local-mkt": enabled}}))
    return plugins / "data" / "guardrail-local-mkt"


def test_plugin_registration_with_launcher_and_self_test(home: Path, project: Path) -> None:
    _install_plugin(home)
    result, report = run_doctor(home, project, GUARDRAIL_PYTHON=sys.executable)
    checks = by_name(report)
    assert result.exit_code == 0, json.dumps(report, indent=2)
    assert checks["registered"]["summary"] == "registered via plugin:guardrail@local-mkt"
    assert "GUARDRAIL_PYTHON" in " ".join(checks["launcher"]["details"])
    assert checks["self-test"]["status"] in ("ok", "warn")  # ran sh hooks/launch.sh for real


def test_plugin_without_python_points_at_the_bootstrap(home: Path, project: Path) -> None:
    data = _install_plugin(home)
    data.mkdir(parents=True)
    (data / "bootstrap.json").write_text(json.dumps({"state": "failed", "error": "pip: no network"}))
    result, report = run_doctor(home, project)
    launcher = by_name(report)["launcher"]
    assert result.exit_code == 1
    assert "pip: no network" in launcher["summary"] and "every tool call is denied" in launcher["summary"]
    assert "bootstrap.log" in launcher["fix"] and "GUARDRAIL_PYTHON" in launcher["fix"]


def test_disabled_plugin_is_not_a_registration(home: Path, project: Path) -> None:
    _install_plugin(home, enabled=False)
    result, report = run_doctor(home, project, "--no-self-test")
    reg = by_name(report)["registered"]
    assert result.exit_code == 1 and reg["status"] == "fail"
    assert any("disabled" in d for d in reg["details"])


def test_plugin_and_settings_together_warn(home: Path, project: Path) -> None:
    _install_plugin(home)
    assert CliRunner().invoke(install, [], env=_env(home)).exit_code == 0
    result, report = run_doctor(home, project, "--no-self-test", GUARDRAIL_PYTHON=sys.executable)
    assert by_name(report)["registered"]["status"] == "warn"
    assert result.exit_code == 0


def test_launcher_search_order_matches_launch_sh(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "guardrail"
    script.write_text(f"#!{sys.executable}\nfrom guardrail.cli import main\nmain()\n")
    data = tmp_path / "data"
    (data / "venv" / "bin").mkdir(parents=True)
    (data / "venv" / "bin" / "python").symlink_to(sys.executable)
    env = {"PATH": f"{bindir}:{BASE_PATH}"}
    assert resolve_launcher({**env, "GUARDRAIL_PYTHON": sys.executable}, data)[1] == "GUARDRAIL_PYTHON"
    assert resolve_launcher(env, data)[:2] == (sys.executable, f"shebang of {script}")
    assert resolve_launcher({"PATH": BASE_PATH}, data)[0] == str(data / "venv" / "bin" / "python")
    assert resolve_launcher({"PATH": BASE_PATH}, None)[0] is None
    # and launch.sh agrees: it execs the same interpreter (ask it for sys.executable via GUARDRAIL_PYTHON's rule)
    out = subprocess.run(["sh", str(REPO / "hooks" / "launch.sh"), "pre-tool-use"], input=b"{}", capture_output=True,
                         env={"PATH": f"{bindir}:{BASE_PATH}", "HOME": str(tmp_path)}, timeout=30)
    assert out.returncode == 0 and b"permissionDecision" in out.stdout  # ran guardrail (payload error -> deny)
    assert b"cannot run" not in out.stdout


def test_no_color_is_honoured(home: Path, project: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR",)}
    env.update(HOME=str(home), FORCE_COLOR="1", PATH=f"{Path(sys.executable).parent}:{BASE_PATH}")
    argv = [sys.executable, "-m", "guardrail.cli", "doctor", "--no-self-test", "--project-dir", str(project)]
    colored = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    plain = subprocess.run(argv, capture_output=True, text=True, env={**env, "NO_COLOR": "1"}, timeout=60)
    assert colored.returncode == plain.returncode == 1
    assert "\x1b[31" in colored.stdout or "\x1b[1;31" in colored.stdout  # red ✗ when colour is on
    assert "✗" in plain.stdout and "\x1b[31" not in plain.stdout and "\x1b[1;31" not in plain.stdout
