"""`guardrail doctor`: is guardrail registered, can its hook start, and does it decide?

Each check reports ok / warn / fail / skip with a one-line summary, details, and for every failure the
exact fix. Exit 1 when any check fails. The live self-test runs the registered hook command as Claude
Code would (a subprocess with a real PreToolUse payload on stdin), against a throwaway audit log and
state dir so it leaves no trace in the user's audit trail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping

import click

from guardrail import settings_file as sf

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
SELF_TEST_SLOW_MS = 1000.0  # warm PreToolUse latency worth a warning (the timeout is 10 s)


@dataclass
class Check:
    name: str
    status: str
    summary: str
    details: list[str] = field(default_factory=list)
    fix: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Hook:
    """One way Claude Code will run guardrail: the argv (minus the event) and the environment it adds."""

    source: str  # "settings:<path>" or "plugin:<key>"
    argv: list[str]
    env: dict[str, str]
    events: list[str]
    python: str | None  # the interpreter that will run guardrail, when known
    runs: bool = True  # cleared by the launcher check when this hook cannot start


# --------------------------------------------------------------------------- command


@click.command("doctor")
@click.option("--project-dir", type=click.Path(file_okay=False), default=".", show_default=True,
              help="Project whose .claude/settings*.json and guardrail config to check.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--no-self-test", is_flag=True, help="Skip the live hook round trip.")
def command(project_dir: str, fmt: str, no_self_test: bool) -> None:
    """Check that guardrail is registered with Claude Code and working.

    \b
    Checks: hooks registered (settings files and plugins), the hook's Python resolves and imports
    guardrail, rule packs load, state and audit dirs are writable, and a live self-test: the registered
    hook answers `rm -rf /` with deny and `ls` with nothing, with its latency.
    Exit status: 0 when nothing failed, 1 otherwise (every failure prints its fix).
    """
    checks = run_checks(Path(project_dir).resolve(), os.environ, self_test=not no_self_test)
    failed = any(c.status == FAIL for c in checks)
    if fmt == "json":
        click.echo(json.dumps({"ok": not failed, "checks": [asdict(c) for c in checks]}, indent=2))
    else:
        _print_text(checks)
    if failed:
        sys.exit(1)


def run_checks(project_dir: Path, env: Mapping[str, str], *, self_test: bool = True) -> list[Check]:
    reg, hooks = check_registered(project_dir, env)
    checks = [reg, check_launcher(hooks, env), check_packs(project_dir, env), *check_dirs(env, hooks)]
    if self_test:
        checks.append(check_self_test(hooks, project_dir, env))
    return checks


# --------------------------------------------------------------------------- registration


def _settings_files(project_dir: Path, env: Mapping[str, str]) -> tuple[list[sf.Settings], list[str]]:
    found, errors, seen = [], [], set()
    for scope in sf.SCOPES:
        path = sf.settings_path(scope, project_dir=project_dir, env=env)
        key = os.path.realpath(path)
        if key in seen:  # project dir == home: .claude/settings.json is the user file
            continue
        seen.add(key)
        try:
            found.append(sf.read_settings(path))
        except sf.SettingsError as exc:
            errors.append(str(exc))
    return found, errors


def check_registered(project_dir: Path, env: Mapping[str, str]) -> tuple[Check, list[Hook]]:
    settings, errors = _settings_files(project_dir, env)
    hooks: list[Hook] = []
    details: list[str] = []
    for s in settings:
        by_python: dict[str, list[str]] = {}
        for event, handler in sf.iter_guardrail_handlers(s.data):
            by_python.setdefault(str(handler.get("command", "")), []).append(event)
        for python, events in by_python.items():
            hooks.append(Hook(f"settings:{s.path}", [python, "-I", "-c", sf.HOOK_ENTRY], {}, events, python))
            details.append(f"{s.path}: {', '.join(events)} -> {python}")
    for p in sf.find_plugin_installs(settings, env):
        if p.scope in ("project", "local") and p.project_path and p.project_path.resolve() != project_dir:
            details.append(f"plugin {p.key} ({p.scope} scope) is for another project: {p.project_path}")
            continue
        if p.enabled is False:
            details.append(f"plugin {p.key} is installed but disabled (enabledPlugins)")
            continue
        data = p.data_dir
        plugin_env = {"CLAUDE_PLUGIN_ROOT": str(p.install_path), "CLAUDE_PLUGIN_DATA": str(data)}
        events = _plugin_events(p.install_path)
        hooks.append(Hook(f"plugin:{p.key}", ["sh", str(p.install_path / "hooks" / "launch.sh")], plugin_env,
                          events, None))
        details.append(f"plugin {p.key} ({p.scope} scope) at {p.install_path}: {', '.join(events) or 'no hooks.json'}")
    details += [f"unreadable settings: {e}" for e in errors]
    disabled = [str(s.path) for s in settings if s.data.get("disableAllHooks") is True]

    fix_register = ("run `guardrail install` (hooks in ~/.claude/settings.json), or install the plugin: "
                    "`claude plugin marketplace add <guardrail repo>` then `claude plugin install guardrail@<marketplace>`")
    if disabled:
        return Check("registered", FAIL, "hooks are switched off by disableAllHooks", details,
                     f"remove \"disableAllHooks\": true from {', '.join(disabled)}"), hooks
    if not hooks:
        summary = "guardrail's hooks are not registered with Claude Code"
        fix = fix_register
        if errors:
            fix = f"fix the settings file(s) named above, then {fix}"
        return Check("registered", FAIL, summary, details, fix), hooks
    covered = {e for h in hooks for e in h.events}
    missing = [e for e in sf.EVENTS if e not in covered]
    sources = ", ".join(h.source for h in hooks)
    if missing:
        return Check("registered", FAIL, f"hooks registered ({sources}) but not for {', '.join(missing)}",
                     details, "run `guardrail install` again to register every event"), hooks
    if errors:
        return Check("registered", FAIL, f"registered via {sources}, but a settings file is unreadable", details,
                     "fix the settings file named above (Claude Code ignores an invalid settings file)"), hooks
    if len(hooks) > 1:
        return Check("registered", WARN, f"registered more than once ({sources})", details,
                     "every tool call is checked once per registration; keep one: `guardrail uninstall "
                     "[--scope ...]` or `claude plugin uninstall guardrail@<marketplace>`"), hooks
    return Check("registered", OK, f"registered via {sources}", details), hooks


def _plugin_events(root: Path) -> list[str]:
    try:
        doc = json.loads((root / "hooks" / "hooks.json").read_text(encoding="utf-8"))
        return [e for e in doc.get("hooks", {}) if isinstance(e, str)]
    except (OSError, ValueError, AttributeError):
        return []


# --------------------------------------------------------------------------- launcher


def resolve_launcher(env: Mapping[str, str], data_dir: Path | None) -> tuple[str | None, str, list[str]]:
    """hooks/launch.sh's search, in Python: (python or None, which rule chose it, notes)."""
    notes: list[str] = []
    forced = env.get("GUARDRAIL_PYTHON")
    if forced:
        if os.path.isfile(forced) and os.access(forced, os.X_OK):
            return forced, "GUARDRAIL_PYTHON", notes
        notes.append(f"GUARDRAIL_PYTHON={forced} is not an executable file (launch.sh then fails closed)")
        return None, "GUARDRAIL_PYTHON", notes
    for d in (env.get("PATH") or "").split(os.pathsep):
        script = Path(d or ".") / "guardrail"
        if not script.is_file():
            continue
        try:
            with open(script, "rb") as fh:
                first = fh.readline().decode("utf-8", "replace").strip()
        except OSError:
            first = ""
        if first.startswith("#!/"):
            py = first[2:].split(" ")[0]
            if Path(py).name.startswith("python") and os.access(py, os.X_OK):
                return py, f"shebang of {script}", notes
        notes.append(f"{script} is on PATH but its first line is not '#!/…/python…' ({first[:60]!r})")
        break  # launch.sh looks at the first `guardrail` on PATH only
    if data_dir is not None:
        py = data_dir / "venv" / "bin" / "python"
        if os.access(py, os.X_OK):
            return str(py), "plugin environment ($CLAUDE_PLUGIN_DATA/venv)", notes
    return None, "", notes


