"""The walk's limits and state for one command line."""

from __future__ import annotations

from guardrail.model import SimpleCommand
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any


MAX_SOURCE_CHARS = 100_000


MAX_DEPTH = 8  # nested shells / eval / wrappers


MAX_COMMANDS = 1_000


MAX_SECONDS = 0.5


# A for loop's body is walked once per literal value, up to this many body walks per command line (nested
# loops multiply); past it the call asks. No value is skipped: a dangerous 17th value must not hide.
MAX_LOOP_WALKS = 512


class OverBudget(Exception):
    """Raised inside the walk when a limit is hit; turned into CommandModel.over_limit."""


MAX_VALUE_CHARS = 100_000  # one variable's value


MAX_EXPANDED_CHARS = 2_000_000  # all variable values read while walking one line


class _Vars(dict):
    """The line's variables, bounded: `x=$x$x` repeated 18 times in a 4 kB line grew a value to hundreds of MB
    (and the walk past 1 s). A value past MAX_VALUE_CHARS, or reads past MAX_EXPANDED_CHARS in all, end the walk
    with a limit (the call asks) instead."""

    __slots__ = ("expanded",)

    def __init__(self) -> None:
        super().__init__()
        self.expanded = 0

    def __setitem__(self, key: str, value: str) -> None:
        if len(value) > MAX_VALUE_CHARS:
            raise OverBudget(f"a variable's value grows past {MAX_VALUE_CHARS:,} characters")
        dict.__setitem__(self, key, value)

    def __getitem__(self, key: str) -> str:
        value = dict.__getitem__(self, key)
        self.expanded += len(value)
        if self.expanded > MAX_EXPANDED_CHARS:
            raise OverBudget(f"variable expansions exceed {MAX_EXPANDED_CHARS:,} characters")
        return value


class WalkState:
    """The walk's state for one command line (a plain class: built for every parse, a record costs more)."""

    __slots__ = ("aliases", "calls_in_progress", "deadline", "dynamic_vars", "exec_stdin", "functions", "git_aliases",
                 "loop_walks", "namerefs", "out", "problems", "procsubs", "vars", "writers")

    def __init__(self, deadline: float = 0.0) -> None:
        self.vars: dict[str, str] = _Vars()
        self.dynamic_vars: set[str] = set()
        self.functions: dict[str, Any] = {}
        self.aliases: dict[str, str] = {}
        self.out: list[SimpleCommand] = []
        self.problems: list[str] = []
        self.deadline = deadline
        self.calls_in_progress: set[str] = set()
        self.git_aliases: dict[str, str] = {}  # `git config alias.X ...` earlier on the line
        self.loop_walks = 0  # extra loop-body walks so far (bounded: nested loops multiply)
        self.procsubs: dict[str, str] = {}  # known output of a `<(...)`, by the word the model gives it
        self.writers: dict[str, Any] = {}  # `>(...)` nodes, by the word the model gives them
        self.exec_stdin: str | None = None  # `exec <<< text`: what later commands read from stdin
        self.namerefs: dict[str, str] = {}  # `declare -n r=c`: r -> c


class Stdin:
    """What flows into a command's stdin."""

    __slots__ = ("file", "producer", "text")

    def __init__(self, text: str | None = None, file: str | None = None, producer: str | None = None) -> None:
        self.text, self.file, self.producer = text, file, producer
