"""Shell quoting of words that guardrail writes back into a command line it parses again."""

from __future__ import annotations

import re

_SAFE_WORD = re.compile(r"[\w@%+=:,./~-]+")


def shell_quote(word: str) -> str:
    """`word` as one shell word: as it is when it has no special characters, else single-quoted. A leading `~`
    stays unquoted, so the reparsed word still names the home directory."""
    if _SAFE_WORD.fullmatch(word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"
