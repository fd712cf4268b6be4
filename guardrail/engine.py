"""The engine: a tool call and the rules in, the findings out; with intent and the mode, one verdict.

Pure: no I/O of its own (files are read through `EvalContext.read`), so the hook, `guardrail check`, `guardrail
test` and replay (through guardrail.service) and unit tests all call `evaluate` and get the same answer.

Which Bash rules can concern a simple command is worked out once per rule set (the plan, kept on the rule set):
rules are indexed by program, and within a program by the first positional word when every rule of the program
names its subcommand (`git reset`, `kubectl delete`). A command's candidates come as runs sharing a guard, so one
refusal skips a whole run (the five autorun rules share one).
"""

from __future__ import annotations

import re
import sys

from guardrail.base.record import record, replace
from guardrail.base.vocab import CD_BUILTINS, FILE_WRITERS
from guardrail.checks.registry import CHECKS, LINE, may_run_scripts
from guardrail.model import CommandModel, EvalContext, FileWrite, Finding, SimpleCommand, ToolCall, Verdict
from guardrail.rules import any_glob, cached_regex, match_command, match_file_write, positionals
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any

    from guardrail.rules import CompiledRule, Match, RuleSet


FILE_TOOLS = frozenset({"Write", "Edit", "MultiEdit", "NotebookEdit"})


# Shell tools: their command becomes simple commands that the Bash rules judge (Windows' shell tool is PowerShell).
SHELL_TOOLS = frozenset({"Bash", "PowerShell"})


def bash_model(call: ToolCall) -> CommandModel | None:
    command = call.tool_input.get("command")
    if not isinstance(command, str):
        return None
    parse = sys.modules.get("guardrail.shell.parse")
    if parse is None:  # tree-sitter only when a Bash call needs it (an import statement here would cost each call)
        from guardrail.shell import parse
    if call.tool_name == "PowerShell":
        return parse.parse_powershell(command)
    return parse.parse_command(command)


def file_actions(call: ToolCall) -> list[FileWrite]:
    ti = call.tool_input
    path = ti.get("file_path") or ti.get("notebook_path") or ""
    if not isinstance(path, str):
        path = str(path)
    if call.tool_name == "Write":
        return [FileWrite(path, str(ti.get("content", "")), "Write")]
    if call.tool_name == "Edit":
        return [FileWrite(path, str(ti.get("new_string", "")), "Edit", str(ti.get("old_string", "")))]
    if call.tool_name == "MultiEdit":
        edits = ti.get("edits") or []
        text = "\n".join(str(e.get("new_string", "")) for e in edits if isinstance(e, dict))
        old = "\n".join(str(e.get("old_string", "")) for e in edits if isinstance(e, dict))
        return [FileWrite(path, text, "MultiEdit", old)]
    if call.tool_name == "NotebookEdit":
        return [FileWrite(path, str(ti.get("new_source", "")), "NotebookEdit")]
    return []


def evaluate(
    call: ToolCall,
    ruleset: RuleSet,
    ctx: EvalContext | None = None,
    *,
    intent: Any = None,
    non_interactive: bool = False,
    only_rule: str | None = None,
) -> Verdict:
    """Decide one tool call. `intent` is a guardrail.intent.model.Intent or None (no intent known); `only_rule`
    keeps one rule's findings (a pack's inline test judges its rule alone)."""
    ctx = ctx or EvalContext(cwd=call.cwd, project_dir=call.project_dir)
    rules = ruleset.for_tool("Bash" if call.tool_name == "PowerShell" else call.tool_name)
    if only_rule is not None:
        alone = tuple(r for r in rules if r.id == only_rule)
        if alone and alone[0].match.check is not None and CHECKS[alone[0].match.check].spec.after_others:
            # This rule judges what the other rules' checks could not read: run them all, keep its findings.
            full = evaluate(call, ruleset, ctx, non_interactive=non_interactive)
            from guardrail.decide import decide

            return decide([f for f in full.findings if f.rule_id == only_rule], intent=intent,
                          non_interactive=non_interactive)
        rules = alone
    if not rules:
        return Verdict(decision=None)
    # Checks that follow nested commands (scripts, inline code, planted files) match them through this, against
    # every Bash rule of the rule set, whatever tool is being judged.
    # Built on first use: a file write or another tool's call needs it only when a check reaches a command.
    ctx.match_nested = lambda cmd: nested_hits(bash_plan(ruleset), cmd, ctx)
    findings: list[Finding] = []
    if call.tool_name in SHELL_TOOLS:
        plan = bash_plan(ruleset)
        model = bash_model(call)
        if model is None:
            return Verdict(decision=None)
        ctx.problems = model.problems
        ctx.over_limit = model.over_limit
        ctx.source = model.source
        typed = len(model.commands)
        if not model.over_limit and (_any_may_run_scripts(model.commands, ctx) or _may_write_then_run(model.commands)):
            from guardrail.expand.line import expand_all

            # What `npm run x`, `make t`, `./x.sh` and inline code's shell-outs run is matched like typed
            # commands; each expanded command's `via` names its chain, which the reason reports.
            extra = expand_all(model.commands, ctx)
            if extra:
                model = replace(model, commands=model.commands + extra)
        ctx.commands = model.commands
        original_cwd = ctx.cwd
        try:
            findings = match_bash_all(bash_plan(ruleset, only_rule) if only_rule is not None else plan, model, ctx,
                                      typed)
        finally:
            ctx.cwd = original_cwd
    elif call.tool_name in FILE_TOOLS:
        for action in file_actions(call):
            for rule in rules:
                findings.extend(_match_file(rule, action, ctx))
    else:
        for rule in rules:
            findings.extend(_match_other(rule, call, ctx))
    if not findings and intent is None:
        return Verdict(decision=None)  # the common answer: no rule concerns the call (decide never loads)
    from guardrail.decide import decide

    return decide(findings, intent=intent, non_interactive=non_interactive)


