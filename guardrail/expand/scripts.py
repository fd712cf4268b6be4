"""Script files: which commands run one (`./x.sh`, `bash x.sh`, `python x.py`, `at -f x`) and how it is read."""

from __future__ import annotations

import posixpath
import re

from guardrail.base.vocab import (INLINE_CODE_OPTIONS, INTERPRETERS, JOB_QUEUES, JUSTS, MAKES, PACKAGE_MANAGERS,
                                  POWERSHELLS, SCRIPT_READERS, SHELLS, TASK_RUNNERS, is_python)
from guardrail.expand.steps import DESTRUCTIVE_NAME, Step, read_script, written_by
from guardrail.model import SimpleCommand
from guardrail.workdir import join
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any

    from guardrail.model import EvalContext


# Startup files a shell reads from its environment before anything else: bash's BASH_ENV (non-interactive), the
# POSIX shells' ENV (interactive; read anyway: reading costs nothing), zsh's $ZDOTDIR/.zshenv (always).
STARTUP_VARS = frozenset({"BASH_ENV", "ENV", "ZDOTDIR"})


def startup_file(cmd: SimpleCommand) -> str | None:
    """The startup file the shell running `cmd` reads first: `BASH_ENV=x bash -c 'make test'` runs x before make.
    The command is the shell itself or, after `sh -c` unwrapping, a command under it that carries its env."""
    if not cmd.env:
        return None
    shell = cmd.name if cmd.name in SHELLS else (cmd.via[-1].split(" ", 1)[0] if cmd.via and cmd.via[-1].endswith(" -c")
                                                   else "")
    if shell not in SHELLS:
        return None
    for k, v in cmd.env:
        if k == "BASH_ENV" and shell in ("bash", "rbash") or k == "ENV" and shell not in ("zsh", "fish", "csh", "tcsh"):
            return v or None
        if k == "ZDOTDIR" and shell == "zsh" and v:
            return v.rstrip("/") + "/.zshenv"
    return None


def startup_steps(cmd: SimpleCommand, cwd: str, ctx: Any) -> list[Step] | None:
    """The startup file as a step to follow (None when there is none; [] when it cannot be read)."""
    path = startup_file(cmd)
    if path is None or path.startswith("$"):
        return None
    full = join(cwd, path)
    text = read_script(ctx, full)
    if text is None or "\0" in text[:4096]:
        return []
    shell = cmd.name if cmd.name in SHELLS else cmd.via[-1].split(" ", 1)[0]
    return [Step(f"{shell} startup file {path}", f"file:{full}", text, posixpath.dirname(full), "sh")]


def is_trigger(cmd: SimpleCommand, ctx: EvalContext | None = None) -> bool:
    """Cheap: could this command run a script guardrail can read? (No I/O.) `ctx` tells which files the line
    wrote (a script the line wrote is read whatever its name)."""
    return is_own_trigger(cmd, ctx) or (bool(cmd.env) and startup_file(cmd) is not None)


def is_own_trigger(cmd: SimpleCommand, ctx: EvalContext | None = None) -> bool:
    """is_trigger without startup files: the command's own script, package script, recipe or code."""
    written = ctx.line_files if ctx is not None else {}
    if not cmd.argv:
        return False
    head = cmd.argv[0]
    name = cmd.name
    if name in PACKAGE_MANAGERS or name in MAKES or name in JUSTS or name in TASK_RUNNERS:
        return True
    if name in SCRIPT_READERS:
        if cmd.stdin_text is not None:
            return False  # a heredoc or here-string script: the shell model already parsed it
        return any(not a.startswith("-") for a in cmd.args) or cmd.stdin_file is not None
    if name in INTERPRETERS or is_python(name):
        return _interp_operand(cmd, written) is not None
    if name in JOB_QUEUES:
        return _job_file(cmd) is not None
    if name in POWERSHELLS:
        from guardrail.shell.wrappers import powershell_script_file

        return powershell_script_file(cmd.args) is not None
    if head[:2] == "$(" or head[:1] == "`":
        return _SUBST_FILE.match(head) is not None  # `$(cat x.sh)` as a command: the file's text runs
    # `./x`, `../x` or any `*.sh`: a project script (bin/rails and /usr/bin/x are programs, not read);
    # `scripts/x.py` (a path runs the file) and `uv run x.py` (uv runs python on it)
    if not (head.startswith(("./", "../")) or head.endswith((".sh", ".bash", ".zsh"))
            or head.endswith(".py") and ("/" in head or cmd.via[-1:] == ("uv run",)) and _follow_code_file(head, written)):
        return False
    return not head.startswith(("$", "/usr/", "/bin/", "/sbin/", "/opt/")) and not _VENDORED.search(head)


def _follow_code_file(path: str, written: dict[str, str]) -> bool:
    """Whether `python PATH` / `scripts/x.py` is read: any project file (what a script deletes is judged like a
    typed command, whatever the script is called), not vendored or installed code. What a script leaves unresolved
    (a computed command or path) is asked about only when its name sounds destructive (checks.indirect), so an
    ordinary tool script that runs a computed command is no reason to stop."""
    return not path.startswith(("$", "/usr/", "/bin/", "/sbin/", "/opt/", "-")) and not _VENDORED.search(path)


