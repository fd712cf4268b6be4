"""guardrail's hook launcher, imported by hooks/launch.py: hooks.json runs `python3 -I -S launch.py EVENT` in exec form.

Standard library only, Python >= 3.8, no shell: it runs on Windows as on Linux and macOS (hooks/launch.sh is the
POSIX-only equivalent). It finds the Python that has guardrail, in this order:

1. $GUARDRAIL_PYTHON (set but not an executable file: PreToolUse fails closed, naming it);
2. the interpreter of the first `guardrail` command on PATH (POSIX: its shebang; Windows: the python.exe next to
   guardrail.exe, as pip, pipx and uv lay them out);
3. the plugin's own environment, ${CLAUDE_PLUGIN_DATA}/venv (built by hooks/bootstrap.py).

Fast path: the first hook call runs that interpreter's guardrail.hookio (exec on POSIX; a child process on
Windows, whose exec does not keep the process), which leaves a hint in the cache: where its guardrail package is,
what else it imports from, and its binary tag. From then on this process imports that same guardrail itself: the
stdlib prefilter (guardrail/fastpath.py) always, and the whole hook when this interpreter is binary-compatible
(same version and ABI, so the dependencies' compiled parts load). A hook call then costs one interpreter start,
as with launch.sh; an incompatible `python3` costs a second one for calls the prefilter cannot skip.

Before any environment exists (the plugin's first session: hooks/bootstrap.py builds one in the background),
calls no built-in rule can concern get no opinion (the built-in packs' index ships as hooks/builtin-index.json);
the others are asked about with a reason that says the check is still being set up, and denied where no human
can answer. Nothing here may raise or exit non-zero: Claude Code would take that as no opinion.
"""

from __future__ import annotations

import json
import os
import sys
import zlib

ENTRY = "from guardrail.hookio import main; main()"
DECIDING = {"pre-tool-use": "PreToolUse", "pre-skill-shell-command": "PreSkillShellCommand"}
WINDOWS = os.name == "nt"
HERE = os.path.dirname(os.path.abspath(__file__))
MAX_STDIN_BYTES = 8 * 1024 * 1024  # guardrail.hookio.MAX_STDIN_BYTES
PIPE_PAYLOAD_MAX = 60000  # a payload this small fits in a pipe's buffer (64 KiB on Linux, 4 KiB+ elsewhere: see run)
_FALSEY = ("", "0", "false", "no", "off")


# --------------------------------------------------------------------------- finding guardrail's Python


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _installed_python(env: dict) -> str | None:
    """The interpreter behind the first `guardrail` command on PATH, if it is a Python."""
    name = "guardrail.exe" if WINDOWS else "guardrail"
    for folder in (env.get("PATH") or "").split(os.pathsep):
        script = os.path.join(folder, name)
        if not os.path.isfile(script):
            continue
        if WINDOWS:  # pip's console-script .exe sits next to its environment's python.exe
            py = os.path.join(folder, "python.exe")
            return py if os.path.isfile(py) else None
        try:
            with open(script, "rb") as fh:
                first = fh.readline(512).decode("utf-8", "replace").strip()
        except OSError:
            return None
        if first.startswith("#!/"):
            py = first[2:].split()[0]
            if os.path.basename(py).startswith("python") and _executable(py):
                return py
        return None  # only the first `guardrail` on PATH counts, as for the shell's own lookup
    return None


def plugin_venv_python(data: str) -> str:
    return os.path.join(data, "venv", "Scripts", "python.exe") if WINDOWS else os.path.join(data, "venv", "bin", "python")


def find_python(env: dict) -> tuple[str | None, str]:
    """(interpreter or None, problem): the problem is set only when GUARDRAIL_PYTHON names no executable."""
    forced = env.get("GUARDRAIL_PYTHON")
    if forced:
        if _executable(forced):
            return forced, ""
        return None, (f"GUARDRAIL_PYTHON is set to '{forced}', which is not an executable file. Point it at a Python "
                      "that has guardrail installed, or unset it.")
    py = _installed_python(env)
    if py:
        return py, ""
    data = env.get("CLAUDE_PLUGIN_DATA")
    if data and _executable(plugin_venv_python(data)):
        return plugin_venv_python(data), ""
    return None, ""


# --------------------------------------------------------------------------- guardrail's prefilter, in process


