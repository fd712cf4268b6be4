"""Builtins that change the walk's state rather than run something: `set --`, `read`, `printf -v`, `alias`, `hash`,
`exec` redirections, positional parameters, git aliases, and shells reading their script from stdin
(Walker's builtin methods)."""

from __future__ import annotations

import re

from guardrail.base.record import replace
from guardrail.base.text import shell_quote
from guardrail.shell.words import literal_output
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any

    from guardrail.model import SimpleCommand


STATE_BUILTINS = frozenset({"set", "read", "printf", "hash", "exec"})
_POSITIONAL_KEYS = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "@", "*", "#")
_GIT_BUILTINS = frozenset(
    "add am apply archive bisect blame branch bundle checkout cherry-pick citool clean clone commit config describe "
    "diff difftool fetch filter-branch format-patch fsck gc grep gui init log maintenance merge mv notes prune pull "
    "push range-diff rebase reflog remote repack replace reset restore revert rm shortlog show sparse-checkout stash "
    "status submodule switch tag update-ref worktree".split())


class BuiltinState:
    """The walker's builtin methods (mixed into guardrail.shell.parse.Walker)."""

    def script_source(self, cmd: SimpleCommand) -> tuple[str, Any] | None:
        """A shell or `source` whose script is its stdin by name (`bash /dev/stdin <<< ...`) or a process
        substitution with known output (`source <(echo ...)`, `bash < <(echo ...)`)."""
        operand = None
        for a in cmd.args:
            if cmd.name in ("source", ".") or not a.startswith(("-", "+")) or a == "-":
                operand = a
                break
            if a in ("-c", "-o", "+o", "-O", "+O", "--rcfile", "--init-file") or (a[1:2] != "-" and "c" in a):
                return None  # `-c SCRIPT` is unwrap's; option values are not the script
        if operand in ("/dev/stdin", "/dev/fd/0", "/proc/self/fd/0", "-") and cmd.stdin_text is not None:
            return ("shell", (f"{cmd.name} /dev/stdin", cmd.stdin_text))
        if operand is not None and operand in self.ctx.procsubs:
            return ("record_and_shell", (f"{cmd.name} <()", self.ctx.procsubs[operand]))
        if operand is None and cmd.stdin_text is None and cmd.stdin_file in self.ctx.procsubs:
            return ("shell", (f"{cmd.name} <stdin", self.ctx.procsubs[cmd.stdin_file]))
        if operand is None and cmd.stdin_text is None and cmd.stdin_file is None and cmd.stdin_from is None\
                and self.ctx.exec_stdin is not None:
            return ("shell", (f"{cmd.name} <stdin", self.ctx.exec_stdin))
        return None

    def bind_positionals(self, args: list[str], zero: str | None = None) -> dict[str, str | None]:
        """Set $1.., $@, $*, $# (and $0) to args; returns what to restore_positionals afterwards."""
        ctx = self.ctx
        saved = {k: ctx.vars.get(k) for k in _POSITIONAL_KEYS}
        saved.update({"!dyn:" + k: "1" if k in ctx.dynamic_vars else None for k in _POSITIONAL_KEYS})
        for k in _POSITIONAL_KEYS:
            ctx.vars.pop(k, None)
            ctx.dynamic_vars.discard(k)
        for n, a in enumerate(args[:9], 1):
            ctx.vars[str(n)] = a
        ctx.vars["@"] = ctx.vars["*"] = " ".join(args)
        ctx.vars["#"] = str(len(args))
        if zero is not None:
            ctx.vars["0"] = zero
        return saved

    def restore_positionals(self, saved: dict[str, str | None]) -> None:
        ctx = self.ctx
        for k in _POSITIONAL_KEYS:
            old = saved[k]
            if old is None:
                ctx.vars.pop(k, None)
            else:
                ctx.vars[k] = old
            if saved["!dyn:" + k]:
                ctx.dynamic_vars.add(k)
            else:
                ctx.dynamic_vars.discard(k)

    def builtin_state(self, cmd: SimpleCommand) -> None:
        """Builtins that set what later words expand to: `set -- a b`, `read x <<< text`, `printf -v x`,
        `hash -p /bin/rm ls` (ls now runs rm)."""
        name, args, ctx = cmd.name, list(cmd.args), self.ctx
        if name == "exec":
            if not args or (args == ["0"] and cmd.stdin_file):  # (the grammar reads `exec 0< f`'s fd as a word)
                text = cmd.stdin_text if cmd.stdin_text is not None else ctx.procsubs.get(cmd.stdin_file or "")
                ctx.exec_stdin = text if text is not None else ctx.exec_stdin
        elif name == "set":
            if args[:1] == ["--"]:
                self.bind_positionals(args[1:])
        elif name == "hash":
            if len(args) >= 3 and args[0] == "-p":
                ctx.aliases[args[2]] = shell_quote(args[1])
        elif name == "printf":
            if len(args) >= 3 and args[0] == "-v":
                out = literal_output(replace(cmd, argv=("printf", *args[2:])))
                ctx.vars[args[1]] = out if out is not None else f"$(printf {args[2][:40]})"
                (ctx.dynamic_vars.discard if out is not None else ctx.dynamic_vars.add)(args[1])
        else:  # read [-r] [-a ARRAY] [-d D] [-p P] ... NAME...
            names: list[str] = []
            array = None
            i = 0
            while i < len(args):
                a = args[i]
                if a.startswith("-") and len(a) > 1:
                    for k, ch in enumerate(a[1:], 1):
                        if ch in "adinNptu":
                            value = a[k + 1:] or (args[i + 1] if i + 1 < len(args) else "")
                            i += 0 if a[k + 1:] else 1
                            if ch == "a":
                                array = value
                            break
                    i += 1
                    continue
                names.append(a)
                i += 1
            targets = ([array] if array else []) + (names or ([] if array else ["REPLY"]))
            text = cmd.stdin_text
            if text is None:
                for t in targets:
                    ctx.dynamic_vars.add(t)
                    ctx.vars.pop(t, None)
                return
            line = text.split("\n", 1)[0]
            ifs = dict(cmd.env).get("IFS", ctx.vars.get("IFS", " \t\n"))
            fields = [f for f in re.split("[" + re.escape(ifs or " ") + "]+", line) if f] if ifs else [line]
            if array:
                ctx.vars[array] = " ".join(fields)
                ctx.dynamic_vars.discard(array)
            else:
                for n, t in enumerate(targets):
                    ctx.vars[t] = " ".join(fields[n:]) if n == len(targets) - 1 else (fields[n] if n < len(fields) else "")
                    ctx.dynamic_vars.discard(t)

    def git_alias(self, cmd: SimpleCommand) -> tuple[str, Any] | None:
        """How to run a git alias defined on this line (`git -c alias.x='reset --hard' x`, or `git config alias.x
        '!sh-cmd'` earlier): git runs the expansion, so the model records that instead. None when there is
        nothing to expand (the command is then recorded as it is)."""
        if not self.ctx.git_aliases and "alias." not in " ".join(cmd.args):
            return None  # no alias defined before or in this command (the common case: skip the scan)
        args = list(cmd.args)
        inline: dict[str, str] = {}
        i = 0
        while i < len(args) and args[i].startswith("-"):
            a = args[i]
            if a in ("-c", "-C", "--git-dir", "--work-tree", "--namespace", "--config-env") and i + 1 < len(args):
                if a == "-c" and args[i + 1].startswith("alias.") and "=" in args[i + 1]:
                    key, value = args[i + 1][6:].split("=", 1)
                    inline[key] = value
                i += 2
                continue
            i += 1
        if i >= len(args):
            return None
        sub, rest = args[i], args[i + 1:]
        if sub == "config":
            keys = [a for a in rest if not a.startswith("-")]
            if keys[:1] == ["set"]:
                keys = keys[1:]
            if len(keys) >= 2 and keys[0].startswith("alias.") and not any(
                    a in ("--unset", "--unset-all", "--get", "--get-all", "--remove-section") for a in rest):
                self.ctx.git_aliases[keys[0][6:]] = keys[1]
            return None
        value = inline.get(sub, self.ctx.git_aliases.get(sub))
        label = f"git alias {sub}"
        # git never lets an alias shadow a built-in command, so `-c alias.push=status push` still pushes
        if value is None or sub in _GIT_BUILTINS or label in self.ctx.calls_in_progress:
            return None
        if value.startswith("!"):  # a shell alias: git runs `sh -c '<value> "$@"'`
            return ("shell", (label, value[1:] + "".join(" " + shell_quote(a) for a in rest)))
        import shlex

        try:
            words = shlex.split(value)
        except ValueError:
            words = value.split()
        return ("argv", (label, [cmd.argv[0], *args[:i], *words, *rest], []))