def _imports_guardrail(python: str, env: Mapping[str, str]) -> str | None:
    """None when `python -I` can import the hook entry; else the error."""
    try:
        proc = subprocess.run([python, "-I", "-c", "import guardrail.hookio"], capture_output=True, text=True,
                              timeout=60, env=dict(env))
    except (OSError, subprocess.SubprocessError) as exc:
        return str(exc)
    if proc.returncode == 0:
        return None
    return (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]


def _bootstrap_status(data_dir: Path) -> dict[str, Any]:
    try:
        status = json.loads((data_dir / "bootstrap.json").read_text(encoding="utf-8"))
        return status if isinstance(status, dict) else {}
    except (OSError, ValueError):
        return {}


def check_launcher(hooks: list[Hook], env: Mapping[str, str]) -> Check:
    if not hooks:
        return Check("launcher", SKIP, "no registered hook to resolve")
    details: list[str] = []
    failures: list[tuple[str, str]] = []
    for h in hooks:
        known = len(failures)
        _check_one_launcher(h, env, details, failures)
        h.runs = len(failures) == known
    if failures:
        return Check("launcher", FAIL, failures[0][0], details + [f for f, _ in failures[1:]],
                     "; ".join(dict.fromkeys(fix for _, fix in failures)))
    pythons = sorted({h.python for h in hooks if h.python})
    return Check("launcher", OK, f"hook Python resolves: {', '.join(pythons)}", details)


