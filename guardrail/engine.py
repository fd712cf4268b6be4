"""The engine: a tool call, the rules, the human's intent and the mode in; one verdict out.

Pure: no I/O of its own (files are read through `EvalContext.read_file`), so the hook, `guardrail
check`, `guardrail test`, replay and unit tests all call `evaluate` and get the same answer.
"""

from __future__ import annotations

import re
import sys
from guardrail.base.record import record, replace
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any

from guardrail import checks as _checks
from guardrail.checks import CHECKS, EvalContext, _may_run_scripts
from guardrail.base.vocab import CD_BUILTINS, FILE_WRITERS
from guardrail.model import STRICTNESS, CommandModel, Finding, SimpleCommand, ToolCall, Verdict
from guardrail.rules import CompiledRule, RuleSet, any_glob, match_command, match_file_write, positionals

# Checks that judge the whole command line once, not each simple command.
CALL_LEVEL_CHECKS = frozenset({"over-limit", "unparseable-risky", "unread-input"})
# Call-level checks whose input is produced by other rules' checks (files they could not read).
DEPENDENT_CHECKS = frozenset({"unread-input"})
FILE_TOOLS = frozenset({"Write", "Edit", "MultiEdit", "NotebookEdit"})


@record(frozen=True)
class FileWrite:
    """A Write/Edit-style action: the file and the text that will be in it."""

    path: str
    content: str
    tool: str


def bash_model(call: ToolCall) -> CommandModel | None:
    command = call.tool_input.get("command")
    if not isinstance(command, str):
        return None
    shell = sys.modules.get("guardrail.shell")
    if shell is None:  # tree-sitter only when a Bash call needs it (an import statement here would cost each call)
        from guardrail import shell
    return shell.parse_command(command)


def file_actions(call: ToolCall) -> list[FileWrite]:
    ti = call.tool_input
    path = ti.get("file_path") or ti.get("notebook_path") or ""
    if not isinstance(path, str):
        path = str(path)
    if call.tool_name == "Write":
        return [FileWrite(path, str(ti.get("content", "")), "Write")]
    if call.tool_name == "Edit":
        return [FileWrite(path, str(ti.get("new_string", "")), "Edit")]
    if call.tool_name == "MultiEdit":
        edits = ti.get("edits") or []
        text = "\n".join(str(e.get("new_string", "")) for e in edits if isinstance(e, dict))
        return [FileWrite(path, text, "MultiEdit")]
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
    """Decide one tool call. `intent` is a guardrail.intent.model.Intent or None (no intent known)."""
    ctx = ctx or EvalContext(cwd=call.cwd, project_dir=call.project_dir)
    rules = ruleset.for_tool(call.tool_name)
    if only_rule is not None:
        alone = tuple(r for r in rules if r.id == only_rule)
        if alone and alone[0].match.check in DEPENDENT_CHECKS:
            # This rule judges what the other rules' checks could not read: run them all, keep its findings.
            full = evaluate(call, ruleset, ctx, non_interactive=non_interactive)
            return decide([f for f in full.findings if f.rule_id == only_rule], intent=intent,
                          non_interactive=non_interactive)
        rules = alone
    if not rules:
        return Verdict(decision=None)
    findings: list[Finding] = []
    if call.tool_name == "Bash":
        model = bash_model(call)
        if model is None:
            return Verdict(decision=None)
        ctx.problems = model.problems
        ctx.over_limit = model.over_limit
        ctx.source = model.source
        ctx.ruleset = ruleset
        typed = len(model.commands)
        if not model.over_limit and (_any_may_run_scripts(model.commands, ctx) or _may_write_then_run(model.commands)):
            from guardrail.indirection import expand_all

            # What `npm run x`, `make t`, `./x.sh` and inline code's shell-outs run is matched like typed
            # commands; each expanded command's `via` names its chain, which the reason reports.
            extra = expand_all(model.commands, ctx)
            if extra:
                model = replace(model, commands=model.commands + extra)
        original_cwd = ctx.cwd
        try:
            findings = _match_bash_all(rules, model, ctx, typed)
        finally:
            ctx.cwd = original_cwd
    elif call.tool_name in FILE_TOOLS:
        for action in file_actions(call):
            for rule in rules:
                findings.extend(_match_file(rule, action, ctx))
    else:
        for rule in rules:
            findings.extend(_match_other(rule, call, ctx))
    return decide(findings, intent=intent, non_interactive=non_interactive)


def _any_may_run_scripts(commands: list[SimpleCommand], ctx: EvalContext) -> bool:
    for c in commands:  # a loop, not any(genexpr): this runs for every Bash call
        if _may_run_scripts(c, ctx):
            return True
    return False


