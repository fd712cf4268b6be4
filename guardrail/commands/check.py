"""`guardrail check`: what would guardrail decide for this command (or tool call), and why."""

from __future__ import annotations

import click
import json
import os
import sys
import time
from typing import Any


@click.command("check")
@click.argument("command_text", metavar="COMMAND", required=False)
@click.option("--tool", default="Bash", show_default=True, help="Tool name of the call (Bash, PowerShell, Write, Edit, mcp__x__y, ...).")
@click.option("--input", "tool_input", metavar="JSON", help="Full tool_input as JSON (instead of COMMAND).")
@click.option("--prompt", "prompts", multiple=True, metavar="TEXT",
              help="A user prompt of the session, oldest first; repeat for several.")
@click.option("--cwd", default=None, help="Working directory of the call (default: current directory).")
@click.option("--non-interactive", is_flag=True, help="Decide as under `claude -p`, where `ask` becomes `deny`.")
@click.option("--rules", "rule_paths", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="An extra rule pack (TOML) to load; repeatable.")
@click.option("--explain", is_flag=True,
              help="Also print the whole story: every rule that matched with its message, how the prompts moved each "
                   "one, and what the audit record keeps (the hook's reason is cut to fit Claude Code's view).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def command(command_text: str | None, tool: str, tool_input: str | None, prompts: tuple[str, ...], cwd: str | None,
            non_interactive: bool, rule_paths: tuple[str, ...], explain: bool, fmt: str) -> None:
    """Show the decision, the rules and the reason for COMMAND.

    Exit status: 0 when the call would pass (no rule matched, or allowed), 1 when it would be denied or
    asked, 2 on usage errors.

    \b
    Examples:
      guardrail check "git reset --hard"
      guardrail check "psql -c 'DROP TABLE users'" --prompt "drop the users table on my local db"
      guardrail check --tool Write --input '{"file_path": ".env", "content": "X=1"}'
      guardrail check "npx prisma migrate reset" --prompt "fix the README" --explain
    """
    from pathlib import Path

    from guardrail import service
    from guardrail.config import ConfigError
    from guardrail.model import ToolCall
    from guardrail.packs import PackError

    if tool_input is not None:
        try:
            parsed = json.loads(tool_input)
        except json.JSONDecodeError as exc:
            raise click.UsageError(f"--input is not valid JSON: {exc}") from None
        if not isinstance(parsed, dict):
            raise click.UsageError("--input must be a JSON object (the tool_input of the call)")
        ti: dict[str, Any] = parsed
    elif command_text is not None:
        if tool not in ("Bash", "PowerShell"):
            raise click.UsageError("COMMAND is a Bash or PowerShell command; for other tools pass --input JSON")
        ti = {"command": command_text}
    else:
        raise click.UsageError("give a COMMAND or --input JSON")
    cwd = os.path.abspath(cwd or os.getcwd())
    try:
        # the hook's own config, packs and disabled rules (guardrail.service), plus any --rules packs
        setup = service.load_setup(cwd, os.environ, extra_packs=[(Path(p), "cli") for p in rule_paths])
    except (ConfigError, PackError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    for problem in setup.ruleset.problems:
        click.echo(f"warning: left out (the hook does the same): {problem}", err=True)
    call = ToolCall(tool_name=tool, tool_input=ti, cwd=cwd, project_dir=os.environ.get("CLAUDE_PROJECT_DIR", cwd))
    ctx = service.context_for(call, setup.values, os.environ)
    intent = None
    if prompts:
        from guardrail.intent.model import Prompt, extract_intent

        now = time.time()
        intent = extract_intent([Prompt(text=p, when=now - (len(prompts) - i), prompt_id=None, source="cli")
                                 for i, p in enumerate(prompts)])
    started = time.perf_counter()
    verdict = service.decide_call(call, setup.ruleset, ctx, intent=intent, non_interactive=non_interactive)
    elapsed_ms = (time.perf_counter() - started) * 1000
    blocked = verdict.decision in ("deny", "ask")
    if fmt == "json":
        click.echo(json.dumps({
            "decision": verdict.decision, "reason": verdict.reason, "explanation": verdict.explanation,
            "rule_ids": verdict.rule_ids,
            "findings": [_finding_json(f) for f in verdict.findings], "intent": verdict.intent,
            "eval_ms": round(elapsed_ms, 3),
        }, indent=2))
    else:
        _print_text(verdict, ti, explain)
    sys.exit(1 if blocked else 0)


def _finding_json(f: Any) -> dict[str, Any]:
    return {"rule_id": f.rule_id, "effect": f.effect, "decision": f.decision, "severity": f.severity,
            "target": f.target, "environment": f.environment, "command": f.command, "chain": list(f.chain),
            "status": f.status, "message": f.message}


def _print_text(verdict: Any, tool_input: dict[str, Any], explain: bool = False) -> None:
    from rich.markup import escape

    from guardrail.commands import output

    console = output.console()
    styles = {"deny": "bold red", "ask": "bold yellow", "allow": "bold green", None: "bold"}
    label = verdict.decision or "pass (no rule matched: Claude Code's own permissions apply)"
    if verdict.decision is None and verdict.findings:
        label = "pass (only preview rules matched; they log, never block)"
    console.print(f"[{styles.get(verdict.decision, 'bold')}]{escape(label)}[/]")
    for f in verdict.findings:
        chain = f" via {' -> '.join(f.chain)}" if f.chain else ""
        console.print(f"  • {f.rule_id} [dim]({f.severity}, {f.decision}{', preview' if f.status == 'preview' else ''})[/]"
                      f" target: {escape(f.target)}{escape(chain)}", markup=True)
    if verdict.reason:
        console.print(f"\n{verdict.reason}", markup=False)
    for line in intent_lines(verdict.intent):
        console.print(f"[dim]{escape(line)}[/]")
    if explain and verdict.explanation:
        console.print(f"\n[bold]explanation[/] (kept in the audit record)\n{escape(verdict.explanation)}")


def intent_lines(intent: dict[str, Any] | None) -> list[str]:
    """The intent summary as readable lines: what the prompts granted or forbade, and how each rule moved."""
    if not intent:
        return []
    lines = []
    for g in intent.get("grants") or []:
        lines.append(f"intent: asked for {', '.join(g.get('effects') or []) or 'something'}: \"{g.get('quote', '')}\"")
    for p in intent.get("prohibitions") or []:
        lines.append(f"intent: {p.get('kind', 'prohibit')} {', '.join(p.get('effects') or [])}: \"{p.get('quote', '')}\"")
    for c in intent.get("changes") or []:
        if c.get("rule_decision") != c.get("decision"):
            lines.append(f"intent: {c.get('rule_id')} {c.get('rule_decision')} -> {c.get('decision')} ({c.get('match')})")
    return [("\n" if i == 0 else "") + line for i, line in enumerate(lines)]
