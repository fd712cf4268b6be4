"""`guardrail install` / `uninstall` on real settings files in a temporary HOME and project.

The round trip install -> install -> uninstall must give back the original JSON; the installed handler
is then run as Claude Code would run it (exec form, a real subprocess) to prove it decides.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from guardrail import settings_file as sf
from guardrail.commands.install import command as install, uninstall_command as uninstall

REPO = Path(__file__).resolve().parent.parent

# A settings file as people have them: permissions, env, plugins, a status line, and their own hooks on
# the same events guardrail uses (PreToolUse with a Bash matcher, SessionStart) and on others (Stop).
ORIGINAL: dict[str, Any] = {
    "$schema": "https://json.schemastore.org/claude-code-settings.json",
    "model": "opus",
    "permissions": {"allow": ["Bash(npm run test:*)"], "deny": ["Read(./.env)"], "defaultMode": "default"},
    "env": {"FOO": "bär ✓"},
    "enabledPlugins": {"formatter@acme": True},
    "statusLine": {"type": "command", "command": "~/.claude/statusline.sh"},
    "hooks": {
        "PreToolUse": [{"matcher": "Bash", "hooks": [
            {"type": "command", "command": "~/.claude/hooks/log-bash.sh", "timeout": 5}]}],
        "SessionStart": [{"hooks": [{"type": "command", "command": "echo hello"}]}],
        "Stop": [{"matcher": "", "hooks": [{"type": "command", "command": "notify-send done"}]}],
    },
}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    (h / ".claude").mkdir(parents=True)
    return h


def _env(home: Path, **extra: str) -> dict[str, str | None]:
    return {"HOME": str(home), "CLAUDE_CONFIG_DIR": None, **extra}


def run(cmd: Any, args: list[str], home: Path, **env: str) -> Result:
    return CliRunner().invoke(cmd, args, env=_env(home, **env), catch_exceptions=False)


def write(path: Path, data: Any) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=4) + "\n"  # not guardrail's layout on purpose
    path.write_text(text, encoding="utf-8")
    return text


def backups(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.guardrail-*.bak"))


def handlers(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return list(sf.iter_guardrail_handlers(data))


def test_install_install_uninstall_restores_the_original(home: Path) -> None:
    path = home / ".claude" / "settings.json"
    original_text = write(path, ORIGINAL)

    first = run(install, [], home)
    assert first.exit_code == 0, first.output
    installed = json.loads(path.read_text())
    assert sorted(e for e, _ in handlers(installed)) == sorted(sf.EVENTS)
    # everything else is still there, including the user's own handlers on the same events
    assert {k: v for k, v in installed.items() if k != "hooks"} == {k: v for k, v in ORIGINAL.items() if k != "hooks"}
    assert installed["hooks"]["PreToolUse"][0] == ORIGINAL["hooks"]["PreToolUse"][0]
    assert installed["hooks"]["Stop"] == ORIGINAL["hooks"]["Stop"]
    assert [b.read_text() for b in backups(path.parent)] == [original_text]

    after_first = path.read_bytes()
    second = run(install, [], home)
    assert second.exit_code == 0, second.output
    assert "already installed" in second.output
    assert path.read_bytes() == after_first  # idempotent: not even rewritten
    assert len(backups(path.parent)) == 1

    removed = run(uninstall, [], home)
    assert removed.exit_code == 0, removed.output
    assert f"Removed {len(sf.EVENTS)} guardrail hook entries" in removed.output
    assert json.loads(path.read_text()) == ORIGINAL


def test_uninstall_removes_only_guardrail_handlers_even_inside_a_shared_group(home: Path) -> None:
    path = home / ".claude" / "settings.json"
    assert run(install, [], home).exit_code == 0
    data = json.loads(path.read_text())
    mine = {"type": "command", "command": "/usr/local/bin/audit-everything"}
    data["hooks"]["PreToolUse"][0]["hooks"].append(mine)  # the user put a handler into guardrail's group
    path.write_text(json.dumps(data))
    assert run(uninstall, [], home).exit_code == 0
    assert json.loads(path.read_text()) == {"hooks": {"PreToolUse": [{"matcher": "*", "hooks": [mine]}]}}


def test_reinstall_with_another_python_updates_in_place(home: Path, tmp_path: Path) -> None:
    path = home / ".claude" / "settings.json"
    write(path, ORIGINAL)
    other = _sibling_python()  # another path to this venv's interpreter
    assert run(install, ["--python", str(other)], home).exit_code == 0
    assert run(install, [], home).exit_code == 0
    found = handlers(json.loads(path.read_text()))
    assert len(found) == len(sf.EVENTS)
    assert {h["command"] for _, h in found} == {sys.executable}
    assert run(uninstall, [], home).exit_code == 0
    assert json.loads(path.read_text()) == ORIGINAL


def _sibling_python() -> Path:
    here = Path(sys.executable)
    for name in ("python3", f"python{sys.version_info[0]}.{sys.version_info[1]}", "python"):
        if here.with_name(name) != here and here.with_name(name).exists():
            return here.with_name(name)
    pytest.skip("no second name for this interpreter in its bin directory")


def test_python_path_is_kept_unresolved(home: Path) -> None:
    # A venv's bin/python is a symlink; resolving it would lose the venv and its site-packages.
    link = _sibling_python()
    assert link.is_symlink() and os.path.realpath(link) != str(link)
    assert run(install, ["--python", str(link)], home).exit_code == 0
    found = handlers(json.loads((home / ".claude" / "settings.json").read_text()))
    assert {h["command"] for _, h in found} == {str(link)}


def test_a_symlink_outside_the_venv_is_refused(home: Path, tmp_path: Path) -> None:
    # The same binary without the venv around it has no guardrail: the hook would crash on every call.
    link = tmp_path / "bin" / "python3"
    link.parent.mkdir()
    link.symlink_to(os.path.realpath(sys.executable))
    result = CliRunner().invoke(install, ["--python", str(link)], env=_env(home))
    assert result.exit_code == 1 and "cannot import guardrail in isolated mode" in result.output


def test_dry_run_shows_a_diff_and_writes_nothing(home: Path) -> None:
    path = home / ".claude" / "settings.json"
    text = write(path, ORIGINAL)
    before = path.stat().st_mtime_ns
    result = run(install, ["--dry-run"], home)
    assert result.exit_code == 0, result.output
    assert f"--- {path} (current)" in result.output and f"+++ {path} (new)" in result.output
    assert '+              "from guardrail.hookio import main; main()",' in result.output
    assert "-" + '    "model": "opus",' not in result.output  # unchanged keys are context, not churn
    assert path.read_text() == text and path.stat().st_mtime_ns == before
    assert backups(path.parent) == []


def test_dry_run_uninstall(home: Path) -> None:
    path = home / ".claude" / "settings.json"
    assert run(install, [], home).exit_code == 0
    text = path.read_text()
    result = run(uninstall, ["--dry-run"], home)
    assert result.exit_code == 0
    assert '-              "from guardrail.hookio import main; main()",' in result.output
    assert path.read_text() == text


@pytest.mark.parametrize("bad, fragment", [
    ('{"model": "opus",}\n', "not valid JSON (line 1, column 18"),
    ('// comment\n{}\n', "not valid JSON (line 1, column 1"),
    ('{"hooks": {}, "hooks": {"Stop": []}}', "duplicate key 'hooks'"),
    ('["not", "an", "object"]', "the top level must be a JSON object"),
    ('{"hooks": []}', "field 'hooks' must be a JSON object"),
    ('{"hooks": {"PreToolUse": {"matcher": "*"}}}', "field 'hooks.PreToolUse' must be a JSON array"),
    ('{"hooks": {"PreToolUse": ["x"]}}', "field 'hooks.PreToolUse[0]' must be an object"),
])
@pytest.mark.parametrize("cmd", [install, uninstall], ids=["install", "uninstall"])
def test_refuses_a_file_it_cannot_merge_and_never_touches_it(home: Path, bad: str, fragment: str, cmd: Any) -> None:
    path = home / ".claude" / "settings.json"
    path.write_text(bad, encoding="utf-8")
    result = CliRunner().invoke(cmd, [], env=_env(home))
    if cmd is uninstall and fragment.startswith("field"):
        # readable JSON whose 'hooks' has an odd shape holds no handler of ours: nothing to remove
        assert result.exit_code == 0 and "nothing to change" in result.output, result.output
    else:
        assert result.exit_code == 1, result.output
        assert str(path) in result.output and fragment in result.output
    assert path.read_text(encoding="utf-8") == bad
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.json"]  # no backup, no temp file


def test_missing_or_blank_file_is_created(home: Path) -> None:
    path = home / ".claude" / "settings.json"
    path.write_text("\n")
    assert run(install, [], home).exit_code == 0
    assert len(handlers(json.loads(path.read_text()))) == len(sf.EVENTS)
    shutil.rmtree(home / ".claude")
    assert run(install, [], home).exit_code == 0
    assert len(handlers(json.loads(path.read_text()))) == len(sf.EVENTS)


def test_claude_config_dir_is_honoured(home: Path, tmp_path: Path) -> None:
    custom = tmp_path / "claude-config"
    result = run(install, [], home, CLAUDE_CONFIG_DIR=str(custom))
    assert result.exit_code == 0, result.output
    assert (custom / "settings.json").is_file()
    assert not (home / ".claude" / "settings.json").exists()


@pytest.mark.parametrize("scope, name", [("project", "settings.json"), ("local", "settings.local.json")])
def test_project_and_local_scopes(home: Path, tmp_path: Path, scope: str, name: str) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    result = run(install, ["--scope", scope, "--project-dir", str(project)], home)
    assert result.exit_code == 0, result.output
    assert len(handlers(json.loads((project / ".claude" / name).read_text()))) == len(sf.EVENTS)
    assert not (home / ".claude" / "settings.json").exists()
    if scope == "project":
        assert "usually committed" in result.output  # warned about the machine-specific path
    assert run(uninstall, ["--scope", scope, "--project-dir", str(project)], home).exit_code == 0
    assert json.loads((project / ".claude" / name).read_text()) == {}


def test_symlinked_settings_are_written_through_and_mode_kept(home: Path, tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles" / "claude-settings.json"
    write(dotfiles, ORIGINAL)
    os.chmod(dotfiles, 0o600)
    link = home / ".claude" / "settings.json"
    link.symlink_to(dotfiles)
    assert run(install, [], home).exit_code == 0
    assert link.is_symlink()
    assert len(handlers(json.loads(dotfiles.read_text()))) == len(sf.EVENTS)
    assert stat.S_IMODE(dotfiles.stat().st_mode) == 0o600


def test_rejects_a_python_that_cannot_import_guardrail(home: Path, tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'ModuleNotFoundError: No module named guardrail' >&2\nexit 1\n")
    fake.chmod(0o755)
    result = CliRunner().invoke(install, ["--python", str(fake)], env=_env(home))
    assert result.exit_code == 1
    assert "cannot import guardrail" in result.output and "No module named guardrail" in result.output
    missing = CliRunner().invoke(install, ["--python", str(tmp_path / "nope")], env=_env(home))
    assert missing.exit_code == 1 and "not an executable file" in missing.output
    assert not (home / ".claude" / "settings.json").exists()


def test_uninstall_without_guardrail_changes_nothing(home: Path) -> None:
    path = home / ".claude" / "settings.json"
    text = write(path, ORIGINAL)
    result = run(uninstall, [], home)
    assert result.exit_code == 0 and "nothing to change" in result.output
    assert path.read_text() == text and backups(path.parent) == []


def test_same_events_timeout_and_on_failure_as_the_plugin() -> None:
    plugin = json.loads((REPO / "hooks" / "hooks.json").read_text())["hooks"]
    assert set(plugin) == set(sf.EVENTS)
    for event, slug in sf.EVENTS.items():
        [group] = plugin[event]
        [handler] = group["hooks"]
        assert group["matcher"] == "*"
        assert handler["args"][-1] == slug
        ours = sf.hook_handler(sys.executable, event)
        assert (ours["timeout"], ours["onFailure"]) == (handler["timeout"], handler["onFailure"])


def test_the_installed_handler_decides_when_run_like_claude_code(home: Path, tmp_path: Path) -> None:
    assert run(install, [], home).exit_code == 0
    settings = json.loads((home / ".claude" / "settings.json").read_text())
    [handler] = settings["hooks"]["PreToolUse"][0]["hooks"]
    payload = {"session_id": "s-install", "transcript_path": str(tmp_path / "t.jsonl"), "cwd": str(tmp_path),
               "hook_event_name": "PreToolUse", "permission_mode": "default", "tool_name": "Bash",
               "tool_input": {"command": "rm -rf /"}, "tool_use_id": "toolu_1"}
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "GUARDRAIL_STATE_DIR": str(tmp_path / "state"),
           "GUARDRAIL_AUDIT_LOG": str(tmp_path / "audit.jsonl"), "GUARDRAIL_CACHE_DIR": str(tmp_path / "cache")}
    # exec form: command + args, no shell, exactly as Claude Code spawns it
    proc = subprocess.run([handler["command"], *handler["args"]], input=json.dumps(payload).encode(),
                          capture_output=True, env=env, cwd=tmp_path, timeout=30)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)["hookSpecificOutput"]
    assert out["permissionDecision"] == "deny"
    assert "could not check" not in out["permissionDecisionReason"], out["permissionDecisionReason"]


@pytest.mark.xfail(strict=True, reason="known gap: an empty 'hooks' object that existed before install is "
                   "dropped by uninstall (install leaves no record that it was there)")
def test_preexisting_empty_hooks_object_survives_the_round_trip(home: Path) -> None:
    path = home / ".claude" / "settings.json"
    write(path, {"model": "opus", "hooks": {}})
    assert run(install, [], home).exit_code == 0
    assert run(uninstall, [], home).exit_code == 0
    assert json.loads(path.read_text()) == {"model": "opus", "hooks": {}}


@pytest.mark.realcli
def test_real_claude_obeys_installed_hooks_and_forgets_them_after_uninstall(tmp_path: Path) -> None:
    """`guardrail install` into a temporary HOME, then a real `claude -p` session (no plugin): the hook
    from settings.json denies `git reset --hard` and the uncommitted work survives. After `uninstall`
    guardrail is silent (no audit record)."""
    from realcli.conftest import need
    from realcli.fake_api import ToolUse
    from realcli.harness import CLAUDE, Sandbox

    need(CLAUDE.exists(), f"{CLAUDE} is missing: run `npm ci` in the repo root")
    box = Sandbox(home=tmp_path / "home", project=tmp_path / "proj")
    box.project.mkdir(parents=True)
    (box.home / ".claude").mkdir(parents=True)
    box.make_git_repo()
    settings = box.home / ".claude" / "settings.json"
    write(settings, {"permissions": {"deny": ["Read(./.env)"]}})
    env = {"GUARDRAIL_PYTHON": None}  # only settings.json wires guardrail in
    call = [ToolUse("Bash", {"command": "git reset --hard", "description": "Discard local changes"})]

    assert run(install, [], box.home).exit_code == 0
    denied = box.run("fix the README typo", call, plugin_dir=None, extra_env=env)
    result = denied.tool_result()
    assert result is not None and result.is_error, denied.describe()
    assert "git/reset-hard" in result.text
    assert [(r.get("event"), r.get("decision")) for r in denied.audit] == [("PreToolUse", "deny")]
    assert "UNCOMMITTED WORK" in (box.project / "notes.txt").read_text()

    assert run(uninstall, [], box.home).exit_code == 0
    assert json.loads(settings.read_text()) == {"permissions": {"deny": ["Read(./.env)"]}}
    silent = box.run("fix the README typo", call, plugin_dir=None, extra_env=env)
    before = {r.get("session_id") for r in denied.audit}
    assert [r for r in silent.audit if r.get("session_id") not in before] == []  # no guardrail hook ran
    result = silent.tool_result()
    assert result is not None and "guardrail" not in result.text  # Claude Code's own permission flow


def test_warns_about_a_throwaway_interpreter(home: Path, tmp_path: Path) -> None:
    # uvx / pipx run environments live in a cache and vanish; then every call would be blocked.
    venv = Path(sys.prefix)
    cached = tmp_path / ".cache" / "uv" / "archive-v0" / "abc"
    cached.parent.mkdir(parents=True)
    cached.symlink_to(venv, target_is_directory=True)
    result = run(install, ["--python", str(cached / "bin" / "python")], home)
    assert result.exit_code == 0, result.output
    assert "looks like a temporary environment" in result.output and "pipx install claude-guardrail" in result.output


def test_one_command_from_a_temporary_environment_installs_for_good_and_registers(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 17: `uvx --from claude-guardrail guardrail install` runs from uv's cache. It installs the package with
    # `uv tool install` and registers the installed tool's interpreter, not the cache's. A stand-in `uv` on PATH
    # records what it was asked and "installs" an interpreter that has guardrail (a wrapper of this one).
    from guardrail.commands import install as install_mod

    bindir, tools, calls = tmp_path / "bin", tmp_path / "uv-tools", tmp_path / "uv-calls"
    bindir.mkdir()
    (bindir / "uv").write_text(
        "#!/bin/sh\n"
        f"echo \"$*\" >> {calls}\n"
        f"if [ \"$1 $2\" = 'tool dir' ]; then echo {tools}; exit 0; fi\n"
        f"mkdir -p {tools}/claude-guardrail/bin\n"
        f"printf '#!/bin/sh\\nexec {sys.executable} \"$@\"\\n' > {tools}/claude-guardrail/bin/python\n"
        f"chmod +x {tools}/claude-guardrail/bin/python\n")
    (bindir / "uv").chmod(0o755)
    monkeypatch.setattr(install_mod, "is_temporary", lambda _interpreter: True)
    env = {"PATH": f"{bindir}:{os.environ.get('PATH', '')}"}
    dry = run(install, ["--dry-run"], home, **env)
    assert dry.exit_code == 0 and "would run `uv tool install claude-guardrail`" in dry.output and not calls.exists()
    result = run(install, [], home, **env)
    assert result.exit_code == 0, result.output
    assert calls.read_text().splitlines() == ["tool install claude-guardrail", "tool dir"]
    python = str(tools / "claude-guardrail" / "bin" / "python")
    settings = json.loads((home / ".claude" / "settings.json").read_text())
    commands = {h["command"] for groups in settings["hooks"].values() for g in groups for h in g["hooks"]}
    assert commands == {python}, settings
