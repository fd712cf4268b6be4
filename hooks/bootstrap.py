"""Build the plugin's own Python environment in ${CLAUDE_PLUGIN_DATA}/venv (stdlib only).

hooks/launch.sh starts this in the background at SessionStart when it finds no Python with guardrail.
Until it finishes, PreToolUse fails closed with a reason that points here. Steps:

1. pick an interpreter >= 3.11 (this one, else python3.14 ... python3.11 on PATH);
2. take an exclusive lock ($DATA/bootstrap.lock) so two sessions never build at once;
3. build a venv at its final, versioned path $DATA/venvs/<fingerprint>-<id> (venvs are not relocatable),
   `pip install <plugin root>`, verify `python -I -c "import guardrail.hookio"`;
4. switch $DATA/venv (a symlink) to it with one atomic rename, so the launcher sees either the old
   complete environment or the new complete one, never a half-built one;
5. write $DATA/bootstrap.json (status; one line in $DATA/bootstrap.state for launch.sh) and log every
   step to $DATA/bootstrap.log.

Idempotent: when the status says "ok" for the same plugin fingerprint and the venv still imports
guardrail, it exits at once. Environments of older fingerprints are removed after a grace period
(a hook may still be running from one). Runs on any python3 >= 3.7 so it can report a too-old one.

Usage: bootstrap.py [--data-dir DIR] [--plugin-root DIR] [--force] [--wait] [--verbose]
Environment: CLAUDE_PLUGIN_DATA, CLAUDE_PLUGIN_ROOT (defaults for the two dirs);
GUARDRAIL_BOOTSTRAP_PIP_ARGS (extra pip arguments, e.g. "--no-index --find-links /wheels" offline).
"""

from __future__ import annotations

import argparse
import errno
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid

MIN_PYTHON = (3, 11)
CANDIDATES = ("python3.14", "python3.13", "python3.12", "python3.11")
STALE_AFTER_S = 15 * 60  # old environments may still serve a running hook for a while
PIP_TIMEOUT_S = 15 * 60
STATUS_FILE = "bootstrap.json"
STATE_LINE_FILE = "bootstrap.state"  # one line ("running", "ok", "failed: <why>") for launch.sh's `read`
LOG_FILE = "bootstrap.log"
LOCK_FILE = "bootstrap.lock"
ROOT_STAMP = ".plugin-root"  # one line: the plugin root this venv was built from (read by launch.sh)


class BootstrapError(Exception):
    """A failure whose message says what to do about it."""


class Log:
    def __init__(self, path: str, echo: bool) -> None:
        self.path = path
        self.echo = echo

    def __call__(self, message: str) -> None:
        line = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()) + " [%d] " % os.getpid() + message + "\n"
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                os.write(fd, line.encode("utf-8", "replace"))
            finally:
                os.close(fd)
        except OSError:
            pass
        if self.echo:
            sys.stderr.write(line)


# --------------------------------------------------------------------------- pieces


