"""`guardrail test`: run pack tests and scenarios, or replay Claude Code transcripts."""

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


@click.command("test", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("-k", "keyword", default=None, metavar="TEXT",
              help="Only cases whose id contains TEXT (`not TEXT` excludes), e.g. -k git/reset-hard.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--expect", "expect_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Golden replay output (a previous --format json document): exit 1 on any difference.")
@click.option("-v", "--verbose", is_flag=True, help="List passing cases too.")
def command(paths: tuple[Path, ...], keyword: str | None, fmt: str, expect_file: Path | None, verbose: bool) -> None:
    """Run rule-pack tests, or replay session transcripts through the rules.

    \b
    No PATHS: every inline test and scenario of the packs that apply here.
    PACK.toml (or a directory of them): those packs' tests.
    SESSION.jsonl (or a directory holding them): replay every tool call with the intent known at
    that point of the session; one result per tool_use.

    Each rule case runs against its rule alone. Results: PASS, FAIL, ERROR, SKIP, XFAIL (a known
    gap, `todo_*`), XPASS (a todo that now passes: promote it). Exit status: 0 all pass, 1
    failures (or replay differences from --expect), 2 schema or usage error.

    \b
    Examples:
      guardrail test
      guardrail test -k git/force-push
      guardrail test .guardrail/rules/team.toml --format json
      guardrail test ~/.claude/projects/my-project/ --expect golden.json
    """
    from guardrail.packs import PackError

    packs = [p for p in paths if p.suffix == ".toml" or (p.is_dir() and any(p.glob("*.toml")))]
    transcripts = [p for p in paths if p.suffix == ".jsonl" or (p.is_dir() and p not in packs)]
    odd = [p for p in paths if p not in packs and p not in transcripts]
    if odd:
        raise click.UsageError(f"not a pack (.toml) or transcript (.jsonl): {', '.join(map(str, odd))}")
    if expect_file is not None and not transcripts:
        raise click.UsageError("--expect compares replay output: give transcript (.jsonl) paths")
    doc: dict[str, Any] = {}
    code = EXIT_OK
    try:
        if packs or not transcripts:
            cases, case_code = _run_cases(packs, keyword)
            code = max(code, case_code)
            doc["cases"] = cases
        if transcripts:
            replay, replay_code = _run_replay(transcripts, expect_file, fmt)
            code = max(code, replay_code)
            doc["replay"] = replay
    except PackError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    if fmt == "json":
        click.echo(json.dumps(_json_document(doc), indent=2))
    else:
        if "cases" in doc:
            _print_cases(doc["cases"], verbose)
        if "replay" in doc:
            _print_replay(doc["replay"], verbose)
    sys.exit(code)


def _json_document(doc: dict[str, Any]) -> dict[str, Any]:
    """One document: `{"results", "summary"}` for one kind of run; both kinds nest under their names."""
    if set(doc) == {"cases"}:
        return doc["cases"]
    if set(doc) == {"replay"}:
        return doc["replay"]
    return doc


def _setup() -> Any:
    """The session's config and rules here, as the hook sees them (guardrail.service)."""
    from guardrail.config import ConfigError
    from guardrail.packs import PackError
    from guardrail.service import load_setup

    try:
        return load_setup(os.getcwd(), os.environ)
    except (ConfigError, PackError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)


def _config() -> Any:
    from guardrail.config import ConfigError, load_config

    try:
        return load_config(os.getcwd(), os.environ)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)


def _run_cases(packs: list[Path], keyword: str | None) -> tuple[dict[str, Any], int]:
    from guardrail.packs import builtin_sources
    from guardrail.testing import run_pack_tests, summarize

    if packs:
        sources = [(f, "extra") for p in packs for f in (sorted(p.glob("*.toml")) if p.is_dir() else [p])]
    else:
        sources = builtin_sources() + list(_config().pack_sources)
    from guardrail.commands.output import LateProgress

    with LateProgress("running rule tests", None) as bar:  # shown when the tests take over a second
        results = run_pack_tests(sources, keyword, progress=bar.advance)
    summary = summarize(results)
    code = EXIT_FAIL if any(r.failed for r in results) else EXIT_OK
    return {"results": [_case_json(r) for r in results], "summary": summary}, code


