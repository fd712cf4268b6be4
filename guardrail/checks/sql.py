"""Checks for SQL: the statements a client, a file, a tool option or inline driver code runs, and what they destroy."""

from __future__ import annotations

import re

from guardrail.base.text import LazyRegex
from guardrail.base.vocab import SQL_CLIENTS
from guardrail.expand.code.inline import STRING_LITERAL, inline_code
from guardrail.model import EvalContext, SimpleCommand
from guardrail.rules import effect_selected, positionals
from guardrail.sql.clients import SQLITE_LIKE, client_options, sqlite_options
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Iterable, Mapping


# Client commands inside SQL text that make the client read another file: psql `\i f`, `\ir f`,
# `\include f`; mysql `source f`, `\. f`; sqlite `.read f`.
_INCLUDE = LazyRegex(r"(?im)^\s*(?:\\i(?:r|nclude|nclude_relative)?|\\\.|source|\.read)\s+(['\"]?)([^\s;'\"]+)\1\s*;?\s*$")


def _file_text(path: str, ctx: EvalContext) -> str | None:
    """A file a client reads: a real path, or a process substitution whose output is plain text."""
    if path.startswith("$(") and path.endswith(")"):
        inner = path[2:-1].strip()
        if inner.startswith("cat ") and " " not in inner[4:].strip():
            return ctx.read(inner[4:].strip().strip("'\""))
        if inner.startswith(("echo ", "printf ")):
            from guardrail.shell.parse import parse_command

            cmds = parse_command(inner).commands
            if len(cmds) == 1 and cmds[0].name in ("echo", "printf"):
                return " ".join(x for x in cmds[0].args if not x.startswith("-"))
        return None
    return ctx.read(path)


def _with_includes(origin: str, text: str, ctx: EvalContext, out: list[tuple[str, str]], depth: int = 0) -> None:
    out.append((origin, text))
    if depth < 3 and ("\\" in text or "source" in text.lower() or ".read" in text):
        for m in _INCLUDE.finditer(text):
            sub = _file_text(m.group(2), ctx)
            if sub is not None:
                _with_includes(f"-f {m.group(2)}", sub, ctx, out, depth + 1)


def _option_payloads(found: list[tuple[str, str, str]], ctx: EvalContext, out: list[tuple[str, str]], *,
                     long_file_origin: bool) -> None:
    """The SQL of a client's options: ("sql", option, text) as given, ("file", option, path) read. A file's origin
    is `-f PATH`, or `--file PATH` for a long option when `long_file_origin`."""
    for kind, opt, val in found:
        if kind == "sql":
            _with_includes(opt, val, ctx, out)
        else:
            text = _file_text(val, ctx)
            if text is not None:
                long = long_file_origin and not (opt.startswith("-") and not opt.startswith("--"))
                _with_includes(f"--file {val}" if long else f"-f {val}", text, ctx, out)


def sql_payloads(cmd: SimpleCommand, ctx: EvalContext) -> list[tuple[str, str]]:
    """(origin, SQL text) pairs a database client command would execute. Origins of text read from files start
    with `-f`, `--file`, `<` or `.read` (rules asking for files only rely on it)."""
    name = cmd.name
    a = cmd.args
    out: list[tuple[str, str]] = []
    if name not in SQL_CLIENTS:
        return out
    if name == "bq":
        if "query" in a:
            out.extend(("bq query", x) for x in a[a.index("query") + 1:] if not x.startswith("-"))
    elif name in SQLITE_LIKE:
        found, pos = client_options("mycli", a) if name == "litecli" else sqlite_options(a)
        _option_payloads(found, ctx, out, long_file_origin=False)
        # sqlite3 DB "SQL" ...: every word after the database is SQL or a dot-command
        for x in pos[1:]:
            _with_includes("argument", x, ctx, out)
    else:
        _option_payloads(client_options(name, a)[0], ctx, out, long_file_origin=True)
    if cmd.stdin_text:
        _with_includes("stdin", cmd.stdin_text, ctx, out)
    elif cmd.stdin_file:
        text = _file_text(cmd.stdin_file, ctx)
        if text is not None:
            _with_includes(f"< {cmd.stdin_file}", text, ctx, out)
    return out


def command_env(cmd: SimpleCommand, ctx: EvalContext) -> str:
    from guardrail.environment import command_environment  # compiles its patterns on import: on first need

    return ctx.memo_for("environment", cmd, command_environment)


_DB_OPTS = {"psql": ("-d", "--dbname"), "pgcli": ("-d", "--dbname"), "mysql": ("-D", "--database"),
            "mariadb": ("-D", "--database"), "mycli": ("-D", "--database"), "cockroach": ("--database", "-d"),
            "clickhouse-client": ("-d", "--database"), "sqlcmd": ("-d",), "snowsql": ("-d", "--dbname")}


def _client_database(cmd: SimpleCommand, ctx: EvalContext) -> str:
    return client_database(cmd)