def fingerprint(plugin_root: str) -> str:
    """Hash of what ends up installed: pyproject.toml, guardrail/**/*.py, rules/*.toml."""
    digest = hashlib.sha256()
    files = [os.path.join(plugin_root, "pyproject.toml")]
    for sub, suffix in (("guardrail", ".py"), ("rules", ".toml")):
        for dirpath, dirnames, filenames in os.walk(os.path.join(plugin_root, sub)):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            files.extend(os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith(suffix))
    for path in files:
        digest.update(os.path.relpath(path, plugin_root).encode() + b"\0")
        try:
            with open(path, "rb") as fh:
                digest.update(fh.read())
        except OSError:
            digest.update(b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def python_version(executable: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run([executable, "-c", "import sys; print('%d %d' % sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=30)
        major, minor = out.stdout.split()
        return int(major), int(minor)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def find_python() -> str:
    """An interpreter >= 3.11 to build the venv with."""
    if sys.version_info[:2] >= MIN_PYTHON:
        return sys.executable
    seen = []
    for name in CANDIDATES:
        path = shutil.which(name)
        if path and path not in seen:
            seen.append(path)
            version = python_version(path)
            if version and version >= MIN_PYTHON:
                return path
    raise BootstrapError(
        "guardrail needs Python >= %d.%d, but %s is %d.%d and none of %s is on PATH. Install a newer Python "
        "(e.g. `uv python install 3.12`), or install guardrail yourself and set GUARDRAIL_PYTHON."
        % (MIN_PYTHON + (sys.executable,) + sys.version_info[:2] + (", ".join(CANDIDATES),)))


def venv_python(venv: str) -> str:
    return os.path.join(venv, "bin", "python")


def imports_guardrail(venv: str) -> bool:
    py = venv_python(venv)
    if not os.access(py, os.X_OK):
        return False
    try:
        return subprocess.run([py, "-I", "-c", "import guardrail.hookio"], capture_output=True,
                              timeout=60).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def read_status(data_dir: str) -> dict:
    try:
        with open(os.path.join(data_dir, STATUS_FILE), encoding="utf-8") as fh:
            status = json.load(fh)
        return status if isinstance(status, dict) else {}
    except (OSError, ValueError):
        return {}


def _replace(path: str, text: str) -> None:
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def write_status(data_dir: str, status: dict) -> None:
    """bootstrap.json for `guardrail doctor`, and a one-line bootstrap.state a POSIX sh can `read`."""
    _replace(os.path.join(data_dir, STATUS_FILE), json.dumps(status, indent=2, sort_keys=True) + "\n")
    line = status.get("state", "?")
    if status.get("error"):
        # launch.sh pastes this into a JSON string with printf: no quotes, backslashes or control chars
        line += ": " + " ".join(str(status["error"]).split())[:300].replace('"', "'").replace("\\", "/")
    _replace(os.path.join(data_dir, STATE_LINE_FILE), line + "\n")


def run_logged(cmd: list, log: Log, timeout: int) -> None:
    log("$ " + " ".join(shlex.quote(c) for c in cmd))
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise BootstrapError("%s timed out after %d s" % (cmd[0], timeout)) from None
    except OSError as exc:
        raise BootstrapError("cannot run %s: %s" % (cmd[0], exc)) from None
    for line in proc.stdout.splitlines()[-60:]:  # pip is chatty; the tail has the error
        log("  | " + line)
    if proc.returncode != 0:
        tail = [ln for ln in proc.stdout.splitlines() if ln.strip()][-1:] or ["(no output)"]
        raise BootstrapError("`%s` exited %d: %s" % (" ".join(cmd[:4]), proc.returncode, tail[0].strip()))


def switch_symlink(link: str, target_name: str) -> None:
    """Point `link` at `target_name` (relative) atomically; a real directory there is moved aside first."""
    if os.path.isdir(link) and not os.path.islink(link):
        os.rename(link, "%s.old-%s" % (link, uuid.uuid4().hex[:8]))  # a venv from an older layout
    tmp = "%s.tmp-%s" % (link, uuid.uuid4().hex[:8])
    os.symlink(target_name, tmp)
    os.replace(tmp, link)


def remove_stale(data_dir: str, keep: str, log: Log) -> None:
    venvs = os.path.join(data_dir, "venvs")
    now = time.time()
    try:
        names = os.listdir(venvs)
    except OSError:
        return
    for name in names:
        path = os.path.join(venvs, name)
        if name == keep:
            continue
        try:
            age = now - os.lstat(path).st_mtime
        except OSError:
            continue
        if age > STALE_AFTER_S:
            log("removing old environment %s" % path)
            shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------- main flow


def acquire_lock(data_dir: str, wait: bool):  # noqa: ANN201 - file object or None
    import fcntl

    fh = open(os.path.join(data_dir, LOCK_FILE), "a+")
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError as exc:
        fh.close()
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return None
        raise
    return fh


def up_to_date(data_dir: str, fp: str) -> bool:
    status = read_status(data_dir)
    venv = os.path.join(data_dir, "venv")
    return status.get("state") == "ok" and status.get("fingerprint") == fp and imports_guardrail(venv)


def build(data_dir: str, plugin_root: str, fp: str, log: Log) -> str:
    """Build, verify and switch to a new environment; returns its directory."""
    python = find_python()
    venvs = os.path.join(data_dir, "venvs")
    os.makedirs(venvs, exist_ok=True)
    name = "%s-%s" % (fp, uuid.uuid4().hex[:8])
    target = os.path.join(venvs, name)
    try:
        run_logged([python, "-m", "venv", target], log, 300)
        pip = [venv_python(target), "-m", "pip", "install", "--disable-pip-version-check", "--no-input",
               "--quiet"]
        pip += shlex.split(os.environ.get("GUARDRAIL_BOOTSTRAP_PIP_ARGS", ""))
        run_logged(pip + [plugin_root], log, PIP_TIMEOUT_S)
        if not imports_guardrail(target):
            raise BootstrapError("the new environment cannot import guardrail.hookio (see the log above)")
        with open(os.path.join(target, ROOT_STAMP), "w", encoding="utf-8") as fh:
            fh.write(plugin_root + "\n")
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    switch_symlink(os.path.join(data_dir, "venv"), os.path.join("venvs", name))
    return target


def bootstrap(data_dir: str, plugin_root: str, *, force: bool = False, wait: bool = False,
              echo: bool = False) -> int:
    os.makedirs(data_dir, exist_ok=True)
    log = Log(os.path.join(data_dir, LOG_FILE), echo)
    fp = fingerprint(plugin_root)
    if os.name == "nt":  # venv layout (Scripts\), the lock (fcntl) and the symlink switch are POSIX-only for now
        message = ("building the plugin's own environment is not supported on Windows yet: install guardrail "
                   "(`pipx install claude-guardrail`) so `guardrail.exe` is on PATH, or set GUARDRAIL_PYTHON")
        write_status(data_dir, {"state": "failed", "error": message, "fingerprint": fp, "plugin_root": plugin_root})
        log("FAILED: " + message)
        return 1
    if not force and up_to_date(data_dir, fp):
        log("environment is up to date (fingerprint %s); nothing to do" % fp)
        return 0
    lock = acquire_lock(data_dir, wait)
    if lock is None:
        log("another bootstrap is running (lock %s held); leaving it to finish" % os.path.join(data_dir, LOCK_FILE))
        return 0
    started = time.time()
    status = {"state": "running", "fingerprint": fp, "plugin_root": plugin_root, "pid": os.getpid(),
              "started": started, "log": os.path.join(data_dir, LOG_FILE)}
    try:
        if not force and up_to_date(data_dir, fp):  # finished by another process while we waited
            log("environment is up to date (fingerprint %s); nothing to do" % fp)
            return 0
        write_status(data_dir, status)
        log("building guardrail environment from %s (fingerprint %s) with %s" % (plugin_root, fp, sys.executable))
        target = build(data_dir, plugin_root, fp, log)
        status.update(state="ok", venv=target, python=venv_python(os.path.join(data_dir, "venv")),
                      finished=time.time(), elapsed_s=round(time.time() - started, 1))
        write_status(data_dir, status)
        log("ready: %s (%.1f s)" % (target, status["elapsed_s"]))
        remove_stale(data_dir, os.path.basename(target), log)
        return 0
    except BaseException as exc:  # noqa: BLE001 - record every failure for launch.sh and `guardrail doctor`
        message = str(exc) if isinstance(exc, BootstrapError) else "%s: %s" % (type(exc).__name__, exc)
        status.update(state="failed", error=message, finished=time.time(), elapsed_s=round(time.time() - started, 1))
        try:
            write_status(data_dir, status)
        except OSError:
            pass
        log("FAILED: " + message)
        return 1
    finally:
        lock.close()


def main(argv: list | None = None) -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description="Build guardrail's plugin environment in $CLAUDE_PLUGIN_DATA/venv.")
    parser.add_argument("--data-dir", default=os.environ.get("CLAUDE_PLUGIN_DATA"))
    parser.add_argument("--plugin-root", default=os.environ.get("CLAUDE_PLUGIN_ROOT") or os.path.dirname(here))
    parser.add_argument("--force", action="store_true", help="rebuild even when up to date")
    parser.add_argument("--wait", action="store_true", help="wait for a running bootstrap instead of leaving")
    parser.add_argument("--verbose", action="store_true", help="also print the log to stderr")
    args = parser.parse_args(argv)
    if not args.data_dir:
        sys.stderr.write("bootstrap.py: no data directory: set CLAUDE_PLUGIN_DATA or pass --data-dir\n")
        return 2
    return bootstrap(os.path.abspath(args.data_dir), os.path.abspath(args.plugin_root), force=args.force,
                     wait=args.wait, echo=args.verbose or sys.stderr.isatty())


if __name__ == "__main__":
    sys.exit(main())
