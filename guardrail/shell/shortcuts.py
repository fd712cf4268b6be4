"""Verified shortcuts that build the command model of plain lines without tree-sitter (property-tested against the
full walk)."""

from __future__ import annotations

import re


ABOVE_PLANE_2 = re.compile("[\U00030000-\U0010FFFF]")


# A line of plain words (these characters only, single spaces, no reserved or declaration word, a program
# name of word characters first) is one simple command whose argv is exactly its words: built directly, it skips
# tree-sitter and the walk (most real command lines are like this). tree-sitter reads some such lines otherwise
# (`a@b`, `==`, a leading `-`), so the rule is narrow: both paths gave identical models for 170,000 such lines
# (corpus, pack tests and random words, wrappers included).
_PLAIN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:,=+- ")


_PLAIN_HEAD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-")


_NOT_PLAIN_WORDS = frozenset({
    "if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until", "do", "done", "in",
    "function", "time", "coproc", "declare", "typeset", "export", "readonly", "local", "unset", "unsetenv", "let",
})


def plain_words(source: str) -> list[str] | None:
    if not source or source[0] in " -" or source[-1] == " " or "  " in source or "==" in source\
            or " =" in source or not _PLAIN_CHARS.issuperset(source):
        return None
    words = source.split(" ")
    if not _PLAIN_HEAD.issuperset(words[0]) or not _NOT_PLAIN_WORDS.isdisjoint(words):
        return None
    return words


# The second, wider shortcut: plain lines whose words may also be `~`/glob words or whole quoted words
# (`'...'`; `"..."` without `$`, backquote, backslash, `!` or control characters), as simple commands joined by
# ` && `, ` || `, `; ` or ` | `. Whole words only (`a'b'` is a concatenation: left to tree-sitter); a program
# name as in plain_words. Quote removal there is only stripping the quotes. Verified like plain_words, on
# the same inputs plus random lines of these pieces and their near misses (tests/test_shell_speedpaths.py).
_SEQ_WORD = r"""(?:[A-Za-z0-9_./:,=+~*?-]+|'[^'\x00-\x08\x0b-\x1f\x7f]*'|"[^"$`\\!\x00-\x1f\x7f]*")"""


_SEQ_PATTERNS = (
    # the line: commands, each followed by a separator and more, or by the end
    (rf"(?:[A-Za-z0-9_./][A-Za-z0-9_./-]*(?: {_SEQ_WORD})*(?:(?: && | \|\| |; | \| )(?=.)|\Z))+", re.DOTALL),
    (r"""'[^']*'|"[^"]*"|&&|\|\||[;|]|[^ '";|&]+""", 0),  # its tokens
    (r" ?(&&|\|\||[;|]) ", 0),  # its separators, when it has no quotes
)


_SEPARATORS = frozenset({"&&", "||", ";", "|"})


_seq_compiled: tuple[re.Pattern[str], ...] = ()  # compiled on first use: plain-word lines never pay for it


def plain_sequence(source: str) -> list[list[tuple[str, list[str]]]] | None:
    """The pipelines of a line the wider shortcut takes, each a list of (command text, words); else None."""
    global _seq_compiled
    if not _seq_compiled:
        _seq_compiled = tuple(re.compile(p, f) for p, f in _SEQ_PATTERNS)
    line, token, separator = _seq_compiled
    if not line.fullmatch(source) or (not source.isascii() and not _plain_unicode(source)):
        return None
    if "'" in source or '"' in source:
        # (text, words, separator after it) per command, from the tokens: quotes can hold separators
        commands: list[tuple[str, list[str], str]] = []
        raw: list[str] = []
        for tok in token.findall(source):
            if tok in _SEPARATORS:
                commands.append((" ".join(raw), [t[1:-1] if t[0] in "'\"" else t for t in raw], tok))
                raw = []
            elif tok[0] == "=":
                return None  # as below
            else:
                raw.append(tok)
        commands.append((" ".join(raw), [t[1:-1] if t[0] in "'\"" else t for t in raw], ""))
    else:
        if " =" in source:
            return None  # a word starting with `=` (`==` drops out): tree-sitter reads it otherwise
        pieces = separator.split(source)
        pieces.append("")
        commands = [(pieces[i], pieces[i].split(" "), pieces[i + 1]) for i in range(0, len(pieces) - 1, 2)]
    pipelines: list[list[tuple[str, list[str]]]] = []
    stages: list[tuple[str, list[str]]] = []
    for text, words, sep in commands:
        if not _NOT_PLAIN_WORDS.isdisjoint(words):
            return None  # reserved and declaration words (quoted ones too: harmless)
        stages.append((text, words))
        if sep != "|":
            pipelines.append(stages)
            stages = []
    return pipelines


def _plain_unicode(source: str) -> bool:
    """No lone surrogates (the walk sees them as U+FFFD) and nothing _parse_tree replaces."""
    try:
        source.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not ABOVE_PLANE_2.search(source)