def cache_dir(env: dict) -> str:
    """guardrail.fastpath.cache_dir, which cannot be imported before we know whose guardrail to load (a test
    keeps the two equal)."""
    if env.get("GUARDRAIL_CACHE_DIR"):
        return env["GUARDRAIL_CACHE_DIR"]
    if env.get("CLAUDE_PLUGIN_DATA"):
        return os.path.join(env["CLAUDE_PLUGIN_DATA"], "cache")
    base = env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".cache")
    return os.path.join(base, "guardrail")


def hint_path(target: str, env: dict) -> str:
    """Where guardrail.hookio, started by this launcher for `target`, notes where that interpreter's guardrail is."""
    return os.path.join(cache_dir(env), "launcher-%08x.json" % zlib.crc32(target.encode("utf-8", "surrogateescape")))


def interpreter_tag() -> str:
    """guardrail.fastpath.interpreter_tag of this interpreter (a test keeps the two equal)."""
    return f"{sys.implementation.cache_tag}{getattr(sys, 'abiflags', '')}-{sys.maxsize > 2 ** 32}"


def import_guardrail(package: str, paths: list) -> None:
    """Make `import guardrail` find the package in directory `package` (and its dependencies in `paths`)."""
    for path in [*paths, os.path.dirname(package)]:
        if path not in sys.path:
            sys.path.append(path)  # after this interpreter's standard library: nothing of it is shadowed
    import guardrail

    if os.path.dirname(os.path.abspath(guardrail.__file__)) != os.path.abspath(package):
        raise ImportError(f"imported guardrail from {guardrail.__file__}, not {package}")


def load_fastpath(package: str):  # noqa: ANN201 - the guardrail.fastpath module
    import_guardrail(package, [])
    from guardrail import fastpath

    return fastpath


def call_of(payload: bytes) -> tuple[str, dict, str, str]:
    """(tool_name, tool_input, cwd, permission_mode) of a PreToolUse/PreSkillShellCommand payload; ValueError if
    it is not one (the full path then answers it)."""
    doc = json.loads(payload)
    tool, tool_input = doc.get("tool_name"), doc.get("tool_input")
    if not isinstance(tool, str) or not isinstance(tool_input, dict):
        raise ValueError("not a tool call")
    cwd, mode = doc.get("cwd"), doc.get("permission_mode")
    return tool, tool_input, cwd if isinstance(cwd, str) else "", mode if isinstance(mode, str) else ""


def in_process(target: str, event: str, payload: bytes, env: dict) -> tuple[bool, str | None]:
    """(handled, output): answer with the target's own guardrail in this process when its hint allows. The
    prefilter needs only the standard library; the full path needs this interpreter to be binary-compatible with
    the target (its dependencies have compiled parts). Not handled: the target must run."""
    try:
        with open(hint_path(target, env), encoding="utf-8") as fh:
            hint = json.load(fh)
        package = hint["package"]
        if hint.get("target") != target or not os.path.isfile(os.path.join(package, "fastpath.py")):
            return False, None
        compatible = hint.get("tag") == interpreter_tag() and isinstance(hint.get("paths"), list)
        import_guardrail(package, hint["paths"] if compatible else [])
        if event in DECIDING:
            from guardrail import fastpath

            tool, tool_input, cwd, _ = call_of(payload)
            if fastpath.can_skip(tool, tool_input, cwd, env)[0]:
                return True, None
        if not compatible:
            return False, None
        from guardrail import hookio
    except Exception:  # noqa: BLE001 - no hint yet, another Python's syntax, a bad payload: the target decides
        return False, None
    return True, hookio.handle(event, payload, env)  # no GUARDRAIL_LAUNCHER_TARGET: only the target writes the hint


# --------------------------------------------------------------------------- running guardrail


