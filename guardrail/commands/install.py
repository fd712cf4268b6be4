"""`guardrail install` / `guardrail uninstall`: register guardrail's hooks in a Claude Code settings file.

The other install path is the plugin (hooks/hooks.json + hooks/launch.sh); both are described in
docs/install.md. The merge logic lives in guardrail/settings_file.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from guardrail import settings_file as sf

DISTRIBUTION = "claude-guardrail"  # the PyPI name (`guardrail` there is an unrelated project); the command is `guardrail`
_SCOPE_HELP = ("user = ~/.claude/settings.json (or $CLAUDE_CONFIG_DIR), project = .claude/settings.json "
               "(shared with the team), local = .claude/settings.local.json (this checkout only).")


def _scope_options(fn):  # noqa: ANN001, ANN202 - click decorator stack shared by both commands
    fn = click.option("--dry-run", is_flag=True, help="Show the change as a unified diff; write nothing.")(fn)
    fn = click.option("--project-dir", type=click.Path(file_okay=False), default=".", show_default=True,
                      help="Project root for --scope project/local.")(fn)
    fn = click.option("--scope", type=click.Choice(sf.SCOPES), default="user", show_default=True,
                      help=_SCOPE_HELP)(fn)
    return fn


@click.command("install")
@_scope_options
@click.option("--python", "python", metavar="PATH", default=None,
              help="Interpreter the hooks run (must have guardrail installed). Default: this one, "
                   f"{sys.executable}.")
@click.option("--persist/--no-persist", default=True, show_default=True,
              help="Run from a temporary environment (uvx, pipx run), first install guardrail for good with the "
                   "same tool (uv tool install / pipx install) and register that interpreter.")
@click.option("--spec", default=DISTRIBUTION, show_default=True, metavar="SPEC",
              help="What --persist installs: the package name, or a path or URL of a checkout.")
def command(scope: str, project_dir: str, dry_run: bool, python: str | None, persist: bool, spec: str) -> None:
    """Register guardrail's hooks in a Claude Code settings file.

    Adds one exec-form handler per event (PreToolUse, PostToolUse, PostToolUseFailure, UserPromptSubmit,
    SessionStart) that runs PYTHON -I -c "from guardrail.hookio import main; main()" EVENT. Every other key
    and hook in the file is kept; running it again changes nothing; the previous file is backed up next to
    it (settings.json.guardrail-<time>.bak). A file that is not valid JSON is never overwritten.

    One command installs and registers: `uvx --from claude-guardrail guardrail install` (or
    `pipx run --spec claude-guardrail guardrail install`) sees it runs from a temporary environment, installs
    guardrail for good with the same tool and registers that interpreter.

    \b
    Examples:
      uvx --from claude-guardrail guardrail install   # install for good + register, in one command
      guardrail install                     # ~/.claude/settings.json
      guardrail install --scope local       # .claude/settings.local.json of this project
      guardrail install --dry-run           # show the diff only
    """
    if python is None and persist and is_temporary(sys.executable):
        python = _persist(spec, dry_run)
    interpreter = _check_python(python)
    path = sf.settings_path(scope, project_dir=project_dir)
    current = _read(path)
    try:
        new_data = sf.merge_install(current.data, interpreter, path=path)
    except sf.SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    if current.exists and new_data == current.data:
        click.echo(f"guardrail hooks are already installed in {path} (running {interpreter}); nothing to change.")
        return
    new_text = sf.render(new_data)
    if dry_run:
        _show_diff(current, new_text, path)
        click.echo(f"Dry run: {path} was not changed.", err=True)
        return
    backup = _write(path, new_text)
    click.echo(f"Installed guardrail hooks in {path}")
    click.echo(f"  events: {', '.join(sf.EVENTS)}")
    click.echo(f"  python: {interpreter}")
    if backup:
        click.echo(f"  backup: {backup}")
    for note in _notes(scope, interpreter):
        click.echo(f"Note: {note}", err=True)
    click.echo("Next: run `guardrail doctor`, then start a new Claude Code session (running sessions keep "
               "the hooks they started with).")


@click.command("uninstall")
@_scope_options
def uninstall_command(scope: str, project_dir: str, dry_run: bool) -> None:
    """Remove exactly the hook entries `guardrail install` added to a Claude Code settings file.

    Other hooks and keys stay as they are (equivalent JSON). The previous file is backed up next to it.
    """
    path = sf.settings_path(scope, project_dir=project_dir)
    current = _read(path)
    found = list(sf.iter_guardrail_handlers(current.data))
    if not found:
        click.echo(f"No guardrail hooks in {path}; nothing to change.")
        return
    try:
        new_text = sf.render(sf.merge_uninstall(current.data, path=path))
    except sf.SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    if dry_run:
        _show_diff(current, new_text, path)
        click.echo(f"Dry run: {path} was not changed.", err=True)
        return
    backup = _write(path, new_text)
    click.echo(f"Removed {len(found)} guardrail hook entr{'y' if len(found) == 1 else 'ies'} from {path}")
    if backup:
        click.echo(f"  backup: {backup}")


# --------------------------------------------------------------------------- helpers


def _read(path: Path) -> sf.Settings:
    try:
        return sf.read_settings(path)
    except sf.SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def _write(path: Path, text: str) -> Path | None:
    try:
        return sf.write_settings(path, text)
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot write settings file: {exc.strerror or exc}") from None


def _show_diff(current: sf.Settings, new_text: str, path: Path) -> None:
    # Diff against the normalised current JSON so only guardrail's change shows, not re-indentation.
    old_text = sf.render(current.data) if current.exists and current.text.strip() else ""
    click.echo(sf.unified_diff(old_text, new_text, path), nl=False)


def _check_python(python: str | None) -> str:
    """Absolute path of an interpreter that can import guardrail's hook entry in isolated mode (-I).

    Symlinks are kept: a venv's bin/python is a symlink whose location selects the venv.
    """
    candidate = os.path.abspath(os.path.expanduser(python)) if python else sys.executable
    if not candidate or not os.path.isfile(candidate) or not os.access(candidate, os.X_OK):
        raise click.ClickException(f"--python {candidate}: not an executable file")
    # Verified even for this interpreter: -I drops user site-packages and PYTHONPATH, so a
    # `pip install --user` guardrail imports here but not in the hook, and then every call is blocked.
    try:
        proc = subprocess.run([candidate, "-I", "-c", "import guardrail.hookio"], capture_output=True,
                              text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise click.ClickException(f"{candidate}: cannot run it: {exc}") from None
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no error output)"])[-1]
        raise click.ClickException(
            f"{candidate} cannot import guardrail in isolated mode (-I), as the hook runs it: {last}. Install "
            f"guardrail into that environment (`{candidate} -m pip install claude-guardrail`, not --user), or pass "
            "--python with an interpreter that has it.")
    return candidate


def is_temporary(interpreter: str) -> bool:
    """An interpreter in a cache or temp directory (uvx, pipx run): it can vanish, and the hooks with it."""
    parts = Path(interpreter).parts
    return ".cache" in parts or any(p.startswith("archive-v") for p in parts) or interpreter.startswith(_temp_dir())


def _persist(spec: str, dry_run: bool) -> str | None:
    """Install `spec` with uv or pipx (the one this temporary environment came from, else whichever is on PATH)
    and return the interpreter of the installed tool; None (register this one, with a note) when neither is."""
    import shutil

    here = sys.executable.lower()
    order = ("pipx", "uv") if "pipx" in here else ("uv", "pipx")
    tool = next((t for t in order if shutil.which(t)), None)
    if tool is None:
        click.echo("Note: guardrail runs from a temporary environment and neither uv nor pipx is on PATH to install "
                   "it for good; registering this interpreter anyway.", err=True)
        return None
    argv = [tool, "tool", "install", spec] if tool == "uv" else [tool, "install", spec]
    if dry_run:
        click.echo(f"Dry run: would run `{' '.join(argv)}` and register its interpreter.", err=True)
        return None
    click.echo(f"guardrail runs from a temporary environment; installing it for good: {' '.join(argv)}", err=True)
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise click.ClickException(f"`{' '.join(argv)}` did not run: {exc}") from None
    if proc.returncode != 0 and "already installed" not in (proc.stdout + proc.stderr).lower():
        last = ((proc.stderr or proc.stdout).strip().splitlines() or ["(no output)"])[-1]
        raise click.ClickException(f"`{' '.join(argv)}` failed: {last}")
    query = [tool, "tool", "dir"] if tool == "uv" else [tool, "environment", "--value", "PIPX_LOCAL_VENVS"]
    try:
        where = subprocess.run(query, capture_output=True, text=True, timeout=60).stdout.strip().splitlines()
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise click.ClickException(f"`{' '.join(query)}` did not run: {exc}") from None
    if not where:
        raise click.ClickException(f"`{' '.join(query)}` did not say where {tool} installs tools; pass --python")
    return os.path.join(where[-1], DISTRIBUTION, "bin", "python")


def _notes(scope: str, interpreter: str) -> list[str]:
    notes = []
    if is_temporary(interpreter):
        notes.append(f"{interpreter} looks like a temporary environment (uvx / pipx run / a cache). When it is "
                     "cleaned up every tool call will be blocked; install guardrail for good "
                     "(`pipx install claude-guardrail` or `uv tool install claude-guardrail`) and run install again from there.")
    if scope == "project":
        notes.append("project scope writes this machine's interpreter path into .claude/settings.json, which is "
                     "usually committed; teammates need guardrail at the same path. Consider --scope local, or "
                     "the plugin (docs/install.md).")
    return notes


def _temp_dir() -> str:
    import tempfile

    return os.path.realpath(tempfile.gettempdir()) + os.sep
