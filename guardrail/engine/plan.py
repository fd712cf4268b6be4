"""Which Bash rules can concern a simple command, worked out once per rule set: most commands touch few rules.

Rules are indexed by program, and within a program by the first positional word when every rule of the program
names its subcommand (`git reset`, `kubectl delete`). The candidates of a command come as runs sharing a guard,
so one refusal skips a whole run (the five autorun rules share one). The plan lives on the rule set
(`RuleSet.derived`), built on first use and kept as long as the rule set is.
"""

from __future__ import annotations

from guardrail.base.record import record
from guardrail.checks.registry import CHECKS, LINE
from guardrail.rules import match_command, positionals
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any

    from guardrail.context import EvalContext
    from guardrail.model import SimpleCommand
    from guardrail.rules import CompiledRule, Match, RuleSet


# One candidate rule: (rule index, rule, the match is its check alone, the check's arguments, the check or None).
Entry = tuple  # (int, CompiledRule, bool, dict[str, Any], Check | None)
Runs = tuple  # ((guard or None, (Entry, ...)), ...)


@record(frozen=True)
class BashPlan:
    rules: tuple[CompiledRule, ...]
    by_program: dict[str, tuple[int, ...]]  # program -> rule indexes (its rules + program-less ones), rule order
    any_program: tuple[int, ...]  # rules without a program condition
    line_level: tuple[int, ...]  # rules whose check judges the whole line
    # program -> (first word -> runs, runs for any other first word) or (None, runs); filled on first use
    runs: dict[str, tuple[dict[str, Runs] | None, Runs]]

    __derived__ = ("line_entries",)

    @staticmethod
    def __derive__(plan: BashPlan) -> tuple[tuple[Entry, ...]]:
        return (tuple(entry(plan.rules, i) for i in plan.line_level),)


def bash_plan(ruleset: RuleSet, only_rule: str | None = None) -> BashPlan:
    """The plan for the rule set's Bash rules, or for one of them alone (built once per rule set)."""
    key = ("bash-plan", only_rule)
    plan = ruleset.derived.get(key)
    if plan is None:
        rules = ruleset.for_tool("Bash")
        if only_rule is not None:
            rules = tuple(r for r in rules if r.id == only_rule)
        plan = ruleset.derived[key] = _build(rules)
    return plan


def _build(rules: tuple[CompiledRule, ...]) -> BashPlan:
    line_level, any_program, named = [], [], {}  # type: ignore[var-annotated]
    for i, r in enumerate(rules):
        m = r.match
        if m.check is not None and CHECKS[m.check].spec.level == LINE:
            line_level.append(i)
        elif m.path_glob_any or m.content_regex or m.tool_glob_any:
            continue  # file and tool rules never judge a shell command
        elif m.program:
            for p in m.program:
                named.setdefault(p, []).append(i)
        else:
            any_program.append(i)
    by_program = {p: tuple(sorted(set(ix) | set(any_program))) for p, ix in named.items()}
    return BashPlan(rules, by_program, tuple(any_program), tuple(line_level), {})


def _word_index(rules: tuple[CompiledRule, ...], indexes: tuple[int, ...]) -> tuple[dict[str, tuple[int, ...]], tuple[int, ...]] | None:
    """Rules whose every subcommand alternative names a first word can only match a command whose first
    positional is one of those words (match_command compares the leading positionals exactly)."""
    restricted = {}
    for i in indexes:
        sub = rules[i].match.subcommand
        if sub and all(sub):
            restricted[i] = frozenset(alt[0] for alt in sub)
    if not restricted:
        return None
    words = frozenset().union(*restricted.values())
    rest = tuple(i for i in indexes if i not in restricted)
    return {w: tuple(i for i in indexes if i not in restricted or w in restricted[i]) for w in words}, rest


def entry(rules: tuple[CompiledRule, ...], i: int) -> Entry:
    m = rules[i].match
    check_only = m.check is not None and not (
        m.subcommand or m.flags_any or m.flags_all or m.flags_none or m.args_any or m.args_none
        or m.args_regex is not None or m.env_any or m.stdin_from_any)
    return (i, rules[i], check_only, dict(m.check_args), CHECKS[m.check] if m.check is not None else None)


def _runs(rules: tuple[CompiledRule, ...], indexes: tuple[int, ...]) -> Runs:
    """The candidates as runs sharing a guard, in rule order: ((guard, (entry, ...)), ...)."""
    runs: list[tuple[Any, list[Entry]]] = []
    for i in indexes:
        e = entry(rules, i)
        guard = e[4].guard if e[4] is not None else None
        if not runs or runs[-1][0] is not guard:
            runs.append((guard, []))
        runs[-1][1].append(e)
    return tuple((guard, tuple(run)) for guard, run in runs)


def runs_for(plan: BashPlan, cmd: SimpleCommand) -> Runs:
    """The runs of rules that can match `cmd` alone (match_command gives None for every other command rule)."""
    hit = plan.runs.get(cmd.name)
    if hit is None:
        indexes = plan.by_program.get(cmd.name)
        words = _word_index(plan.rules, indexes) if indexes is not None else None
        if words is None:
            hit = (None, _runs(plan.rules, indexes if indexes is not None else plan.any_program))
        else:
            hit = ({w: _runs(plan.rules, ix) for w, ix in words[0].items()}, _runs(plan.rules, words[1]))
        plan.runs[cmd.name] = hit
    by_word, rest = hit
    if by_word is None:
        return rest
    pos = positionals(cmd)
    return by_word.get(pos[0], rest) if pos else rest


def nested_hits(plan: BashPlan, cmd: SimpleCommand, ctx: EvalContext) -> list[tuple[Any, list[str]]]:
    """(rule, targets) for every Bash rule that matches `cmd`, a command reached through another one (a script,
    inline code, a planted file): the stable deny/ask rules, without those whose checks follow nested commands
    themselves."""
    out = []
    # line-level checks that nest (unread-input: files a check could not read) judge reached commands too
    for _guard, run in (*runs_for(plan, cmd), (None, plan.line_entries)):
        for _i, rule, _check_only, _args, check in run:
            if check is not None and not check.spec.nests:
                continue
            m: Match = rule.match
            if rule.decision == "allow" or rule.decision == "log" or rule.status != "stable":
                continue
            targets = match_command(m, cmd, ctx, CHECKS)
            if targets is None:
                continue
            if any(match_command(e.when, cmd, ctx, CHECKS) is not None for e in rule.exceptions):
                continue
            out.append((rule, targets))
    return out