# `$(cat F)`, `$(< F)`, `` `cat F` `` (and the shell model's `xargs-input <F`): the text of file F
_SUBST_FILE = re.compile(r"^(?:\$\(|`)\s*(?:cat\s+(?:--\s+)?|<\s*|xargs-input\s+<)([^\s()$`;|&<>'\"]+)\s*(?:\)|`)$")


# `$(ls F)`, `$(echo F)`, `$(realpath F)` as a script operand: names F itself
_SUBST_NAME = re.compile(r"^\$\((?:ls|echo|realpath|readlink\s+-f)\s+([^\s()$`;|&<>'\"*?\[]+)\s*\)$")


_GLOB_CHARS = re.compile(r"[*?\[]")


# Interpreter options that take a value (`python -X dev x.py`, `node -r ts-node/register x.ts`).
_INTERP_VALUE_OPTS = {
    "python": frozenset({"-W", "-X", "-Q"}),
    "node": frozenset({"-r", "--require", "--import", "--loader", "--experimental-loader", "-C", "--conditions",
                       "--env-file", "--title", "--input-type"}),
    "ruby": frozenset({"-I", "-r", "-C", "-E", "-F"}),
    "perl": frozenset({"-I", "-M", "-m", "-C"}),
    "php": frozenset({"-c", "-d", "-z"}),
}


def _interp_operand(cmd: SimpleCommand, written: dict[str, str]) -> tuple[str, str] | None:
    """("file", path), ("module", name) or ("stdin", path) for an interpreter running a file; None for inline
    code (`-c`, `-e`: the inline-code readers judge that) or an interactive session."""
    name = cmd.name
    lang = INTERPRETERS.get(name) or ("python" if is_python(name) else "")
    if not lang or name == "bun":
        return None
    args = cmd.args
    if name == "deno":
        if not args or args[0] != "run":
            return None
        args = args[1:]
    value_opts = _INTERP_VALUE_OPTS.get(lang, frozenset())
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-":
            break
        if a == "--":
            i += 1
            break
        if a.startswith("-"):
            if lang == "php" and a == "-f" and i + 1 < len(args):
                return ("file", args[i + 1])
            bundle = a[1:] if not a.startswith("--") and a[1:].isalpha() else ""  # `perl -ne`, `ruby -pe`
            if a in INLINE_CODE_OPTIONS.get(lang, ()) or (lang == "python" and (a[:2] == "-c" or "c" in bundle)) or (
                    lang in ("ruby", "perl") and (a[:2] == "-e" or "e" in bundle or "E" in bundle)):
                return None
            if lang == "python" and a == "-m" and i + 1 < len(args):
                mod = args[i + 1]
                return ("module", mod) if _follow_code_file(mod.replace(".", "/") + ".py", written) else None
            i += 2 if a in value_opts else 1
            continue
        break
    if i < len(args) and args[i] != "-":
        op = args[i]
        if op.startswith("$"):
            return None
        return ("file", op) if _follow_code_file(op, written) else None
    if cmd.stdin_file is not None and cmd.stdin_text is None:
        return ("stdin", cmd.stdin_file)
    return None


_VENDORED = re.compile(r"(^|/)(node_modules|\.venv|venv|vendor|target|dist|build|\.git)/")


def shebang_lang(first: str) -> str:
    """The language a `#!` line names: "sh" for shells, an INTERPRETERS name, or the program's own name."""
    interp = first[2:].strip().split()
    prog = posixpath.basename(interp[0]) if interp else ""
    if prog == "env" and len(interp) > 1:
        prog = next((w for w in interp[1:] if not w.startswith("-")), "")
    prog = re.sub(r"[\d.]+$", "", prog) if is_python(prog) else prog
    if prog.removesuffix(".exe") in POWERSHELLS:
        return "powershell"
    return INTERPRETERS.get(prog, "sh" if prog in SHELLS else prog or "sh")


def _shell_operand(cmd: SimpleCommand) -> tuple[str, str, list[str]]:
    """(mode, script, arguments) for a shell command: mode "file" (a script operand), "stdin" (the script is
    the file on stdin: `bash < x.sh`, `cat x.sh | sh`, `bash -s -- a < x.sh`), or "none" (`-c` text the shell
    model already unwrapped, `-n` runs nothing, or an interactive shell)."""
    args = list(cmd.args)
    if cmd.name in ("source", "."):
        if args and args[0] == "--":
            args = args[1:]
        return ("file", args[0], args[1:]) if args else ("none", "", [])
    i, from_stdin = 0, False
    while i < len(args):
        a = args[i]
        if a in ("--", "-"):
            i += 1
            break
        if a in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"):
            i += 2
            continue
        if a.startswith("--"):
            if a == "--noexec":
                return ("none", "", [])
            i += 1
            continue
        if a[:1] in ("-", "+") and len(a) > 1:
            letters = a[1:]
            if a[0] == "-" and ("c" in letters or "n" in letters):
                return ("none", "", [])
            from_stdin = from_stdin or "s" in letters
            i += 2 if ("o" in letters or "O" in letters) else 1
            continue
        break
    if from_stdin or i >= len(args):
        if cmd.stdin_file is not None and cmd.stdin_text is None:
            return ("stdin", cmd.stdin_file, args[i:])
        return ("none", "", [])
    return ("file", args[i], args[i + 1:])


