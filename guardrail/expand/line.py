"""Follow indirection across one command line: what `npm run X`, `make T`, `just R`, `./script.sh` and `bash x.sh`
really run, in the directory a `cd` put them, seeing the files the line wrote earlier."""

from __future__ import annotations

import json
import posixpath
import re

from guardrail.base.record import replace
from guardrail.base.vocab import (CD_BUILTINS, FILE_WRITERS, INLINE_CODE_OPTIONS, INTERPRETERS, JUSTS,
                                  LANGUAGE_PROGRAMS, MAKES, PACKAGE_MANAGERS, TASK_RUNNERS, is_python)
from guardrail.expand.scripts import is_own_trigger, is_trigger, resolve_script, shebang_lang, startup_steps
from guardrail.expand.steps import Expansion, MAX_COMMANDS, MAX_DEPTH, Step, UNKNOWN, read_script
from guardrail.model import SimpleCommand
from guardrail.workdir import WorkingDirs, join
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any


def resolve(cmd: SimpleCommand, cwd: str, ctx: Any) -> tuple[list[Step], list[str], list[str]]:
    """(steps, problems, unresolved labels) for one command; no recursion."""
    startup = startup_steps(cmd, cwd, ctx) if cmd.env else None
    if startup is not None:
        if not is_own_trigger(cmd, ctx):
            return startup, [], []
        steps, problems, unresolved = _resolve(cmd, cwd, ctx)
        return startup + steps, problems, unresolved
    return _resolve(cmd, cwd, ctx)


def _resolve(cmd: SimpleCommand, cwd: str, ctx: Any) -> tuple[list[Step], list[str], list[str]]:
    name = cmd.name  # each kind's reader loads when a command of its kind comes
    if name in PACKAGE_MANAGERS:
        from guardrail.expand.packages import resolve_pm

        return resolve_pm(cmd, cwd, ctx)
    if name in MAKES or name in JUSTS:
        from guardrail.expand.make import resolve_just, resolve_make

        return resolve_make(cmd, cwd, ctx) if name in MAKES else resolve_just(cmd, cwd, ctx)
    if name in TASK_RUNNERS:
        from guardrail.expand.packages import resolve_runner

        return resolve_runner(cmd, cwd, ctx)
    return resolve_script(cmd, cwd, ctx)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v", '"': '"',
            "'": "'", "e": "\x1b"}


def _unescape(s: str) -> str:
    def one(m: re.Match[str]) -> str:
        e = m.group(1)
        if e[0] == "x" and len(e) > 1:
            return chr(int(e[1:], 16))
        if e[0] in "01234567":
            return chr(int(e, 8) & 0xFF)
        return _ESCAPES.get(e, "\\" + e)
    return re.sub(r"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)", one, s, flags=re.DOTALL)


def _printf(args: list[str]) -> str | None:
    if args and args[0] == "--":
        args = args[1:]
    if not args or args[0].startswith("-v"):
        return None
    fmt, rest = args[0], args[1:]
    out: list[str] = []
    used = [0]

    def conv(m: re.Match[str]) -> str:
        if m.group(0) == "%%":
            return "%"
        used[0] += 1
        v = rest.pop(0) if rest else ""
        return _unescape(v) if m.group(1) == "b" else v

    for _ in range(64):  # the format is reused while arguments remain
        used[0] = 0
        out.append(_unescape(re.sub(r"%[-+ #0-9.]*([sbdiqc])|%%", conv, fmt)))
        if not rest or not used[0]:
            break
    return "".join(out)


def _output_of(cmd: SimpleCommand, cwd: str, ctx: Any) -> str | None:
    """What `echo`, `printf` or `cat` prints, when the line says it literally; None otherwise."""
    if cmd.dynamic:
        return None
    name, args = cmd.name, list(cmd.args)
    if name == "echo":
        newline, escapes = "\n", False
        while args and re.fullmatch(r"-[neE]+", args[0]):
            newline = "" if "n" in args[0] else newline
            escapes = "e" in args[0] or escapes
            args = args[1:]
        text = " ".join(args)
        return (_unescape(text) if escapes else text) + newline
    if name == "printf":
        return _printf(args)
    if name == "cat":
        files = [a for a in args if not a.startswith("-")]
        if not files:
            if cmd.stdin_text is not None:
                return cmd.stdin_text
            return read_script(ctx, join(cwd, cmd.stdin_file)) if cmd.stdin_file else None
        texts = [read_script(ctx, join(cwd, f)) for f in files[:8]]
        return None if any(t is None for t in texts) or len(files) > 8 else "".join(texts)  # type: ignore[arg-type]
    return None


