"""Inline code: the code an interpreter command runs from its options or stdin (`python -c`, `node -e`, a heredoc).

Small on purpose: the SQL checks ask it on every interpreter command, and the code readers (langs, python, the
embedded-command collection) load only when a command carries code.
"""

from __future__ import annotations

import re

from guardrail.base.text import LazyRegex
from guardrail.base.vocab import INLINE_FLAGS, is_python
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from guardrail.model import EvalContext, SimpleCommand


# A string literal in code of any of the languages read (triple quotes, backticks, double and single quotes).
STRING_LITERAL = LazyRegex(r'"""(.*?)"""|\'\'\'(.*?)\'\'\'|`((?:[^`\\]|\\.)*)`|"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'', re.S)


def inline_code(cmd: SimpleCommand, ctx: EvalContext) -> str | None:
    """The code an interpreter command runs inline (`-c`, `-e`, heredoc on stdin), or None."""
    name = cmd.name
    if name not in INLINE_FLAGS and not is_python(name):
        return None
    flags = INLINE_FLAGS.get(name, ("-c",))
    a = list(cmd.args)
    if name == "uv":
        if a[:1] != ["run"]:
            return None
        a = a[1:]
        if a[:1] and a[0].startswith("python"):
            a = a[1:]
    if len(a) >= 2 and a[0].endswith("manage.py") and a[1] in ("shell", "shell_plus"):
        a, flags = a[2:], ("-c", "--command")  # Django's shell -c runs inline code with the app's database
    for i, x in enumerate(a):
        if x in flags and i + 1 < len(a):
            return a[i + 1]
        # a bundle that ends in the code flag: `perl -ne CODE`, `ruby -lpe CODE`, `python3 -Bc CODE`
        if len(x) > 2 and x[0] == "-" and x[1] != "-" and x[1:].isalpha() and "-" + x[-1] in flags and i + 1 < len(a):
            return a[i + 1]
        if not x.startswith("-"):
            break  # a script file: indirection reads it
    if cmd.stdin_text and (not a or a[0] == "-" or all(x.startswith("-") for x in a)):
        return cmd.stdin_text
    return None


def inline_flag(cmd: SimpleCommand) -> str:
    flags = INLINE_FLAGS.get(cmd.name, ("-c",))
    return next((a for a in cmd.args if a in flags or (len(a) > 2 and a[0] == "-" and a[1] != "-" and a[1:].isalpha()
                                                       and "-" + a[-1] in flags)), "<stdin>")
