"""Compiled rules and the matcher that runs them over actions.

Packs (TOML) are validated by `guardrail.packs` with pydantic at load time only; what reaches the
hot path are these plain, picklable records (guardrail.base.record).
"""

from __future__ import annotations

import fnmatch
import re

from guardrail.base.record import factory, record
from guardrail.model import SimpleCommand
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Callable, Mapping


# Options that take a value, per program, so their value is not read as a positional argument.
VALUE_OPTIONS: dict[str, frozenset[str]] = {
    "rsync": frozenset({"-e", "--rsh", "--rsync-path", "-f", "--filter", "--exclude", "--include",
                        "--exclude-from", "--include-from", "--files-from", "-B", "--block-size",
                        "--backup-dir", "--suffix", "-T", "--temp-dir", "--partial-dir", "--compare-dest",
                        "--copy-dest", "--link-dest", "--chmod", "--chown", "--usermap", "--groupmap",
                        "--timeout", "--contimeout", "--bwlimit", "--port", "--password-file", "--log-file",
                        "--log-file-format", "--out-format", "--max-size", "--min-size", "--max-delete",
                        "--modify-window", "--iconv", "--info", "--debug", "-M", "--remote-option",
                        "--skip-compress", "--sockopts", "--outbuf", "--write-batch", "--read-batch",
                        "--only-write-batch", "--checksum-choice", "--compress-choice", "--compress-level",
                        "--stop-after", "--stop-at", "--mkpath-mode"}),
    "git": frozenset({"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path", "--config-env"}),
    "kubectl": frozenset({"-n", "--namespace", "--context", "--cluster", "--kubeconfig", "-l", "--selector",
                          "-o", "--output", "-f", "--filename", "--user", "-c", "--container", "--field-selector",
                          "--grace-period", "--timeout", "-s", "--server"}),
    "helm": frozenset({"-n", "--namespace", "--kube-context", "--kubeconfig", "-f", "--values", "--timeout"}),
    "docker": frozenset({"-H", "--host", "--context", "-c", "--config", "-f", "--filter", "--format", "-p",
                         "--project-name", "--file", "--env-file", "--profile", "-l", "--log-level"}),
    "aws": frozenset({"--profile", "--region", "--output", "--endpoint-url", "--query", "--cli-input-json",
                      "--color", "--ca-bundle", "--cli-read-timeout", "--cli-connect-timeout"}),
    "gcloud": frozenset({"--project", "--region", "--zone", "--format", "--account", "--configuration",
                         "--verbosity", "--impersonate-service-account"}),
    "az": frozenset({"-g", "--resource-group", "--subscription", "-o", "--output", "--query", "-n", "--name"}),
    "psql": frozenset({"-h", "--host", "-p", "--port", "-U", "--username", "-d", "--dbname", "-v", "--set",
                       "--variable", "-P", "--pset", "-o", "--output", "-L", "--log-file", "-T", "-F", "-R"}),
    "mysql": frozenset({"-h", "--host", "-P", "--port", "-u", "--user", "-D", "--database", "-S", "--socket",
                        "--defaults-file", "--default-character-set"}),
    "terraform": frozenset(),
    "npm": frozenset({"-w", "--workspace", "--prefix", "-C"}),
    "pnpm": frozenset({"-C", "--dir", "-F", "--filter", "-w"}),
    "yarn": frozenset({"--cwd"}),
    "make": frozenset({"-C", "--directory", "-f", "--file", "--makefile", "-j", "--jobs", "-I", "-o", "-W"}),
}


def has_flag(args: tuple[str, ...] | list[str], spec: str) -> bool:
    """Whether an option is present; `-r` also matches a short cluster such as `-rf`.

    Three loops, one per kind of `spec`, so the per-argument work has no tests of `spec` (checks ask this several
    times per command); tests keep it equal to the single-loop form it replaced."""
    prefix = spec + "="
    if spec.startswith("--"):
        for a in args:
            if a == "--":
                return False
            if a == spec or a.startswith(prefix):
                return True
        return False
    if len(spec) == 2 and spec[0] == "-":
        letter = spec[1]
        for a in args:
            if a == "--":
                return False
            if a == spec:
                return True
            if len(a) <= 6 and a.startswith("-") and not a.startswith("--"):
                if letter in a and a[1:].isalpha():  # a short cluster: `-rf` holds `-r`
                    return True
            elif a.startswith(prefix):
                return True
        return False
    dashed = spec.startswith("-")
    for a in args:
        if a == "--":
            return False
        if a == spec or (dashed and a.startswith(prefix)):
            return True
    return False


