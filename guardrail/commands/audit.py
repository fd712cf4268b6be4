"""`guardrail audit`: read the audit trail (tail, follow, filters, stats).

click and rich are imported here only: this module is loaded when a person runs the command, never
by the hook.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter, deque
from typing import Any, Callable, Iterable, Iterator

import click

from guardrail import audit

FORMATS = ("table", "json", "jsonl")
DECISIONS = ("allow", "deny", "ask", "none")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


# --- filters ----------------------------------------------------------------------------------------


def parse_since(value: str, now: float | None = None) -> str:
    """`2h`, `30m`, `1d`, `1w`, `45s` or an ISO date/time -> the ISO UTC string records are compared with.

    Record times are fixed-width ISO UTC (`2026-12-02T04:07:48.407Z`), so a string comparison orders them.
    """
    v = value.strip()
    if len(v) >= 2 and v[-1].lower() in _UNITS and v[:-1].replace(".", "", 1).isdigit():
        t = (time.time() if now is None else now) - float(v[:-1]) * _UNITS[v[-1].lower()]
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}Z"
    from datetime import datetime, timezone

    try:
        dt = datetime.fromisoformat(v.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is neither a duration (30m, 2h, 1d, 1w) nor an ISO date/time (2026-12-01, 2026-12-01T10:00:00Z)",
            param_hint="--since",
        ) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    dt = dt.astimezone(timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def make_filter(
    *,
    session: str | None = None,
    decision: Iterable[str] = (),
    rule: str | None = None,
    tool: str | None = None,
    event: str | None = None,
    since: str | None = None,
) -> Callable[[dict], bool]:
    """A predicate over records. `session` matches a prefix; `rule` and `tool` accept globs (`git/*`)."""
    from fnmatch import fnmatchcase

    decisions = {d.lower() for d in decision}
    since_iso = parse_since(since) if since else None

    def keep(r: dict) -> bool:
        if session and not str(r.get("session_id") or "").startswith(session):
            return False
        if decisions and (r.get("decision") or "none") not in decisions:
            return False
        if rule and not any(fnmatchcase(str(x), rule) for x in (r.get("rule_ids") or [])):
            return False
        if tool and not fnmatchcase(str(r.get("tool") or ""), tool):
            return False
        if event and str(r.get("event") or "").lower() != event.lower():
            return False
        if since_iso and str(r.get("time") or "") < since_iso:
            return False
        return True

    return keep


# --- output -----------------------------------------------------------------------------------------


def _console(stderr: bool = False) -> Any:
    from guardrail.commands import output

    return output.console(stderr, soft_wrap=False)


def summarize_input(rec: dict, width: int = 80) -> str:
    inp = rec.get("input")
    if isinstance(inp, dict):
        for key in ("command", "file_path", "notebook_path", "url", "query", "pattern", "sql"):
            if isinstance(inp.get(key), str):
                text = inp[key]
                break
        else:
            text = json.dumps(inp, ensure_ascii=False, separators=(",", ":"))
    elif inp is None:
        text = ""
    else:
        text = json.dumps(inp, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


_DECISION_STYLE = {"deny": "bold red", "ask": "yellow", "allow": "green"}


def _row(rec: dict) -> list[str]:
    decision = rec.get("decision") or ("error" if rec.get("error") else "none" if rec.get("event") == "PreToolUse" else "-")
    if rec.get("outcome") is not None and not rec.get("decision"):
        ok = rec["outcome"].get("ok") if isinstance(rec["outcome"], dict) else None
        decision = "ran" if ok else "failed" if ok is False else "outcome"
    return [
        str(rec.get("time") or "")[5:19].replace("T", " "),
        str(rec.get("session_id") or "")[:8],
        _EVENT_SHORT.get(str(rec.get("event") or ""), str(rec.get("event") or "")),
        str(rec.get("tool") or ""),
        decision,
        ",".join(str(x) for x in rec.get("rule_ids") or []),
        summarize_input(rec, 300),
        " ".join(str(rec.get("error") or rec.get("reason") or "").split())[:80],
    ]


_EVENT_SHORT = {"PreToolUse": "pre", "PostToolUse": "post", "PostToolUseFailure": "post-fail",
                "UserPromptSubmit": "prompt", "SessionStart": "start"}
_COLUMNS = ("time (UTC)", "session", "event", "tool", "decision", "rules", "input", "reason")


def render_records(records: list[dict], fmt: str, out: Any = None) -> None:
    if fmt == "jsonl":
        for r in records:
            click.echo(json.dumps(r, ensure_ascii=False, separators=(",", ":")))
    elif fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    else:
        from rich.table import Table

        con = out or _console()
        rows = [_row(r) for r in records]
        # One line per record at any terminal width: short columns keep their width (the decision is
        # never hidden), input and reason share what is left; --format jsonl has every field.
        widths = [min(24, max([len(c)] + [len(r[i]) for r in rows])) for i, c in enumerate(_COLUMNS)]
        cols = list(range(len(_COLUMNS)))
        spare = con.width - sum(widths[i] + 2 for i in cols if i < 6)
        if spare < 30:  # narrow terminal: drop the least useful columns first
            for drop in (2, 0):
                cols.remove(drop)
                spare += widths[drop] + 2
                if spare >= 30:
                    break
        longest = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(_COLUMNS)]
        widths[6] = max(10, min(longest[6], (spare - 4) * 2 // 3))  # no wider than the text: no padded lines
        widths[7] = max(8, min(longest[7], spare - 4 - widths[6]))
        table = Table(box=None, header_style="bold", pad_edge=False)
        for i in cols:
            table.add_column(_COLUMNS[i], no_wrap=True, overflow="ellipsis", min_width=widths[i], max_width=widths[i])
        for cells in rows:
            style = _DECISION_STYLE.get(cells[4])
            shown = [_escape(_cut(cells[i], widths[i])) for i in cols]
            if style:
                k = cols.index(4)
                shown[k] = f"[{style}]{shown[k]}[/]"
            table.add_row(*shown)
        con.print(table)


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def _cut(s: str, width: int) -> str:
    return s if len(s) <= width else s[: max(0, width - 1)] + "…"


def _escape(s: str) -> str:
    from rich.markup import escape

    return escape(s)


def _line(rec: dict) -> str:
    return "  ".join(c for c in _row(rec) if c)


# --- paths ------------------------------------------------------------------------------------------


def resolve_path(path: str | None) -> str:
    """--path > GUARDRAIL_AUDIT_LOG > config `audit_path` > the default location ($CLAUDE_PLUGIN_DATA's inside a
    plugin hook, else the state directory): where this process's hook would write."""
    if path:
        return os.path.expanduser(path)
    if not os.environ.get("GUARDRAIL_AUDIT_LOG"):
        try:  # the config module belongs to another part of guardrail; a broken config must not hide the log
            from guardrail.config import load_config

            configured = load_config(os.getcwd()).values.get("audit_path")
            if configured:
                return os.path.expanduser(str(configured))
        except Exception:  # noqa: BLE001
            pass
    return os.fspath(audit.default_audit_path())