def _any_may_run_scripts(commands: list[SimpleCommand], ctx: EvalContext) -> bool:
    for c in commands:  # a loop, not any(genexpr): this runs for every Bash call
        if may_run_scripts(c, ctx):
            return True
    return False


def _may_write_then_run(commands: list[SimpleCommand]) -> bool:
    """`echo ... > x.sql && psql -f x.sql`, `cat > .git/hooks/pre-commit <<EOF ... && git commit`: the written
    text must be seen by the later command. Asks script following (imported only then) when some command before
    the last writes."""
    if len(commands) < 2:
        return False
    for c in commands[:-1]:
        if c.redirects or c.name in FILE_WRITERS:
            from guardrail.expand.line import writes_then_runs

            return writes_then_runs(commands)
    return False


def match_bash_all(plan: BashPlan, model: CommandModel, ctx: EvalContext, typed: int | None = None) -> list[Finding]:
    """Findings for every rule of the plan over every simple command, in rule order (stable reasons).

    A `cd DIR` on the line moves `ctx.cwd` for the typed commands after it at its nesting (`cd ~ && rm -rf
    Documents` deletes ~/Documents; guardrail.workdir); commands reached through scripts (from index `typed` on)
    run where their script's own `cd` put them (`cmd.cwd`), else in the call's cwd. The caller restores ctx.cwd.

    Same answers as match_command rule by rule, with less work per command: candidate rules by program and
    first word, a guard evaluated once per command for every rule sharing it, check arguments built once per rule
    and the command's environment classified once per command."""
    hits: list[tuple[int, int, Finding]] = []
    call_cwd = ctx.cwd
    typed = len(model.commands) if typed is None else typed
    dirs = None
    for cmd in model.commands[:typed]:
        if cmd.name in CD_BUILTINS:
            from guardrail.workdir import WorkingDirs

            dirs = WorkingDirs(call_cwd, ctx.home, "(" in model.source or "|" in model.source)
            break
    for n, cmd in enumerate(model.commands):
        if n < typed:
            if dirs is not None:
                if cmd.name in CD_BUILTINS:
                    dirs.change(cmd)
                ctx.cwd = dirs.here(cmd)[0] or call_cwd
            if cmd.cwd:  # a wrapper's own directory (`env -C ~ rm -rf Documents`), from where the line is
                ctx.cwd = ctx.resolve(cmd.cwd)
        else:
            ctx.cwd = ctx.resolve(cmd.cwd) if cmd.cwd else call_cwd
        guards: dict[Any, bool] = {}
        environment = None
        for guard, run in runs_for(plan, cmd):
            if guard is not None:
                ok = guards.get(guard)
                if ok is None:
                    ok = guards[guard] = guard(cmd, ctx)
                if not ok:
                    continue  # the check would refuse: match_command gives None for the whole run
            for i, rule, check_only, args, check in run:
                if check_only:
                    # the run's guard has passed: call the function itself
                    targets = (check.function or check.load())(cmd, ctx, args)
                    if not targets:
                        continue
                else:
                    targets = match_command(rule.match, cmd, ctx, CHECKS)
                    if targets is None:
                        continue
                if rule.exceptions and _excepted(rule, cmd, ctx):
                    continue
                if environment is None:
                    # files=False: a finding's environment comes from the command's own words (no .env read)
                    environment = (_COMMAND_ENVIRONMENT or _load_command_environment())(cmd, ctx, files=False)
                hits.append((i, n, _finding(rule, "; ".join(targets[:3]), " ".join(cmd.argv)[:200], cmd.via, ctx,
                                            environment)))
    for i, rule, _check_only, args, check in plan.line_entries:
        # after the commands: some (unread-input) judge what the commands' checks could not read
        for t in check(None, ctx, args)[:1]:
            hits.append((i, -1, _finding(rule, t, model.source[:200], (), ctx)))
    hits.sort(key=lambda h: (h[0], h[1]))
    return [f for _, _, f in hits]


