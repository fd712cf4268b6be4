"""`guardrail config show`: the merged configuration and the file that supplied each value."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click


@click.group("config", context_settings={"help_option_names": ["-h", "--help"]})
def command() -> None:
    """Inspect guardrail's layered configuration (built-in, user, project, environment)."""


def config_document(cfg: Any) -> dict[str, Any]:
    return {
        "values": cfg.public_values(),
        "sources": cfg.sources,
        "files": cfg.files,
        "project_root": str(cfg.project_root) if cfg.project_root else None,
        "project_trusted": cfg.project_trusted,
        "packs": [{"path": str(p), "layer": layer} for p, layer in cfg.pack_sources],
        "notes": cfg.notes,
        "problems": cfg.problems,
    }


@command.command("show")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--cwd", default=None, help="Resolve the project layer from this directory (default: current).")
def show(fmt: str, cwd: str | None) -> None:
    """Print every setting, its value and where it came from; ignored project settings are noted."""
    from guardrail.config import ConfigError, load_config

    try:
        cfg = load_config(os.path.abspath(cwd or os.getcwd()), os.environ)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    doc = config_document(cfg)
    for problem in cfg.problems:  # a broken project config: the hook leaves it out; here it is an error
        click.echo(f"error: {problem}", err=True)
    code = 2 if cfg.problems else 0
    if fmt == "json":
        click.echo(json.dumps(doc, indent=2))
        sys.exit(code)
    from rich.markup import escape
    from rich.table import Table

    from guardrail.commands import output

    con = output.console()
    table = Table(title="guardrail configuration")
    for col in ("key", "value", "source"):
        table.add_column(col, overflow="fold")
    values = doc["values"]
    for key, source in cfg.sources.items():
        if key.startswith("protected."):
            value: Any = values["protected"][key.split(".", 1)[1]]
        else:
            value = values.get(key)
        shown = ", ".join(value) if isinstance(value, list) else ("(default)" if value is None else str(value))
        table.add_row(key, escape(shown or "-"), escape(source))
    con.print(table)
    root = doc["project_root"]
    con.print(f"project: {escape(root) if root else '(none found)'}"
              + (f"  [{'green' if cfg.project_trusted else 'yellow'}]"
                 f"{'trusted' if cfg.project_trusted else 'untrusted: may only tighten'}[/]" if root else ""))
    for p in doc["packs"]:
        con.print(f"pack ({p['layer']}): {escape(p['path'])}")
    for n in doc["notes"]:
        con.print(f"[yellow]ignored:[/] {escape(n)}")
    sys.exit(code)
