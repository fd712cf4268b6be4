"""Commands a tool runs on the agent's behalf: git's command-valued config and `submodule foreach`/`bisect run`
arguments, SQL clients' escapes to the system (`\\!`, `system`, `.shell`) and COPY ... PROGRAM, judged by the rules
that would stop them typed."""

from __future__ import annotations

from guardrail.base.text import LazyRegex
from guardrail.base.vocab import SQL_CLIENTS
from guardrail.checks.git import GIT_TRANSPORT, git_run_commands
from guardrail.model import EvalContext, SimpleCommand
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Mapping


# Client escapes to the operating system: psql/mysql `\! cmd`, mysql `system cmd`, sqlite `.shell`/`.system`,
# and output piped to a command (psql `\o |cmd`, `\g |cmd`; sqlite `.output |cmd`, `.once |cmd`).
_SQL_SHELL = LazyRegex(r"(?im)(?:^|;)\s*(?:\\!|system\s|\.(?:shell|system)\s|\\[og]\s*\||"
                        r"\.(?:output|once)\s+(?:-\w+\s+)*\|)\s*(.+?)\s*$")


_GIT_SUBS_RUNNING = frozenset({"submodule", "bisect", "rebase", "config", *GIT_TRANSPORT})


# Server- and client-side COPY to or from a program (psql `\copy ... program 'cmd'` runs it locally).
_COPY_PROGRAM = LazyRegex(r"(?i)\b(?:TO|FROM)\s+PROGRAM\s+'((?:[^']|'')*)'")


def runs_command(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """Shell commands a tool runs on the agent's behalf (git command-valued config and `foreach`/`exec`/`run`
    arguments; database clients' `\\!`, `system`, `.shell` escapes) that another rule would stop.
    `args.decision` selects which inner findings count."""
    if cmd.name == "git":
        if not cmd.env and "-c" not in cmd.args and not any(
                a in _GIT_SUBS_RUNNING for a in cmd.args):
            return []
        lines = git_run_commands(cmd)
    elif cmd.name in SQL_CLIENTS:
        from guardrail.checks.sql import all_sql_payloads

        lines = []
        for _origin, text in all_sql_payloads(cmd, ctx):
            if "!" in text or "system" in text.lower() or "shell" in text or "|" in text:
                lines += [m.group(1) for m in _SQL_SHELL.finditer(text)]
            if "rogram" in text or "ROGRAM" in text:
                lines += [m.group(1).replace("''", "'") for m in _COPY_PROGRAM.finditer(text)]
    else:
        return []
    if not lines:
        return []
    from guardrail.base.record import replace
    from guardrail.shell.parse import parse_command

    want = args.get("decision")
    out = []
    for line in lines[:10]:
        for inner in parse_command(line).commands[:20]:
            inner = replace(inner, via=cmd.via + (cmd.name,) + inner.via)
            for rule, _targets in ctx.nested_hits(inner):
                if want and rule.decision != want:
                    continue
                out.append(f"{cmd.name} runs `{' '.join(inner.argv)[:100]}` [{rule.id}: {rule.summary}]")
    return list(dict.fromkeys(out))
