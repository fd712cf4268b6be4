"""Script following's shared pieces: limits, the Expansion result, a Step of resolution, and bounded file reads."""

from __future__ import annotations

import posixpath
import re

from guardrail.base.record import factory, record
from guardrail.model import SimpleCommand
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from guardrail.model import EvalContext


MAX_DEPTH = 5
MAX_SCRIPT_BYTES = 256_000
MAX_COMMANDS = 200

DESTRUCTIVE_NAME = re.compile(r"(?i)(^|[:_./-])(reset|drop|nuke|wipe|destroy|purge|flush|truncate|fresh|clean-?db|"
                               r"teardown|down|rollback|undo|delete|erase)([:_.-]|$)")


@record
class Expansion:
    commands: list[SimpleCommand] = factory(list)
    problems: list[str] = factory(list)
    unresolved: list[str] = factory(list)  # labels guardrail could not read


def read_script(ctx: EvalContext, path: str) -> str | None:
    """A script's text as the command that runs it would see it (written earlier on the line, else on disk),
    bounded; None when it cannot be read."""
    try:
        text = ctx.read(path)
    except Exception:  # the reader is injected; a failure is a missing file, not a crash
        return None
    if text is None:
        return None
    return text[:MAX_SCRIPT_BYTES]


@record(frozen=True)
class Step:
    label: str  # how the chain shows it: "npm run db:reset", "make reset", "./scripts/wipe.sh"
    key: str  # identity for cycle detection
    script: str  # shell text, or code for `lang`
    cwd: str  # where the script runs
    lang: str = "sh"  # "sh" or an interpreter name ("python", "node", ...)


UNKNOWN = "\0unknown"  # a file the line writes with content guardrail cannot know (`gen > run.sh`)


def written_by(ctx: EvalContext, path: str) -> str:
    """The downloader that wrote `path` earlier on the line (`curl -o`), or ""."""
    text = ctx.line_files.get(posixpath.normpath(path)) or ""
    return text[len("\0download:"):] if text.startswith("\0download:") else ""