def _job_file(cmd: SimpleCommand) -> str | None:
    """The script file `at -f FILE` / `batch -f FILE` queues (at runs it with /bin/sh)."""
    args = cmd.args
    for i, a in enumerate(args):
        if a == "-f" and i + 1 < len(args):
            return args[i + 1]
        if a.startswith("-f") and len(a) > 2:
            return a[2:]
    return None


def resolve_script(cmd: SimpleCommand, cwd: str, ctx: Any) -> tuple[list[Step], list[str], list[str]]:
    name = cmd.name
    head = cmd.argv[0]
    lang_hint = "sh"
    if name in JOB_QUEUES:
        script = _job_file(cmd) or ""
        label, args = f"{name} -f {script}", []
    elif name in POWERSHELLS:
        from guardrail.shell.wrappers import powershell_script_file

        found = powershell_script_file(cmd.args)
        if found is None:
            return [], [], []
        script, args = found
        label, lang_hint = f"{name} -File {script}", "powershell"
    elif name in SCRIPT_READERS:
        mode, script, args = _shell_operand(cmd)
        if mode == "none":
            return [], [], []
        label = f"{name} {script}" if mode == "file" else f"{name} < {script}"
    elif name in INTERPRETERS or is_python(name):
        op = _interp_operand(cmd, ctx.line_files)
        if op is None:
            return [], [], []
        kind, script = op
        lang_hint = INTERPRETERS.get(name, "python")
        args = []
        label = f"{name} {script}" if kind != "stdin" else f"{name} < {script}"
        if kind == "module":
            # `python -m pkg.tool`: a module of the project when its file is there; an installed one otherwise
            base = script.replace(".", "/")
            for cand in (base + ".py", base + "/__main__.py"):
                text = read_script(ctx, join(cwd, cand))
                if text is not None:
                    return [Step(label, f"file:{join(cwd, cand)}", text, cwd, "python")], [], []
            return [], [], []
    elif head[:2] == "$(" or head[:1] == "`":
        m = _SUBST_FILE.match(head)
        if m is None:
            return [], [], []
        script, label, args = m.group(1), f"$(cat {m.group(1)})", []
    else:
        script, label = head, head
        args = list(cmd.args)
    m = _SUBST_NAME.match(script) or _SUBST_FILE.match(script)
    if m:
        script = m.group(1)  # `bash $(ls x.sh)`, `bash $(cat list)` is not followed (no name match)
    if script.startswith("$") or "$(" in script or "`" in script:
        return [], [], []
    path = join(cwd, script)
    if _GLOB_CHARS.search(script):
        # `bash scripts/wipe?.sh`: the shell picks the file; guardrail reads no directory listings
        note = f"{path} (a glob pattern: which file runs is not known)"
        if note not in ctx.unread:
            ctx.unread.append(note)
        return [], [f"{path} is a glob"], [label]
    text = read_script(ctx, path)
    if text is None:
        downloaded = written_by(ctx, path)
        if downloaded:  # `curl -o i.sh URL && sh i.sh` runs what was downloaded: as `curl URL | sh` would
            return [Step(label, f"file:{path}", "", posixpath.dirname(path), "download:" + downloaded)], [], []
        return [], [f"{path} could not be read"], [label]
    if "\0" in text[:4096]:
        return [], [f"{path} is a binary"], []
    lang = lang_hint
    first = text.split("\n", 1)[0]
    if first.startswith("#!") and lang_hint == "sh" and name not in SCRIPT_READERS:
        lang = shebang_lang(first)
    elif lang_hint == "sh" and not (script.endswith((".sh", ".bash", ".zsh")) or name in SCRIPT_READERS):
        if script.endswith(".py"):
            lang = "python"
        elif script.endswith((".js", ".mjs", ".cjs", ".ts")):
            lang = "node"
    if lang == "sh":
        text = _positional(text, args)
    return [Step(label, f"file:{path}", text, posixpath.dirname(path), lang)], [], []


_POS_DEFAULT = re.compile(r"\$\{([1-9])(:?)([-=])([^}]*)\}")


def _positional(text: str, args: list[str]) -> str:
    """Positional parameters: "$1" becomes the literal argument, so `./wipe.sh prod` is judged with prod, and
    `${1:-$HOME}` without an argument is its default (`$HOME`), as the shell reads them."""
    if "${" in text:
        def default(m: re.Match[str]) -> str:
            n = int(m.group(1))
            value = args[n - 1] if n <= len(args) else None
            if value is None or (m.group(2) and value == ""):
                return m.group(4)
            return value
        text = _POS_DEFAULT.sub(default, text)
    for n, v in enumerate(args[:9], start=1):
        text = text.replace(f"${{{n}}}", v).replace(f"${n}", v)
    return text