def client_database(cmd: SimpleCommand) -> str:
    """The database a client command connects to, as written ('' when it comes from the environment)."""
    a = cmd.args
    for opt in _DB_OPTS.get(cmd.name, ()):
        for i, x in enumerate(a):
            if x == opt and i + 1 < len(a):
                return a[i + 1]
            if x.startswith(opt + "="):
                return x.split("=", 1)[1]
    for x in a:
        if "://" in x:
            return x.rsplit("/", 1)[-1].split("?")[0] or x
    pos = [p for p in positionals(cmd) if not p.lower().lstrip().startswith(("select", "drop", "delete", "update",
                                                                              "truncate", "alter", "insert", "."))]
    if cmd.name in ("psql", "mysql", "mariadb", "pgcli", "mycli", "sqlite3", "sqlite", "litecli", "duckdb") and pos:
        return pos[0]
    for k, v in cmd.env:
        if k in ("PGDATABASE", "MYSQL_DATABASE"):
            return v
    return ""


_EXTRA_SQL_TOOLS = frozenset({"cqlsh", "prisma", "heroku", "wrangler", "turso", "supabase", "rails", "manage.py", "python",
                              "python3", "planetscale", "pscale", "fly", "flyctl", "neonctl", "d1"})


def extra_sql_payloads(cmd: SimpleCommand, ctx: EvalContext) -> list[tuple[str, str]]:
    """SQL reaching a database through tools other than the plain clients (prisma db execute, heroku pg:psql, ...)."""
    name, a = cmd.name, list(cmd.args)
    pos = positionals(cmd)
    out: list[tuple[str, str]] = []

    def opt(*names: str) -> list[str]:
        vals = []
        for i, x in enumerate(a):
            for n in names:
                if x == n and i + 1 < len(a):
                    vals.append(a[i + 1])
                elif x.startswith(n + "="):
                    vals.append(x.split("=", 1)[1])
        return vals

    def add_file(label: str, path: str | None) -> None:
        text = ctx.read_text(path) if path else None
        if text is not None:
            out.append((f"{label} {path}", text))

    if name == "prisma" and pos[:2] == ["db", "execute"]:
        for f in opt("--file"):
            add_file("--file", f)
        if "--stdin" in a and cmd.stdin_text:
            out.append(("stdin", cmd.stdin_text))
        elif "--stdin" in a and cmd.stdin_file:
            add_file("<", cmd.stdin_file)
    elif name == "heroku" and pos[:1] in (["pg:psql"], ["psql"]):
        out += [("-c", v) for v in opt("-c", "--command")]
        for f in opt("-f", "--file"):
            add_file("-f", f)
        if cmd.stdin_text:
            out.append(("stdin", cmd.stdin_text))
    elif name == "wrangler" and pos[:2] == ["d1", "execute"]:
        out += [("--command", v) for v in opt("--command")]
        for f in opt("--file"):
            add_file("--file", f)
    elif name == "cqlsh":
        out += [("-e", v) for v in opt("-e", "--execute")]
        for f in opt("-f", "--file"):
            add_file("-f", f)
        if cmd.stdin_text:
            out.append(("stdin", cmd.stdin_text))
    elif name == "turso" and pos[:2] == ["db", "shell"]:
        out += [("argument", v) for v in pos[3:]]
        if cmd.stdin_text:
            out.append(("stdin", cmd.stdin_text))
    elif name in ("rails", "manage.py", "python", "python3", "supabase", "pscale", "planetscale", "fly", "flyctl"):
        joined = " ".join(pos[:3])
        if re.search(r"\b(dbconsole|dbshell|db shell|pg connect|postgres connect|psql)\b", joined) and cmd.stdin_text:
            out.append(("stdin", cmd.stdin_text))
        elif re.search(r"\b(dbconsole|dbshell)\b", joined) and cmd.stdin_file:
            add_file("<", cmd.stdin_file)
    return out


def all_sql_payloads(cmd: SimpleCommand, ctx: EvalContext) -> list[tuple[str, str]]:
    """(origin, SQL text) pairs the command would run; shared by every SQL rule asking about `cmd` (read only)."""
    if cmd.name not in SQL_CLIENTS and cmd.name not in _EXTRA_SQL_TOOLS:
        return []
    return ctx.memo_for("sql", cmd, _all_sql_payloads)


def _all_sql_payloads(cmd: SimpleCommand, ctx: EvalContext) -> list[tuple[str, str]]:
    if cmd.name in SQL_CLIENTS:
        # the shared extractor reads -f files with the raw path; resolve it against cwd here instead
        base = sql_payloads(cmd, EvalContext(cwd=ctx.cwd, project_dir=ctx.project_dir, home=ctx.home, env=ctx.env,
                                             read_file=lambda p: ctx.read_text(p), config=ctx.config))
        return base
    if cmd.name in _EXTRA_SQL_TOOLS:
        return extra_sql_payloads(cmd, ctx)
    return []


def sql_findings(payloads: Iterable[tuple[str, str]], args: Mapping[str, Any], database: str = "",
                 strict: bool = False) -> list[str]:
    """Targets for the destructive statements in `payloads`, filtered by `args.effects` / `args.kinds`."""
    want = args.get("effects") or ()
    kinds = args.get("kinds") or ()
    out = []
    for _origin, text in payloads:
        for effect, kind, objs, st_database, shown in _statement_targets(text, strict):
            if want and effect not in want:
                continue
            if kinds and kind not in kinds:
                continue
            db = st_database or database
            where = f" in database {db}" if db and kind != "drop_database" else ""
            out.append(f"{objs}{where} (`{shown}`)")
    return out