def run(target: str, event: str, payload: bytes | None, env: dict) -> str | None:
    """Hand the call to the target's guardrail.hookio. POSIX: exec (returns only if exec failed). Windows: a child
    process whose answer this one prints. Returns the reason it could not run, or None."""
    argv = [target, "-I", "-c", ENTRY, event]
    child_env = dict(env, GUARDRAIL_LAUNCHER_TARGET=target)
    if WINDOWS:
        import subprocess

        try:
            data = payload if payload is not None else sys.stdin.buffer.read()
            proc = subprocess.run(argv, input=data, stdout=subprocess.PIPE, env=child_env, timeout=3600)
        except (OSError, subprocess.SubprocessError) as exc:
            return f"could not start {target}: {exc}"
        sys.stdout.buffer.write(proc.stdout)
        sys.stdout.flush()
        return None
    if payload is not None:  # stdin is already read: give the child the same bytes as its stdin
        try:
            _replace_stdin(payload)
        except OSError as exc:
            return f"could not pass the payload on: {exc}"
    try:
        os.execve(target, argv, child_env)
    except OSError as exc:
        return f"could not start {target}: {exc}"
    return None  # not reached


def _replace_stdin(payload: bytes) -> None:
    if len(payload) <= PIPE_PAYLOAD_MAX and _pipe_holds(len(payload)):
        read, write = os.pipe()
        os.write(write, payload)  # fits the pipe's buffer: never blocks
        os.close(write)
    else:
        import tempfile

        tmp = tempfile.TemporaryFile()
        tmp.write(payload)
        tmp.flush()
        read = os.dup(tmp.fileno())
        os.lseek(read, 0, os.SEEK_SET)
        tmp.close()
    os.dup2(read, 0)
    os.close(read)


def _pipe_holds(size: int) -> bool:
    return size < 4096 or sys.platform.startswith("linux")  # Linux pipes buffer 64 KiB; POSIX promises 4 KiB


# --------------------------------------------------------------------------- before the environment exists


def no_human_can_answer(permission_mode: str, env: dict) -> bool:
    """guardrail.intent.policy.is_non_interactive (a test keeps the two equal): dontAsk, `claude -p`/SDK, CI."""
    if permission_mode == "dontAsk":
        return True
    if str(env.get("CLAUDE_CODE_ENTRYPOINT", "")).startswith("sdk-"):
        return True
    return str(env.get("CI", "")).strip().lower() not in _FALSEY


def plugin_root(env: dict) -> str:
    return env.get("CLAUDE_PLUGIN_ROOT") or os.path.dirname(HERE)


def bootstrap_state(env: dict) -> str:
    try:
        with open(os.path.join(env.get("CLAUDE_PLUGIN_DATA") or "", "bootstrap.state"), encoding="utf-8") as fh:
            return fh.readline().strip()
    except OSError:
        return ""


def start_bootstrap(env: dict) -> None:
    """Build (or refresh) the plugin's environment in the background; bootstrap.py is idempotent and locked."""
    root, data = env.get("CLAUDE_PLUGIN_ROOT"), env.get("CLAUDE_PLUGIN_DATA")
    if not root or not data:
        return
    import subprocess

    try:
        os.makedirs(data, exist_ok=True)
        with open(os.path.join(data, "bootstrap.log"), "ab") as log:
            # A new session (process group) outlives Claude Code signalling the hook's group when the hook exits.
            detach = ({"creationflags": 0x00000008 | 0x00000200} if WINDOWS  # DETACHED_PROCESS, NEW_PROCESS_GROUP
                      else {"start_new_session": True})
            subprocess.Popen([sys.executable, os.path.join(root, "hooks", "bootstrap.py")], stdin=subprocess.DEVNULL,
                             stdout=log, stderr=subprocess.STDOUT, close_fds=True, **detach)
    except OSError:
        pass  # the reason below still says how to build it by hand


def setup_status(env: dict) -> str:
    data = env.get("CLAUDE_PLUGIN_DATA") or "<plugin data dir>"
    log = os.path.join(data, "bootstrap.log")
    state = bootstrap_state(env)
    if state.startswith("failed"):
        script = os.path.join(plugin_root(env), "hooks", "bootstrap.py")
        return (f"building its environment failed ({state[len('failed: '):]}); retry with: python3 {script} "
                f"--data-dir {data} --wait --verbose (log: {log})")
    if state == "running":
        return f"it is still building its environment (log: {log}); this takes about a minute"
    return f"it builds its environment in the background (log: {log}); this takes about a minute"