def option_values(args: tuple[str, ...] | list[str], short: str, long: str) -> list[str]:
    """Every value of an option written `-x V`, `-xV`, `--long V` or `--long=V`, in order. Every word is read
    (a value that looks like the option is read as one too): commands found twice cost nothing, one missed may."""
    out = []
    prefix, n = long + "=", len(short)
    for i, a in enumerate(args):
        if (a == short or a == long) and i + 1 < len(args):
            out.append(args[i + 1])
        elif a.startswith(prefix):
            out.append(a[len(prefix):])
        elif a.startswith(short) and len(a) > n:
            out.append(a[n:])
    return out


def positionals(cmd: SimpleCommand) -> list[str]:
    """Arguments that are not options (nor values of known value-taking options)."""
    try:
        memo = cmd._positionals  # a SimpleCommand keeps them: many rules ask per command
    except AttributeError:  # another action type
        return _positionals(cmd)
    if memo is None:
        memo = tuple(_positionals(cmd))
        object.__setattr__(cmd, "_positionals", memo)
    return list(memo)  # a fresh list: callers may slice, compare or change it


def _positionals(cmd: SimpleCommand) -> list[str]:
    value_opts = VALUE_OPTIONS.get(cmd.name, frozenset())
    out: list[str] = []
    args = cmd.args
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            out.extend(args[i + 1:])
            break
        if a.startswith("-") and len(a) > 1:
            i += 2 if (a in value_opts and "=" not in a) else 1
            continue
        out.append(a)
        i += 1
    return out


@record(frozen=True)
class Match:
    """Conditions on one action; all present conditions must hold."""

    program: frozenset[str] = frozenset()
    subcommand: tuple[tuple[str, ...], ...] = ()
    flags_any: tuple[str, ...] = ()
    flags_all: tuple[tuple[str, ...], ...] = ()
    flags_none: tuple[str, ...] = ()
    args_any: tuple[str, ...] = ()  # fnmatch patterns on any argument
    args_none: tuple[str, ...] = ()
    args_regex: str | None = None  # searched in the arguments joined by spaces
    env_any: tuple[str, ...] = ()
    stdin_from_any: frozenset[str] = frozenset()
    check: str | None = None  # a named check in guardrail.checks
    check_args: tuple[tuple[str, Any], ...] = ()
    # non-Bash tools
    path_glob_any: tuple[str, ...] = ()
    content_regex: str | None = None
    tool_glob_any: tuple[str, ...] = ()


@record(frozen=True)
class RuleException:
    name: str
    reason: str
    when: Match


@record(frozen=True)
class CompiledRule:
    id: str  # "<pack>/<rule>"
    pack: str
    summary: str
    effect: str
    decision: str
    severity: str
    status: str
    if_requested: str | None
    tools: frozenset[str]
    message: str
    why: str
    match: Match
    exceptions: tuple[RuleException, ...] = ()
    aliases: tuple[str, ...] = ()


@record(frozen=True)
class RuleSet:
    rules: tuple[CompiledRule, ...]
    packs: tuple[tuple[str, str], ...] = ()  # (pack id, version+hash)
    by_tool: Mapping[str, tuple[CompiledRule, ...]] = factory(dict)
    problems: tuple[str, ...] = ()  # project packs and config left out because they are broken (file: error)

    # `derived`: what evaluations work out from the rules once (rules for a tool outside by_tool, the engine's
    # plan for Bash rules), kept with the rule set it belongs to; never pickled, compared or hashed.
    __derived__ = ("derived",)

    @staticmethod
    def __derive__(ruleset: RuleSet) -> tuple[dict[Any, Any]]:
        return ({},)

    def for_tool(self, tool: str) -> tuple[CompiledRule, ...]:
        hit = self.by_tool.get(tool)
        if hit is not None:
            return hit
        # tools outside the index (MCP tools, Glob, ...): filtered once per rule set and tool name
        key = ("tool", tool)
        rules = self.derived.get(key)
        if rules is None:
            rules = self.derived[key] = tuple(r for r in self.rules if _tool_matches(r.tools, tool))
        return rules