_TARGETS: dict[tuple[str, bool], tuple[tuple[str, str, str, str, str], ...]] = {}


def _statement_targets(text: str, strict: bool) -> tuple[tuple[str, str, str, str, str], ...]:
    """(effect, kind, objects, database, statement as shown) per destructive statement of `text`: every SQL rule
    formats the same statements, each keeping those of its effects (memoised beside sql.destructive_in)."""
    key = (text, strict)
    hit = _TARGETS.get(key)
    if hit is None:
        from guardrail.sql import analyze as sqlmod

        hit = tuple((st.effect, st.kind, ", ".join(st.objects) or "?", st.database or "",
                     " ".join(st.statement.split())[:80]) for st in sqlmod.destructive_in(text, strict=strict))
        if len(text) <= sqlmod._DESTRUCTIVE_TEXT_MAX:
            if len(_TARGETS) >= sqlmod._MEMO_MAX:
                _TARGETS.clear()
            _TARGETS[key] = hit
    return hit


def env_allows(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> bool:
    """`args.environment` / `args.not_environment` filters, evaluated only when a rule asks (may read .env)."""
    want, avoid = args.get("environment"), args.get("not_environment")
    if not want and not avoid:
        return True
    env = command_env(cmd, ctx)
    return (not want or env in want) and not (avoid and env in avoid)


def sql_destructive(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """SQL a client or tool would run that drops, truncates, mass-deletes or strips structure.

    Replaces the first version in guardrail.checks: adds files resolved against cwd, prisma db execute,
    heroku pg:psql, wrangler d1, turso, dbshell/dbconsole stdin, names the database, and filters by
    `args.environment` / `args.not_environment`.
    """
    payloads = all_sql_payloads(cmd, ctx)
    if args.get("files_only"):
        payloads = [(o, t) for o, t in payloads if o.startswith(("-f", "--file", "<", ".read"))]
    if not payloads:
        return []
    database = ctx.memo_for("database", cmd, _client_database)
    if database == ":memory:" or (cmd.name in ("sqlite3", "sqlite", "duckdb") and not positionals(cmd)):
        return []  # an in-memory database: nothing outlives the command
    found = sql_findings(payloads, args, database)
    return found if found and env_allows(cmd, ctx, args) else []


_EXEC_CALL = LazyRegex(r"(?:\b|(?<=\$))(execute\w*|exec|query\w*|raw|run|sql|prepare|\$executeRaw\w*|"
                        r"\$queryRaw\w*|\$executeRawUnsafe|unsafe|none|any|many|batch|do|select_all|exec_query)\s*[(`]", re.I)


_ORM_API = [
    (LazyRegex(r"\bmetadata\.drop_all\s*\(|\bdb\.drop_all\s*\(|\.dropDatabase\s*\(|\.dropCollection\s*\(|"
                r"\bsequelize\.drop\s*\(|\.sync\s*\(\s*\{\s*force\s*:\s*true|\.synchronize\s*\(\s*true|"
                r"\bdropSchema\s*\(|\.dropTable\s*\(|\bdrop_table\s*\(|\bschema\.dropTable|\bmigrate\.reset\b|"
                r"\bcall_command\s*\(\s*['\"](flush|reset_db)['\"]"), "data.drop"),
    (LazyRegex(r"\.objects(\.all\(\))?\.delete\s*\(\s*\)|\.(destroy_all|delete_all)\b(?!\s*\(\s*\w)|"
                r"\.deleteMany\s*\(\s*(\{\s*\})?\s*\)|\.truncate\s*\(\s*\)|\bflushall\s*\(|\bflushdb\s*\(|"
                r"\.query\s*\(\s*\w+\s*\)\.delete\s*\(\s*\)|\.destroy\s*\(\s*\{\s*(where\s*:\s*\{\s*\}\s*,?\s*)?truncate\s*:\s*true"),
     "data.delete_rows"),
]


def inline_code_sql(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """SQL string literals that inline interpreter code passes to a driver (`cur.execute("DROP TABLE t")`)."""
    code = inline_code(cmd, ctx)
    if not code or not _EXEC_CALL.search(code):
        return []
    from guardrail.sql import analyze as sqlmod

    if not sqlmod.looks_like_strict_sql(code):
        return []
    payloads = [("code", next(g for g in m.groups() if g is not None)) for m in STRING_LITERAL.finditer(code)]
    return sql_findings(payloads, args, strict=True)


def inline_code_orm(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """ORM/driver calls in inline code that drop schemas or empty tables (`metadata.drop_all`, `deleteMany({})`)."""
    code = inline_code(cmd, ctx)
    if not code:
        return []
    out = []
    for rx, effect in _ORM_API:
        if not effect_selected(effect, args):
            continue
        out += [f"`{m.group(0).strip()}`" for m in rx.finditer(code)]
    return out
