"""Word text: quote removal, escapes, ANSI-C strings and brace expansion."""

from __future__ import annotations

import re


_UNQUOTED_ESCAPE = re.compile(r"\\(.)", re.S)


def unescape_unquoted(s: str) -> str:
    if "\\" not in s:
        return s
    return _UNQUOTED_ESCAPE.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), s)


_DOUBLE_ESCAPE = re.compile(r'\\([$`"\\\n])')


def unescape_double(s: str) -> str:
    if "\\" not in s:
        return s
    return _DOUBLE_ESCAPE.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), s)


_ANSI = re.compile(r"\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|c.|.)", re.S)


_ANSI_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b",
                "f": "\f", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


def ansi_c(s: str) -> str:
    def sub(m: re.Match[str]) -> str:
        e = m.group(1)
        if e[0] in "xuU":
            try:
                return chr(int(e[1:], 16))
            except ValueError:
                return m.group(0)
        if e[0] in "01234567":
            return chr(int(e, 8) & 0xFF)
        return _ANSI_SIMPLE.get(e, "\\" + e)

    return _ANSI.sub(sub, s)


def expand_braces(word: str, limit: int = 64) -> list[str]:
    """Bash brace expansion for `{a,b}` lists (not sequences), bounded."""
    m = re.search(r"\{([^{}]*,[^{}]*)\}", word)
    if not m:
        return [word]
    head, tail = word[: m.start()], word[m.end():]
    out: list[str] = []
    for alt in m.group(1).split(","):
        for rest in expand_braces(head + alt + tail, limit):
            out.append(rest)
            if len(out) >= limit:
                return out
    return out
