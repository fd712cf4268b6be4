"""Which directory each command of a line runs in: `cd`, `pushd`, `popd` and `chdir` move the commands after them.

One tracker for the typed line (the engine judges `cd ~ && rm -rf Documents` as a deletion in the home directory)
and for the scripts script following reads (`npm run clean` whose script does the same). A change holds for the
commands after it at the same nesting (`via`), until that nesting ends (`bash -c 'cd X && ...'; make`). Wrappers
that run their command in the current shell (`builtin cd`, `command cd`, `eval "cd X"`) do not start a nesting.
The model does not mark `( ... )` subshells, so where one may end the earlier directories stay as alternates.
"""

from __future__ import annotations

import posixpath
import re

from guardrail.base.vocab import SAME_SHELL_WRAPPERS
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from guardrail.model import SimpleCommand


_HOME_VAR = re.compile(r"^\$\{?HOME\}?(/|$)")


def join(cwd: str, path: str) -> str:
    """`path` made absolute against `cwd`, normalised."""
    if path.startswith("/"):
        return posixpath.normpath(path)
    return posixpath.normpath(posixpath.join(cwd or "/", path))


def _nesting(via: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v for v in via if v not in SAME_SHELL_WRAPPERS) if via else via


class WorkingDirs:
    """Feed the line's commands in order: `change(cmd)` for each directory builtin, `here(cmd)` for the others.

    `here` gives (directory, alternates): the directory is None when a change could not be known (`cd "$DIR"`,
    `cd -` at the top); alternates are directories a command may run in instead (after a possible subshell)."""

    def __init__(self, cwd: str, home: str, uncertain: bool) -> None:
        self.frames: list[tuple[tuple[str, ...], str | None, tuple[str, ...]]] = [((), cwd, ())]
        self.stack: list[str | None] = []
        self.home = home or "/root"
        self.uncertain = uncertain

    def here(self, cmd: SimpleCommand) -> tuple[str | None, tuple[str, ...]]:
        via = _nesting(cmd.via)
        while len(self.frames) > 1 and via[:len(self.frames[-1][0])] != self.frames[-1][0]:
            self.frames.pop()
        return self.frames[-1][1], self.frames[-1][2]

    def change(self, cmd: SimpleCommand) -> None:
        here, alts = self.here(cmd)
        args = [a for a in cmd.args if not (a.startswith("-") and len(a) > 1 and a[1:].isalpha())]
        if args and args[0] == "--":
            args = args[1:]
        new: str | None
        if cmd.name == "popd":
            new = self.stack.pop() if self.stack else None
        elif not args:
            new = self.home if cmd.name != "pushd" else None
        elif args[0].startswith(("$HOME", "${HOME}")) and _HOME_VAR.match(args[0]):
            new = join(self.home, _HOME_VAR.sub("", args[0]) or ".")
        elif cmd.dynamic or "$" in args[0] or "`" in args[0] or (args[0] == "-" and len(self.frames) < 2):
            new = None  # `cd "$DIR"`: where later commands run is not known
        elif args[0] == "-":
            new = self.frames[-2][1]
        else:
            t = args[0]
            t = self.home + t[1:] if t == "~" or t.startswith("~/") else t
            new = join(here, t) if here is not None else (t if t.startswith("/") else None)
        if cmd.name == "pushd":
            self.stack.append(here)
        via = _nesting(cmd.via)
        keep = (here,) if here is not None and (self.uncertain or via) else ()
        if args and not cmd.dynamic and cmd.name != "popd" and not args[0].startswith(("/", "~", "-", "$")):
            keep += tuple(join(a, args[0]) for a in alts)  # `(cd docs) && cd api`: api may be under either
        alts = tuple(dict.fromkeys(a for a in keep + alts if a != new))[:4]
        self.frames.append((via, new, alts))