def plugin_logs(env: Any = os.environ) -> list[str]:
    """The audit logs the plugin's hooks write: `<Claude config dir>/plugins/data/guardrail-<marketplace>/`."""
    import glob

    base = env.get("CLAUDE_CONFIG_DIR") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".claude")
    return sorted(glob.glob(os.path.join(glob.escape(base), "plugins", "data", "guardrail-*", "audit.jsonl")))


def resolve_paths(path: str | None) -> list[str]:
    """The logs to read. An explicit place (--path, $GUARDRAIL_AUDIT_LOG, `audit_path`, $CLAUDE_PLUGIN_DATA) is the
    only one; otherwise the settings-file install's log and every plugin log that exists (plugin users' hooks
    write under ~/.claude/plugins/data/, which a shell does not know), read together."""
    first = resolve_path(path)
    if path or os.environ.get("GUARDRAIL_AUDIT_LOG") or os.environ.get("CLAUDE_PLUGIN_DATA") \
            or first != os.fspath(audit.default_audit_path()):
        return [first]
    found = [p for p in [first, *plugin_logs()] if os.path.exists(p)]
    return found or [first]


def _records(paths: str | list[str]) -> Iterator[dict]:
    if isinstance(paths, str):
        return audit.iter_all_records(paths)
    if len(paths) == 1:
        return audit.iter_all_records(paths[0])
    import heapq

    # each log is in time order; records from several logs interleave by time
    return heapq.merge(*(audit.iter_all_records(p) for p in paths), key=lambda r: str(r.get("time") or ""))


def _say_reading(paths: list[str]) -> None:
    click.echo(f"reading {', '.join(paths)}", err=True)


# --- commands ---------------------------------------------------------------------------------------