def _check_one_launcher(h: Hook, env: Mapping[str, str], details: list[str],
                        failures: list[tuple[str, str]]) -> None:
    """Append (problem, fix) to `failures` when hook `h` cannot start; set h.python when it can."""
    if h.source.startswith("plugin:"):
        data = Path(h.env["CLAUDE_PLUGIN_DATA"])
        launch = Path(h.argv[1])
        if not launch.is_file():
            failures.append((f"{h.source}: {launch} is missing",
                             "reinstall the plugin: `claude plugin install guardrail@<marketplace>`"))
            return
        py, why, notes = resolve_launcher(env, data)
        details += [f"{h.source}: {n}" for n in notes]
        if py is None:
            status = _bootstrap_status(data)
            state = status.get("state")
            if state == "running":
                why_not = f"the plugin is still building its environment (log: {data / 'bootstrap.log'})"
                fix = "wait for it to finish (about a minute), then run `guardrail doctor` again"
            elif state == "failed":
                why_not = f"building the plugin environment failed: {status.get('error', '?')}"
                fix = (f"see {data / 'bootstrap.log'}; retry with `python3 {h.env['CLAUDE_PLUGIN_ROOT']}/hooks/"
                       f"bootstrap.py --data-dir {data} --wait --verbose`, or `pipx install claude-guardrail`, or set "
                       "GUARDRAIL_PYTHON")
            else:
                why_not = "no Python with guardrail found (GUARDRAIL_PYTHON, `guardrail` on PATH, plugin venv)"
                fix = ("start a Claude Code session once (it builds the plugin environment), or run "
                       f"`python3 {h.env['CLAUDE_PLUGIN_ROOT']}/hooks/bootstrap.py --data-dir {data} --wait`, "
                       "or `pipx install claude-guardrail`, or set GUARDRAIL_PYTHON")
            failures.append((f"{h.source}: {why_not}; every tool call is denied until this is fixed", fix))
            return
        h.python = py
        details.append(f"{h.source}: launch.sh resolves {py} ({why})")
    if h.python is None:
        return
    if not (os.path.isfile(h.python) and os.access(h.python, os.X_OK)):
        failures.append((f"{h.source}: {h.python} does not exist or is not executable; every tool call is "
                         "blocked (onFailure: block)",
                         "run `guardrail install` again from the environment guardrail lives in (or "
                         "`guardrail install --python PATH`)"))
        return
    problem = _imports_guardrail(h.python, env)
    if problem:
        failures.append((f"{h.source}: {h.python} -I cannot import guardrail: {problem}",
                         f"`{h.python} -m pip install claude-guardrail` (not --user), or re-run `guardrail install` "
                         "with --python pointing at an environment that has it"))
        return
    details.append(f"{h.source}: {h.python} imports guardrail.hookio")