def _case_json(r: Any) -> dict[str, Any]:
    d = r.to_dict()
    if isinstance(d["input"], str) and len(d["input"]) > 2000:
        d["input"] = d["input"][:2000] + f"... ({len(r.input)} characters)"
    return d


def _run_replay(paths: list[Path], expect_file: Path | None, fmt: str) -> tuple[dict[str, Any], int]:
    from guardrail.replay import compare_expected, expand_transcripts, replay_paths

    setup = _setup()
    ruleset = setup.ruleset
    files = expand_transcripts(paths)
    if not files:
        raise click.UsageError("no .jsonl transcripts under " + ", ".join(map(str, paths)))
    from guardrail.commands.output import LateProgress

    with LateProgress("replaying transcripts", len(files)) as bar:  # shown when the replay takes over a second
        doc = replay_paths(files, ruleset, config=setup.values, progress=bar.advance)
    code = EXIT_FAIL if doc["summary"]["errors"] else EXIT_OK
    if expect_file is not None:
        try:
            expected = json.loads(expect_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise click.UsageError(f"--expect {expect_file}: not a JSON document: {exc}") from None
        if not isinstance(expected, dict):
            raise click.UsageError(f"--expect {expect_file}: expected a {{\"results\": [...]}} document")
        diffs = compare_expected(doc, expected.get("replay", expected))
        doc["summary"]["expect"] = {"file": str(expect_file), "differences": diffs}
        if diffs:
            code = EXIT_FAIL
    return doc, code


_STYLE = {"PASS": "green", "FAIL": "bold red", "ERROR": "bold red", "SKIP": "yellow", "XFAIL": "dim",
          "XPASS": "bold magenta", "deny": "red", "ask": "yellow", "allow": "green", "none": "dim",
          "error": "bold red"}


def _print_cases(doc: dict[str, Any], verbose: bool) -> None:
    from rich.markup import escape
    from rich.table import Table

    con = _console()
    shown = [r for r in doc["results"] if verbose or r["status"] not in ("PASS", "XFAIL")]
    if shown:
        table = Table(show_lines=False)
        for col in ("status", "case", "input", "detail"):
            table.add_column(col, overflow="fold")
        for r in shown:
            inp = r["input"] if isinstance(r["input"], str) else json.dumps(r["input"])
            table.add_row(f"[{_STYLE[r['status']]}]{r['status']}[/]", escape(r["id"]), escape(inp[:200]),
                          escape(r["detail"][:300]))
        con.print(table)
    s = doc["summary"]
    parts = [f"[{_STYLE[k]}]{s[k]} {k.lower()}[/]" for k in ("PASS", "FAIL", "ERROR", "SKIP", "XFAIL", "XPASS") if s[k]]
    con.print(f"{s['total']} cases: " + ", ".join(parts) if parts else "no cases matched")


def _print_replay(doc: dict[str, Any], verbose: bool) -> None:
    from rich.markup import escape
    from rich.table import Table

    con = _console()
    rows = [r for r in doc["results"] if verbose or r["decision"] != "none"]
    if rows:
        table = Table(show_lines=False)
        for col in ("decision", "file:line", "tool", "input", "rules"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(f"[{_STYLE.get(r['decision'], '')}]{r['decision']}[/]", escape(f"{r['file']}:{r['line']}"),
                          escape(r["tool"]), escape(r["input"][:120]), escape(", ".join(r["rule_ids"]) or r["error"] or ""))
        con.print(table)
    s = doc["summary"]
    d = s["decisions"]
    con.print(f"{s['files']} transcript(s), {s['tool_uses']} tool calls" +
              (": " + ", ".join(f"[{_STYLE[k]}]{d[k]} {k}[/]" for k in d if d[k]) if s["tool_uses"] else ""))
    if s["rules"]:
        con.print("rules: " + ", ".join(f"{escape(k)} x{v}" for k, v in s["rules"].items()))
    for problem in s.get("problems", []):
        con.print(f"[yellow]warning:[/] {escape(problem)}")
    for diff in s.get("expect", {}).get("differences", []):
        con.print(f"[bold red]differs:[/] {escape(diff)}")
    if "expect" in s and not s["expect"]["differences"]:
        con.print(f"[green]matches {escape(s['expect']['file'])}[/]")