# Tools whose calls the rules of another tool judge: the PowerShell tool's commands meet the Bash rules (its model
# spells them as the shell model does).
SAME_RULES_AS = {"PowerShell": "Bash"}


def _tool_matches(tools: frozenset[str], tool: str) -> bool:
    if tool in SAME_RULES_AS and _tool_matches(tools, SAME_RULES_AS[tool]):
        return True
    if tool in tools or "*" in tools:
        return True
    return any(("*" in t or "?" in t) and fnmatch.fnmatchcase(tool, t) for t in tools)


def index_by_tool(rules: tuple[CompiledRule, ...]) -> dict[str, tuple[CompiledRule, ...]]:
    names = {t for r in rules for t in r.tools if "*" not in t and "?" not in t}
    names |= {"Bash", "PowerShell", "Write", "Edit", "MultiEdit", "NotebookEdit", "Read"}
    return {n: tuple(r for r in rules if _tool_matches(r.tools, n)) for n in names}


_REGEX_CACHE: dict[str, re.Pattern[str]] = {}


def cached_regex(pattern: str) -> re.Pattern[str]:
    """A rule's regular expression (case-insensitive, dot matches newline), compiled once."""
    rx = _REGEX_CACHE.get(pattern)
    if rx is None:
        rx = _REGEX_CACHE[pattern] = re.compile(pattern, re.I | re.S)
    return rx


_GLOB_CACHE: dict[tuple[str, ...], re.Pattern[str]] = {}


def any_glob(patterns: tuple[str, ...], words: tuple[str, ...] | list[str]) -> bool:
    """Whether some word matches some fnmatch pattern (case-sensitive, like fnmatchcase): one regex per pattern
    list, compiled once, instead of a cached-compile lookup per word and pattern."""
    rx = _GLOB_CACHE.get(patterns)
    if rx is None:
        rx = _GLOB_CACHE[patterns] = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))
    match = rx.match
    for w in words:
        if match(w) is not None:
            return True
    return False


def effect_selected(effect: str, args: Mapping[str, Any]) -> bool:
    """Whether a finding's effect is one a check's `args.effects` (fnmatch patterns) selects; all when unset."""
    pats = args.get("effects")
    return not pats or any_glob(tuple(pats), (effect,))


# A check returns the targets it found (non-empty = the rule fires) given the command and context.
if TYPE_CHECKING:
    CheckFn = Callable[[SimpleCommand, Any, Mapping[str, Any]], list[str]]


def match_command(m: Match, cmd: SimpleCommand, ctx: Any, checks: Mapping[str, CheckFn]) -> list[str] | None:
    """Targets when `m` matches the command, else None. An empty list means matched, no target."""
    if m.program and cmd.name not in m.program:
        return None
    args = cmd.args
    if m.subcommand:
        pos = positionals(cmd)
        if not any(tuple(pos[: len(alt)]) == alt for alt in m.subcommand):
            return None
    if m.flags_any and not any(has_flag(args, f) for f in m.flags_any):
        return None
    for group in m.flags_all:
        if not any(has_flag(args, f) for f in group):
            return None
    if m.flags_none and any(has_flag(args, f) for f in m.flags_none):
        return None
    if m.args_any and not any_glob(m.args_any, args):
        return None
    if m.args_none and any_glob(m.args_none, args):
        return None
    if m.args_regex is not None and not cached_regex(m.args_regex).search(" ".join(args)):
        return None
    if m.env_any and not any(k in m.env_any for k, _ in cmd.env):
        return None
    if m.stdin_from_any and cmd.stdin_from not in m.stdin_from_any:
        return None
    if m.check is not None:
        fn = checks.get(m.check)
        if fn is None:
            return None
        targets = fn(cmd, ctx, dict(m.check_args))
        return targets or None
    pos = positionals(cmd)
    return [pos[-1]] if pos else []


def match_file_write(m: Match, path: str, content: str) -> list[str] | None:
    """Match Write/Edit style actions: a file path and the text that will be written."""
    if m.program or m.subcommand or m.flags_any or m.check:
        return None
    if m.path_glob_any:
        base = path.rsplit("/", 1)[-1]
        if not any_glob(m.path_glob_any, (path, base)):
            return None
    if m.content_regex is not None and not cached_regex(m.content_regex).search(content):
        return None
    if not (m.path_glob_any or m.content_regex):
        return None
    return [path]
