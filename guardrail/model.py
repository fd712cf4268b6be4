"""Plain data types shared by the parser, the engine, intent, the hook and the CLI.

Records only (guardrail.base.record: no pydantic, no dataclasses): these are built on the hot path of every hook
call.
"""

from __future__ import annotations

from guardrail.base.record import factory, record
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Literal

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
    reason: str = ""
    findings: list[Finding] = factory(list)
    intent: dict[str, Any] | None = None

    @property
    def rule_ids(self) -> list[str]:
        return [f.rule_id for f in self.findings]