_WRITE_OPS = frozenset({">", ">|", ">>", "&>", "&>>", "1>", "1>>"})


def _note_writes(cmd: SimpleCommand, cwd: str, ctx: Any) -> None:
    """Record what `cmd` writes into files, for the commands after it on the line."""
    files = ctx.line_files
    writes: list[tuple[str, str | None, bool]] = []  # (path, text or None for unknown, append)
    name = cmd.name
    for r in cmd.redirects:
        if r.op in _WRITE_OPS and r.target and not r.target.startswith(("/dev/", "$", "&")):
            writes.append((r.target, _output_of(cmd, cwd, ctx), r.op.endswith(">>")))
    if name == "tee":
        targets = [a for a in cmd.args if not a.startswith("-")]
        append = any(a in ("-a", "--append") for a in cmd.args)
        writes += [(t, cmd.stdin_text, append) for t in targets if not t.startswith("$")]
    elif name in ("curl", "wget"):
        for target in _download_targets(cmd):
            files[posixpath.normpath(join(cwd, target))] = "\0download:" + name
    elif name in ("cp", "mv", "install") and not cmd.dynamic:
        pos = [a for a in cmd.args if not a.startswith("-")]
        if len(pos) == 2:
            writes.append((pos[1], read_script(ctx, join(cwd, pos[0])), False))
    elif name in ("npm", "pnpm") and len(cmd.args) >= 3:
        _note_package_scripts(cmd, cwd, ctx)
    for target, text, append in writes[:16]:
        path = posixpath.normpath(join(cwd, target))
        if text is not None and append:
            before = read_script(ctx, path)
            text = None if before is None and path in files else (before or "") + text
        files[path] = UNKNOWN if text is None else text


def _download_targets(cmd: SimpleCommand) -> list[str]:
    args = list(cmd.args)
    urls = [a for a in args if "://" in a]
    out: list[str] = []
    for i, a in enumerate(args):
        if a in ("--output", "--output-document") or (a.startswith("-") and not a.startswith("--") and (
                a.endswith("o") if cmd.name == "curl" else a.endswith("O"))):
            if i + 1 < len(args):
                out.append(args[i + 1])
        elif a.startswith(("--output=", "--output-document=")):
            out.append(a.split("=", 1)[1])
        elif cmd.name == "curl" and a in ("-O", "--remote-name") or cmd.name == "wget" and not any(
                x.startswith(("-O", "--output-document")) or x.startswith("-") and x.endswith("O") for x in args):
            out += [u.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] for u in urls[:1]]
    return [o for o in dict.fromkeys(out) if o and o != "-"]


def _note_package_scripts(cmd: SimpleCommand, cwd: str, ctx: Any) -> None:
    """`npm pkg set scripts.x='...'` and `npm set-script x '...'` change package.json for later commands."""
    args = [a for a in cmd.args if not a.startswith("-")]
    sets: list[tuple[str, str]] = []
    if not args:
        return
    if args[:2] == ["pkg", "set"]:
        sets = [(k[len("scripts."):], v) for k, v in (a.split("=", 1) for a in args[2:] if "=" in a)
                if k.startswith("scripts.")]
    elif args[0] == "set-script" and len(args) >= 3:
        sets = [(args[1], args[2])]
    if not sets:
        return
    path = posixpath.normpath(join(cwd, "package.json"))
    try:
        data = json.loads(read_script(ctx, path) or "{}")
        if not isinstance(data, dict):
            data = {}
    except ValueError:
        data = {}
    scripts = data.get("scripts") if isinstance(data.get("scripts"), dict) else {}
    scripts.update(sets)
    data["scripts"] = scripts
    ctx.line_files[path] = json.dumps(data)


def _label(cmd: SimpleCommand) -> str:
    return " ".join(cmd.argv[:3])


