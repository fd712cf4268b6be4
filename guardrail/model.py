"""The records every layer shares: commands and tool calls, findings and verdicts, and the evaluation context.

Records only (guardrail.base.record: no pydantic, no dataclasses): these are built on the hot path of every hook
call.

The EvalContext is what checks and script following may know during one evaluation: paths, environment, config,
files, and the state the evaluation builds up as it goes. One is made per evaluated tool call (by
guardrail.service, or a test's fake layout), so everything an evaluation memoises or learns lives on it and dies
with it: the memo of per-command answers several rules ask for, the files the line writes before a later command
reads them, and the engine's matcher for nested commands. Files are read only through `EvalContext.read` (the
injected, bounded `read_file`, after the line's own writes).
"""

from __future__ import annotations

import functools
import posixpath

from guardrail.base.record import factory, record
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Callable, Literal, Mapping

if TYPE_CHECKING:
    Decision = Literal["allow", "deny", "ask"]
    # "log" findings are recorded in the audit trail but never decide anything.
    RuleDecision = Literal["allow", "deny", "ask", "log"]
    Severity = Literal["critical", "high", "medium", "low", "info"]
    Environment = Literal["prod", "staging", "dev", "local", "unknown"]

# Strictness order used to combine findings: deny > ask > allow > log.
STRICTNESS: dict[str, int] = {"log": 0, "allow": 1, "ask": 2, "deny": 3}

# The shared effect vocabulary: rules declare one, intent grants and prohibitions name them.
EFFECTS: dict[str, str] = {
    "files.delete": "recursive or broad deletion of files",
    "files.overwrite": "overwriting files that hold data or configuration",
    "disk.destroy": "wiping or reformatting a block device",
    "perms.broaden": "making files world-writable or changing ownership broadly",
    "git.discard_local": "discarding uncommitted or unpushed git work",
    "git.rewrite_shared": "rewriting history others share (force pushes, filter-repo)",
    "git.delete_ref": "deleting branches, tags or stashes",
    "data.drop": "dropping a database, schema, table or collection",
    "data.truncate": "emptying tables",
    "data.delete_rows": "deleting or updating every row",
    "data.reset": "resetting a database through an ORM or migration tool",
    "data.alter": "removing columns, constraints or privileges",
    "infra.destroy": "destroying cloud, Kubernetes or container resources",
    "exec.unresolved": "running code guardrail cannot see",
    "exec.remote_code": "running code downloaded from the network",
    "guard.tamper": "changing guardrail's own configuration, rules or hook registration",
    "secrets.exposure": "exposing credentials",
}


@record(frozen=True)
class Redirect:
    """One redirection: `op` is the operator as written (`>`, `>>`, `<`, `2>`, `&>`, `<<`, `<<<`)."""

    op: str
    target: str


@record(frozen=True)
class SimpleCommand:
    """One simple command that would run, after quote removal and wrapper unwrapping.

    `via` names the wrappers and nestings it was found through, outermost first
    (for example ("sudo", "bash -c")). `dynamic` is True when some word came from an expansion
    guardrail could not resolve (an unset variable, a command substitution's output).
    `stdin_text` is literal text that reaches the command's stdin (heredoc body, here-string, or
    the output of `echo`/`printf` piped into it); `stdin_file` a file redirected or `cat`-ed into it.
    """

    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()
    redirects: tuple[Redirect, ...] = ()
    stdin_text: str | None = None
    stdin_file: str | None = None
    stdin_from: str | None = None  # program whose output is piped into this one (`curl ... | sh`)
    via: tuple[str, ...] = ()
    dynamic: bool = False
    text: str = ""
    cwd: str | None = None  # where a script's own `cd` moved it (script following sets it); None: the line's

    # Read by every rule for every command: computed once per command, not per access.
    # name: the program name, basename of argv[0] with a leading backslash removed; args: argv[1:];
    # _positionals: memo for rules.positionals, _words_environment: memo for environment.command_environment's
    # reading of the command's own words (None until first asked).
    __derived__ = ("name", "args", "_positionals", "_words_environment")

    @staticmethod
    def __derive__(cmd: SimpleCommand) -> tuple[str, tuple[str, ...], None, None]:
        argv = cmd.argv
        return (argv[0].lstrip("\\").rsplit("/", 1)[-1] if argv else ""), argv[1:], None, None