# --------------------------------------------------------------------------- packs and dirs


def check_packs(project_dir: Path, env: Mapping[str, str]) -> Check:
    try:
        from guardrail.service import compile_rules
    except Exception as exc:  # noqa: BLE001 - report, don't crash the doctor
        return Check("packs", FAIL, f"cannot import guardrail.service: {exc}", fix="reinstall guardrail")
    extra: list[Any] = []
    values: dict[str, Any] = {}
    details: list[str] = []
    try:
        from guardrail.config import load_config

        config = load_config(str(project_dir), env)
        extra = list(getattr(config, "pack_sources", []) or [])
        values = config.values
        details += [f"extra pack ({layer}): {path}" for path, layer in extra]
    except ImportError:
        details.append("guardrail.config not available: built-in packs only")
    except Exception as exc:  # noqa: BLE001 - ConfigError names the file and key
        return Check("packs", FAIL, f"configuration does not load: {exc}", details,
                     "fix the config file and key named above (`guardrail config` shows the merged result)")
    try:
        started = time.perf_counter()
        ruleset = compile_rules(values, extra, lenient=getattr(config, "project_packs", ()),
                                problems=getattr(config, "problems", ()))
        ms = (time.perf_counter() - started) * 1000
    except Exception as exc:  # noqa: BLE001 - PackError names file:rule:field
        return Check("packs", FAIL, f"rule packs do not load (every tool call is blocked): {exc}", details,
                     "fix the pack named above, then check it with `guardrail rules lint`")
    packs = ", ".join(p for p, _ in ruleset.packs) or "none"
    problems = list(getattr(ruleset, "problems", ()))
    if problems:
        return Check("packs", WARN, f"{len(problems)} broken project file(s) left out; {len(ruleset.rules)} rules "
                     f"from packs: {packs}", [*problems, *details],
                     "fix the file named above, then check it with `guardrail rules lint`",
                     data={"rules": len(ruleset.rules), "compile_ms": round(ms, 1), "problems": problems})
    return Check("packs", OK, f"{len(ruleset.rules)} rules from packs: {packs}", details,
                 data={"rules": len(ruleset.rules), "compile_ms": round(ms, 1)})


