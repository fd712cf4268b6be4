"""`guardrail rules list | show ID | lint [PATH...]`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


def _console(stderr: bool = False) -> Any:
    from guardrail.commands import output

    return output.console(stderr)


def _fail(message: str, code: int = EXIT_ERROR) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def session_sources() -> tuple[list[tuple[Path, str]], Any]:
    """Built-in plus the user and project packs that apply in the current directory, and the config."""
    from guardrail.config import ConfigError, load_config
    from guardrail.packs import builtin_sources

    try:
        cfg = load_config(os.getcwd(), os.environ)
    except ConfigError as exc:
        _fail(str(exc))
    for problem in cfg.problems:
        click.echo(f"warning: {problem}", err=True)
    return builtin_sources() + list(cfg.pack_sources), cfg


def _rule_rows(sources: list[tuple[Path, str]], disabled: list[str],
               lenient: list[Path] | None = None) -> list[dict[str, Any]]:
    """One row per rule; a broken pack among `lenient` (the project's, which the hook leaves out) is a warning."""
    import fnmatch

    from guardrail.packs import PackError, clamp_for_origin
    from guardrail.testing import load_pack_cases

    packs = []
    for source in sources:
        try:
            packs.extend(load_pack_cases([source]))
        except PackError as exc:
            if source[0] not in (lenient or ()):
                _fail(str(exc))
            click.echo(f"warning: left out (the hook does the same; check it with `guardrail rules lint`): {exc}",
                       err=True)
    rows = []
    for pc in packs:
        pid = pc.model.pack.id
        for r in pc.model.rule:
            rid = f"{pid}/{r.id}"
            decision, if_requested, notes = clamp_for_origin(r, pc.origin)
            kinds = [c.kind for c in r.tests]
            rows.append({
                "id": rid, "pack": pid, "summary": r.summary, "effect": r.effect, "decision": decision,
                "if_requested": if_requested, "severity": r.severity, "status": r.status, "tools": list(r.tools),
                "aliases": list(r.aliases), "origin": pc.origin, "source": str(pc.path),
                "disabled": any(fnmatch.fnmatchcase(rid, p) for p in disabled),
                "message": r.message.strip(), "why": r.why.strip(),
                "match": {k: v for k, v in r.match.model_dump().items() if v not in (None, [], {})},
                "exceptions": [{"name": e.name, "reason": e.reason,
                                "when": {k: v for k, v in e.when.model_dump().items() if v not in (None, [], {})}}
                               for e in r.exceptions],
                "tests": [{"kind": c.kind, "tool": c.tool, "input": c.value if not c.repeat else
                           f"({getattr(c, c.kind)}) x {c.repeat}", "note": c.note} for c in r.tests],
                "test_counts": {k: kinds.count(k) for k in ("match", "ok", "todo_match", "todo_ok")},
                "clamped": notes,
            })
    return rows


@click.group("rules", context_settings={"help_option_names": ["-h", "--help"]})
def command() -> None:
    """List, show and lint rules (built-in, user and project packs)."""


@command.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--pack", "pack_filter", default=None, help="Only rules of this pack id.")
def list_rules(fmt: str, pack_filter: str | None) -> None:
    """Every rule that applies here: id, decision, severity, status and summary.

    With --format json: a JSON array with one object per rule.
    """
    sources, cfg = session_sources()
    rows = _rule_rows(sources, cfg.values.get("disabled_rules") or [], cfg.project_packs)
    if pack_filter:
        rows = [r for r in rows if r["pack"] == pack_filter]
    if fmt == "json":
        keys = ("id", "pack", "summary", "effect", "decision", "if_requested", "severity", "status", "tools",
                "aliases", "origin", "source", "disabled", "test_counts")
        click.echo(json.dumps([{k: r[k] for k in keys} for r in rows], indent=2))
        return
    from rich.table import Table

    table = Table(title=f"{len(rows)} rules", show_lines=False)
    for col in ("id", "decision", "severity", "status", "summary"):
        table.add_column(col, overflow="fold")
    styles = {"deny": "red", "ask": "yellow", "allow": "green", "log": "dim"}
    for r in rows:
        status = r["status"] + (" (disabled)" if r["disabled"] else "")
        table.add_row(r["id"], f"[{styles.get(r['decision'], '')}]{r['decision']}[/]", r["severity"], status,
                      r["summary"])
    _console().print(table)


@command.command("show")
@click.argument("rule_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def show_rule(rule_id: str, fmt: str) -> None:
    """Everything about one rule: RULE_ID is `pack/rule`, a bare rule id when unique, or an alias."""
    sources, cfg = session_sources()
    rows = _rule_rows(sources, cfg.values.get("disabled_rules") or [], cfg.project_packs)
    hits = [r for r in rows if r["id"] == rule_id or rule_id in r["aliases"]]
    if not hits:
        hits = [r for r in rows if r["id"].split("/", 1)[1] == rule_id]
    if len(hits) != 1:
        import difflib

        ids = [r["id"] for r in rows]
        near = [r["id"] for r in hits] or difflib.get_close_matches(rule_id, ids, n=5, cutoff=0.6) or \
            difflib.get_close_matches(rule_id, [i.split("/", 1)[1] for i in ids], n=5, cutoff=0.6)
        what = "is ambiguous" if hits else "is not a known rule"
        _fail(f"'{rule_id}' {what}" + (f"; did you mean: {', '.join(near)}" if near else "; see `guardrail rules list`"))
    r = hits[0]
    if fmt == "json":
        click.echo(json.dumps(r, indent=2))
        return
    from rich.markup import escape

    con = _console()
    con.print(f"[bold]{escape(r['id'])}[/]  {escape(r['summary'])}")
    con.print(f"decision: {r['decision']}   if requested: {r['if_requested'] or '-'}   severity: {r['severity']}   "
              f"status: {r['status']}{'   DISABLED' if r['disabled'] else ''}")
    con.print(f"effect: {r['effect']}   tools: {', '.join(r['tools'])}   from: {escape(r['source'])} ({r['origin']})")
    con.print(f"\n[bold]Message[/]\n{escape(r['message'])}\n\n[bold]Why[/]\n{escape(r['why'])}")
    con.print(f"\n[bold]Match[/]\n{escape(json.dumps(r['match']))}")
    for e in r["exceptions"]:
        con.print(f"  except [bold]{escape(e['name'])}[/]: {escape(e['reason'])} {escape(json.dumps(e['when']))}")
    con.print("\n[bold]Tests[/]")
    for t in r["tests"]:
        shown = t["input"] if isinstance(t["input"], str) else json.dumps(t["input"])
        note = f"  [dim]# {escape(t['note'])}[/]" if t["note"] else ""
        con.print(f"  {t['kind']:<10} {escape(shown)}{note}")
    for n in r["clamped"]:
        con.print(f"[yellow]note:[/] {escape(n)}")


@command.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def lint(paths: tuple[Path, ...], fmt: str) -> None:
    """Validate packs: schema, unknown keys, duplicate ids, missing tests, unknown lists and checks.

    PATHS are pack files or directories of them (default: every pack that applies here).
    Exit status: 0 clean, 1 lint problems, 2 schema errors.
    """
    from guardrail.pack_schema import lint_pack
    from guardrail.packs import PackError, builtin_sources, clamp_for_origin
    from guardrail.testing import load_pack_cases

    if paths:
        files = [(f, "extra") for p in paths for f in (sorted(p.glob("*.toml")) if p.is_dir() else [p])]
        if not files:
            _fail("no .toml packs under " + ", ".join(map(str, paths)))
    else:
        files, _ = session_sources()
    errors: list[str] = []
    problems: list[str] = []
    models = []
    for f, origin in files:
        try:
            models.extend(load_pack_cases([(f, origin)]))
        except PackError as exc:
            errors.extend(str(exc).splitlines())
    # Rule ids the scenarios may name: the linted packs plus the built-ins they run beside.
    known: set[str] = set()
    try:
        known |= {f"{pc.model.pack.id}/{r.id}" for pc in load_pack_cases(builtin_sources()) for r in pc.model.rule}
    except PackError:
        pass
    seen_packs: dict[str, Path] = {}
    for pc in models:
        known |= {f"{pc.model.pack.id}/{r.id}" for r in pc.model.rule}
    for pc in models:
        pid = pc.model.pack.id
        if pid in seen_packs and seen_packs[pid].resolve() != pc.path.resolve():
            errors.append(f"{pc.path}:pack.id: pack id '{pid}' is already defined by {seen_packs[pid]}")
        seen_packs.setdefault(pid, pc.path)
        problems.extend(lint_pack(pc.model, str(pc.path), known_rule_ids=known))
        for r in pc.model.rule:
            problems.extend(f"{pc.path}:{n}" for n in clamp_for_origin(r, pc.origin)[2])
    code = EXIT_ERROR if errors else EXIT_FAIL if problems else EXIT_OK
    if fmt == "json":
        click.echo(json.dumps({"files": [str(f) for f, _ in files], "errors": errors, "problems": problems,
                               "ok": code == EXIT_OK}, indent=2))
    else:
        for line in errors:
            click.echo(f"error: {line}", err=True)
        for line in problems:
            click.echo(f"lint: {line}", err=True)
        if code == EXIT_OK:
            n_rules = sum(len(pc.model.rule) for pc in models)
            click.echo(f"{len(files)} pack(s), {n_rules} rules: clean")
    sys.exit(code)