@record
class CommandModel:
    """Everything a Bash command line would run. `problems` lists what could not be resolved."""

    source: str
    commands: list[SimpleCommand] = factory(list)
    problems: list[str] = factory(list)
    over_limit: str | None = None


@record(frozen=True)
class FileWrite:
    """A Write/Edit-style action, as the file checks see it: the file and the text that will be in it."""

    path: str
    content: str
    tool: str
    old: str = ""  # for Edit/MultiEdit: the text the edit replaces (what a change removes)


@record(frozen=True)
class ToolCall:
    """A proposed tool call as the engine sees it (built by hookio from the wire payload)."""

    tool_name: str
    tool_input: dict[str, Any]
    cwd: str = ""
    session_id: str = ""
    tool_use_id: str = ""
    permission_mode: str = ""
    project_dir: str = ""


@record(frozen=True)
class Finding:
    """One rule that matched one action."""

    rule_id: str  # "<pack>/<rule>"
    effect: str
    decision: RuleDecision
    severity: Severity
    message: str
    target: str = ""
    environment: Environment = "unknown"
    command: str = ""
    chain: tuple[str, ...] = ()
    status: Literal["stable", "preview"] = "stable"
    if_requested: RuleDecision | None = None


@record
class Verdict:
    """The engine's answer for one call. `decision` None = no opinion (no output to Claude Code)."""

    decision: Decision | None
    reason: str = ""  # what Claude Code shows: verdict, rule and next step first, at most decide.MAX_REASON chars
    findings: list[Finding] = factory(list)
    intent: dict[str, Any] | None = None
    explanation: str = ""  # the whole story (every note, every rule): the audit record and `check --explain`

    @property
    def rule_ids(self) -> list[str]:
        return [f.rule_id for f in self.findings]


@record(frozen=True)
class RepoStatus:
    """What `git status` said of a work tree (paths relative to `root`), or why it could not say (`error`: judged
    as at risk by the checks that asked)."""

    root: str
    changed: tuple[str, ...] = ()  # tracked, with uncommitted changes (staged or not)
    untracked: tuple[str, ...] = ()  # untracked and not ignored (a directory is one entry, `dir/`)
    ignored: tuple[str, ...] = ()  # ignored (a directory is one entry)
    error: str = ""


# --------------------------------------------------------------------------- the evaluation context

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
    commands: list[SimpleCommand] = factory(list)  # the Bash line's commands, typed then reached (line-level checks)
    # (command) -> [(rule, targets)] for every rule that matches a command reached through another one; set by
    # the engine, so checks never import it. None outside an evaluation: nested commands then match nothing.
    match_nested: Callable[[SimpleCommand], list[tuple[Any, list[str]]]] | None = None
    # The machine's state for checks that judge recoverability (guardrail.world.MachineWorld's methods), or None
    # where nobody can look (replay, rule tests): those checks then judge by location alone.
    world: Any = None

    def resolve(self, path: str) -> str:
        """Absolute, normalised form of a path argument (tilde and $HOME expanded)."""
        return _resolved(path, self.cwd, self.home)

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
@functools.lru_cache(maxsize=4096)
def _resolved(path: str, cwd: str, home: str) -> str:
    p = path
    if p == "~+" or p.startswith("~+/"):  # bash: `~+` is $PWD
        p = (cwd or "/") + p[2:]
    if p == "~" or p.startswith("~/"):
        p = (home or "/home/~") + p[1:]
    for var in ("$HOME", "${HOME}"):
        if p == var or p.startswith(var + "/"):
            p = (home or "/home/~") + p[len(var):]
    for var in ("$PWD", "${PWD}"):
        if p == var or p.startswith(var + "/"):
            p = (cwd or "/") + p[len(var):]
    if not p.startswith("/"):
        p = posixpath.join(cwd or "/", p)
    return posixpath.normpath(p)


# posixpath.normpath of a context directory (cwd, home, project: the same few strings on every call)
normalised_dir = functools.lru_cache(maxsize=256)(posixpath.normpath)
