"""The engine: a tool call and the rules in, the findings out; with intent and the mode, one verdict.

Pure: no I/O of its own (files are read through `EvalContext.read`), so the hook, `guardrail check`, `guardrail
test` and replay (through guardrail.service) and unit tests all call `evaluate` and get the same answer.
"""

from __future__ import annotations

import re
import sys

from guardrail.base.record import replace
from guardrail.base.vocab import CD_BUILTINS, FILE_WRITERS
from guardrail.checks.guards import may_run_scripts
from guardrail.checks.registry import CHECKS
from guardrail.context import EvalContext
from guardrail.engine.plan import BashPlan, bash_plan, nested_hits, runs_for
from guardrail.model import CommandModel, FileWrite, Finding, SimpleCommand, ToolCall, Verdict
from guardrail.rules import any_glob, cached_regex, match_command, match_file_write
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any

    from guardrail.rules import CompiledRule, RuleSet


FILE_TOOLS = frozenset({"Write", "Edit", "MultiEdit", "NotebookEdit"})


def bash_model(call: ToolCall) -> CommandModel | None:
    command = call.tool_input.get("command")
    if not isinstance(command, str):
        return None
    parse = sys.modules.get("guardrail.shell.parse")
    if parse is None:  # tree-sitter only when a Bash call needs it (an import statement here would cost each call)
        from guardrail.shell import parse
    return parse.parse_command(command)


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
    """Decide one tool call. `intent` is a guardrail.intent.model.Intent or None (no intent known); `only_rule`
    keeps one rule's findings (a pack's inline test judges its rule alone)."""
    ctx = ctx or EvalContext(cwd=call.cwd, project_dir=call.project_dir)
    rules = ruleset.for_tool(call.tool_name)
    if only_rule is not None:
        alone = tuple(r for r in rules if r.id == only_rule)
        if alone and alone[0].match.check is not None and CHECKS[alone[0].match.check].spec.after_others:
            # This rule judges what the other rules' checks could not read: run them all, keep its findings.
            full = evaluate(call, ruleset, ctx, non_interactive=non_interactive)
            from guardrail.engine.decide import decide

            return decide([f for f in full.findings if f.rule_id == only_rule], intent=intent,
                          non_interactive=non_interactive)
        rules = alone
    if not rules:
        return Verdict(decision=None)
    # Checks that follow nested commands (scripts, inline code, planted files) match them through this, against
    # every Bash rule of the rule set, whatever tool is being judged.
    plan = bash_plan(ruleset)
    ctx.match_nested = lambda cmd: nested_hits(plan, cmd, ctx)
    findings: list[Finding] = []
    if call.tool_name == "Bash":
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
    from guardrail.engine.decide import decide

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
        else:
            ctx.cwd = cmd.cwd or call_cwd
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