def _may_write_then_run(commands: list[SimpleCommand]) -> bool:
    """`echo ... > x.sql && psql -f x.sql`, `cat > .git/hooks/pre-commit <<EOF ... && git commit`: the written
    text must be seen by the later command. Asks indirection (imported only then) when some command before the
    last writes."""
    if len(commands) < 2:
        return False
    for c in commands[:-1]:
        if c.redirects or c.name in FILE_WRITERS:
            from guardrail.indirection import writes_then_runs

            return writes_then_runs(commands)
    return False


def _finding(rule: CompiledRule, target: str, command: str, chain: tuple[str, ...], ctx: EvalContext,
             environment: str = "unknown") -> Finding:
    decision = rule.decision if rule.status == "stable" else "log"
    return Finding(
        rule_id=rule.id, effect=rule.effect, decision=decision, severity=rule.severity,  # type: ignore[arg-type]
        message=_format(rule.message, target=target, command=command), target=target,
        environment=environment, command=command, chain=chain, status=rule.status,  # type: ignore[arg-type]
        if_requested=rule.if_requested,  # type: ignore[arg-type]
    )


def _format(template: str, **values: str) -> str:
    if "{" not in template:
        return template
    parts = _TEMPLATES.get(template)
    if parts is None:
        # split once per template: odd items are placeholder names (one pass, like re.sub: a value that
        # contains `{command}` is not substituted again)
        parts = _TEMPLATES[template] = re.split(r"\{(\w+)\}", template)
    out = list(parts)
    for k in range(1, len(out), 2):
        name = out[k]
        out[k] = values.get(name, "{" + name + "}")
    return "".join(out)


_TEMPLATES: dict[str, list[str]] = {}


def _excepted(rule: CompiledRule, cmd: SimpleCommand, ctx: EvalContext) -> bool:
    return any(match_command(e.when, cmd, ctx, CHECKS) is not None for e in rule.exceptions)


@record(frozen=True)
class _BashPlan:
    """Which rules can concern a simple command, by program name: most commands touch few rules."""

    call_level: tuple[int, ...]
    by_program: dict[str, tuple[int, ...]]  # program -> rule indexes (program rules + program-less ones)
    any_program: tuple[int, ...]  # rules without a program condition
    # Filled on first use (the hook meets one or two programs): program -> (first positional -> rule indexes,
    # indexes for any other first word), or None when no rule of that program names a subcommand.
    by_word: dict[str, tuple[dict[str, tuple[int, ...]], tuple[int, ...]] | None]
    specs: list[tuple[bool, Any, dict[str, Any], Any] | None]  # per rule index: _rule_spec, filled on first use
    with_call_level: dict[int, tuple[tuple[int, ...], tuple[int, ...]]]  # id(candidates) -> (them, + call-level)
    entries: dict[tuple[int, bool], tuple[tuple[int, ...], tuple[Any, ...]]]  # (id(candidates), loaded) -> (them, _entries)
    runs: dict[tuple[str, bool], tuple[dict[str, tuple[Any, ...]] | None, tuple[Any, ...]]]  # _runs_for's memo


_PLANS: dict[int, tuple[tuple[CompiledRule, ...], _BashPlan]] = {}


def _bash_plan(rules: tuple[CompiledRule, ...]) -> _BashPlan:
    hit = _PLANS.get(id(rules))
    if hit is not None and hit[0] is rules:
        return hit[1]
    call_level, any_program, named = [], [], {}  # type: ignore[var-annotated]
    for i, r in enumerate(rules):
        m = r.match
        if m.check in CALL_LEVEL_CHECKS:
            call_level.append(i)
        elif m.path_glob_any or m.content_regex or m.tool_glob_any:
            continue  # file and tool rules never judge a shell command
        elif m.program:
            for p in m.program:
                named.setdefault(p, []).append(i)
        else:
            any_program.append(i)
    by_program = {p: tuple(sorted(set(ix) | set(any_program))) for p, ix in named.items()}
    plan = _BashPlan(tuple(call_level), by_program, tuple(any_program), {}, [None] * len(rules), {}, {}, {})
    if len(_PLANS) > 64:
        _PLANS.clear()
    _PLANS[id(rules)] = (rules, plan)  # keeping `rules` alive keeps its id from being reused
    return plan


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


def _rule_spec(m: Any) -> tuple[bool, Any, dict[str, Any], Any]:
    """(the match is its check alone, the check's guard, the check's arguments, the check as CHECKS.get gives it:
    a registered function or its lazy proxy, which stays the same once given), computed once per rule."""
    from guardrail.checks import guard_of

    check_only = m.check is not None and not (
        m.subcommand or m.flags_any or m.flags_all or m.flags_none or m.args_any or m.args_none
        or m.args_regex is not None or m.env_any or m.stdin_from_any)
    fn = CHECKS.get(m.check) if m.check is not None else None
    return check_only, guard_of(m.check), dict(m.check_args), fn


