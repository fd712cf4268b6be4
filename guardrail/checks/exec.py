"""Checks for code guardrail cannot see: program names from expansions it cannot resolve, downloads piped into a
shell or interpreter."""

from __future__ import annotations

import re

from guardrail.base.text import LazyRegex
from guardrail.base.vocab import DOWNLOADERS
from guardrail.model import EvalContext, SimpleCommand
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Mapping


_DESTRUCTIVE_ARGS = re.compile(r"^(-[a-zA-Z]*[rRfF][a-zA-Z]*|--force|--recursive|--hard|drop|delete|destroy|"
                               r"reset|purge|truncate|wipe|rm|/|~|\*)$", re.I)


def dynamic_program(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """The program name comes from an expansion guardrail cannot resolve, with destructive-looking arguments."""
    head = cmd.argv[0] if cmd.argv else ""
    if not (head.startswith("$") or head.startswith("$(")):
        return []
    if any(_DESTRUCTIVE_ARGS.match(a) for a in cmd.args):
        return [head]
    return []


# `$(curl ...)` as a script operand: the download is the script (compiled on first use)
_DOWNLOAD_SUBST = LazyRegex(r"^\$\(\s*(" + "|".join(sorted(map(re.escape, DOWNLOADERS))) + r")\s")


def remote_code(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """A shell or interpreter reading a download from a pipe, or as its script (`source <(curl ...)`)."""
    if cmd.stdin_from in DOWNLOADERS:
        return [f"output of {cmd.stdin_from}"]
    script = next((a for a in cmd.args if not a.startswith("-")), "")
    m = _DOWNLOAD_SUBST.match(script)
    return [f"output of {m.group(1)} as the script"] if m else []