def _writable_dir(path: Path) -> str | None:
    """None when a file can be created in `path` (created if missing); else the error."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".guardrail-doctor-", dir=path)
        os.close(fd)
        os.unlink(tmp)
        return None
    except OSError as exc:
        return exc.strerror or str(exc)


def check_dirs(env: Mapping[str, str], hooks: list[Hook] | None = None) -> list[Check]:
    """The audit log's directory and the intent state dir, as each registered hook will see them
    (a plugin hook gets $CLAUDE_PLUGIN_DATA, which moves both)."""
    envs = [{**env, **h.env} for h in hooks or []] or [dict(env)]
    targets: list[tuple[str, str, str, str]] = [
        ("audit-dir", "guardrail.audit", "default_audit_path", "GUARDRAIL_AUDIT_LOG"),
        ("state-dir", "guardrail.intent.store", "state_dir", "GUARDRAIL_STATE_DIR"),
    ]
    out = []
    for name, module, func, var in targets:
        try:
            if name == "audit-dir":
                from guardrail.audit import default_audit_path as fn
            else:
                from guardrail.intent.store import state_dir as fn
            paths = list(dict.fromkeys(Path(fn(e)) for e in envs))
        except Exception as exc:  # noqa: BLE001 - a missing helper module is a finding, not a crash
            out.append(Check(name, FAIL, f"cannot locate it: {module}.{func} unavailable ({exc})",
                             fix="reinstall guardrail (`pip install --force-reinstall claude-guardrail`)"))
            continue
        bad = []
        for path in paths:
            directory = path.parent if name == "audit-dir" else path
            problem = _writable_dir(directory)
            if problem:
                bad.append(f"{directory} is not writable: {problem}")
        shown = ", ".join(str(p) for p in paths)
        if bad:
            out.append(Check(name, FAIL, bad[0], bad[1:],
                             fix=f"make it writable, or set {var} to a writable path"))
        else:
            out.append(Check(name, OK, f"writable: {shown}", data={"paths": [str(p) for p in paths]}))
    return out


# --------------------------------------------------------------------------- self-test


def _payload(command: str, cwd: Path, session: str, n: int) -> bytes:
    return json.dumps({
        "session_id": session, "transcript_path": str(cwd / "no-transcript.jsonl"), "cwd": str(cwd),
        "prompt_id": f"doctor-prompt-{n}", "permission_mode": "default", "hook_event_name": "PreToolUse",
        "tool_name": "Bash", "tool_input": {"command": command, "description": "guardrail doctor self-test"},
        "tool_use_id": f"toolu_doctor_{n}",
    }).encode()


def _run_hook(argv: list[str], env: dict[str, str], payload: bytes, cwd: Path) -> tuple[int, str, str, float]:
    started = time.perf_counter()
    proc = subprocess.run([*argv, "pre-tool-use"], input=payload, capture_output=True, env=env, cwd=cwd, timeout=30)
    ms = (time.perf_counter() - started) * 1000
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"), ms


def check_self_test(hooks: list[Hook], project_dir: Path, env: Mapping[str, str]) -> Check:
    runnable = [h for h in hooks if h.runs]
    if hooks and not runnable:
        return Check("self-test", SKIP, "skipped: the registered hook cannot start (see launcher)")
    if runnable:
        hook = runnable[0]
        argv, label = hook.argv, hook.source
    else:  # not registered: still prove this installation decides, so the fix is only "register"
        argv, label = [sys.executable, "-I", "-c", sf.HOOK_ENTRY], f"unregistered ({sys.executable})"
    if argv[0] == "sh" and not shutil.which("sh"):
        return Check("self-test", FAIL, "`sh` is not on PATH; the plugin launcher cannot run",
                     fix="install a POSIX sh, or use `guardrail install` instead of the plugin")
    with tempfile.TemporaryDirectory(prefix="guardrail-doctor-") as tmp:
        tmpdir = Path(tmp)
        run_env = {**env, **hook.env} if runnable else dict(env)
        # A throwaway audit log and state dir: the self-test must not show up in the user's audit trail.
        run_env.update(GUARDRAIL_AUDIT_LOG=str(tmpdir / "audit.jsonl"), GUARDRAIL_STATE_DIR=str(tmpdir / "state"))
        run_env.setdefault("CLAUDE_PROJECT_DIR", str(project_dir))
        session = f"guardrail-doctor-{uuid.uuid4().hex[:12]}"
        problems: list[str] = []
        timings: dict[str, float] = {}
        cases = [("rm -rf /", "deny", "deny (cold)"), ("ls", None, "no opinion"), ("rm -rf /", "deny", "deny")]
        for n, (cmd, want, tag) in enumerate(cases):
            try:
                rc, out, err, ms = _run_hook(argv, run_env, _payload(cmd, tmpdir, session, n), tmpdir)
            except (OSError, subprocess.SubprocessError) as exc:
                problems.append(f"`{cmd}`: the hook did not run: {exc}")
                break
            timings[f"{cmd} -> {tag}"] = round(ms, 1)
            got = _decision(out)
            if rc != 0:
                problems.append(f"`{cmd}`: exit {rc} (Claude Code treats that as a failure); stderr: {err.strip()[-300:]}")
            elif want is None and out.strip():
                problems.append(f"`{cmd}`: expected no output (no rule matches), got {out.strip()[:200]!r}")
            elif want is not None and got != want:
                problems.append(f"`{cmd}`: expected {want}, got {got or 'no decision'}: {out.strip()[:300]!r}")
            elif want == "deny" and (_audit_error(tmpdir / "audit.jsonl") or _is_failure_reason(out)):
                problems.append(f"`{cmd}`: denied only because guardrail failed: {_reason(out)[:400]}")
    details = [f"{k}: {v:.0f} ms" for k, v in timings.items()]
    problems = list(dict.fromkeys(problems))
    if problems:
        return Check("self-test", FAIL, f"{label}: {problems[0]}", details + problems[1:],
                     "run the failing case by hand: `guardrail check \"rm -rf /\"`; if it denies there, the "
                     "registered interpreter runs another guardrail: re-run `guardrail install`",
                     data={"latency_ms": timings})
    warm = timings.get("rm -rf / -> deny", 0.0)
    summary = f"{label}: `rm -rf /` denied, `ls` no opinion; latency {warm:.0f} ms warm"
    if warm > SELF_TEST_SLOW_MS:
        return Check("self-test", WARN, summary + " (slow)", details,
                     "a slow hook delays every tool call: check the rule cache dir is writable and the interpreter "
                     "is not behind a slow shim (pyenv); see docs/install.md", data={"latency_ms": timings})
    return Check("self-test", OK, summary, details, data={"latency_ms": timings})


def _reason(out: str) -> str:
    try:
        return str(json.loads(out)["hookSpecificOutput"].get("permissionDecisionReason", ""))
    except (ValueError, KeyError, TypeError, AttributeError):
        return out.strip()


def _is_failure_reason(out: str) -> bool:
    # The fail-closed answers of hookio._failure and hooks/launch.sh, as opposed to a rule's deny.
    reason = _reason(out)
    return "could not check this tool call" in reason or "because it cannot run" in reason


def _audit_error(path: Path) -> str | None:
    """The error of the last record in the self-test's audit log, if it has one."""
    try:
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        record = json.loads(lines[-1]) if lines else {}
    except (OSError, ValueError):
        return None
    error = record.get("error") if isinstance(record, dict) else None
    return str(error) if error else None


def _decision(out: str) -> str | None:
    try:
        doc = json.loads(out)
        return doc["hookSpecificOutput"]["permissionDecision"]
    except (ValueError, KeyError, TypeError):
        return None


# --------------------------------------------------------------------------- output


def _print_text(checks: list[Check]) -> None:
    from rich.markup import escape

    from guardrail.commands import output

    console = output.console(soft_wrap=True)
    marks = {OK: "[green]✓[/]", WARN: "[yellow]![/]", FAIL: "[bold red]✗[/]", SKIP: "[dim]-[/]"}
    for c in checks:
        console.print(f"{marks[c.status]} [bold]{c.name:<10}[/] {escape(c.summary)}")
        for d in c.details:
            console.print(f"    [dim]{escape(d)}[/]")
        if c.fix and c.status in (FAIL, WARN):
            console.print(f"    [cyan]fix:[/] {escape(c.fix)}")
    failed = [c.name for c in checks if c.status == FAIL]
    if failed:
        console.print(f"[bold red]{len(failed)} check(s) failed:[/] {', '.join(failed)}")
    else:
        console.print("[bold green]guardrail is installed and working.[/]")