def _candidates(plan: _BashPlan, rules: tuple[CompiledRule, ...], cmd: SimpleCommand) -> tuple[int, ...]:
    name = cmd.name
    indexes = plan.by_program.get(name)
    if indexes is None:
        return plan.any_program
    by_word = plan.by_word
    if name in by_word:
        entry = by_word[name]
    else:
        entry = by_word[name] = _word_index(rules, indexes)
    if entry is None:
        return indexes
    pos = positionals(cmd)
    return entry[0].get(pos[0], entry[1]) if pos else entry[1]


def _entries(plan: _BashPlan, rules: tuple[CompiledRule, ...], indexes: tuple[int, ...]) -> tuple[Any, ...]:
    """The candidate rules as runs sharing a guard, in rule order: ((guard, ((index, rule, check only, check args,
    check), ...)), ...). One refusal of a guard skips its whole run (the five autorun rules share one). Built once
    per candidate list; once checks_data has loaded, a lazy check is its function, not its proxy (which would
    test the guard again and look the function up on every call)."""
    loaded = _checks._extensions_loaded
    key = (id(indexes), loaded)
    hit = plan.entries.get(key)
    if hit is not None and hit[0] is indexes:
        return hit[1]
    specs = plan.specs
    runs: list[tuple[Any, list[Any]]] = []
    for i in indexes:
        spec = specs[i]
        if spec is None:
            spec = specs[i] = _rule_spec(rules[i].match)
        check_only, guard, args, fn = spec
        if loaded and rules[i].match.check in _checks.LAZY_CHECKS:
            fn = dict.__getitem__(CHECKS, rules[i].match.check)
        if not runs or runs[-1][0] is not guard:
            runs.append((guard, []))
        runs[-1][1].append((i, rules[i], check_only, args, fn))
    out = tuple((guard, tuple(run)) for guard, run in runs)
    plan.entries[key] = (indexes, out)  # the plan holds `indexes`: its id is not reused
    return out


def _runs_for(plan: _BashPlan, rules: tuple[CompiledRule, ...], cmd: SimpleCommand) -> tuple[Any, ...]:
    """_entries(_candidates(cmd)), looked up by program (and first word when the program's rules name one)."""
    key = (cmd.name, _checks._extensions_loaded)
    hit = plan.runs.get(key)
    if hit is None:
        indexes = plan.by_program.get(cmd.name)
        words = _word_index(rules, indexes) if indexes is not None else None
        if words is None:
            hit = plan.runs[key] = (None, _entries(plan, rules, indexes if indexes is not None else plan.any_program))
        else:
            hit = plan.runs[key] = ({w: _entries(plan, rules, ix) for w, ix in words[0].items()},
                                    _entries(plan, rules, words[1]))
    by_word, rest = hit
    if by_word is None:
        return rest
    pos = positionals(cmd)
    return by_word.get(pos[0], rest) if pos else rest


def bash_candidates(rules: tuple[CompiledRule, ...], cmd: SimpleCommand) -> tuple[int, ...]:
    """Indexes, in rule order, of the Bash rules that can match `cmd` alone: match_command gives None for every
    other command rule. Call-level rules are included (their checks do not look at the command)."""
    plan = _bash_plan(rules)
    base = _candidates(plan, rules, cmd)
    if not plan.call_level:
        return base
    hit = plan.with_call_level.get(id(base))
    if hit is None or hit[0] is not base:
        hit = plan.with_call_level[id(base)] = (base, tuple(sorted(set(base) | set(plan.call_level))))
    return hit[1]