def _expansion_in(cmd: SimpleCommand, ctx: Any, here: str | None, alts: tuple[str, ...], fallback: str) -> Expansion:
    """expand() where the line's cd put the command; an unknown directory makes the script unresolved."""
    if here is None:
        exp = expand(cmd, ctx, cwd=fallback)
        exp = Expansion(exp.commands, ["cd target is not known: cannot locate what " + _label(cmd) + " runs"],
                        [_label(cmd)])
    else:
        exp = expand(cmd, ctx, cwd=here)
    for alt in alts:
        if alt != here and alt != (fallback if here is None else None):
            seen = {(c.argv, c.via) for c in exp.commands}
            exp.commands.extend(c for c in expand(cmd, ctx, cwd=alt).commands if (c.argv, c.via) not in seen)
    return exp


def expand(cmd: SimpleCommand, ctx: Any, *, depth: int = MAX_DEPTH, cwd: str | None = None) -> Expansion:
    """Every simple command `cmd` runs through scripts, with `via` naming the chain; bounded and cycle-safe.
    `cwd`: where the command runs when a `cd` earlier on the line moved it (default: the call's cwd)."""
    out = Expansion()
    _expand_into(cmd, ctx, cwd or ctx.cwd or "/", depth, (), frozenset(), out)
    return out


def _expand_into(cmd: SimpleCommand, ctx: Any, cwd: str, depth: int, chain: tuple[str, ...],
                 active: frozenset[str], out: Expansion) -> None:
    if not is_trigger(cmd, ctx) and not (cmd.name == "git" and ctx.line_files and _git_hooks(cmd, cwd, ctx)):
        return
    if cmd.name == "git":
        steps, problems, unresolved = _git_hooks(cmd, cwd, ctx), [], []
    else:
        steps, problems, unresolved = resolve(cmd, cwd, ctx)
    out.problems.extend(problems)
    out.unresolved.extend(" -> ".join(chain + (u,)) for u in unresolved)
    for step in steps:
        if step.key in active:
            out.problems.append("cycle: " + " -> ".join(chain + (step.label,)))
            continue
        if depth <= 0:
            out.problems.append("indirection deeper than %d levels at %s" % (MAX_DEPTH, step.label))
            continue
        sub_chain = chain + (step.label,)
        inner_cmds = _commands_of(step)
        dirs = WorkingDirs(step.cwd, getattr(ctx, "home", ""), "(" in step.script or "|" in step.script)\
            if any(c.name in CD_BUILTINS for c in inner_cmds) else None
        for inner in inner_cmds:
            if len(out.commands) >= MAX_COMMANDS:
                out.problems.append(f"more than {MAX_COMMANDS} commands behind {chain[:1] or step.label}")
                return
            here: str | None = step.cwd
            if dirs is not None:
                if inner.name in CD_BUILTINS:
                    dirs.change(inner)
                here = dirs.here(inner)[0]
            # cmd.via already holds the outer chain; add this step once
            tagged = replace(inner, via=cmd.via + (step.label,) + inner.via, env=cmd.env + inner.env, cwd=here)
            out.commands.append(tagged)
            if here is None:
                if is_trigger(tagged, ctx):
                    out.unresolved.append(" -> ".join(sub_chain + (_label(inner),)))
                continue
            _expand_into(tagged, ctx, here, depth - 1, sub_chain, active | {step.key}, out)


_GIT_HOOKS = {"commit": ("pre-commit", "prepare-commit-msg", "commit-msg", "post-commit"),
              "push": ("pre-push",), "merge": ("pre-merge-commit", "post-merge"), "pull": ("post-merge",),
              "checkout": ("post-checkout",), "switch": ("post-checkout",), "rebase": ("pre-rebase",),
              "am": ("applypatch-msg", "pre-applypatch", "post-applypatch")}


def _git_hooks(cmd: SimpleCommand, cwd: str, ctx: Any) -> list[Step]:
    """Hooks this line itself wrote into .git/hooks, for the git command that runs them."""
    sub = next((a for a in cmd.args if not a.startswith("-")), "")
    names = _GIT_HOOKS.get(sub, ())
    if not names or any(a in ("--no-verify", "-n") for a in cmd.args) and sub in ("commit", "push"):
        return []
    steps = []
    for path, text in ctx.line_files.items():
        if "/.git/hooks/" in path and posixpath.basename(path) in names and not text.startswith("\0"):
            first = text.split("\n", 1)[0]
            lang = shebang_lang(first) if first.startswith("#!") else "sh"
            steps.append(Step(f"git {sub} -> .git/hooks/{posixpath.basename(path)}", f"file:{path}", text,
                              posixpath.dirname(posixpath.dirname(posixpath.dirname(path))), lang))
    return steps


