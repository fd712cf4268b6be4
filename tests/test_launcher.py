"""The real launchers as Claude Code runs them: a subprocess, the payload on stdin, a real transcript file at
transcript_path, the plugin root in CLAUDE_PLUGIN_ROOT. Both forms: `python3 -I -S hooks/launch.py EVENT` (what
hooks.json runs, on every platform) and `sh hooks/launch.sh EVENT` (the POSIX-only one).

Covers the interpreter search order (GUARDRAIL_PYTHON, an installed `guardrail` on PATH, the plugin's
own venv), the answers before any environment exists, and the fail-closed answer for a broken GUARDRAIL_PYTHON.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAUNCHER = ROOT / "hooks" / "launch.sh"
PY_LAUNCHER = ROOT / "hooks" / "launch.py"
PY_LAUNCHER_MODULE = ROOT / "hooks" / "launcher.py"  # what launch.py imports
FORMS = {"launch.py": [sys.executable, "-I", "-S", str(PY_LAUNCHER)], "launch.sh": ["sh", str(LAUNCHER)]}


@pytest.fixture(params=list(FORMS))
def form(request: pytest.FixtureRequest) -> str:
    return request.param
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


def launch(event: str, body: dict[str, Any] | bytes, env: dict[str, str], form: str = "launch.py",
           root: Path = ROOT) -> tuple[int, str, str]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    argv = [*FORMS[form][:-1], str(root / "hooks" / Path(FORMS[form][-1]).name)]
    proc = subprocess.run([*argv, event], input=raw, env=env, capture_output=True, timeout=60)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def test_transcript_fixture_is_real() -> None:
    first = json.loads(TRANSCRIPT.read_text().splitlines()[0])
    assert "type" in first


def hso_of(out: str) -> dict[str, Any]:
    return json.loads(out)["hookSpecificOutput"]


def test_guardrail_python_first(tmp_path: Path, form: str) -> None:
    code, out, err = launch("pre-tool-use", pre_tool_use("rm -rf ~", tmp_path),
                            base_env(tmp_path, GUARDRAIL_PYTHON=sys.executable), form)
    assert code == 0, err
    hso = hso_of(out)
    assert hso["permissionDecision"] == "deny" and "rm-recursive-critical-path" in hso["permissionDecisionReason"]
    assert "Traceback" not in err
    rec = json.loads((tmp_path / "audit.jsonl").read_text().splitlines()[-1])
    assert rec["decision"] == "deny"


def test_benign_call_prints_nothing(tmp_path: Path, form: str) -> None:
    code, out, err = launch("pre-tool-use", pre_tool_use("ls -la", tmp_path),
                            base_env(tmp_path, GUARDRAIL_PYTHON=sys.executable), form)
    assert (code, out) == (0, ""), err


@pytest.mark.parametrize("event,body", [
    ("user-prompt-submit", {"session_id": "s", "hook_event_name": "UserPromptSubmit", "prompt": "hello"}),
    ("post-tool-use", {"session_id": "s", "hook_event_name": "PostToolUse", "tool_name": "Bash",
                       "tool_input": {"command": "ls"}, "tool_use_id": "t", "tool_response": {}}),
    ("post-tool-use-failure", {"session_id": "s", "hook_event_name": "PostToolUseFailure", "tool_name": "Bash",
                               "tool_input": {"command": "ls"}, "tool_use_id": "t", "error": "x"}),
])
def test_other_events_exit_zero_silently(tmp_path: Path, event: str, body: dict[str, Any], form: str) -> None:
    code, out, err = launch(event, body, base_env(tmp_path, GUARDRAIL_PYTHON=sys.executable), form)
    assert (code, out) == (0, ""), err


def test_garbage_stdin_fails_closed_through_the_launcher(tmp_path: Path, form: str) -> None:
    code, out, _ = launch("pre-tool-use", b"\x00{{{", base_env(tmp_path, GUARDRAIL_PYTHON=sys.executable), form)
    assert code == 0 and hso_of(out)["permissionDecision"] == "deny"


def test_bad_guardrail_python_fails_closed_with_fix(tmp_path: Path, form: str) -> None:
    # A misconfiguration is loud: even `ls` is denied, naming the variable.
    code, out, _ = launch("pre-tool-use", pre_tool_use("ls", tmp_path),
                          base_env(tmp_path, GUARDRAIL_PYTHON=str(tmp_path / "nope" / "python")), form)
    hso = hso_of(out)
    assert code == 0 and hso["permissionDecision"] == "deny" and "GUARDRAIL_PYTHON" in hso["permissionDecisionReason"]


def test_installed_guardrail_on_path_is_found(tmp_path: Path, form: str) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "guardrail"
    script.write_text(f"#!{sys.executable}\nfrom guardrail.cli import main\nmain()\n")
    script.chmod(0o755)
    env = base_env(tmp_path, PATH=f"{bindir}:/usr/bin:/bin")
    code, out, err = launch("pre-tool-use", pre_tool_use("rm -rf ~", tmp_path), env, form)
    assert code == 0 and hso_of(out)["permissionDecision"] == "deny", err
    assert "rm-recursive-critical-path" in hso_of(out)["permissionDecisionReason"]


def test_console_script_with_sh_trampoline_is_not_mistaken_for_python(tmp_path: Path, form: str) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "guardrail").write_text("#!/bin/sh\nexec something\n")
    env = base_env(tmp_path, PATH=f"{bindir}:/usr/bin:/bin")
    code, out, _ = launch("pre-tool-use", pre_tool_use("rm -rf ~", tmp_path), env, form)
    # not run as guardrail's Python: the answer of a plugin whose environment is not built yet
    assert code == 0 and "still being set up" in hso_of(out)["permissionDecisionReason"]


def test_plugin_venv_is_used_last(tmp_path: Path, form: str) -> None:
    data = tmp_path / "plugin-data"
    venv = data / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    # Make the test venv see this environment's packages (guardrail and its dependencies).
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    paths = {sysconfig.get_paths()["purelib"], str(ROOT)}
    (site / "guardrail_test.pth").write_text("\n".join(sorted(paths)) + "\n")
    env = base_env(tmp_path, CLAUDE_PLUGIN_DATA=str(data))
    code, out, err = launch("pre-tool-use", pre_tool_use("git reset --hard", tmp_path), env, form)
    assert code == 0 and hso_of(out)["permissionDecision"] == "deny", err
    assert "reset-hard" in hso_of(out)["permissionDecisionReason"]


# --------------------------------------------------------------------------- before the environment exists


def plugin_without_env(tmp_path: Path) -> Path:
    """A plugin root whose bootstrap.py only records that it was started (a real one runs pip)."""
    root = tmp_path / "plugin"
    (root / "hooks").mkdir(parents=True)
    for name in ("guardrail", "rules"):
        (root / name).symlink_to(ROOT / name)
    for name in ("launch.py", "launcher.py", "launch.sh", "builtin-index.json"):
        shutil.copy(ROOT / "hooks" / name, root / "hooks" / name)
    (root / "hooks" / "bootstrap.py").write_text(
        "import os\nopen(os.path.join(os.environ['CLAUDE_PLUGIN_DATA'], 'bootstrap-started'), 'a').write('x')\n")
    return root


def no_env(tmp_path: Path, root: Path, **extra: str) -> dict[str, str]:
    return base_env(tmp_path, CLAUDE_PLUGIN_ROOT=str(root), CLAUDE_PLUGIN_DATA=str(tmp_path / "data"), **extra)


def started(tmp_path: Path) -> int:
    deadline = time.monotonic() + 20
    marker = tmp_path / "data" / "bootstrap-started"
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return len(marker.read_text()) if marker.exists() else 0


@pytest.mark.parametrize("command", ["ls -la", "pytest -q tests/", "cat README.md", "grep -rn TODO src"])
def test_before_the_environment_calls_no_rule_concerns_get_no_opinion(tmp_path: Path, form: str, command: str) -> None:
    root = plugin_without_env(tmp_path)
    code, out, err = launch("pre-tool-use", pre_tool_use(command, tmp_path), no_env(tmp_path, root), form, root)
    assert (code, out) == (0, ""), err
    code, out, err = launch("pre-tool-use", {**pre_tool_use("x", tmp_path), "tool_name": "Read",
                                             "tool_input": {"file_path": str(tmp_path / "a.txt")}},
                            no_env(tmp_path, root), form, root)
    assert (code, out) == (0, ""), err


def test_before_the_environment_others_are_asked_and_the_build_starts(tmp_path: Path, form: str) -> None:
    root = plugin_without_env(tmp_path)
    code, out, _ = launch("pre-tool-use", pre_tool_use("git reset --hard", tmp_path), no_env(tmp_path, root), form, root)
    hso = hso_of(out)
    assert code == 0 and hso["permissionDecision"] == "ask"
    reason = hso["permissionDecisionReason"]
    assert "still being set up" in reason and "bootstrap.log" in reason and "GUARDRAIL_PYTHON" in reason
    assert started(tmp_path) == 1  # no SessionStart seen (enabled mid-session): the first asked call starts it


@pytest.mark.parametrize("extra", [{"CLAUDE_CODE_ENTRYPOINT": "sdk-cli"}, {"CI": "true"}, {"mode": "dontAsk"}])
def test_before_the_environment_no_human_means_deny(tmp_path: Path, form: str, extra: dict[str, str]) -> None:
    root = plugin_without_env(tmp_path)
    body, extra = pre_tool_use("git reset --hard", tmp_path), dict(extra)  # the param is shared between forms
    if "mode" in extra:
        body["permission_mode"] = extra.pop("mode")
    code, out, _ = launch("pre-tool-use", body, no_env(tmp_path, root, **extra), form, root)
    hso = hso_of(out)
    assert code == 0 and hso["permissionDecision"] == "deny"
    assert "still being set up" in hso["permissionDecisionReason"] and "No human" in hso["permissionDecisionReason"]


def test_before_the_environment_session_start_builds_it(tmp_path: Path, form: str) -> None:
    root = plugin_without_env(tmp_path)
    code, out, err = launch("session-start", {"session_id": "s", "hook_event_name": "SessionStart",
                                              "source": "startup"}, no_env(tmp_path, root), form, root)
    assert (code, out) == (0, ""), err
    assert started(tmp_path) == 1


@pytest.mark.parametrize("why", ["project config", "user packs", "protected names", "stale shipped index"])
def test_before_the_environment_unsure_means_ask(tmp_path: Path, form: str, why: str) -> None:
    """The shipped index covers the built-in packs under the default config only: anything else, and an index
    that no longer matches the packs, makes even `ls` an ask."""
    root = plugin_without_env(tmp_path)
    extra: dict[str, str] = {}
    if why == "project config":
        (tmp_path / ".guardrail").mkdir()
        (tmp_path / ".guardrail" / "config.toml").write_text("")
    elif why == "user packs":
        (tmp_path / "home" / ".config" / "guardrail" / "rules").mkdir(parents=True)
    elif why == "protected names":
        extra["GUARDRAIL_PROTECTED_DATABASES"] = "ls"
    else:
        doc = json.loads((root / "hooks" / "builtin-index.json").read_text())
        (root / "hooks" / "builtin-index.json").write_text(json.dumps({**doc, "fingerprint": "0" * 24}))
    code, out, _ = launch("pre-tool-use", pre_tool_use("ls -la", tmp_path), no_env(tmp_path, root, **extra), form, root)
    assert code == 0 and hso_of(out)["permissionDecision"] == "ask"


def test_builtin_index_is_current() -> None:
    from guardrail.index import builtin_document

    shipped = json.loads((ROOT / "hooks" / "builtin-index.json").read_text())
    assert shipped == builtin_document(), (
        "hooks/builtin-index.json is stale (a pack or a module that shapes the index changed): regenerate it with "
        "`.venv/bin/python -m guardrail.index > hooks/builtin-index.json`")


# --------------------------------------------------------------------------- launch.py specifics


def counting_python(tmp_path: Path) -> Path:
    """A GUARDRAIL_PYTHON that counts how often it is started."""
    wrapper = tmp_path / "bin" / "python-counting"
    wrapper.parent.mkdir(exist_ok=True)
    wrapper.write_text(f"#!/bin/sh\necho x >> {tmp_path / 'starts'}\nexec {sys.executable} \"$@\"\n")
    wrapper.chmod(0o755)
    return wrapper


def starts(tmp_path: Path) -> int:
    path = tmp_path / "starts"
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_launch_py_runs_guardrail_in_process(tmp_path: Path) -> None:
    env = base_env(tmp_path, GUARDRAIL_PYTHON=str(counting_python(tmp_path)))
    assert launch("pre-tool-use", pre_tool_use("ls", tmp_path), env)[1] == ""
    assert starts(tmp_path) == 1  # no hint and no index yet: the target runs, and leaves both
    assert launch("pre-tool-use", pre_tool_use("ls -la src", tmp_path), env)[1] == ""
    # the launcher's interpreter is binary-compatible with the target: the whole hook runs in its process
    hso = hso_of(launch("pre-tool-use", pre_tool_use("rm -rf ~", tmp_path), env)[1])
    assert hso["permissionDecision"] == "deny" and "rm-recursive-critical-path" in hso["permissionDecisionReason"]
    assert launch("user-prompt-submit", {"session_id": "s", "hook_event_name": "UserPromptSubmit", "prompt": "hi"},
                  env)[1] == ""
    assert starts(tmp_path) == 1
    # another Python (its compiled dependencies would not load): only the stdlib prefilter runs in process
    [hint] = (tmp_path / "cache").glob("launcher-*.json")
    doc = json.loads(hint.read_text())
    assert doc["target"] == env["GUARDRAIL_PYTHON"] and Path(doc["package"]) == ROOT / "guardrail"
    hint.write_text(json.dumps({**doc, "tag": "cpython-299-False"}))
    assert launch("pre-tool-use", pre_tool_use("ls -la src", tmp_path), env)[1] == ""
    assert starts(tmp_path) == 1
    assert hso_of(launch("pre-tool-use", pre_tool_use("rm -rf ~", tmp_path), env)[1])["permissionDecision"] == "deny"
    assert starts(tmp_path) == 2  # ... and the target decides, rewriting the hint
    assert json.loads(hint.read_text())["tag"] == doc["tag"]


def test_launch_py_passes_a_large_payload_through(tmp_path: Path) -> None:
    body = pre_tool_use("rm -rf ~", tmp_path)
    body["tool_input"]["description"] = "x" * 200_000  # beyond any pipe buffer: goes through a temporary file
    code, out, err = launch("pre-tool-use", body, base_env(tmp_path, GUARDRAIL_PYTHON=sys.executable))
    assert code == 0 and hso_of(out)["permissionDecision"] == "deny", err


def test_launch_py_agrees_with_the_package() -> None:
    """launch.py cannot import guardrail before it knows whose guardrail to load: its copies must agree."""
    from guardrail import fastpath
    from guardrail.intent.policy import is_non_interactive

    spec = importlib.util.spec_from_file_location("guardrail_launch", PY_LAUNCHER_MODULE)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    envs = [{}, {"HOME": "/h"}, {"HOME": "/h", "XDG_CACHE_HOME": "/x"}, {"CLAUDE_PLUGIN_DATA": "/d", "HOME": "/h"},
            {"GUARDRAIL_CACHE_DIR": "/c", "CLAUDE_PLUGIN_DATA": "/d"}, {"CI": "1"}, {"CI": "false"}, {"CI": "off"},
            {"CLAUDE_CODE_ENTRYPOINT": "sdk-cli"}, {"CLAUDE_CODE_ENTRYPOINT": "cli"}]
    for env in envs:
        assert mod.cache_dir(env) == fastpath.cache_dir(env)
        assert mod.hint_path("/p/python", env) == fastpath.launcher_hint_path("/p/python", env)
        assert mod.interpreter_tag() == fastpath.interpreter_tag()
        for mode in ("default", "dontAsk", "bypassPermissions", ""):
            assert mod.no_human_can_answer(mode, env) == is_non_interactive(mode or None, env), (mode, env)


def test_launch_py_runs_on_old_pythons() -> None:
    """It runs on whatever `python3` the machine has: nothing newer than 3.8 syntax."""
    for path in (PY_LAUNCHER, PY_LAUNCHER_MODULE):
        ast.parse(path.read_text(), feature_version=(3, 8))


def test_skill_shell_commands_are_judged_through_the_launcher(tmp_path: Path, form: str) -> None:
    body = {"session_id": "s", "transcript_path": str(TRANSCRIPT), "cwd": str(tmp_path),
            "hook_event_name": "PreSkillShellCommand", "permission_mode": "default", "tool_name": "Bash",
            "tool_input": {"command": "rm -rf ~"}, "tool_use_id": "skill-1", "command_name": "cleanup",
            "command_source": "plugin", "invoked_by": "claude"}
    env = base_env(tmp_path, GUARDRAIL_PYTHON=sys.executable)
    code, out, err = launch("pre-skill-shell-command", body, env, form)
    hso = hso_of(out)
    assert code == 0 and hso["hookEventName"] == "PreSkillShellCommand", err
    assert hso["permissionDecision"] == "deny" and "rm-recursive-critical-path" in hso["permissionDecisionReason"]
    code, out, err = launch("pre-skill-shell-command", {**body, "tool_input": {"command": "ls -la"}}, env, form)
    assert (code, out) == (0, ""), err


def test_hooks_json_registers_every_event_in_exec_form() -> None:
    spec = json.loads((ROOT / "hooks" / "hooks.json").read_text())["hooks"]
    assert set(spec) == {"PreToolUse", "PreSkillShellCommand", "PostToolUse", "PostToolUseFailure",
                         "UserPromptSubmit", "SessionStart"}
    for event, entries in spec.items():
        (entry,) = entries
        (hook,) = entry["hooks"]
        assert entry["matcher"] == "*"
        # exec form (no shell), a command every platform can start, the launcher by path
        assert hook["command"] == "python3"
        assert hook["args"][:3] == ["-I", "-S", "${CLAUDE_PLUGIN_ROOT}/hooks/launch.py"]
        assert hook["onFailure"] == "block" and 0 < hook["timeout"] <= 30
        slug = hook["args"][3]
        assert "".join(p.capitalize() for p in slug.split("-")) == event


@pytest.mark.skipif(shutil.which("dash") is None, reason="dash not installed")
def test_launcher_is_posix_sh(tmp_path: Path) -> None:
    proc = subprocess.run(["dash", "-n", str(LAUNCHER)], capture_output=True)
    assert proc.returncode == 0, proc.stderr
    assert os.access(LAUNCHER, os.X_OK)


def test_launch_sh_without_any_python_still_fails_closed(tmp_path: Path) -> None:
    """No python3 at all: launch.sh cannot hand over to launch.py, and answers with a deny that says why."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    env = no_env(tmp_path, plugin_without_env(tmp_path), PATH=str(empty))
    proc = subprocess.run(["/bin/sh", str(LAUNCHER), "pre-tool-use"], input=json.dumps(pre_tool_use("ls", tmp_path)).encode(),
                          env=env, capture_output=True, timeout=30)
    hso = hso_of(proc.stdout.decode())
    assert proc.returncode == 0 and hso["permissionDecision"] == "deny"
    assert "no Python environment yet" in hso["permissionDecisionReason"]
