"""`guardrail statusline`: one line for Claude Code's status line: protection on or off, broken packs, and what
guardrail decided in this session.

Claude Code runs the configured command on every status refresh with the session's JSON on stdin
(`session_id`, `cwd`, `workspace.current_dir`, ...) and shows the first line it prints. In settings.json:

    "statusLine": {"type": "command", "command": "guardrail statusline"}

It reads only what it needs: the settings files (is guardrail registered?), the rule cache (do the rules load,
what was left out?) and the last part of each audit log (this session's decisions). It never fails the status
line: anything unexpected becomes a short "guardrail ?" with the reason.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Mapping

import click

TAIL_BYTES = 1 << 20  # the part of each audit log read for this session's decisions
_COLOURS = {"red": "31", "yellow": "33", "green": "32", "dim": "2"}


def status(payload: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    """What the line says, as data (`--format json`)."""
    workspace = payload.get("workspace") if isinstance(payload.get("workspace"), dict) else {}
    cwd = str(workspace.get("current_dir") or payload.get("cwd") or os.getcwd())
    project = str(workspace.get("project_dir") or cwd)
    session = str(payload.get("session_id") or "")
    out: dict[str, Any] = {"session_id": session, "registered": False, "registration": "", "problems": [],
                           "rules_error": "", "decisions": {}}
    from guardrail.commands.doctor import FAIL, check_registered

    check, _ = check_registered(Path(project).resolve(), env)
    out["registered"] = check.status != FAIL
    out["registration"] = check.summary
    from guardrail import service

    try:
        setup = service.load_setup(cwd, env)
        out["problems"] = list(setup.ruleset.problems)
        out["rules"] = len(setup.ruleset.rules)
    except Exception as exc:  # noqa: BLE001 - the hook blocks every call on this: say so
        out["rules_error"] = str(exc).splitlines()[0][:200]
    if session:
        out["decisions"] = session_decisions(session)
    return out


def session_decisions(session: str) -> dict[str, int]:
    """Counts of deny/ask/allow and tool calls for `session`, from the end of every audit log."""
    from guardrail.commands.audit import resolve_paths

    counts: Counter[str] = Counter()
    for path in resolve_paths(None):
        for rec in _tail_records(path):
            if rec.get("session_id") != session or rec.get("event") != "PreToolUse":
                continue
            counts["calls"] += 1
            if rec.get("decision") in ("deny", "ask", "allow"):
                counts[rec["decision"]] += 1
    return dict(counts)


def _tail_records(path: str) -> list[dict]:
    from guardrail import audit

    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - TAIL_BYTES))
            data = fh.read()
    except OSError:
        return []
    lines = data.split(b"\n")
    if len(data) == TAIL_BYTES or size > TAIL_BYTES:
        lines = lines[1:]  # the first line may be cut
    return [r for r in (audit._parse_line(x) for x in lines) if r is not None]


def render(s: Mapping[str, Any], colour: bool) -> str:
    def paint(text: str, name: str) -> str:
        return f"\x1b[{_COLOURS[name]}m{text}\x1b[0m" if colour else text

    if not s["registered"]:
        return paint("guardrail off", "red") + " · " + s["registration"] + " (guardrail doctor)"
    if s["rules_error"]:
        return paint("guardrail blocking every call", "red") + f" · rules do not load: {s['rules_error']}"
    parts = [paint("guardrail on", "green")]
    if s["problems"]:
        n = len(s["problems"])
        parts.append(paint(f"{n} broken project pack{'s' if n != 1 else ''} left out", "yellow"))
    d = s["decisions"]
    if d.get("calls"):
        parts.append(f"{d['calls']} call{'s' if d['calls'] != 1 else ''} checked")
        blocked = [f"{d[k]} {k}" for k in ("deny", "ask", "allow") if d.get(k)]
        if blocked:
            parts.append(paint(", ".join(blocked), "red" if d.get("deny") else "yellow"))
    return " · ".join(parts)


@click.command("statusline")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def command(fmt: str) -> None:
    """Print one status line for Claude Code (reads its status line JSON on stdin).

    Shows whether guardrail's hooks are registered, project packs left out because they are broken, and this
    session's tool calls and decisions. In ~/.claude/settings.json:

    \b
      "statusLine": {"type": "command", "command": "guardrail statusline"}
    """
    payload: Any = {}
    try:
        raw = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
        payload = json.loads(raw) if raw.strip() else {}
    except (OSError, ValueError):
        payload = {}
    if not isinstance(payload, dict):
        payload = {}
    try:
        s = status(payload, os.environ)
    except Exception as exc:  # noqa: BLE001 - a status line must print something, never a traceback
        click.echo(f"guardrail ? ({type(exc).__name__}: {exc})"[:200])
        return
    if fmt == "json":
        click.echo(json.dumps(s, indent=2))
        return
    click.echo(render(s, colour=not os.environ.get("NO_COLOR")))