def _commands_of(step: Step) -> list[SimpleCommand]:
    if step.lang == "sh":
        from guardrail.shell.parse import parse_command

        model = parse_command(step.script)
        return list(model.commands)
    if step.lang == "powershell":
        from guardrail.shell.parse import parse_powershell

        return list(parse_powershell(step.script).commands)
    if step.lang.startswith("download:"):
        # a file the line downloaded, then runs: what `curl URL | sh` runs
        return [SimpleCommand(argv=("sh",), stdin_from=step.lang.split(":", 1)[1], text=f"sh {step.label}")]
    program = LANGUAGE_PROGRAMS.get(step.lang, step.lang)
    flag = INLINE_CODE_OPTIONS.get(step.lang, ("-e",))[0]
    # Code files become an inline-code command so the same inline-code checks judge them.
    return [SimpleCommand(argv=(program, flag, step.script), text=f"{program} {step.label}")]


def followed_code_file(cmd: SimpleCommand) -> str | None:
    """The code file a command stands for when _commands_of made it from a followed file (`python3 tools/gen.py`
    becomes `python -c CODE`, labelled with the command that ran the file, its `text` the program and that label),
    else None (typed inline code, or inline code a script runs)."""
    label = cmd.via[-1] if cmd.via else ""
    if not label or not cmd.argv or cmd.text != f"{cmd.argv[0]} {label}":
        return None
    files = [w for w in label.split() if not w.startswith("-") and "." in w.rsplit("/", 1)[-1]]
    return files[-1] if files else None


def expand_all(commands: list[SimpleCommand], ctx: Any) -> list[SimpleCommand]:
    """Every command reached through indirection from `commands` (for the engine to match like typed ones):
    scripts behind package managers, make, just and script files, and shell commands that inline code starts.
    Each result's `via` names its chain. Reads files only for trigger commands.

    Commands come in line order: a `cd` moves the commands after it, and a file written earlier on the line
    (`echo ... > x.sh`, `cat > x.sh <<EOF`, `npm pkg set scripts.x=...`) is what a later command runs. The
    indirect rules ask for each command's expansion again: it is memoised here, where the line is known."""
    out: list[SimpleCommand] = []
    ctx.line_files = {}
    base = ctx.cwd or "/"
    source = getattr(ctx, "source", "") or ""
    dirs = WorkingDirs(base, getattr(ctx, "home", ""), "(" in source or "|" in source)\
        if any(c.name in CD_BUILTINS for c in commands) else None
    for cmd in commands:
        here: str | None = base
        alts: tuple[str, ...] = ()
        if dirs is not None:
            if cmd.name in CD_BUILTINS:
                dirs.change(cmd)
                continue
            here, alts = dirs.here(cmd)
        if is_trigger(cmd, ctx) or (cmd.name == "git" and ctx.line_files):
            exp = _expansion_in(cmd, ctx, here, alts, base)
            ctx.remember("expansion", cmd, exp)  # the indirect rules ask for it again (memo_for)
            out.extend(exp.commands)
        elif cmd.name in INTERPRETERS or is_python(cmd.name) or cmd.name == "uv":
            from guardrail.expand.code.inline import inline_code  # only for interpreters: keeps it lazy

            if inline_code(cmd, ctx) is not None:
                from guardrail.expand.embedded import shell_outs  # the code readers: only for code

                out.extend(ctx.memo_for("shell_outs", cmd, shell_outs))
        if cmd.redirects or cmd.name in FILE_WRITERS:
            _note_writes(cmd, here or base, ctx)
    return out[:MAX_COMMANDS]


def writes_then_runs(commands: list[SimpleCommand]) -> bool:
    """Cheap (no I/O): does a command write a file that a later command on the line may run or read
    (`echo ... > x.sql && psql -f x.sql`, `... > .git/hooks/pre-commit && git commit`)? The engine's cue to
    call expand_all, which makes the written text visible to every check, when no script runner is on the line."""
    for i, c in enumerate(commands[:-1]):
        if c.name in FILE_WRITERS or any(r.op in _WRITE_OPS and not r.target.startswith("/dev/") for r in c.redirects):
            return True
    return False
