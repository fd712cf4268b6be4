"""What checks and script following may know during one evaluation: paths, environment, config, files, and the
state the evaluation builds up as it goes.

One EvalContext is made per evaluated tool call (by guardrail.service, or a test's fake layout), so everything an
evaluation memoises or learns lives here and dies with it: the memo of per-command answers several rules ask for,
the files the line writes before a later command reads them, and the engine's matcher for nested commands. Files
are read only through `read` (the injected, bounded `read_file`, after the line's own writes).
"""

from __future__ import annotations

import posixpath

from guardrail.base.record import factory, record
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Callable, Mapping

    from guardrail.model import SimpleCommand


MAX_FILE_BYTES = 1_000_000


@record
class EvalContext:
    """The world one evaluation sees, and the state it keeps while it runs."""

    cwd: str = ""
    project_dir: str = ""
    home: str = ""
    env: Mapping[str, str] = factory(dict)
    read_file: Callable[[str], str | None] = lambda _path: None  # the injected reader (absolute paths)
    problems: list[str] = factory(list)
    over_limit: str | None = None
    source: str = ""
    config: Mapping[str, Any] = factory(dict)
    unread: list[str] = factory(list)  # files a check needed but the reader refused (too large, unreadable)
    # Per-evaluation state (see the module docstring).
    memo: dict[Any, Any] = factory(dict)
    line_files: dict[str, str] = factory(dict)  # path -> text the line writes before a later command runs it
    # (command) -> [(rule, targets)] for every rule that matches a command reached through another one; set by
    # the engine, so checks never import it. None outside an evaluation: nested commands then match nothing.
    match_nested: Callable[[SimpleCommand], list[tuple[Any, list[str]]]] | None = None

    def resolve(self, path: str) -> str:
        """Absolute, normalised form of a path argument (tilde and $HOME expanded)."""
        key = (path, self.cwd, self.home)
        hit = _RESOLVED.get(key)
        if hit is None:
            if len(_RESOLVED) >= 4096:
                _RESOLVED.clear()
            hit = _RESOLVED[key] = self._resolve(path)
        return hit

    def _resolve(self, path: str) -> str:
        p = path
        if p == "~+" or p.startswith("~+/"):  # bash: `~+` is $PWD
            p = (self.cwd or "/") + p[2:]
        if p == "~" or p.startswith("~/"):
            p = (self.home or "/home/~") + p[1:]
        for var in ("$HOME", "${HOME}"):
            if p == var or p.startswith(var + "/"):
                p = (self.home or "/home/~") + p[len(var):]
        for var in ("$PWD", "${PWD}"):
            if p == var or p.startswith(var + "/"):
                p = (self.cwd or "/") + p[len(var):]
        if not p.startswith("/"):
            p = posixpath.join(self.cwd or "/", p)
        return posixpath.normpath(p)

    def read(self, path: str) -> str | None:
        """The text at `path` (relative to cwd) as a command later on the line would see it: what the line wrote
        there earlier, else the injected reader's answer."""
        if self.line_files:
            full = posixpath.normpath(path if path.startswith("/") else posixpath.join(self.cwd or "/", path))
            written = self.line_files.get(full)
            if written is not None:
                return None if written.startswith("\0") else written  # "\0...": written with unknown content
        return self.read_file(path)

    def read_text(self, path: str, limit: int = MAX_FILE_BYTES) -> str | None:
        """A file named on the command line, resolved against cwd, bounded; None when unreadable."""
        if not path or path.startswith("$") or path == "-":
            return None
        try:
            text = self.read(self.resolve(path))
            if text is None and not path.startswith("/"):
                text = self.read(path)
        except Exception:  # an injected reader failing is a missing file, never a crash
            return None
        return None if text is None else text[:limit]

    def nested_hits(self, cmd: SimpleCommand) -> list[tuple[Any, list[str]]]:
        """(rule, targets) for every rule that matches `cmd`, a command reached through another one (see
        `match_nested`); rules whose checks follow nested commands themselves are left out."""
        return self.match_nested(cmd) if self.match_nested is not None else []

    def memo_for(self, kind: str, cmd: SimpleCommand, compute: Callable[[SimpleCommand, EvalContext], Any]) -> Any:
        """compute(cmd, self), once per command object and evaluation: several rules ask the same question of one
        command (the entry keeps `cmd` alive, so its id names it while the memo lives)."""
        key = (kind, id(cmd))
        hit = self.memo.get(key)
        if hit is not None and hit[0] is cmd:
            return hit[1]
        value = compute(cmd, self)
        self.memo[key] = (cmd, value)
        return value

    def remember(self, kind: str, cmd: SimpleCommand, value: Any) -> None:
        """Store what memo_for(kind, cmd, ...) will answer (a caller that computed it already)."""
        self.memo[(kind, id(cmd))] = (cmd, value)


# resolve() is pure in (path, cwd, home) and checks ask it several times per path: memoised, bounded.
_RESOLVED: dict[tuple[str, str, str], str] = {}


def normalised_dir(path: str) -> str:
    """posixpath.normpath of a context directory (cwd, home, project: the same few strings on every call)."""
    hit = _NORMALISED.get(path)
    if hit is None:
        if len(_NORMALISED) >= 256:
            _NORMALISED.clear()
        hit = _NORMALISED[path] = posixpath.normpath(path)
    return hit


_NORMALISED: dict[str, str] = {}
