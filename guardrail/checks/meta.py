"""Checks on the command line as a whole: beyond the analysis limits, unparseable with destructive words, files a
check could not read."""

from __future__ import annotations

import re

from guardrail.model import EvalContext
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Mapping


def unread_input(cmd: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """Files the command runs or feeds in (SQL scripts, package.json, Makefiles) that were too large or
    unreadable to analyse: what they do is unknown, so this is not a pass."""
    return list(ctx.unread[:3])


def over_limit(cmd: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    return [ctx.over_limit] if ctx.over_limit else []


_RISKY_WORDS = re.compile(r"\b(rm|rmdir|dd|mkfs\S*|shred|wipefs|drop|truncate|delete|destroy|reset|purge|flush\S*|"
                          r"prune|clean|force|--force|-rf|-fr|eval|exec|base64|sh|bash|zsh|curl|wget)\b", re.I)


def unparseable_risky(cmd: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    if not ctx.problems:
        return []
    hit = _RISKY_WORDS.search(ctx.source.replace("'", "").replace('"', "").replace("\\", ""))
    return [f"{ctx.problems[0]}; it mentions `{hit.group(0)}`"] if hit else []
