"""Checks for what a command runs through something else: package scripts, make, just, script files, inline code's
shell-outs and tools' embedded commands."""

from __future__ import annotations

from guardrail.expand.embedded import downloaded_code, embedded, fresh_destroy_plan, may_embed, shell_outs
from guardrail.expand.line import expand, followed_code_file
from guardrail.expand.scripts import is_trigger
from guardrail.expand.steps import DESTRUCTIVE_NAME, Expansion
from guardrail.model import EvalContext, SimpleCommand
from guardrail.rules import effect_selected, positionals
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Mapping


def _expansion(cmd: SimpleCommand, ctx: EvalContext) -> Expansion:
    """Memoised per evaluation and command (the engine's expansion and several indirect rules ask about it)."""
    return ctx.memo_for("expansion", cmd, expand)


def memo_shell_outs(cmd: SimpleCommand, ctx: EvalContext) -> list[SimpleCommand]:
    """shell_outs, memoised per evaluation and command (read only: callers copy before changing)."""
    return ctx.memo_for("shell_outs", cmd, shell_outs)


def inner_hits(cmd: SimpleCommand, ctx: EvalContext) -> list[tuple[Any, SimpleCommand, list[str]]]:
    """Memoised per evaluation, keyed by everything the answer reads (four indirect rules ask per command)."""
    entries = ctx.memo
    key = ("hits", cmd.argv, cmd.env, cmd.via, cmd.stdin_text, cmd.stdin_file, cmd.redirects, ctx.cwd)
    hits = entries.get(key)
    if hits is not None:
        return hits
    trigger = is_trigger(cmd, ctx)
    hits = []
    if trigger or may_embed(cmd):
        inner_cmds = list(_expansion(cmd, ctx).commands) if trigger else []
        inner_cmds += memo_shell_outs(cmd, ctx)
        for inner in inner_cmds:
            for rule, targets in ctx.nested_hits(inner):
                hits.append((rule, inner, targets))
    entries[key] = hits
    return hits


def indirect(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """Commands reached through npm/pnpm/yarn/bun scripts, make, just, script files or inline code's shell-outs
    that another rule would stop. `args.decision` and `args.effects` select which inner findings count.
    Targets name the chain: `npm run db:reset -> prisma migrate reset --force [orm/prisma-migrate-reset]`."""
    want_decision = args.get("decision")
    out = []
    for rule, inner, targets in inner_hits(cmd, ctx):
        if want_decision and rule.decision != want_decision:
            continue
        if not effect_selected(rule.effect, args):
            continue
        chain = " -> ".join(inner.via[len(cmd.via):]) if len(inner.via) > len(cmd.via) else cmd.name
        out.append(f"{chain} -> {' '.join(inner.argv)[:120]} [{rule.id}: {rule.summary}]")
    return list(dict.fromkeys(out))


def indirect_unresolved(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """A destructive-sounding script name (`db:reset`, `make nuke`) whose definition guardrail cannot read.
    `args.kind = "code"`: inline code or a tool script that starts a program or deletes a path guardrail cannot
    compute (`os.system(input())`, `getattr(os, name)(...)`, awk `system($0)`); `"remote"`: code that runs what it
    downloads (`exec(urlopen(url).read())`)."""
    kind = args.get("kind", "script")
    if kind == "downloaded":
        return downloaded_code(cmd, ctx)
    if kind == "fresh-plan":
        return fresh_destroy_plan(cmd, ctx)
    if kind in ("code", "remote"):
        if not may_embed(cmd):
            return []
        found = embedded(cmd, ctx)
        if kind == "code" and found.unresolved and _ordinary_code_file(cmd, ctx):
            return []
        return list(found.unresolved if kind == "code" else found.remote)
    if not is_trigger(cmd, ctx):
        return []
    # cheap name test first: no file is read for `npm test` or `make build`
    if not any(DESTRUCTIVE_NAME.search(a) for a in positionals(cmd)[:2] + [cmd.name]):
        return []
    return [u for u in _expansion(cmd, ctx).unresolved if DESTRUCTIVE_NAME.search(u.rsplit(" ", 1)[-1])]


def _ordinary_code_file(cmd: SimpleCommand, ctx: EvalContext) -> bool:
    """A code file that script following read (`python3 tools/gen.py`: expand.line turns it into inline code
    labelled with the command that ran it), whose name says nothing destructive and which the line did not write.
    What it deletes or runs literally is judged like a typed command; what it computes at run time is not asked
    about: every real tool script computes something, and only a destructive name or a file written on the line
    makes the unknown worth a question."""
    path = followed_code_file(cmd)
    if path is None:
        return False  # typed inline code, or inline code a script runs: judged as written
    written = any(k.endswith("/" + path.lstrip("./")) for k in ctx.line_files)
    return not written and not DESTRUCTIVE_NAME.search(path.rsplit("/", 1)[-1])