def _excepted(rule: CompiledRule, cmd: SimpleCommand, ctx: EvalContext) -> bool:
    return any(match_command(e.when, cmd, ctx, CHECKS) is not None for e in rule.exceptions)


def _finding(rule: CompiledRule, target: str, command: str, chain: tuple[str, ...], ctx: EvalContext,
             environment: str = "unknown") -> Finding:
    decision = rule.decision if rule.status == "stable" else "log"
    return Finding(
        rule_id=rule.id, effect=rule.effect, decision=decision, severity=rule.severity,  # type: ignore[arg-type]
        message=format_message(rule.message, target=target, command=command), target=target,
        environment=environment, command=command, chain=chain, status=rule.status,  # type: ignore[arg-type]
        if_requested=rule.if_requested,  # type: ignore[arg-type]
    )


def format_message(template: str, **values: str) -> str:
    """A rule's message with `{target}` and `{command}` filled in (one pass: a value holding `{command}` stays)."""
    if "{" not in template:
        return template
    parts = _TEMPLATES.get(template)
    if parts is None:
        # split once per template: odd items are placeholder names
        parts = _TEMPLATES[template] = re.split(r"\{(\w+)\}", template)
    out = list(parts)
    for k in range(1, len(out), 2):
        name = out[k]
        out[k] = values.get(name, "{" + name + "}")
    return "".join(out)


_TEMPLATES: dict[str, list[str]] = {}  # a pure memo of split templates (bounded by the rule set's messages)
_COMMAND_ENVIRONMENT: Any = None


def _load_command_environment() -> Any:
    """guardrail.environment compiles its patterns on import: loaded on the first finding, then kept here (an
    import statement in the loop costs about a microsecond each time)."""
    global _COMMAND_ENVIRONMENT
    from guardrail.environment import command_environment

    _COMMAND_ENVIRONMENT = command_environment
    return command_environment


def _match_file(rule: CompiledRule, action: FileWrite, ctx: EvalContext) -> list[Finding]:
    m = rule.match
    if m.check is not None:
        targets = CHECKS[m.check](action, ctx, dict(m.check_args))
        if targets and (not m.path_glob_any or match_file_write(
                rule.match.__class__(path_glob_any=m.path_glob_any), action.path, action.content) is not None):
            return [_finding(rule, "; ".join(targets[:3]), f"{action.tool} {action.path}", (), ctx)]
        return []
    targets = match_file_write(m, action.path, action.content)
    if targets is None:
        return []
    return [_finding(rule, action.path, f"{action.tool} {action.path}", (), ctx)]


def _match_other(rule: CompiledRule, call: ToolCall, ctx: EvalContext) -> list[Finding]:
    m = rule.match
    if m.tool_glob_any and not any_glob(m.tool_glob_any, (call.tool_name,)):
        return []
    if m.check is not None:
        targets = CHECKS[m.check](call, ctx, dict(m.check_args))
        if not targets:
            return []
        return [_finding(rule, "; ".join(targets[:3]), call.tool_name, (), ctx)]
    if m.content_regex is not None:
        import json

        if not cached_regex(m.content_regex).search(json.dumps(call.tool_input, ensure_ascii=False)):
            return []
    if not (m.tool_glob_any or m.content_regex):
        return []
    return [_finding(rule, call.tool_name, call.tool_name, (), ctx)]


# --------------------------------------------------------------------------- the plan

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
            if rule.exceptions and _excepted(rule, cmd, ctx):
                continue
            out.append((rule, targets))
    return out
