"""The command model's entry point: a Bash command line becomes the simple commands that would run."""

from __future__ import annotations

import time

from guardrail.model import CommandModel
from guardrail.shell.state import MAX_DEPTH, MAX_SECONDS, MAX_SOURCE_CHARS, OverBudget, WalkState
from guardrail.shell.walker import parse_into


def parse_command(source: str, *, depth_limit: int = MAX_DEPTH) -> CommandModel:
    """Parse a Bash command line into the simple commands that would run."""
    if len(source) > MAX_SOURCE_CHARS:
        return CommandModel(source=source, over_limit=f"command is {len(source):,} characters (limit {MAX_SOURCE_CHARS:,})")
    ctx = WalkState(deadline=time.perf_counter() + MAX_SECONDS)
    over_limit = None
    try:
        parse_into(source, ctx, via=(), depth=0, depth_limit=depth_limit)
    except OverBudget as exc:
        over_limit = str(exc)
    except RecursionError:
        over_limit = "command nests too deeply to analyse"
    return CommandModel(source=source, commands=ctx.out, problems=ctx.problems, over_limit=over_limit)