def _filter_options(f: Callable) -> Callable:
    opts = [
        click.option("--path", "path", type=click.Path(dir_okay=False), help="Audit log to read (default: the configured log)."),
        click.option("--session", help="Only this session (id or prefix)."),
        click.option("--decision", "decision", multiple=True, type=click.Choice(DECISIONS, case_sensitive=False),
                     help="Only these decisions (repeatable); `none` = records without one (outcomes)."),
        click.option("--rule", help="Only records naming this rule id (glob, e.g. 'git/*' or 'git/reset-*')."),
        click.option("--tool", help="Only this tool (glob, e.g. 'mcp__*')."),
        click.option("--event", help="Only this hook event (PreToolUse, PostToolUse, ...)."),
        click.option("--since", help="Only records newer than this: 30m, 2h, 1d, 1w or an ISO date/time."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


@click.group(name="audit")
def command() -> None:
    """Read guardrail's audit trail: one JSON line per tool call (its decision, or none) and per outcome.

    Reads the configured log, and the plugin's logs (~/.claude/plugins/data/guardrail-*/audit.jsonl) when nothing
    names one; table output says which files it read.

    \b
    Examples:
      guardrail audit tail -n 50 --decision deny
      guardrail audit tail --follow --session 3f2a
      guardrail audit stats --since 1d
      guardrail audit tail --rule 'git/*' --format jsonl | jq .reason
    """


@command.command("tail")
@click.option("-n", "--lines", "lines", type=click.IntRange(min=0), default=20, show_default=True,
              help="How many of the latest matching records to show.")
@click.option("-f", "--follow", is_flag=True, help="Keep printing new records as hooks append them (Ctrl-C to stop).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@_filter_options
def tail_cmd(lines: int, follow: bool, fmt: str, path: str | None, session: str | None, decision: tuple[str, ...],
             rule: str | None, tool: str | None, event: str | None, since: str | None) -> None:
    """Show the latest records (oldest first), optionally following the log."""
    paths = resolve_paths(path)
    keep = make_filter(session=session, decision=decision, rule=rule, tool=tool, event=event, since=since)
    last: deque[dict] = deque(maxlen=lines)
    for r in _records(paths):
        if keep(r):
            last.append(r)
    p = paths[0] if len(paths) == 1 else max(paths, key=_mtime)  # --follow follows the log written last
    if not any(os.path.exists(x) for x in paths) and not follow:
        click.echo(f"no audit log at {p} (no tool call has been recorded yet, or the path is wrong; "
                   f"plugin logs are looked for under ~/.claude/plugins/data/guardrail-*/)", err=True)
        return
    if fmt == "table":
        _say_reading(paths)
    if fmt != "table":
        if not follow or last:
            render_records(list(last), "jsonl" if follow else fmt)
    elif last:
        render_records(list(last), fmt)
    elif not follow:
        click.echo(f"no matching records in {', '.join(paths)}", err=True)
    if follow:
        try:
            for r in follow_records(p):
                if keep(r):
                    if fmt == "table":
                        click.echo(_line(r))
                    else:
                        click.echo(json.dumps(r, ensure_ascii=False, separators=(",", ":")))
                    sys.stdout.flush()
        except KeyboardInterrupt:
            pass


def follow_records(path: str, *, poll_s: float = 0.25, stop: Callable[[], bool] | None = None) -> Iterator[dict]:
    """Yield records appended to `path` from now on; survives rotation (a new inode is read from its start)."""
    fh = None
    ino = None
    buf = b""
    try:
        while stop is None or not stop():
            if fh is None:
                try:
                    fh = open(path, "rb")
                    st = os.fstat(fh.fileno())
                    if ino is None:
                        fh.seek(0, os.SEEK_END)  # first open: only what comes next
                    ino = st.st_ino
                    buf = b""
                except OSError:
                    fh = None
                    time.sleep(poll_s)
                    continue
            chunk = fh.read()
            if chunk:
                buf += chunk
                *complete, buf = buf.split(b"\n")
                for raw in complete:
                    rec = audit._parse_line(raw)
                    if rec is not None:
                        yield rec
                continue
            try:
                if os.stat(path).st_ino != ino:  # rotated: finish nothing more here, read the new file
                    fh.close()
                    fh = None
                    ino = -1
                    continue
            except OSError:
                pass
            time.sleep(poll_s)
    finally:
        if fh is not None:
            fh.close()


def compute_stats(records: Iterable[dict]) -> dict[str, Any]:
    """Counts of decisions per rule, per session and per day (UTC); errors and outcomes counted apart."""
    per_rule: dict[str, Counter] = {}
    per_session: dict[str, Counter] = {}
    per_day: dict[str, Counter] = {}
    first_last: dict[str, list[str]] = {}
    totals: Counter = Counter()
    for r in records:
        d = r.get("decision")
        t = str(r.get("time") or "")
        if r.get("error"):
            totals["errors"] += 1
        if r.get("event") == "PreToolUse":
            totals["calls"] += 1
            if not d:
                totals["none"] += 1
        if not d:
            if r.get("outcome") is not None:
                totals["outcomes"] += 1
            continue
        d = str(d)
        totals[d] += 1
        totals["decisions"] += 1
        for rid in r.get("rule_ids") or ["(none)"]:
            per_rule.setdefault(str(rid), Counter())[d] += 1
        sid = str(r.get("session_id") or "(none)")
        per_session.setdefault(sid, Counter())[d] += 1
        fl = first_last.setdefault(sid, [t, t])
        fl[0], fl[1] = min(fl[0], t), max(fl[1], t)
        per_day.setdefault(t[:10] or "(unknown)", Counter())[d] += 1

    def rows(m: dict[str, Counter], key: str) -> list[dict[str, Any]]:
        out = []
        for k, c in m.items():
            row = {key: k, "total": sum(c.values()), "deny": c["deny"], "ask": c["ask"], "allow": c["allow"]}
            out.append(row)
        return out

    sessions = rows(per_session, "session_id")
    for row in sessions:
        row["first"], row["last"] = first_last[row["session_id"]]
    return {
        "totals": dict(totals),
        "rules": sorted(rows(per_rule, "rule_id"), key=lambda x: (-x["total"], x["rule_id"])),
        "sessions": sorted(sessions, key=lambda x: x["last"], reverse=True),
        "days": sorted(rows(per_day, "day"), key=lambda x: x["day"]),
    }


@command.command("stats")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True, help="Rows per table (rules, sessions).")
@_filter_options
def stats_cmd(fmt: str, top: int, path: str | None, session: str | None, decision: tuple[str, ...],
              rule: str | None, tool: str | None, event: str | None, since: str | None) -> None:
    """Decisions per rule, per session and per day."""
    paths = resolve_paths(path)
    p = ", ".join(paths)
    keep = make_filter(session=session, decision=decision, rule=rule, tool=tool, event=event, since=since)
    stats = compute_stats(r for r in _records(paths) if keep(r))
    if fmt == "json":
        click.echo(json.dumps(stats, indent=2))
        return
    if fmt == "jsonl":
        for section in ("rules", "sessions", "days"):
            for row in stats[section]:
                click.echo(json.dumps({"section": section, **row}, separators=(",", ":")))
        return
    from rich.table import Table

    con = _console()
    t = stats["totals"]
    con.print(
        f"[bold]{t.get('calls', 0)}[/] tool calls, {t.get('none', 0)} with no opinion; "
        f"[bold]{t.get('decisions', 0)}[/] decisions: [bold red]{t.get('deny', 0)} deny[/], "
        f"[yellow]{t.get('ask', 0)} ask[/], [green]{t.get('allow', 0)} allow[/]; "
        f"{t.get('outcomes', 0)} outcomes, {t.get('errors', 0)} errors  ({_escape(p)})"
    )
    for title, section, key, limit in (
        ("Decisions per rule", "rules", "rule_id", top),
        ("Decisions per session", "sessions", "session_id", top),
        ("Decisions per day (UTC)", "days", "day", None),
    ):
        rows = stats[section] if limit is None else stats[section][:limit]
        table = Table(title=title, title_justify="left", box=None, header_style="bold", pad_edge=False)
        table.add_column(key.replace("_", " "))
        for c in ("total", "deny", "ask", "allow"):
            table.add_column(c, justify="right")
        if section == "sessions":
            table.add_column("last (UTC)")
        for row in rows:
            cells = [_escape(str(row[key])), str(row["total"]), str(row["deny"]), str(row["ask"]), str(row["allow"])]
            if section == "sessions":
                cells.append(str(row["last"])[:19].replace("T", " "))
            table.add_row(*cells)
        if len(stats[section]) > len(rows):
            table.caption = f"{len(stats[section]) - len(rows)} more (use --top or --format json)"
        con.print()
        con.print(table)


@command.command("path")
def path_cmd() -> None:
    """Print where the audit logs are (and their rotated files): the configured log and any plugin logs."""
    for p in resolve_paths(None):
        click.echo(p)
        for r in reversed(audit.rotated_paths(p)):
            click.echo(r)
