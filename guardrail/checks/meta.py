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


# Characters no typed command needs: C0 controls except tab and newline (a carriage return only when a newline does
# not follow it: CRLF line endings are ordinary), DEL and C1 controls; and the invisible Unicode ones that make a
# line read differently from what runs: bidirectional embeddings, overrides and isolates (the "Trojan Source"
# characters), zero-width space, word joiner, byte order mark. (Zero-width joiners stay: emoji and Persian use them.)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2060\u2066-\u2069\ufeff]|\r(?!\n)")


_CONTROL_NAMES = {0: "a NUL byte", 8: "a backspace", 0x0b: "a vertical tab", 0x0c: "a form feed",
                  0x0d: "a carriage return", 0x1b: "an escape character", 0x7f: "a DEL character",
                  0x200b: "a zero-width space", 0x2060: "a word joiner", 0xfeff: "a byte order mark",
                  **dict.fromkeys((0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069),
                                  "a bidirectional text control")}


def control_bytes(cmd: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """The first control character of the line, named, with where it is: what runs after it depends on how the
    CLI hands the text to the shell (a NUL ends a C string; bash drops it), and a terminal shows escapes,
    backspaces and carriage returns as something other than what runs."""
    m = _CONTROL.search(ctx.source)
    if not m:
        return []
    code = ord(m.group(0))
    name = _CONTROL_NAMES.get(code, "a control character")
    count = len(_CONTROL.findall(ctx.source))
    more = f" ({count} control characters in all)" if count > 1 else ""
    spelled = f"0x{code:02x}" if code < 0x100 else f"U+{code:04X}"
    return [f"{name} ({spelled}) at character {m.start() + 1}{more}"]


def over_limit(cmd: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    return [ctx.over_limit] if ctx.over_limit else []


_RISKY_WORDS = re.compile(r"\b(rm|rmdir|dd|mkfs\S*|shred|wipefs|drop|truncate|delete|destroy|reset|purge|flush\S*|"
                          r"prune|clean|force|--force|-rf|-fr|eval|exec|base64|sh|bash|zsh|curl|wget)\b", re.I)


def unparseable_risky(cmd: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    if not ctx.problems:
        return []
    hit = _RISKY_WORDS.search(ctx.source.replace("'", "").replace('"', "").replace("\\", ""))
    return [f"{ctx.problems[0]}; it mentions `{hit.group(0)}`"] if hit else []