def builtin_index_skips(payload: bytes, env: dict) -> bool:
    """True when no built-in rule can concern this call and nothing but the built-in packs applies."""
    try:
        tool, tool_input, cwd, _ = call_of(payload)
        with open(os.path.join(HERE, "builtin-index.json"), encoding="utf-8") as fh:
            shipped = json.load(fh)
        fastpath = load_fastpath(os.path.join(plugin_root(env), "guardrail"))
        return (shipped.get("fingerprint") == fastpath.builtin_fingerprint()  # the packs it was built from
                and fastpath.only_builtin_rules(cwd, env)
                and fastpath.skip_with_index(tool, tool_input, shipped["index"]))
    except Exception:  # noqa: BLE001 - unsure: the call is asked about
        return False


def not_ready_answer(event: str, payload: bytes, env: dict) -> str | None:
    """The answer before guardrail's environment exists: no opinion, or ask/deny saying the check is being set up."""
    if builtin_index_skips(payload, env):
        return None
    if not bootstrap_state(env):
        start_bootstrap(env)  # e.g. the plugin was enabled mid-session, after SessionStart
    try:
        mode = call_of(payload)[3]
    except ValueError:
        mode = ""
    reason = (f"guardrail cannot check this call yet: it is still being set up ({setup_status(env)}). Calls no "
              "guardrail rule concerns run meanwhile. Or run 'pipx install claude-guardrail' (or pip install) so a "
              "'guardrail' command is on PATH, or set GUARDRAIL_PYTHON to a Python that has guardrail installed.")
    hook_event = DECIDING[event]
    # A skill's shell command cannot wait for a person (Claude Code blocks an ask there), so it is a plain deny.
    if hook_event == "PreSkillShellCommand" or no_human_can_answer(mode, env):
        return decision(hook_event, "deny", reason + " No human can answer a confirmation prompt here, so it is "
                        "denied: wait a minute and retry, or tell the user guardrail is still being set up.")
    return decision(hook_event, "ask", reason)


def decision(hook_event: str, verdict: str, reason: str) -> str:
    return json.dumps({"hookSpecificOutput": {"hookEventName": hook_event, "permissionDecision": verdict,
                                              "permissionDecisionReason": reason}})


# --------------------------------------------------------------------------- main


def launch(event: str, env: dict) -> str | None:
    """Everything but the final print; returns the text to print (one JSON object) or None."""
    target, problem = find_python(env)
    if target:
        if event == "session-start" and env.get("CLAUDE_PLUGIN_DATA") and \
                target == plugin_venv_python(env["CLAUDE_PLUGIN_DATA"]):
            # After a plugin update CLAUDE_PLUGIN_ROOT moves: rebuild in the background, keep using the old venv.
            try:
                with open(os.path.join(env["CLAUDE_PLUGIN_DATA"], "venv", ".plugin-root"), encoding="utf-8") as fh:
                    built = fh.readline().rstrip("\n")
            except OSError:
                built = ""
            if built != env.get("CLAUDE_PLUGIN_ROOT", ""):
                start_bootstrap(env)
        payload = read_stdin()
        handled, out = in_process(target, event, payload, env)
        if handled:
            return out
        failure = run(target, event, payload, env)
        if failure is None:
            return None
        problem = f"guardrail's Python could not be started ({failure}). Set GUARDRAIL_PYTHON to a Python that " \
                  "has guardrail installed, or run 'guardrail doctor'."
    if event == "session-start":
        if not env.get("GUARDRAIL_PYTHON"):
            start_bootstrap(env)
        return None
    if event not in DECIDING:
        return None
    if problem:
        return decision(DECIDING[event], "deny", f"guardrail blocked this call because it cannot run: {problem}")
    return not_ready_answer(event, read_stdin(), env)


def read_stdin() -> bytes:
    return sys.stdin.buffer.read(MAX_STDIN_BYTES + 1)  # hookio refuses anything longer, with a reason


def main() -> None:
    event = sys.argv[1] if len(sys.argv) > 1 else ""
    try:
        out = launch(event, dict(os.environ))
    except BaseException as exc:  # noqa: BLE001 - a crash here would fail open
        out = None
        if event in DECIDING:
            out = decision(DECIDING[event], "deny", f"guardrail's launcher failed ({type(exc).__name__}: "
                           f"{str(exc)[:300]}); run 'guardrail doctor'.")
    if out:
        try:
            sys.stdout.write(out + "\n")
            sys.stdout.flush()
        except BaseException:  # noqa: BLE001
            pass
    os._exit(0)


if __name__ == "__main__":
    main()
