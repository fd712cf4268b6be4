"""hooks/bootstrap.py: the plugin builds its own environment in ${CLAUDE_PLUGIN_DATA}.

The `bootstrap`-marked tests build one real venv from a copy of this checkout with pip (needs the package
index; ~15 s on an idle 2-core machine), once per run, shared by the module, plus one venv whose pip step
fails: run them in a single CI job (`pytest -m bootstrap`) and deselect them elsewhere
(`-m "not bootstrap"`). The other tests are fast and need no network.
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "hooks" / "bootstrap.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("guardrail_bootstrap", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bs = _load()


def run_bootstrap(data: Path, root: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAUDE_PLUGIN", "GUARDRAIL_"))}
    return subprocess.run([sys.executable, str(root / "hooks" / "bootstrap.py"), "--data-dir", str(data), *args],
                          capture_output=True, text=True, env=env, timeout=timeout)


def plugin_copy(dest: Path) -> Path:
    """The plugin as Claude Code installs it: a copy of the repo (in ~/.claude/plugins/cache/...)."""
    root = dest / "cache" / "local-mkt" / "guardrail" / "0.1.0"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "tests", "__pycache__", "*.pyc", ".pytest_cache", ".hypothesis"))
    return root


def hook_env(home: Path, root: Path, data: Path, tmp: Path) -> dict[str, str]:
    """What Claude Code gives a plugin hook, with no guardrail on PATH and no GUARDRAIL_PYTHON."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "CLAUDE_PLUGIN_ROOT": str(root),
            "CLAUDE_PLUGIN_DATA": str(data), "GUARDRAIL_STATE_DIR": str(tmp / "state")}


PAYLOAD = json.dumps({"session_id": "s-boot", "transcript_path": "/nonexistent.jsonl", "cwd": "/tmp",
                      "hook_event_name": "PreToolUse", "permission_mode": "default", "tool_name": "Bash",
                      "tool_input": {"command": "rm -rf /"}, "tool_use_id": "toolu_boot"}).encode()


# --------------------------------------------------------------------------- real build (slow)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, float]:
    """home with an installed plugin copy and its data dir, bootstrapped once: (home, root, data, seconds)."""
    home = tmp_path_factory.mktemp("boot-home")
    root = plugin_copy(home / ".claude" / "plugins")
    data = home / ".claude" / "plugins" / "data" / "guardrail-local-mkt"
    started = time.monotonic()
    proc = run_bootstrap(data, root)
    elapsed = time.monotonic() - started
    log = data / "bootstrap.log"
    assert proc.returncode == 0, log.read_text() if log.exists() else proc.stderr
    return home, root, data, elapsed


@pytest.mark.bootstrap
def test_builds_a_working_environment(built: tuple[Path, Path, Path, float], tmp_path: Path) -> None:
    home, root, data, elapsed = built
    print(f"bootstrap took {elapsed:.1f} s")
    venv = data / "venv"
    assert venv.is_symlink() and (venv / "bin" / "python").exists()
    status = json.loads((data / "bootstrap.json").read_text())
    assert status["state"] == "ok" and status["fingerprint"] == bs.fingerprint(str(root))
    assert (venv / ".plugin-root").read_text().strip() == str(root)
    assert "ready:" in (data / "bootstrap.log").read_text()
    # both launchers now find the venv by themselves and the hook decides (a rule's deny, not the fail-closed one)
    for launcher in (["sh", str(root / "hooks" / "launch.sh")], [sys.executable, "-I", "-S", str(root / "hooks" / "launch.py")]):
        proc = subprocess.run([*launcher, "pre-tool-use"], input=PAYLOAD,
                              capture_output=True, env=hook_env(home, root, data, tmp_path), timeout=60)
        assert proc.returncode == 0, proc.stderr
        out = json.loads(proc.stdout)["hookSpecificOutput"]
        assert out["permissionDecision"] == "deny"
        assert "cannot run" not in out["permissionDecisionReason"]
        assert "could not check" not in out["permissionDecisionReason"]
        assert "still being set up" not in out["permissionDecisionReason"]