def _match_bash_all(rules: tuple[CompiledRule, ...], model: CommandModel, ctx: EvalContext,
                    typed: int | None = None) -> list[Finding]:
    """Findings for every rule over every simple command, in rule order (stable reasons).

    A `cd DIR` on the line moves `ctx.cwd` for the typed commands after it at its nesting (`cd ~ && rm -rf
    Documents` deletes ~/Documents; guardrail.workdir); commands reached through scripts (from index `typed` on)
    run where their script's own `cd` put them (`cmd.cwd`), else in the call's cwd. The caller restores ctx.cwd.

    Same answers as match_command rule by rule, with less work per command: candidate rules by program and
    first word, a lazy check's guard evaluated once per command, check arguments built once per rule and the
    command's environment classified once per command."""
    plan = _bash_plan(rules)
    specs = plan.specs
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
        else:
            ctx.cwd = cmd.cwd or call_cwd
        guards: dict[Any, bool] = {}
        environment = None
        for guard, run in _runs_for(plan, rules, cmd):
            if guard is not None:
                ok = guards.get(guard)
                if ok is None:
                    ok = guards[guard] = guard(cmd, ctx)
                if not ok:
                    continue  # the check would refuse: match_command gives None for the whole run
            for i, rule, check_only, args, fn in run:
                if check_only:
                    if fn is None:
                        continue
                    targets = fn(cmd, ctx, args)
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
    for i in plan.call_level:  # after the commands: some (unread-input) judge what their checks could not read
        spec = specs[i]
        if spec is None:
            spec = specs[i] = _rule_spec(rules[i].match)
        fn = spec[3]
        if fn is None:
            raise KeyError(rules[i].match.check)  # as CHECKS[name] would
        for t in fn(None, ctx, spec[2])[:1]:
            hits.append((i, -1, _finding(rules[i], t, model.source[:200], (), ctx)))
    hits.sort(key=lambda h: (h[0], h[1]))
    return [f for _, _, f in hits]


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
        fn = CHECKS.get(m.check)
        targets = fn(action, ctx, dict(m.check_args)) if fn else []
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
        fn = CHECKS.get(m.check)
        targets = fn(call, ctx, dict(m.check_args)) if fn else []
        if not targets:
            return []
        return [_finding(rule, "; ".join(targets[:3]), call.tool_name, (), ctx)]
    if m.content_regex is not None:
        import json

        from guardrail.rules import _rx

        if not _rx(m.content_regex).search(json.dumps(call.tool_input, ensure_ascii=False)):
            return []
    if not (m.tool_glob_any or m.content_regex):
        return []
    return [_finding(rule, call.tool_name, call.tool_name, (), ctx)]


def decide(findings: list[Finding], *, intent: Any = None, non_interactive: bool = False) -> Verdict:
    """Combine findings: intent adjusts each one, the strictest decides, the reason explains."""
    if not findings:
        return Verdict(decision=None, intent=_intent_summary(intent) if intent is not None else None)
    adjusted: list[tuple[Finding, str, str]] = []
    changes: list[dict[str, str]] = []  # how intent moved each finding: shown by `check` and the audit trail
    for f in findings:
        decision, note = f.decision, ""
        if intent is not None and f.decision != "log":
            from guardrail.intent.model import match_finding
            from guardrail.intent.policy import apply_intent

            m = match_finding(intent, f)
            decision, note = apply_intent(f, m, non_interactive=non_interactive)
            changes.append({"rule_id": f.rule_id, "rule_decision": f.decision, "decision": decision,
                            "match": m.kind, "quote": m.quote})
        elif non_interactive and decision == "ask":
            decision, note = "deny", "No human can answer a confirmation prompt here, so this is denied: stop and ask the user in your reply."
        adjusted.append((f, decision, note))
    summary = _intent_summary(intent)
    if summary is not None:
        summary["changes"] = changes
    top = adjusted[0] if len(adjusted) == 1 else max(
        adjusted, key=lambda x: (STRICTNESS.get(x[1], 0), _SEVERITY.get(x[0].severity, 0)))
    decision = top[1]
    if decision == "log":
        return Verdict(decision=None, reason="", findings=findings, intent=summary)
    deciding = [x for x in adjusted if x[1] == decision]
    reason = _reason(decision, deciding)
    return Verdict(decision=decision, reason=reason, findings=findings, intent=summary)  # type: ignore[arg-type]


_SEVERITY = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


def _reason(decision: str, deciding: list[tuple[Finding, str, str]]) -> str:
    f, _, note = deciding[0]
    chain = ""
    if f.chain:
        chain = " (reached through " + " -> ".join(f.chain) + ")"
    head = {"deny": "guardrail blocked this", "ask": "guardrail wants confirmation", "allow": "guardrail allowed this"}[decision]
    parts = [f"{head} [{f.rule_id}]{chain}: {f.message}"]
    if note:
        parts.append(note)
    others = sorted({x[0].rule_id for x in deciding[1:]} - {f.rule_id}) if len(deciding) > 1 else ()
    if others:
        parts.append("Also matched: " + ", ".join(others) + ".")
    text = " ".join(parts)
    return text[:1500]


def _intent_summary(intent: Any) -> dict[str, Any] | None:
    if intent is None:
        return None
    try:
        return {
            "prompts": len(intent.prompts),
            "grants": [{"effects": sorted(g.effects), "objects": list(g.objects), "environment": g.environment,
                        "quote": g.quote} for g in intent.grants][:10],
            "prohibitions": [{"kind": p.kind, "effects": sorted(p.effects), "objects": list(p.objects),
                              "quote": p.quote} for p in intent.prohibitions][:10],
        }
    except AttributeError:
        return None
