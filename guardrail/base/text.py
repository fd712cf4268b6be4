"""Text helpers every layer uses: regular expressions compiled on first use, and shell quoting.

The hook imports a module's patterns on every call that loads the module, and most calls never reach most
patterns: compiling them all at import cost milliseconds. A LazyRegex compiles on its first method call and
then stores the bound method (`rx.search`) on itself, so later calls cost one attribute lookup.
"""

from __future__ import annotations

import re
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any


class LazyRegex:
    """`re.compile(pattern, flags)`, deferred: use it like the compiled pattern (`.search`, `.sub`, `.pattern`)."""

    __slots__ = ("pattern_source", "flags_given", "_rx", "__dict__")

    def __init__(self, pattern: str | bytes, flags: int = 0) -> None:
        self.pattern_source, self.flags_given, self._rx = pattern, flags, None

    def __getattr__(self, name: str) -> Any:
        if self._rx is None:
            self._rx = re.compile(self.pattern_source, self.flags_given)
        value = getattr(self._rx, name)
        self.__dict__[name] = value  # kept: later `rx.search` finds it without a call to __getattr__
        return value


# Quoting words that guardrail writes back into a command line it parses again.
_SAFE_WORD = LazyRegex(r"[\w@%+=:,./~-]+")


def shell_quote(word: str) -> str:
    """`word` as one shell word: as it is when it has no special characters, else single-quoted. A leading `~`
    stays unquoted, so the reparsed word still names the home directory."""
    if _SAFE_WORD.fullmatch(word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"