@pytest.mark.bootstrap
def test_second_run_is_a_no_op(built: tuple[Path, Path, Path, float]) -> None:
    _, root, data, _ = built
    target = os.readlink(data / "venv")
    started = time.monotonic()
    proc = run_bootstrap(data, root)
    assert proc.returncode == 0
    assert time.monotonic() - started < 10  # no venv, no pip: one import check
    assert os.readlink(data / "venv") == target
    assert (data / "bootstrap.log").read_text().rstrip().endswith("nothing to do")


@pytest.mark.bootstrap
def test_doctor_passes_on_the_bootstrapped_plugin(built: tuple[Path, Path, Path, float], tmp_path: Path) -> None:
    from guardrail.commands.doctor import command as doctor

    home, root, data, _ = built
    plugins = home / ".claude" / "plugins"
    (plugins / "installed_plugins.json").write_text(json.dumps({"version": 2, "plugins": {"guardrail@local-mkt": [
        {"scope": "user", "installPath": str(root), "version": "0.1.0"}]}}))
    (home / ".claude" / "settings.json").write_text('{"enabledPlugins": {"guardrail@local-mkt": true}}')
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "GUARDRAIL_PYTHON": None, "CLAUDE_CONFIG_DIR": None,
           "CLAUDE_PLUGIN_DATA": None, "CLAUDE_PLUGIN_ROOT": None, "XDG_STATE_HOME": None}
    project = tmp_path / "p"
    project.mkdir()
    result = CliRunner().invoke(doctor, ["--format", "json", "--project-dir", str(project)], env=env)
    report = {c["name"]: c for c in json.loads(result.output)["checks"]}
    assert result.exit_code == 0, result.output
    assert "plugin environment" in " ".join(report["launcher"]["details"])
    assert str(data / "venv" / "bin" / "python") in report["launcher"]["summary"]


# --------------------------------------------------------------------------- fast (one slow failure case)


def test_a_held_lock_means_leave_it_to_the_other_session(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with open(data / "bootstrap.lock", "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        proc = run_bootstrap(data, REPO, timeout=60)
    assert proc.returncode == 0
    assert "another bootstrap is running" in (data / "bootstrap.log").read_text()
    assert not (data / "venv").exists() and not (data / "venvs").exists()


@pytest.mark.bootstrap  # creates a real venv (ensurepip): a few seconds, up to ~20 on a loaded machine
def test_failed_build_leaves_no_half_environment(tmp_path: Path) -> None:
    root = tmp_path / "plugin"
    (root / "hooks").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project\nname = broken\n")  # pip cannot build this
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAUDE_PLUGIN", "GUARDRAIL_"))}
    env["GUARDRAIL_BOOTSTRAP_PIP_ARGS"] = "--no-index --no-build-isolation"  # fail fast, offline
    proc = subprocess.run([sys.executable, str(SCRIPT), "--data-dir", str(data), "--plugin-root", str(root)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 1
    status = json.loads((data / "bootstrap.json").read_text())
    assert status["state"] == "failed" and "pip install" in status["error"]
    assert "FAILED:" in (data / "bootstrap.log").read_text()
    assert not os.path.lexists(data / "venv")
    assert list((data / "venvs").iterdir()) == []


def test_fingerprint_follows_the_installed_sources(tmp_path: Path) -> None:
    root = tmp_path / "plugin"
    (root / "guardrail" / "__pycache__").mkdir(parents=True)
    (root / "rules").mkdir()
    (root / "pyproject.toml").write_text("[project]\nname='guardrail'\n")
    (root / "guardrail" / "a.py").write_text("x = 1\n")
    (root / "rules" / "r.toml").write_text("schema = 1\n")
    first = bs.fingerprint(str(root))
    (root / "guardrail" / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"junk")
    (root / "README.md").write_text("docs do not count")
    assert bs.fingerprint(str(root)) == first
    (root / "rules" / "r.toml").write_text("schema = 1\n# changed\n")
    assert bs.fingerprint(str(root)) != first


def test_switch_symlink_replaces_a_legacy_directory(tmp_path: Path) -> None:
    (tmp_path / "venvs" / "new").mkdir(parents=True)
    legacy = tmp_path / "venv"
    (legacy / "bin").mkdir(parents=True)
    bs.switch_symlink(str(legacy), os.path.join("venvs", "new"))
    assert legacy.is_symlink() and os.readlink(legacy) == os.path.join("venvs", "new")
    assert [p.name.startswith("venv.old-") for p in tmp_path.iterdir() if p.name.startswith("venv.")] == [True]
    bs.switch_symlink(str(legacy), os.path.join("venvs", "other"))  # relinking is one rename
    assert os.readlink(legacy) == os.path.join("venvs", "other")


def test_remove_stale_keeps_the_current_and_recent_ones(tmp_path: Path) -> None:
    venvs = tmp_path / "venvs"
    for name in ("current", "recent", "old"):
        (venvs / name).mkdir(parents=True)
    long_ago = time.time() - bs.STALE_AFTER_S - 60
    os.utime(venvs / "old", (long_ago, long_ago))
    os.utime(venvs / "current", (long_ago, long_ago))
    bs.remove_stale(str(tmp_path), "current", bs.Log(str(tmp_path / "log"), False))
    assert sorted(p.name for p in venvs.iterdir()) == ["current", "recent"]


def test_needs_a_data_dir(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CLAUDE_PLUGIN_DATA"}
    proc = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2 and "set CLAUDE_PLUGIN_DATA or pass --data-dir" in proc.stderr


def test_picks_this_interpreter_when_new_enough() -> None:
    assert bs.find_python() == sys.executable
    assert bs.python_version(sys.executable) == sys.version_info[:2]


# --------------------------------------------------------------------------- the real CLI


@pytest.mark.bootstrap
@pytest.mark.realcli
def test_real_session_fails_closed_then_bootstraps_then_decides(tmp_path: Path) -> None:
    """`claude -p --plugin-dir` with no guardrail anywhere: the first session's SessionStart starts the
    bootstrap and its risky tool call is refused as not checkable yet (ask, a deny under -p), with the fix; the bootstrap outlives the session; the next
    session's hook decides with guardrail's rules, and the uncommitted work survives."""
    from realcli.conftest import need
    from realcli.fake_api import ToolUse
    from realcli.harness import CLAUDE, Sandbox

    need(CLAUDE.exists(), f"{CLAUDE} is missing: run `npm ci` in the repo root")
    root = plugin_copy(tmp_path / "plugin")
    box = Sandbox(home=tmp_path / "home", project=tmp_path / "proj")
    box.project.mkdir(parents=True)
    box.make_git_repo()
    # Nothing but the system: no GUARDRAIL_PYTHON, no `guardrail` console script on PATH.
    env = {"GUARDRAIL_PYTHON": None, "PATH": "/usr/local/bin:/usr/bin:/bin"}
    call = [ToolUse("Bash", {"command": "git reset --hard", "description": "Discard local changes"})]

    first = box.run("fix the README typo", call, plugin_dir=root, extra_env=env, timeout=120)
    result = first.tool_result()
    assert result is not None and result.is_error, first.describe()
    assert "cannot check this call yet" in result.text  # still being set up: asked, a deny under -p
    assert "GUARDRAIL_PYTHON" in result.text and "bootstrap.log" in result.text

    data = box.home / ".claude" / "plugins" / "data" / "guardrail-inline"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        state = json.loads((data / "bootstrap.json").read_text()).get("state") if (data / "bootstrap.json").exists() else None
        if state not in (None, "running"):
            break
        time.sleep(1)
    assert state == "ok", (data / "bootstrap.log").read_text() if (data / "bootstrap.log").exists() else "no log"

    second = box.run("fix the README typo", call, plugin_dir=root, extra_env=env, timeout=120)
    result = second.tool_result()
    assert result is not None and result.is_error, second.describe()
    assert "cannot run" not in result.text and "could not check" not in result.text
    assert any(r.get("decision") == "deny" for r in second.audit), second.audit
    assert "UNCOMMITTED WORK" in (box.project / "notes.txt").read_text()
