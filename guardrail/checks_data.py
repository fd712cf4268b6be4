"""Checks for data and infrastructure: SQL clients, document/key-value stores, inline driver code,
environments and protected resources, script indirection, cloud APIs, MCP tools and auto-run files.

Registered into guardrail.checks.CHECKS on import via @check. Pure: files are read only through
`ctx.read_file`, and only after a rule's cheap conditions (program, subcommand) already matched.
"""

from __future__ import annotations

import posixpath
import re
import sys
TYPE_CHECKING = False  # `typing` costs milliseconds to import: annotations only
if TYPE_CHECKING:
    from typing import Any, Iterable, Mapping

from guardrail.base.text import shell_quote
from guardrail.base.lazy import LazyRegex
from guardrail.checks import CHECKS, SQL_CLIENTS, EvalContext, check, sql_payloads
from guardrail.base.vocab import (AWKS, BOURNE_SHELLS, CODE_RUNNERS, CONTAINER_ENGINES, DOWNLOADERS, INLINE_FLAGS,
                                  INTERPRETERS, KUBE_CLIS, MAKES, PACKAGE_MANAGERS, REMOTE_SHELLS, SEDS, SHELLS, TARS,
                                  TERRAFORMS, VIMS, is_python)
from guardrail.model import SimpleCommand
from guardrail.rules import any_glob, has_flag, match_command, positionals

MAX_FILE_BYTES = 1_000_000


def _module(name: str) -> Any:
    """A module loaded on first use. These checks run many times per process in `guardrail test` and replay, and
    a `from x import y` statement costs about half a microsecond each time it runs; a lookup costs far less."""
    mod = sys.modules.get(name)
    if mod is None:
        __import__(name)
        mod = sys.modules[name]
    return mod


def read_text(ctx: EvalContext, path: str, limit: int = MAX_FILE_BYTES) -> str | None:
    """A file named on the command line, resolved against cwd, bounded; None when unreadable."""
    if not path or path.startswith("$") or path == "-":
        return None
    try:
        text = ctx.read_file(ctx.resolve(path))
        if text is None and not path.startswith("/"):
            text = ctx.read_file(path)
    except Exception:  # an injected reader failing is a missing file, never a crash
        return None
    return None if text is None else text[:limit]


# --------------------------------------------------------------------------- the ruleset, for nested matching

_FALLBACK_RULESET: Any = None


def current_ruleset(ctx: EvalContext) -> Any:
    """The RuleSet being evaluated: `ctx.ruleset` once the engine provides it, else the built-in packs (cached)."""
    rs = getattr(ctx, "ruleset", None) or (ctx.config.get("_ruleset") if ctx.config else None)
    if rs is not None:
        return rs
    global _FALLBACK_RULESET
    if _FALLBACK_RULESET is None:
        from guardrail.packs import load_ruleset

        _FALLBACK_RULESET = load_ruleset()
    return _FALLBACK_RULESET


# Checks whose rules must not be re-entered when matching nested commands (they expand themselves).
NESTING_CHECKS = frozenset({"indirect", "indirect-unresolved", "protected-target", "over-limit", "unparseable-risky",
                            "autorun-write"})


def rule_hits(cmd: SimpleCommand, ctx: EvalContext, *, tool: str = "Bash") -> list[tuple[Any, list[str]]]:
    """(rule, targets) for every Bash rule of the current ruleset that matches `cmd` (nesting rules skipped)."""
    out = []
    rules = current_ruleset(ctx).for_tool(tool)
    if tool == "Bash":
        from guardrail.engine import bash_candidates

        selected: Any = [rules[i] for i in bash_candidates(rules, cmd)]  # the others cannot match `cmd`
    else:
        selected = rules
    for rule in selected:
        m = rule.match
        if m.check in NESTING_CHECKS or m.path_glob_any or m.content_regex or m.tool_glob_any:
            continue
        if rule.decision == "allow" or rule.decision == "log" or rule.status != "stable":
            continue
        targets = match_command(m, cmd, ctx, CHECKS)
        if targets is None:
            continue
        if any(match_command(e.when, cmd, ctx, CHECKS) is not None for e in rule.exceptions):
            continue
        out.append((rule, targets))
    return out


def _effect_ok(effect: str, args: Mapping[str, Any]) -> bool:
    pats = args.get("effects")
    return not pats or any_glob(tuple(pats), (effect,))


def _per_evaluation(ctx: EvalContext) -> dict[Any, Any]:
    """A memo that lives while `ctx` is the context being evaluated (it holds `ctx`, so its id is not reused)."""
    if _INDIRECT_CACHE["ctx"] is not ctx:
        _INDIRECT_CACHE["ctx"], _INDIRECT_CACHE["entries"] = ctx, {}
    return _INDIRECT_CACHE["entries"]


def _for_command(kind: str, cmd: SimpleCommand, ctx: EvalContext, compute: Any) -> Any:
    """compute(cmd, ctx), once per command object and evaluation: several rules ask the same question of one
    command (the entry keeps `cmd` alive, so its id names it while the memo lives)."""
    memo = _per_evaluation(ctx)
    key = (kind, id(cmd))
    hit = memo.get(key)
    if hit is not None and hit[0] is cmd:
        return hit[1]
    value = compute(cmd, ctx)
    memo[key] = (cmd, value)
    return value


def _environment(cmd: SimpleCommand, ctx: EvalContext) -> str:
    return _for_command("environment", cmd, ctx, _module("guardrail.environment").command_environment)


# --------------------------------------------------------------------------- environments

@check("target-env")
def target_env(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """Fires when the command's target environment is in `args.environment` (and not in `args.not_environment`).

    Put it after cheap conditions (program, subcommand, flags): it may read `.env` files in cwd.
    """
    env = _environment(cmd, ctx)
    want = args.get("environment")
    if want and env not in want:
        return []
    if env in (args.get("not_environment") or ()):
        return []
    return [f"{target_names(cmd, ctx)} ({env} environment)"]


_KUBE_VERBS = frozenset({"delete", "uninstall", "del", "un"})
_DSN_KEYS = ("DATABASE_URL", "DB_URL", "POSTGRES_URL", "PG_URL", "MYSQL_URL", "MONGODB_URI", "MONGO_URL", "DIRECT_URL",
             "PGDATABASE")


def target_names(cmd: SimpleCommand, ctx: EvalContext) -> str:
    """What a cluster or migration command acts on, naming objects first (intent matching compares them with the
    names in the user's request): `web in namespace shop`, `the database app_dev`, or a description naming nothing.
    """
    pos = positionals(cmd)
    if cmd.name in KUBE_CLIS or cmd.name == "helm":
        verb = next((i for i, p in enumerate(pos) if p in _KUBE_VERBS), -1)
        rest = pos[verb + 1:] if verb >= 0 else []
        if cmd.name in KUBE_CLIS and rest and "/" not in rest[0]:
            rest = rest[1:]  # `delete deployment web`: the first word is the kind
        names = [r.split("/", 1)[1] if "/" in r else r for r in rest]
        a = cmd.args
        ns = next((a[i + 1] for i, x in enumerate(a[:-1]) if x in ("-n", "--namespace")), "") or \
            next((x.split("=", 1)[1] for x in a if x.startswith("--namespace=")), "")
        where = f" in namespace {ns}" if ns else ""
        if not names:
            return f"the resources in its manifests{where}" if has_flag(cmd.args, "-f") or has_flag(cmd.args, "--filename") \
                else f"the resources it selects{where}"
        return ", ".join(f"{n}{where}" for n in names[:5])
    name = database_name(cmd, ctx)
    return name or "its database"


def database_name(cmd: SimpleCommand, ctx: EvalContext) -> str:
    """The database named by a DSN on the command line, in its env assignments, the hook's env or `.env`."""
    from guardrail.environment import dotenv_values

    def from_value(v: str) -> str:
        if "://" not in v:
            return v if re.fullmatch(r"[\w.-]+", v) and not v.startswith("-") else ""
        path = v.split("://", 1)[1].split("?", 1)[0]
        return path.rsplit("/", 1)[1] if "/" in path else ""

    for x in cmd.args:
        if "://" in x:
            n = from_value(x.split("=", 1)[1] if "=" in x.split("://", 1)[0] else x)
            if n:
                return n
    sources = [dict(cmd.env), dict(getattr(ctx, "env", None) or {})]
    for src in sources:
        for k in _DSN_KEYS:
            if src.get(k) and (n := from_value(src[k])):
                return n
    try:
        values = dotenv_values(ctx)
    except Exception:  # a reader must never break a decision
        values = {}
    for k in _DSN_KEYS:
        if values.get(k) and (n := from_value(values[k])):
            return n
    return ""


# --------------------------------------------------------------------------- SQL, everywhere it reaches a database

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
        text = read_text(ctx, path) if path else None
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
    return _for_command("sql", cmd, ctx, _all_sql_payloads)


def _all_sql_payloads(cmd: SimpleCommand, ctx: EvalContext) -> list[tuple[str, str]]:
    if cmd.name in SQL_CLIENTS:
        # the shared extractor reads -f files with the raw path; resolve it against cwd here instead
        base = sql_payloads(cmd, EvalContext(cwd=ctx.cwd, project_dir=ctx.project_dir, home=ctx.home, env=ctx.env,
                                             read_file=lambda p: read_text(ctx, p), config=ctx.config))
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
        from guardrail import sql as sqlmod

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
    env = _environment(cmd, ctx)
    return (not want or env in want) and not (avoid and env in avoid)


@check("sql-destructive")
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
    database = _for_command("database", cmd, ctx, _client_database)
    if database == ":memory:" or (cmd.name in ("sqlite3", "sqlite", "duckdb") and not positionals(cmd)):
        return []  # an in-memory database: nothing outlives the command
    found = sql_findings(payloads, args, database)
    return found if found and env_allows(cmd, ctx, args) else []


# ---- document and key-value stores

_MONGO_DROP = LazyRegex(r"\.dropDatabase\s*\(|\bdb(\.\w+|\[['\"][^'\"]+['\"]\])\.drop\s*\(\s*\)|\.dropCollection\s*\(|"
                         r"getCollection\s*\([^)]*\)\s*\.drop\s*\(|\.forEach\s*\([^)]*\.drop\s*\(")
_MONGO_DELETE = LazyRegex(r"\.(deleteMany|remove|updateMany)\s*\(\s*(\{\s*\}|\))|\.dropAllUsers\s*\(|\.dropIndexes\s*\(\s*\)")


def mongo_payloads(cmd: SimpleCommand, ctx: EvalContext) -> list[str]:
    a = list(cmd.args)
    out = []
    for i, x in enumerate(a):
        if x == "--eval" and i + 1 < len(a):
            out.append(a[i + 1])
        elif x.startswith("--eval="):
            out.append(x.split("=", 1)[1])
        elif x in ("--file", "-f") and i + 1 < len(a):
            out.append(read_text(ctx, a[i + 1]) or "")
        elif x.endswith(".js") and not x.startswith("-"):
            out.append(read_text(ctx, x) or "")
    if cmd.stdin_text:
        out.append(cmd.stdin_text)
    elif cmd.stdin_file:
        out.append(read_text(ctx, cmd.stdin_file) or "")
    return [t for t in out if t]


@check("mongo-destructive")
def mongo_destructive(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """mongosh/mongo scripts that drop databases or collections (`args.kind = drop`) or empty them (`delete`)."""
    kind = args.get("kind", "drop")
    rx = _MONGO_DROP if kind == "drop" else _MONGO_DELETE
    out = []
    for text in mongo_payloads(cmd, ctx):
        code = re.sub(r"//[^\n]*", "", text)
        for m in rx.finditer(code):
            start = code.rfind("\n", 0, m.start()) + 1
            snippet = code[max(start, m.start() - 40):m.end()].strip()
            out.append(_mongo_target(cmd, code, m.start(), m.end(), f"`{snippet[:80]}`"))
    return out


_MONGO_COLL = LazyRegex(r"\bdb\.(\w+)\s*\.|\bdb\[['\"]([^'\"]+)['\"]\]|(?:getCollection|dropCollection)\s*\(\s*['\"]([^'\"]+)['\"]")
_MONGO_NOT_COLL = frozenset({"getCollection", "getSiblingDB", "getCollectionNames", "getMongo", "getName"})


def _mongo_target(cmd: SimpleCommand, code: str, start: int, end: int, snippet: str) -> str:
    """`carts in database shop (`db.carts.drop()`)`: the collection and database first, so a request naming
    them can be matched; the statement stays in parentheses."""
    a = [x for x in positionals(cmd) if not x.endswith(".js")]
    db = a[0].split("?", 1)[0].rsplit("/", 1)[-1] if a else ""
    if not re.fullmatch(r"[\w.-]+", db or "-"):
        db = ""
    in_db = f" in database {db}" if db else ""
    if ".dropDatabase" in code[start:end]:
        return f"{db} {snippet}" if db else snippet
    if "forEach" in code[start:end]:
        return snippet  # every collection: no single name
    found = [next(g for g in m.groups() if g) for m in _MONGO_COLL.finditer(code, max(0, start - 80), end + 80)
             if m.start() < end]
    found = [f for f in found if f not in _MONGO_NOT_COLL]
    coll = found[-1] if found else ""
    return f"{coll}{in_db} ({snippet})" if coll else snippet


_REDIS_VALUE_OPTS = frozenset({"-h", "-p", "-s", "-a", "-u", "-n", "-r", "-i", "-d", "--user", "--pass", "--sni",
                               "--cacert", "--cacertdir", "--cert", "--key", "--pattern", "--count", "--eval",
                               "--rdb", "--functions-rdb", "--tls-ciphers", "--tls-ciphersuites", "--memkeys-samples"})


@check("redis-destructive")
def redis_destructive(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """redis-cli FLUSHALL/FLUSHDB (`args.kind = flush`), or DEL/UNLINK of many or unknown keys (`mass-delete`)."""
    a = list(cmd.args)
    pos: list[str] = []
    i = 0
    while i < len(a):
        if a[i] in _REDIS_VALUE_OPTS:
            i += 2
            continue
        if not a[i].startswith("-") or pos:
            pos.append(a[i])
        i += 1
    lines = [pos] if pos else []
    if cmd.stdin_text:
        lines += [ln.split() for ln in cmd.stdin_text.splitlines() if ln.strip()]
    out = []
    for words in lines:
        verb = words[0].upper() if words else ""
        if args.get("kind", "flush") == "flush" and verb in ("FLUSHALL", "FLUSHDB"):
            out.append(f"{verb} (database {dict(zip(a, a[1:])).get('-n', '0')})")
        elif args.get("kind") == "mass-delete" and verb in ("DEL", "UNLINK"):
            keys = words[1:]
            if any(k.startswith("$(") or "*" in k for k in keys) or cmd.stdin_from or len(keys) > 20:
                out.append(f"{verb} of {'keys from a pipe' if cmd.stdin_from or any(k.startswith('$(') for k in keys) else f'{len(keys)} keys'}")
    return out


# ---- inline code (python -c, node -e, ...) with database drivers

_STRING = LazyRegex(r'"""(.*?)"""|\'\'\'(.*?)\'\'\'|`((?:[^`\\]|\\.)*)`|"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'', re.S)
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


def inline_code(cmd: SimpleCommand, ctx: EvalContext) -> str | None:
    """The code an interpreter command runs inline (`-c`, `-e`, heredoc on stdin), or None."""
    name = cmd.name
    if name not in INLINE_FLAGS and not is_python(name):
        return None
    flags = INLINE_FLAGS.get(name, ("-c",))
    a = list(cmd.args)
    if name == "uv":
        if a[:1] != ["run"]:
            return None
        a = a[1:]
        if a[:1] and a[0].startswith("python"):
            a = a[1:]
    if len(a) >= 2 and a[0].endswith("manage.py") and a[1] in ("shell", "shell_plus"):
        a, flags = a[2:], ("-c", "--command")  # Django's shell -c runs inline code with the app's database
    for i, x in enumerate(a):
        if x in flags and i + 1 < len(a):
            return a[i + 1]
        if not x.startswith("-"):
            break  # a script file: indirection reads it
    if cmd.stdin_text and (not a or a[0] == "-" or all(x.startswith("-") for x in a)):
        return cmd.stdin_text
    return None


@check("inline-code-sql")
def inline_code_sql(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """SQL string literals that inline interpreter code passes to a driver (`cur.execute("DROP TABLE t")`)."""
    code = inline_code(cmd, ctx)
    if not code or not _EXEC_CALL.search(code):
        return []
    from guardrail import sql as sqlmod

    if not sqlmod.looks_like_strict_sql(code):
        return []
    payloads = [("code", next(g for g in m.groups() if g is not None)) for m in _STRING.finditer(code)]
    return sql_findings(payloads, args, strict=True)


@check("inline-code-orm")
def inline_code_orm(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """ORM/driver calls in inline code that drop schemas or empty tables (`metadata.drop_all`, `deleteMany({})`)."""
    code = inline_code(cmd, ctx)
    if not code:
        return []
    out = []
    for rx, effect in _ORM_API:
        if not _effect_ok(effect, args):
            continue
        out += [f"`{m.group(0).strip()}`" for m in rx.finditer(code)]
    return out


# --------------------------------------------------------------------------- indirection

_INDIRECT_CACHE: dict[str, Any] = {"ctx": None, "entries": {}}


def _expansion(cmd: SimpleCommand, ctx: EvalContext) -> Any:
    """Memoised per evaluation and command (the engine's expansion and several indirect rules ask about it)."""
    return _for_command("expansion", cmd, ctx, _module("guardrail.indirection").expand)


def memo_shell_outs(cmd: SimpleCommand, ctx: EvalContext) -> list[SimpleCommand]:
    """shell_outs, memoised per evaluation and command (read only: callers copy before changing)."""
    return _for_command("shell_outs", cmd, ctx, shell_outs)


def _inner_hits(cmd: SimpleCommand, ctx: EvalContext) -> list[tuple[Any, SimpleCommand, list[str]]]:
    """Memoised per evaluation, keyed by everything the answer reads (four indirect rules ask per command)."""
    entries = _per_evaluation(ctx)
    key = ("hits", cmd.argv, cmd.env, cmd.via, cmd.stdin_text, cmd.stdin_file, cmd.redirects, ctx.cwd)
    hits = entries.get(key)
    if hits is not None:
        return hits
    trigger = _module("guardrail.indirection").is_trigger(cmd)
    hits = []
    if trigger or may_embed(cmd):
        inner_cmds = list(_expansion(cmd, ctx).commands) if trigger else []
        inner_cmds += memo_shell_outs(cmd, ctx)
        for inner in inner_cmds:
            for rule, targets in rule_hits(inner, ctx):
                hits.append((rule, inner, targets))
    entries[key] = hits
    return hits


_LIT = r"(?:f|r|b)?(\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`(?:[^`\\\\]|\\\\.)*`)"
# Calls that hand a string to a shell, per language family (Python's exec() runs Python, not a shell).
_SHELL_CALLS = {
    "python": r"os\.system|os\.popen|subprocess\.(?:run|call|check_call|check_output|getoutput|getstatusoutput|Popen)|"
              r"commands\.getoutput|pty\.spawn",
    "node": r"execSync|execFileSync|exec|spawnSync|spawn|execa(?:Sync|Command)?|Deno\.run|Bun\.spawn(?:Sync)?|\$",
    "ruby": r"system|exec|spawn|Open3\.\w+|IO\.popen|%x",
    "perl": r"system|exec|qx",
    "php": r"shell_exec|exec|system|passthru|proc_open|popen",
}
# Calls that delete a directory tree: judged as `rm -rf PATH` by the filesystem rules.
_TREE_DELETE = {
    "python": r"shutil\.rmtree|rmtree",
    "node": r"rmSync|rmdirSync|rimraf(?:\.sync)?|rimrafSync|removeSync|fse\.remove|deleteSync|promises\.rm",
    "ruby": r"FileUtils\.rm_rf|FileUtils\.rm_r|FileUtils\.remove_dir|FileUtils\.remove_entry(?:_secure)?",
    "perl": r"rmtree|remove_tree",
    "php": r"\$?rrmdir",
}
_LANG = {**INTERPRETERS, "uv": "python"}  # `uv run python -c CODE`
# Path expressions that name well-known places.
_PATH_EXPR = [
    (LazyRegex(r"^(?:os\.path\.expanduser|Path|pathlib\.Path)\(\s*" + _LIT + r"\s*\)(?:\.expanduser\(\))?$"), None),
    (LazyRegex(r"^(?:Path\.home\(\)|pathlib\.Path\.home\(\)|os\.homedir\(\)|os\.environ\[['\"]HOME['\"]\]|"
                r"os\.getenv\(['\"]HOME['\"]\)|process\.env\.HOME|Dir\.home|ENV\[['\"]HOME['\"]\]|\$ENV\{HOME\}|"
                r"require\(['\"]os['\"]\)\.homedir\(\))$"), "~"),
    (LazyRegex(r"^(?:os\.getcwd\(\)|Path\.cwd\(\)|process\.cwd\(\)|Dir\.pwd|getcwd\(\))$"), "."),
]


def _path_arg(expr: str) -> str | None:
    """A literal path or a well-known path expression as the shell would write it; None when unknown."""
    e = expr.strip()
    m = re.fullmatch(_LIT, e)
    if m:
        return m.group(1)[1:-1]
    for rx, fixed in _PATH_EXPR:
        m = rx.match(e)
        if m:
            return fixed if fixed is not None else m.group(1)[1:-1]
    return None


def _first_arg(code: str, start: int) -> str:
    """The text of the first argument of a call whose `(` is at `start` (balanced, bounded)."""
    depth, i = 0, start
    while i < len(code) and i < start + 400:
        ch = code[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return code[start + 1:i]
        elif ch == "," and depth == 1:
            return code[start + 1:i]
        elif ch in "'\"`":
            end = code.find(ch, i + 1)
            i = end if end > 0 else len(code)
        i += 1
    return code[start + 1:i]


_B64_CALL = LazyRegex(
    r"(?:base64\.)?b64decode\(\s*b?(['\"])([A-Za-z0-9+/=\s]{4,4000})\1\s*\)(?:\.decode\([^)]*\))?"  # python
    r"|atob\(\s*(['\"])([A-Za-z0-9+/=]{4,4000})\3\s*\)"  # node/browser
    r"|Buffer\.from\(\s*(['\"])([A-Za-z0-9+/=]{4,4000})\5\s*,\s*['\"]base64['\"]\s*\)(?:\.toString\([^)]*\))?")


def _inline_base64(code: str) -> str:
    """Replace base64 literals decoded in place (`os.system(base64.b64decode('cm0g...').decode())`) by the
    decoded text as a string literal, so the shell-out is seen for what it runs."""
    import base64
    import binascii

    def sub(m: re.Match[str]) -> str:
        raw = m.group(2) or m.group(4) or m.group(6) or ""
        try:
            text = base64.b64decode("".join(raw.split()), validate=False).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return m.group(0)
        if not text.isprintable() and "\n" not in text:
            return m.group(0)
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"

    return _B64_CALL.sub(sub, code)


def code_commands(code: str, lang: str, depth: int = 0) -> list[str]:
    """Shell command lines that `code` (in `lang`) would run: shell-outs, tree deletions as `rm -rf PATH`,
    and (Python) code inside exec()/eval() strings, recursively."""
    out: list[str] = []
    if "b64decode" in code or "atob(" in code or "Buffer.from(" in code:
        code = _inline_base64(code)
    # calls written inside string literals are text (`print('os.system(...)')`), not calls
    spans = [m.span() for m in _STRING.finditer(code)]

    def in_text(pos: int) -> bool:
        return any(a < pos < b for a, b in spans)

    calls = _SHELL_CALLS.get(lang)
    if calls:
        lead = r"(?<![\w])" if lang == "node" else r"(?<![\w.])"  # node calls hang off modules: cp.execSync(
        for m in re.finditer(lead + r"(?:" + calls + r")\s*\(\s*(\[\s*)?" + _LIT, code, re.S):
            if in_text(m.start()):
                continue
            lit = m.group(2)[1:-1]
            tail = code[m.end():m.end() + 200].lstrip()
            if m.group(1) or (tail.startswith(",") and lang in ("python", "node")):
                # list/argv form: subprocess.run(["rm", "-rf", "/"]), spawn("rm", ["-rf", "/"])
                end = code.find("]", m.end())
                seg = code[m.start(2):end if end > 0 else m.end() + 200]
                words = [x or y for x, y in re.findall(r"\"((?:[^\"\\\\]|\\\\.)*)\"|'((?:[^'\\\\]|\\\\.)*)'", seg)]
                if len(words) > 1:
                    lit = " ".join(shell_quote(w) for w in words)
            out.append(lit)
        if lang in ("ruby", "perl", "php"):
            out += [m.group(1) for m in re.finditer(r"`([^`]+)`", code)]
    tree = _TREE_DELETE.get(lang)
    if tree:
        for m in re.finditer(r"(?<![\w])(?:" + tree + r")\s*(?=\()", code):
            if in_text(m.start()):
                continue
            if lang == "node" and re.match(r"rm(dir)?Sync|promises", m.group(0)) and \
                    not re.search(r"recursive\s*:\s*true", code[m.end():m.end() + 300]):
                continue  # fs.rmSync(file) without recursive removes one file
            path = _path_arg(_first_arg(code, m.end()))
            if path is not None:
                out.append(f"rm -rf {shell_quote(path)}")
    if lang == "python" and depth < 2:
        for m in re.finditer(r"(?<![\w.])(?:exec|eval)\s*\(\s*" + _LIT, code, re.S):
            if in_text(m.start()):
                continue
            inner = m.group(1)[1:-1].encode().decode("unicode_escape", "ignore") if "\\" in m.group(1) else m.group(1)[1:-1]
            out += code_commands(inner, lang, depth + 1)
    return list(dict.fromkeys(out))[:50]


# ---- Python inline code, read through its syntax tree (`_ast`: the C module, no import cost for ast.py)

_PH = "$(python-value)"  # a value known only at run time, as the shell would see a substitution
_PY_SHELL = frozenset({"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput", "commands.getoutput",
                       "commands.getstatusoutput", "asyncio.create_subprocess_shell", "platform.popen", "os.popen2",
                       "os.popen3", "os.popen4"})
_PY_SUBPROC = frozenset({"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
                         "subprocess.Popen"})
# exec-family: (index of the first argv word, 'l' = the rest of the arguments | 'v' = one list argument)
_PY_EXEC = {"os.execl": (1, "l"), "os.execle": (1, "le"), "os.execlp": (1, "l"), "os.execlpe": (1, "le"),
            "os.execv": (1, "v"), "os.execve": (1, "v"), "os.execvp": (1, "v"), "os.execvpe": (1, "v"),
            "os.spawnl": (2, "l"), "os.spawnle": (2, "le"), "os.spawnlp": (2, "l"), "os.spawnlpe": (2, "le"),
            "os.spawnv": (2, "v"), "os.spawnve": (2, "v"), "os.spawnvp": (2, "v"), "os.spawnvpe": (2, "v"),
            "os.posix_spawn": (1, "v"), "os.posix_spawnp": (1, "v"), "asyncio.create_subprocess_exec": (0, "l")}
_PY_TREE = frozenset({"shutil.rmtree"})
_PY_FILE_DELETE = frozenset({"os.remove", "os.unlink", "os.rmdir", "shutil.rmtree"})
_PY_RISKY_MODULES = ("os", "subprocess", "shutil", "pty", "commands", "asyncio", "posix")
_PY_REMOTE = LazyRegex(r"urlopen|urllib|requests\.|httpx|http\.client|urlretrieve|socket\.")


class _PyScan:
    """What Python code runs: shell lines, and the calls whose command or path cannot be known."""

    def __init__(self, code: str, argv: list[str], stdin: str | None, ctx: EvalContext | None, depth: int) -> None:
        self.argv, self.ctx, self.depth = argv, ctx, depth
        self.stdin_lines = (stdin or "").splitlines()
        self.stdin = stdin
        self.lines: list[str] = []
        self.unresolved: list[str] = []
        self.remote: list[str] = []
        self.aliases: dict[str, str] = {}
        self.consts: dict[str, Any] = {}
        self.params: dict[str, list[tuple[str, int]]] = {}  # parameter name -> (function, position)
        self.calls_to: dict[str, list[Any]] = {}
        self.folding: set[str] = set()
        self.named: dict[str, str | None] = {}
        self.code = code

    def run(self, tree: Any) -> None:
        import _ast

        self.A = _ast
        nodes = list(self._walk(tree))
        for n in nodes:  # bindings first: an alias is used after its import, wherever the walk meets it
            if isinstance(n, _ast.Import):
                for a in n.names:
                    self.aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            elif isinstance(n, _ast.ImportFrom) and n.module:
                for a in n.names:
                    if a.name != "*":
                        self.aliases[a.asname or a.name] = f"{n.module}.{a.name}"
                    else:
                        self.aliases.setdefault("*" + n.module, n.module)
            elif isinstance(n, _ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], _ast.Name):
                q = self.qual(n.value)
                target = n.targets[0].id
                if q and q.split(".")[0] in _PY_RISKY_MODULES + ("importlib",):
                    self.aliases[target] = q
                else:  # assigned twice (in whatever order the walk meets them): not a known value
                    self.consts[target] = None if target in self.consts else n.value
            elif isinstance(n, (_ast.AugAssign, _ast.For, _ast.AnnAssign)) and isinstance(n.target, _ast.Name):
                self.consts[n.target.id] = None
            elif isinstance(n, _ast.FunctionDef):
                for i, arg in enumerate(n.args.args):
                    self.params.setdefault(arg.arg, []).append((n.name, i))
        walks = [n for n in nodes if isinstance(n, _ast.Call) and self.qual(n.func) in ("os.walk", "os.scandir",
                                                                                         "glob.glob", "glob.iglob")]
        self.conditional: set[int] = set()
        if walks:  # a delete under `if` or a filtered comprehension removes some files, not the tree
            for n in nodes:
                if isinstance(n, (_ast.If, _ast.IfExp)) or (
                        isinstance(n, (_ast.ListComp, _ast.SetComp, _ast.GeneratorExp, _ast.DictComp))
                        and any(g.ifs for g in n.generators)):
                    self.conditional.update(id(x) for x in self._walk(n) if isinstance(x, _ast.Call))
        for n in nodes:
            if isinstance(n, _ast.Call) and isinstance(n.func, _ast.Name):
                self.calls_to.setdefault(n.func.id, []).append(n)
        for n in nodes:
            if isinstance(n, _ast.Call):
                self.call(n, walks)

    def _walk(self, node: Any) -> Any:
        stack = [node]
        seen = 0
        while stack:
            if seen >= 20000:  # padding must not hide a later call: what is not read is not a pass
                if "code too large to read in full" not in self.unresolved:
                    self.unresolved.append("code too large to read in full")
                return
            n = stack.pop()
            seen += 1
            yield n
            for f in getattr(n, "_fields", ()):
                v = getattr(n, f, None)
                if isinstance(v, list):
                    stack.extend(x for x in v if hasattr(x, "_fields"))
                elif hasattr(v, "_fields"):
                    stack.append(v)

    # -- names

    def qual(self, e: Any) -> str | None:
        A = self.A
        if isinstance(e, A.Name):
            if e.id in self.aliases:
                return self.aliases[e.id]
            for key, mod in self.aliases.items():
                if key.startswith("*") and e.id in _STAR_NAMES.get(mod, ()):
                    return f"{mod}.{e.id}"
            return e.id
        if isinstance(e, A.Attribute):
            base = self.qual(e.value)
            return f"{base}.{e.attr}" if base else None
        if isinstance(e, A.Call):
            f = self.qual(e.func)
            if f in ("__import__", "importlib.import_module", "importlib.__import__") and e.args:
                mod = self.fold(e.args[0])
                return mod if mod and _PH not in mod else "?"
            if f in ("getattr", "builtins.getattr") and len(e.args) >= 2:
                base = self.qual(e.args[0])
                attr = self.fold(e.args[1])
                if base:
                    return f"{base}.{attr}" if attr and _PH not in attr else f"{base}.?"
            if f in ("vars",) and e.args:
                return self.qual(e.args[0])
        if isinstance(e, A.Subscript):  # os.__dict__["system"], vars(os)["system"]
            base = self.qual(e.value)
            if base and base.endswith(".__dict__"):
                base = base[:-9]
            key = self.fold(_slice(e))
            if base and base.split(".")[0] in _PY_RISKY_MODULES:
                return f"{base}.{key}" if key and _PH not in key else f"{base}.?"
        return None

    # -- values

    def fold(self, e: Any, depth: int = 0) -> str | None:
        """The string `e` evaluates to; unknown parts are _PH; None when nothing of it is known."""
        A = self.A
        if e is None or depth > 30:
            return None
        if isinstance(e, A.Constant):
            v = e.value
            if isinstance(v, bytes):
                v = v.decode("utf-8", "replace")
            return v if isinstance(v, str) else (str(v) if isinstance(v, int) and not isinstance(v, bool) else None)
        if isinstance(e, A.JoinedStr):
            return "".join(self.fold(v, depth + 1) or _PH for v in e.values)
        if isinstance(e, A.FormattedValue):
            return self.fold(e.value, depth + 1) or _PH
        if isinstance(e, A.BinOp) and isinstance(e.op, A.Add):
            left, right = self.fold(e.left, depth + 1), self.fold(e.right, depth + 1)
            if left is None and right is None:
                return None
            joined = (left if left is not None else _PH) + (right if right is not None else _PH)
            return joined if len(joined) <= 100_000 else None
        if isinstance(e, A.Name):
            v = self.consts.get(e.id)
            if v is None or e.id in self.folding:
                return None
            if e.id in self.named:
                return self.named[e.id]
            self.folding.add(e.id)  # `x = x + x`: no cycles; each name is folded once (no doubling)
            try:
                value = self.named[e.id] = self.fold(v, depth + 1)
                return value
            finally:
                self.folding.discard(e.id)
        if isinstance(e, A.Subscript):
            base = self.qual(e.value)
            key = self.fold(_slice(e), depth + 1)
            if base in ("os.environ",) and key:
                return "~" if key == "HOME" else "$" + key
            if base in ("sys.argv",) and key and key.isdigit():
                i = int(key)
                return self.argv[i - 1] if 0 < i <= len(self.argv) else None
            s = _slice(e)
            if isinstance(s, A.Slice) and s.lower is None and s.upper is None and s.step is not None:
                inner = self.fold(e.value, depth + 1)
                step = self.fold(s.step, depth + 1)
                if inner is not None and step == "-1" or (inner is not None and isinstance(s.step, A.UnaryOp)):
                    return inner[::-1]
            return None
        if isinstance(e, A.Attribute):
            q = self.qual(e)
            if q in ("os.sep", "os.path.sep"):
                return "/"
            return None
        if isinstance(e, A.Call):
            return self.fold_call(e, depth)
        return None

    def fold_call(self, e: Any, depth: int) -> str | None:
        A = self.A
        f = self.qual(e.func)
        args = e.args
        a0 = self.fold(args[0], depth + 1) if args else None
        if f in ("os.path.expanduser", "os.path.expandvars", "str", "os.path.abspath", "os.path.realpath",
                 "os.path.normpath", "os.fspath", "pathlib.Path", "Path", "pathlib.PurePath", "pathlib.PosixPath",
                 "os.fsdecode", "os.fsencode"):
            return a0 if args else None
        if f in ("pathlib.Path.home", "Path.home", "os.path.expanduser") or (f or "").endswith("Path.home"):
            return "~"
        if f in ("os.getcwd", "pathlib.Path.cwd", "Path.cwd", "os.getcwdb"):
            return "."
        if f in ("os.getenv", "os.environ.get") and a0:
            return "~" if a0 == "HOME" else "$" + a0
        if f == "os.path.join" and args:
            parts = [self.fold(x, depth + 1) or _PH for x in args]
            out = ""
            for p in parts:
                out = p if p.startswith("/") or not out else out.rstrip("/") + "/" + p
            return out
        if f == "chr" and a0 and a0.isdigit():
            try:
                return chr(int(a0))
            except (ValueError, OverflowError):
                return None
        if f == "input":
            return self.stdin_lines.pop(0) if self.stdin_lines else None
        if f in ("sys.stdin.read", "sys.stdin.readline"):
            return self.stdin
        if f in ("bytes.fromhex", "bytearray.fromhex") and a0:
            try:
                return bytes.fromhex(a0).decode("utf-8", "replace")
            except ValueError:
                return None
        if f in ("base64.b64decode", "base64.standard_b64decode", "base64.urlsafe_b64decode", "base64.b32decode",
                 "base64.b16decode") and a0:
            import base64
            try:
                fn = getattr(base64, f.split(".")[1])
                return fn(a0).decode("utf-8", "replace")
            except Exception:  # not valid encoded text: unknown
                return None
        if f in ("codecs.decode", "codecs.encode") and a0 and len(args) > 1 and \
                (self.fold(args[1]) or "").replace("_", "") == "rot13":
            import codecs
            return codecs.decode(a0, "rot13")
        if f == "reversed" and a0 is not None:
            return a0[::-1]
        if f == "os.path.dirname" and a0:
            return a0.rsplit("/", 1)[0] if "/" in a0 else "."
        if isinstance(e.func, A.Attribute):
            method = e.func.attr
            base = self.fold(e.func.value, depth + 1)
            if method == "join" and base is not None and args:
                seq = args[0]
                items = self.fold_list(seq, depth + 1)
                if items is not None:
                    return base.join(items)
                return None
            if base is None:
                return None
            if method in ("decode", "encode", "expanduser", "resolve", "absolute", "__str__", "as_posix"):
                return base
            if method in ("strip", "lower", "upper"):
                return getattr(base, method)()
            if method == "format":
                return re.sub(r"\{[^{}]*\}", _PH, base)
            if method == "replace" and len(args) >= 2:
                old, new = self.fold(args[0], depth + 1), self.fold(args[1], depth + 1)
                if old is not None and new is not None:
                    return base.replace(old, new)
            if method == "joinpath" and args:
                return base.rstrip("/") + "/" + (a0 or _PH)
            return None
        return None

    def fold_list(self, e: Any, depth: int = 0) -> list[str] | None:
        A = self.A
        if isinstance(e, (A.List, A.Tuple)):
            out = []
            for x in e.elts:
                if isinstance(x, A.Starred):
                    return None
                v = self.fold(x, depth + 1)
                out.append(v if v is not None else _PH)
            return out
        if isinstance(e, A.Name) and e.id in self.consts:
            return self.fold_list(self.consts[e.id], depth + 1)
        if isinstance(e, A.Call):
            f = self.qual(e.func)
            if f == "reversed" and e.args:
                inner = self.fold(e.args[0], depth + 1)
                if inner is not None:
                    return list(inner[::-1])
                lst = self.fold_list(e.args[0], depth + 1)
                return lst[::-1] if lst is not None else None
            if f in ("list", "tuple") and e.args:
                inner = self.fold(e.args[0], depth + 1)
                return list(inner) if inner is not None else self.fold_list(e.args[0], depth + 1)
            if f == "shlex.split" and e.args:
                s = self.fold(e.args[0], depth + 1)
                return _split_words(s) if s is not None else None
            if isinstance(e.func, A.Attribute) and e.func.attr == "split":
                s = self.fold(e.func.value, depth + 1)
                return s.split() if s is not None else None
        return None

    # -- calls

    def argv_line(self, words: list[str] | None, what: str) -> None:
        if not words:
            self.unresolved.append(f"{what} with a command only known at run time")
            return
        if words[0] == _PH or words[0] is None:
            self.unresolved.append(f"{what} of a program only known at run time")
            return
        self.lines.append(" ".join(w if w == _PH else shell_quote(w) for w in words))

    def values(self, e: Any) -> list[str | None]:
        """What `e` may be: its folded value, or for a function parameter the value passed at each call
        (`def run(cmd): subprocess.run(cmd, shell=True)` ... `run("git status")`)."""
        if isinstance(e, self.A.Name) and e.id not in self.consts and e.id in self.params:
            out: list[str | None] = []
            for fn, pos in self.params[e.id]:
                for call in self.calls_to.get(fn, [])[:20]:
                    out.append(self.fold(call.args[pos]) if pos < len(call.args) else None)
            if out:
                return out
        return [self.fold(e)]

    def shell_line(self, e: Any, what: str) -> None:
        for s in (self.values(e) if e is not None else [None]):
            if s is None or not s.replace(_PH, "").strip():
                self.unresolved.append(f"{what}(...) with a command only known at run time")
            else:
                self.lines.append(s)

    def call(self, n: Any, walks: list[Any]) -> None:
        A = self.A
        f = self.qual(n.func)
        if not f:
            return
        args = n.args
        kw = {k.arg: k.value for k in n.keywords if k.arg}
        if f in _PY_SHELL:
            self.shell_line(args[0] if args else kw.get("cmd") or kw.get("command"), f)
        elif f in _PY_SUBPROC or f == "pty.spawn":
            first = args[0] if args else kw.get("args")
            if first is None:
                return
            words = self.fold_list(first) if isinstance(first, (A.List, A.Tuple, A.Call, A.Name)) else None
            if words is not None and not isinstance(first, A.Constant) and (isinstance(first, (A.List, A.Tuple)) or
                                                                              self.fold(first) is None):
                self.argv_line(words, f)
            else:
                self.shell_line(first, f)
        elif f in _PY_EXEC:
            start, kind = _PY_EXEC[f]
            if kind == "v":
                words = self.fold_list(args[start]) if len(args) > start else None
            else:
                rest = args[start:-1] if kind == "le" else args[start:]
                words = [self.fold(x) or _PH for x in rest] if rest else None
            self.argv_line(words, f)
        elif f in _PY_TREE:
            for p in (self.values(args[0]) if args else [None]):
                if p is None or p == _PH:
                    self.unresolved.append(f"{f}() of a path only known at run time")
                else:
                    self.lines.append(f"rm -rf {p if p.startswith(_PH) else shell_quote(p)}")
        elif f in _PY_FILE_DELETE and walks and id(n) not in self.conditional:
            for w in walks:
                p = self.fold(w.args[0]) if w.args else "."
                if p:
                    self.lines.append(f"rm -rf {shell_quote(p.split('*')[0].rstrip('/') or '/')}")
        elif f in ("exec", "eval", "builtins.exec", "builtins.eval", "compile") and args:
            if f == "compile":
                return
            src = args[0]
            if isinstance(src, A.Call) and self.qual(src.func) == "compile" and src.args:
                src = src.args[0]
            text = self.fold(src)
            seg = _segment(self.code, src)
            if text is not None and _PH not in text:
                if self.depth < 3:
                    sub = _py_scan(text, self.argv, None, self.ctx, self.depth + 1)
                    self.lines += sub.lines
                    self.unresolved += sub.unresolved
                    self.remote += sub.remote
                return
            if _PY_REMOTE.search(seg):
                self.remote.append(f"{f}() of code downloaded by `{seg[:80]}`")
                return
            m = re.search(r"open\(\s*(['\"])([^'\"]+)\1", seg)
            if m and self.ctx is not None and self.depth < 3:
                body = read_text(self.ctx, m.group(2))
                if body is not None:
                    sub = _py_scan(body, self.argv, None, self.ctx, self.depth + 1)
                    self.lines += sub.lines
                    self.unresolved += sub.unresolved
                    self.remote += sub.remote
                    return
            self.unresolved.append(f"{f}() of code only known at run time (`{seg[:60]}`)")
        elif "." in f and f.split(".")[0] in _PY_RISKY_MODULES and f.endswith(".?"):
            self.unresolved.append(f"a call to {f[:-2]}.<name computed at run time>")


_STAR_NAMES = {"os": ("system", "popen", "execl", "execlp", "execv", "execvp", "execve", "execvpe", "spawnl", "spawnlp",
                      "spawnv", "spawnvp", "remove", "unlink", "rmdir", "walk", "environ", "getcwd", "getenv"),
               "subprocess": ("run", "call", "check_call", "check_output", "Popen", "getoutput", "getstatusoutput"),
               "shutil": ("rmtree",), "pty": ("spawn",)}


def _slice(e: Any) -> Any:
    s = e.slice
    return getattr(s, "value", s) if type(s).__name__ == "Index" else s


def _segment(code: str, node: Any) -> str:
    try:
        lines = code.splitlines()
        if node.lineno == node.end_lineno:
            return lines[node.lineno - 1][node.col_offset:node.end_col_offset]
        return lines[node.lineno - 1][node.col_offset:]
    except (AttributeError, IndexError):
        return ""


def _split_words(s: str) -> list[str]:
    import shlex

    try:
        return shlex.split(s)
    except ValueError:
        return s.split()


def _py_scan(code: str, argv: list[str], stdin: str | None, ctx: EvalContext | None, depth: int = 0) -> _PyScan | None:
    """The syntax-tree reading of Python `code`, or None when it does not parse (the pattern scan then runs)."""
    import _ast

    scan = _PyScan(code, argv, stdin, ctx, depth)
    import warnings

    try:
        with warnings.catch_warnings():  # `1e` or `"\d"` warn on stderr: never in a hook's output
            warnings.simplefilter("ignore")
            tree = compile(code, "<inline>", "exec", _ast.PyCF_ONLY_AST)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None if depth == 0 else scan
    try:
        scan.run(tree)
    except RecursionError:
        scan.unresolved.append("code too deeply nested to read")
    return scan


# ---- other languages: call arguments read as text (literals, concatenation, well-known paths)

_CONCAT = {"node": r"\+", "ruby": r"\+", "perl": r"\.", "php": r"\.", "lua": r"\.\.", "applescript": r"&", "r": r",",
           "awk": r"\s+", "vim": r"\.\.?"}
_HOME_EXPR = LazyRegex(r"^(?:(?:require\(['\"](?:node:)?os['\"]\)|os)\.homedir\(\)|process\.env\.HOME|process\.env\[['\"]HOME['\"]\]|"
                   r"Deno\.env\.get\(['\"]HOME['\"]\)|Bun\.env\.HOME|Dir\.home|ENV\[['\"]HOME['\"]\]|ENV\.fetch\(['\"]HOME['\"]\)|"
                   r"\$ENV\{HOME\}|\$ENV\{['\"]HOME['\"]\}|\$_SERVER\[['\"]HOME['\"]\]|getenv\(['\"]HOME['\"]\)|"
                   r"os\.getenv\(['\"]HOME['\"]\)|Sys\.getenv\(['\"]HOME['\"]\)|path\.expand\(['\"]~['\"]\)|"
                   r"ENVIRON\[\"HOME\"\]|expand\(['\"]~['\"]\)|\$HOME|path to home folder)$")
_PERL_Q = LazyRegex(r"^q[qwx]?\s*([{(\[<|/!'\"])")


def _top_split(text: str, sep: str, limit: int = 2000) -> list[str]:
    """Split `text` at `sep` (a regex) outside brackets and quotes."""
    parts, depth, start, i = [], 0, 0, 0
    rx = re.compile(sep)
    n = min(len(text), limit)
    while i < n:
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch in "'\"`":
            end = i + 1
            while end < n and text[end] != ch:
                end += 2 if text[end] == "\\" else 1
            i = end + 1
            continue
        elif depth == 0:
            m = rx.match(text, i)
            if m and m.end() > i:
                parts.append(text[start:i])
                start = i = m.end()
                continue
        i += 1
    parts.append(text[start:n])
    return parts


def _unescape(body: str, quote: str) -> str:
    if "\\" not in body:
        return body
    if quote == "'":
        return body.replace("\\'", "'").replace("\\\\", "\\")
    try:
        return body.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return body


def _wrapped(e: str) -> bool:
    """`(...)` is one parenthesised expression (not `(a)+(b)`)."""
    depth = 0
    for i, ch in enumerate(e):
        depth += 1 if ch == "(" else -1 if ch == ")" else 0
        if depth == 0 and i < len(e) - 1:
            return False
    return True


def _fold_text(expr: str, lang: str, depth: int = 0) -> str | None:
    """The string a simple expression in `lang` evaluates to (literals, concatenation, home/cwd expressions);
    unknown parts become _PH; None when nothing of it is known."""
    e = expr.strip().rstrip(";").strip()
    if not e or depth > 6:
        return None
    while e.startswith("(") and e.endswith(")") and _wrapped(e):
        e = e[1:-1].strip()
    if len(e) >= 2 and e[0] in "'\"`" and e[-1] == e[0] and e.count(e[0]) - e.count("\\" + e[0]) == 2:
        body = _unescape(e[1:-1], e[0])
        if e[0] == "`" or (e[0] == '"' and lang in ("perl", "ruby", "php")):
            body = re.sub(r"\$\{[^}]*\}|#\{[^}]*\}|\$ENV\{HOME\}", lambda m: "~" if "HOME" in m.group(0) else _PH, body)
        return body
    m = _PERL_Q.match(e) if lang in ("perl", "ruby") else None
    if m:
        close = {"{": "}", "(": ")", "[": "]", "<": ">"}.get(m.group(1), m.group(1))
        if e.endswith(close):
            return e[m.end():-1]
    if _HOME_EXPR.match(e):
        return "~"
    if re.fullmatch(r"(?:process\.cwd\(\)|Dir\.pwd|getcwd\(\)|Deno\.cwd\(\))", e):
        return "."
    m = re.fullmatch(r"(?:String\.fromCharCode|chr|utf8ToInt|intToUtf8)\(\s*(\d+)\s*\)", e)
    if m:
        return chr(int(m.group(1))) if int(m.group(1)) < 0x110000 else None
    m = re.fullmatch(r"(?:paste0?|file\.path|path\.join|join|path\.resolve)\((.*)\)", e, re.S)
    if m:
        parts = [_fold_text(p, lang, depth + 1) for p in _top_split(m.group(1), r",")]
        if all(p is None for p in parts):
            return None
        sep = "/" if not e.startswith("paste") else ("" if e.startswith("paste0") else " ")
        return sep.join(p if p is not None else _PH for p in parts)
    pieces = _top_split(e, _CONCAT.get(lang, r"\+"))
    if len(pieces) > 1:
        vals = [_fold_text(p, lang, depth + 1) for p in pieces if p.strip()]
        if all(v is None for v in vals):
            return None
        return "".join(v if v is not None else _PH for v in vals)
    return None


def _call_args(code: str, start: int) -> tuple[list[str], int]:
    """The top-level arguments of a call whose `(` is at `start`, and the index after its `)`."""
    depth, i, n = 0, start, min(len(code), start + 4000)
    while i < n:
        ch = code[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return [a for a in _top_split(code[start + 1:i], r",")], i + 1
        elif ch in "'\"`":
            end = i + 1
            while end < n and code[end] != ch:
                end += 2 if code[end] == "\\" else 1
            i = end
        i += 1
    return _top_split(code[start + 1:n], r","), n


def _statement_args(code: str, start: int) -> list[str]:
    """Arguments of a parenthesis-less call (`system "rm -rf ~"` in Perl/Ruby): up to `;`, a newline or `}`."""
    seg = _top_split(code[start:start + 2000], r"[;\n]|\bor\b|\band\b|\bif\b|\bunless\b")[0]
    seg = seg.split("}")[0] if seg.count("}") > seg.count("{") else seg
    return _top_split(seg, r",")


def _array_words(expr: str, lang: str) -> list[str] | None:
    e = expr.strip()
    m = re.fullmatch(r"(?:\[|c\(|list\(|qw\s*[(\[{/])(.*)[\])}/]", e, re.S)
    if not m:
        return None
    if e.startswith("qw"):
        return m.group(1).split()
    return [_fold_text(x, lang) or _PH for x in _top_split(m.group(1), r",") if x.strip()]


# Calls that hand a command to a shell or exec it, per language (argv form when given several words).
_RUN_CALLS = {
    "node": r"(?:child_process\.|cp\.|\b)(?:execSync|execFileSync|exec|execFile|spawnSync|spawn|fork)|execa(?:Sync|Command(?:Sync)?)?|"
            r"Deno\.run|Bun\.spawn(?:Sync)?|new\s+Deno\.Command",
    "ruby": r"(?:Kernel\.|Process\.)?(?:system|exec|spawn)|Open3\.\w+|IO\.popen|PTY\.spawn",
    "perl": r"(?:CORE::)?(?:system|exec)",
    "php": r"shell_exec|exec|system|passthru|proc_open|popen|pcntl_exec",
    "lua": r"os\.execute|io\.popen",
    "r": r"system2?|shell|processx::run|sys::exec_wait",
    "applescript": r"do\s+shell\s+script",
}
_RUN_BARE = {"perl": True, "ruby": True, "applescript": True}  # calls without parentheses
_TREE_CALLS = {
    "node": r"(?:fs\.|fsp\.|promises\.|fse\.|\)\.)(?:rm|rmdir|rmSync|rmdirSync|remove|removeSync|emptyDir|emptyDirSync)|"
            r"\brmSync|\brmdirSync|rimraf(?:\.sync|\.rimraf)?|rimrafSync|deleteSync|\bdel|Deno\.remove(?:Sync)?|Bun\.\$rm",
    "ruby": r"FileUtils\.(?:rm_rf|rm_r|remove_dir|remove_entry(?:_secure)?|rmtree)",
    "perl": r"(?:File::Path::)?(?:rmtree|remove_tree)",
    "php": r"\$?rrmdir",
    "r": r"unlink",
}


def _lang_commands(code: str, lang: str) -> tuple[list[str], list[str]]:
    """(shell lines, unresolved notes) for inline code in a language read by patterns (not Python)."""
    lines: list[str] = []
    unresolved: list[str] = []
    if lang == "python":
        return code_commands(code, lang), []
    if "atob(" in code or "Buffer.from(" in code or "b64decode" in code:
        code = _inline_base64(code)
    spans = [m.span() for m in _STRING.finditer(code)] if lang not in ("applescript",) else []

    def in_text(pos: int) -> bool:
        return any(a < pos < b for a, b in spans)

    calls = _RUN_CALLS.get(lang)
    if calls:
        lead = r"(?<![\w$@%>.])" if lang in ("perl", "ruby", "php", "lua", "r") else r"(?<![\w$])"
        for m in re.finditer(lead + r"(?:" + calls + r")(\s*\(|\s+(?=[\"'`%qQ\[\w$]))", code):
            if in_text(m.start()):
                continue
            if lang == "node" and code[max(0, m.start() - 1):m.start()] == "." and \
                    re.match(r"(?:exec|spawn|fork)\b", code[m.start():m.start() + 6]) and \
                    "child_process" not in code and not re.search(
                    r"(child_process|\bcp|childProcess|['\"]\)|\$)\.$", code[max(0, m.start() - 40):m.start()]):
                continue  # `re.exec(s)`, `db.exec(sql)`: a method of something else, not a process
            paren = m.group(1).strip() == "("
            if not paren and not (_RUN_BARE.get(lang) or lang == "perl"):
                continue
            args = _call_args(code, m.end() - 1)[0] if paren else _statement_args(code, m.end())
            args = [a for a in args if a.strip()]
            if lang == "ruby" and args and args[0].strip().startswith("{"):
                args = args[1:]  # an env hash first
            if not args:
                continue
            name = m.group(0)
            if lang in ("node", "r") and len(args) > 1:
                words = _array_words(args[1], lang) if lang == "node" else None
                if lang == "r" and "system2" in name:
                    words = _array_words(re.sub(r"^\s*args\s*=", "", args[1]), lang)
                first = _fold_text(args[0], lang)
                if words is not None and first:
                    lines.append(" ".join(w if _PH in w else shell_quote(w) for w in [first] + words))
                    continue
            if lang in ("perl", "ruby", "php") and len(args) > 1:
                words = [_fold_text(a, lang) or _PH for a in args]
                if words[0] != _PH:
                    lines.append(" ".join(w if _PH in w else shell_quote(w) for w in words))
                else:
                    unresolved.append(f"{name.strip()}(...) of a program only known at run time")
                continue
            words = _array_words(args[0], lang)
            if words:
                if words[0] == _PH:
                    unresolved.append(f"{name.strip()}(...) of a program only known at run time")
                else:
                    lines.append(" ".join(w if _PH in w else shell_quote(w) for w in words))
                continue
            text = _fold_text(args[0], lang)
            if text is None or not text.replace(_PH, "").strip():
                unresolved.append(f"{name.strip()}(...) with a command only known at run time")
            else:
                lines.append(text)
    if lang in ("ruby", "perl", "php"):
        lines += [m.group(1) for m in re.finditer(r"`([^`]+)`", code)]
        for m in re.finditer(r"(?<![\w$@%])(?:%x|qx)\s*([{(\[<|/!'])", code):
            close = {"{": "}", "(": ")", "[": "]", "<": ">"}.get(m.group(1), m.group(1))
            end = code.find(close, m.end())
            if end > 0:
                lines.append(re.sub(r"\$ENV\{HOME\}|#\{Dir\.home\}|#\{ENV\[['\"]HOME['\"]\]\}", "~", code[m.end():end]))
    if lang == "node":
        lines += [m.group(1) for m in re.finditer(r"(?<![\w])\$`([^`]+)`", code)]  # zx / Bun shell
    tree = _TREE_CALLS.get(lang)
    if tree:
        for m in re.finditer(r"(?:" + tree + r")\s*\(", code):
            if in_text(m.start()):
                continue
            args, end = _call_args(code, m.end() - 1)
            rest = code[m.end():end + 300]
            name = m.group(0)
            if lang == "node" and re.search(r"(?:^|[.)])(?:rm|rmdir|rmSync|rmdirSync|Deno\.remove(?:Sync)?)\s*\($|Deno\.remove",
                                            name) and not re.search(r"recursive\s*:\s*true", rest):
                continue  # a single file
            if lang == "r" and not re.search(r"recursive\s*=\s*T(RUE)?", rest):
                continue
            path = _fold_text(args[0], lang) if args else None
            if path is None or path == _PH:
                path = _path_arg(args[0]) if args else None
            if path is None:
                unresolved.append(f"{name.rstrip('(').strip()}() of a path only known at run time")
            else:
                lines.append(f"rm -rf {path if _PH in path else shell_quote(path)}")
    return list(dict.fromkeys(lines))[:50], unresolved[:5]


# ---- tools that run commands from their own option values or scripts (awk, sed, vim, tar, rsync, zip, make)

_AWK_VALUE_OPTS = frozenset({"-F", "-v", "-f", "-e", "--source", "-i", "--include", "-l", "--load", "-E", "--exec",
                             "--file", "--assign", "--field-separator"})


def _awk_program(cmd: SimpleCommand, ctx: EvalContext) -> str | None:
    a, i, progs = list(cmd.args), 0, []
    while i < len(a):
        x = a[i]
        if x == "--":
            i += 1
            break
        if x in ("-f", "--file", "-E", "--exec") and i + 1 < len(a):
            progs.append(read_text(ctx, a[i + 1]) or "")
            i += 2
            continue
        if x in ("-e", "--source") and i + 1 < len(a):
            progs.append(a[i + 1])
            i += 2
            continue
        if x in _AWK_VALUE_OPTS:
            i += 2
            continue
        if x.startswith("-") and len(x) > 1:
            i += 1
            continue
        break
    if not progs and i < len(a):
        progs.append(a[i])
    return "\n".join(progs) if progs else None


def _awk_commands(prog: str) -> tuple[list[str], list[str]]:
    lines, unresolved = [], []
    for m in re.finditer(r"(?<![\w])system\s*\(", prog):
        args = _call_args(prog, m.end() - 1)[0]
        text = _fold_text(args[0], "awk") if args else None
        if text is None or not text.replace(_PH, "").strip():
            unresolved.append("awk system() of a command only known at run time")
        else:
            lines.append(text)
    # print ... | "cmd"   and   "cmd" | getline
    for m in re.finditer(r"(?<![\w])printf?\b([^;{}\n|]*)\|\s*(\"(?:[^\"\\]|\\.)*\"|\w+)", prog):
        target = _fold_text(m.group(2), "awk")
        if target is None:
            unresolved.append("awk output piped to a command only known at run time")
            continue
        lines.append(target)
        words = target.split()
        if words[:1] and (posixpath.basename(words[0]) in SHELLS
                          or words[0] == "/usr/bin/env" and words[1:2] and words[1] in SHELLS):
            body = _fold_text(m.group(1), "awk")
            if body is None or not body.replace(_PH, "").strip():
                unresolved.append(f"awk output fed to `{target}` as its script")
            else:
                lines.append(body)
    for m in re.finditer(r"(\"(?:[^\"\\]|\\.)*\"|\w+)\s*\|\s*getline", prog):
        target = _fold_text(m.group(1), "awk")
        if target is None:
            unresolved.append("awk getline from a command only known at run time")
        else:
            lines.append(target)
    return lines, unresolved


def _sed_scripts(cmd: SimpleCommand, ctx: EvalContext) -> list[str]:
    a, scripts, i, explicit = list(cmd.args), [], 0, False
    while i < len(a):
        x = a[i]
        if x in ("-e", "--expression") and i + 1 < len(a):
            scripts.append(a[i + 1]); explicit = True; i += 2; continue
        if x.startswith("--expression="):
            scripts.append(x.split("=", 1)[1]); explicit = True; i += 1; continue
        if x in ("-f", "--file") and i + 1 < len(a):
            scripts.append(read_text(ctx, a[i + 1]) or ""); explicit = True; i += 2; continue
        if x.startswith("-") and not x.startswith("--") and len(x) > 2 and "e" in x[1:] and x[-1] == "e" \
                and i + 1 < len(a):
            scripts.append(a[i + 1]); explicit = True; i += 2; continue  # -ne 'script'
        if x in ("-l", "--line-length"):
            i += 2; continue
        if x.startswith("-") and len(x) > 1:
            i += 1; continue
        if not explicit:
            scripts.append(x)
            explicit = True
        i += 1
    return scripts


def _sed_exec(script: str) -> tuple[list[str], bool]:
    """(commands `e CMD` runs, whether an `e` runs the pattern space itself) in a GNU sed script."""
    cmds, pattern, i, n = [], False, 0, len(script)
    while i < n:
        ch = script[i]
        if ch in " \t\n;{}!":
            i += 1
            continue
        # addresses: numbers, $, /re/, \cREc, first~step, addr,+N
        while i < n and (script[i] in "0123456789$,~+ " or script[i] in "/\\"):
            if script[i] in "/\\":
                d = script[i] if script[i] == "/" else (script[i + 1] if i + 1 < n else "/")
                j = i + (1 if script[i] == "/" else 2)
                while j < n and script[j] != d:
                    j += 2 if script[j] == "\\" else 1
                i = j + 1
                if i < n and script[i] in "IM":
                    i += 1
            else:
                i += 1
        while i < n and script[i] in "!\t ":
            i += 1
        if i >= n:
            break
        c = script[i]
        i += 1
        if c in "sy":
            if i >= n:
                break
            d = script[i]
            parts, j = 0, i + 1
            while j < n and parts < 2:
                if script[j] == "\\":
                    j += 2
                    continue
                if script[j] == d:
                    parts += 1
                j += 1
            flags = re.match(r"[^;\n}]*", script[j:]).group(0)
            if c == "s" and re.match(r"[gpiImMe0-9]*e", flags.split()[0] if flags.split() else ""):
                cmds.append("")  # s///e: the substituted pattern space runs, unknown here
            i = j + len(flags)
        elif c in "aic:btTrRwWlLqQvF=":
            end = script.find("\n", i)
            if c in ":btT" and ";" in script[i:end if end >= 0 else n]:
                end = script.find(";", i)
            i = n if end < 0 else end
        elif c == "e":
            end = script.find("\n", i)
            text = script[i:end if end >= 0 else n].strip()
            if text:
                cmds.append(text)
            else:
                pattern = True
            i = n if end < 0 else end
        elif c == "#":
            end = script.find("\n", i)
            i = n if end < 0 else end
    return cmds, pattern


def _vim_commands(cmd: SimpleCommand, ctx: EvalContext) -> tuple[list[str], list[str]]:
    a, exs = list(cmd.args), []
    for i, x in enumerate(a):
        if x in ("-c", "--cmd") and i + 1 < len(a):
            exs.append(a[i + 1])
        elif x.startswith("+") and len(x) > 1 and not x[1:].isdigit():
            exs.append(x[1:])
        elif x == "-S" and i + 1 < len(a):
            exs.extend((read_text(ctx, a[i + 1]) or "").splitlines())
    lines, unresolved = [], []
    for ex in exs:
        for part in ex.split("\n"):
            e = part.strip().lstrip(":").strip()
            e = re.sub(r"^(?:silent!?|sil!?|exe(?:cute)?)\s+", "", e)
            m = re.match(r"^(?:[%.$,\d'<>]*\s*)(?:r(?:ead)?\s*|w(?:rite)?\s*|)!(.*)$", e)
            if m and m.group(1).strip():
                lines.append(m.group(1))
            for c in re.finditer(r"\b(?:system|systemlist|jobstart|termopen)\s*\(", e):
                args = _call_args(e, c.end() - 1)[0]
                text = _fold_text(args[0], "vim") if args else None
                if text is None:
                    unresolved.append("vim system() of a command only known at run time")
                else:
                    lines.append(text)
    return lines, unresolved


_TAR_CMD_OPTS = ("--to-command", "--use-compress-program", "--rsh-command", "--info-script", "--new-volume-script")


def _tar_commands(cmd: SimpleCommand) -> list[str]:
    a, out = list(cmd.args), []
    for i, x in enumerate(a):
        nxt = a[i + 1] if i + 1 < len(a) else ""
        if x.startswith("--") and len(x) > 5:
            name, eq, val = x.partition("=")
            if name.startswith("--checkpoint-a") and "--checkpoint-action".startswith(name):
                v = val if eq else nxt
                if v.startswith("exec="):
                    out.append(v[5:])
                continue
            if any(o.startswith(name) for o in _TAR_CMD_OPTS) and len(name) >= 6 and not "--checkpoint".startswith(name):
                out.append(val if eq else nxt)
        elif x.startswith("-") and not x.startswith("--"):
            for flag in ("I", "F"):
                if flag in x[1:]:
                    j = x.index(flag, 1)
                    rest = x[j + 1:]
                    if not x[1:j] or x[1:j].isalpha():
                        out.append(rest if rest else nxt)
                    break
    return [c for c in out if c]


def _rsync_commands(cmd: SimpleCommand) -> list[str]:
    a, out = list(cmd.args), []
    for i, x in enumerate(a):
        nxt = a[i + 1] if i + 1 < len(a) else ""
        if x.startswith("--rsh="):
            out.append(x[6:])
        elif x == "--rsh" or re.fullmatch(r"-[a-zA-Z]*e", x):
            out.append(nxt)
        elif re.match(r"-e.", x):
            out.append(x[2:])
    return [c for c in out if c]


def _zip_commands(cmd: SimpleCommand) -> list[str]:
    a, out = list(cmd.args), []
    for i, x in enumerate(a):
        nxt = a[i + 1] if i + 1 < len(a) else ""
        if x in ("-TT", "--unzip-command"):
            out.append(nxt)
        elif x.startswith(("--unzip-command=", "-TT=")):
            out.append(x.split("=", 1)[1])
    return [c for c in out if c]


def _make_eval_commands(cmd: SimpleCommand) -> list[str]:
    a, texts = list(cmd.args), []
    for i, x in enumerate(a):
        if x in ("--eval", "-E") and i + 1 < len(a):
            texts.append(a[i + 1])
        elif x.startswith("--eval="):
            texts.append(x.split("=", 1)[1])
        elif x.startswith("-E") and len(x) > 2:
            texts.append(x[2:])
    out = []
    for t in texts:
        for ln in t.split("\n"):
            if ln.startswith("\t"):
                out.append(ln[1:].lstrip("@-+ "))
            else:
                m = re.match(r"^[^:=#\t]+:(?!=)[^;=]*;(.*)$", ln)
                if m:
                    out.append(m.group(1).lstrip("@-+ "))
    return [c for c in out if c.strip()]


# ---- commands run in containers and on other machines, by spellings the shell model does not unwrap

_SSH_VALUE_OPTS = frozenset("-b -c -D -E -e -F -I -i -J -L -l -m -O -o -p -Q -R -S -W -w -B".split())
_CONTAINER_VALUE_OPTS = frozenset({"-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file", "--name", "-v",
                                   "--volume", "--mount", "--entrypoint", "-p", "--publish", "--network", "--net",
                                   "-l", "--label", "--platform", "--pull", "-h", "--hostname", "--add-host",
                                   "--cpus", "-m", "--memory", "--restart", "--device", "--cap-add", "--cap-drop",
                                   "--security-opt", "--tmpfs", "--shm-size", "--ulimit", "--dns", "--ipc", "--pid",
                                   "--log-driver", "--log-opt", "--gpus", "--runtime", "--group-add",
                                   "--index", "--volumes-from", "--link", "--expose", "--stop-signal", "--cidfile",
                                   "--health-cmd", "-f", "--file", "--project-name", "--profile", "--context",
                                   "-H", "--host", "--detach-keys"})
_KUBE_EXEC_VALUE_OPTS = frozenset({"-c", "--container", "-n", "--namespace", "--context", "--kubeconfig", "-f",
                                   "--filename", "--pod-running-timeout", "--cluster", "--user", "-l", "--selector"})


def _skip_opts(words: list[str], value_opts: frozenset[str]) -> tuple[list[str], list[str]]:
    """(options with their values, the rest from the first operand on); `--` ends the options."""
    i = 0
    while i < len(words):
        w = words[i]
        if w == "--":
            return words[:i], words[i + 1:]
        if not w.startswith("-") or w == "-":
            break
        i += 2 if w in value_opts else 1
    return words[:i], words[i:]


def _mount_mapper(opts: list[str]) -> Any:
    """Host paths behind a container's paths (`-v /:/host`): deleting /host deletes the host's /; other absolute
    paths are the container's own (kept apart as /.container/...)."""
    mounts, workdir = [], "/"
    for i, o in enumerate(opts):
        val = opts[i + 1] if i + 1 < len(opts) else ""
        if o in ("-v", "--volume") or o.startswith(("--volume=", "-v")) and o not in ("-v",):
            spec = val if o in ("-v", "--volume") else o.split("=", 1)[1] if "=" in o else o[2:]
            parts = spec.split(":")
            if len(parts) >= 2 and parts[1].startswith("/"):
                mounts.append((parts[1].rstrip("/") or "/", parts[0]))
        elif o == "--mount" or o.startswith("--mount="):
            spec = val if o == "--mount" else o.split("=", 1)[1]
            kv = dict(p.split("=", 1) for p in spec.split(",") if "=" in p)
            src, dst = kv.get("source") or kv.get("src"), kv.get("target") or kv.get("destination") or kv.get("dst")
            if src and dst:
                mounts.append((dst.rstrip("/") or "/", src))
        elif o in ("-w", "--workdir"):
            workdir = val or "/"
        elif o.startswith("--workdir="):
            workdir = o.split("=", 1)[1]
    mounts.sort(key=lambda m: -len(m[0]))

    def host(word: str) -> str:
        if word.startswith("~"):
            word = "/root" + word[1:]
        elif not word.startswith("/"):
            word = posixpath_join(workdir, word)
        for dst, src in mounts:
            if word == dst or word.startswith(dst.rstrip("/") + "/"):
                return src.rstrip("/") + word[len(dst):] if dst != "/" else src.rstrip("/") + word
        return "/.container" + word

    def mapper(inner: SimpleCommand) -> SimpleCommand:
        from guardrail.base.record import replace

        argv = [inner.argv[0]] + [host(w) if _pathlike(w) else w for w in inner.argv[1:]]
        return replace(inner, argv=tuple(argv))

    return mapper


def posixpath_join(a: str, b: str) -> str:
    import posixpath

    return posixpath.normpath(posixpath.join(a, b))


def _pathlike(w: str) -> bool:
    return w.startswith(("/", "~", "./", "../")) or w in (".", "..", "*") or (w.endswith("/*") and not w.startswith("-"))


def _with_stdin(cmd: SimpleCommand) -> Any:
    """Hand the outer command's stdin (a here-string, heredoc, pipe or `< file`) to the remote command."""
    def mapper(inner: SimpleCommand) -> SimpleCommand:
        from guardrail.base.record import replace

        if inner.stdin_text is None and inner.stdin_file is None:
            return replace(inner, stdin_text=cmd.stdin_text, stdin_file=cmd.stdin_file)
        return inner
    return mapper


_SHELL_ONLY = LazyRegex(r"^(?:exec\s+)?(?:/usr/bin/|/bin/)?(?:" + "|".join(sorted(BOURNE_SHELLS)) + r")(?:\s+-[a-z]*s?[a-z]*)*\s*$|^$")


def _remote_lines(cmd: SimpleCommand) -> list[tuple[str, str, Any]]:
    """(label, shell line, mapper) for ssh, gcloud compute ssh, kubectl exec without `--`, docker-compose and
    docker/podman run."""
    name, a = cmd.name, list(cmd.args)
    out: list[tuple[str, str, Any]] = []
    if name in REMOTE_SHELLS:
        _, rest = _skip_opts(a, _SSH_VALUE_OPTS)
        if not rest:
            return out
        host, rest = rest[0], rest[1:]
        _, rest = _skip_opts(rest, _SSH_VALUE_OPTS)  # OpenSSH reads options after the host too
        line = " ".join(rest)
        if rest:
            out.append((f"ssh {host}", line, _with_stdin(cmd)))
        if _SHELL_ONLY.match(line) and cmd.stdin_text:
            out.append((f"ssh {host} <stdin", cmd.stdin_text, None))
        return out
    if name == "gcloud" and a[:2] == ["compute", "ssh"]:
        for i, x in enumerate(a):
            if x == "--command" and i + 1 < len(a):
                out.append(("gcloud compute ssh", a[i + 1], None))
            elif x.startswith("--command="):
                out.append(("gcloud compute ssh", x.split("=", 1)[1], None))
            elif x == "--":
                out.append(("gcloud compute ssh", " ".join(a[i + 1:]), None))
                break
        if not out and cmd.stdin_text:
            out.append(("gcloud compute ssh <stdin", cmd.stdin_text, None))
        return out
    if name in ("kubectl", "oc", "kubecolor") and "exec" in a and "--" not in a:
        _, rest = _skip_opts(a[a.index("exec") + 1:], _KUBE_EXEC_VALUE_OPTS)
        if len(rest) >= 2:
            out.append((f"{name} exec {rest[0]}", " ".join(shell_quote(w) for w in rest[1:]), _with_stdin(cmd)))
        return out
    if name in CONTAINER_ENGINES:
        opts, rest = _skip_opts(a, _CONTAINER_VALUE_OPTS)
        compose = name.endswith("-compose") or rest[:1] == ["compose"]
        if rest[:1] == ["compose"]:
            opts2, rest = _skip_opts(rest[1:], _CONTAINER_VALUE_OPTS)
            opts += opts2
        if rest[:2] == ["container", "run"]:
            rest = rest[1:]
        if not rest or rest[0] not in (("exec", "run") if compose else ("run",)):
            return out
        if not compose and name == "docker" and rest[0] == "exec":
            return out
        verb = rest[0]
        opts3, rest = _skip_opts(rest[1:], _CONTAINER_VALUE_OPTS)
        if len(rest) < 2:
            return out
        where, argv = rest[0], rest[1:]
        feed = _with_stdin(cmd)
        if verb == "run":
            mounts = _mount_mapper(opts + opts3)
            mapper = lambda inner: feed(mounts(inner))  # noqa: E731
        else:
            mapper = feed
        out.append((f"{name} {verb} {where}", " ".join(shell_quote(w) for w in argv), mapper))
    return out


# ---- everything a command runs from text guardrail can read: inline code, tool options, node package entries

_REMOTE_TOOLS = CONTAINER_ENGINES | REMOTE_SHELLS | KUBE_CLIS | frozenset({"gcloud"})
_EMBED_TOOLS = AWKS | SEDS | VIMS | TARS | _REMOTE_TOOLS | PACKAGE_MANAGERS | MAKES | frozenset({"rsync", "zip", "node"})


def _pm_lines(cmd: SimpleCommand, ctx: EvalContext) -> list[str]:
    """Binaries a package manager runs by spellings script-following does not read: `npm exec --call='...'`,
    `npm exec -c '...'`, and `yarn run BIN` / `bun run BIN` / `pnpm run BIN` where no script has that name."""
    a = list(cmd.args)
    if not a:
        return []
    if cmd.name == "npm" and a[0] in ("exec", "x"):
        for i, x in enumerate(a):
            if x in ("--call", "-c") and i + 1 < len(a):
                return [a[i + 1]]
            if x.startswith("--call="):
                return [x.split("=", 1)[1]]
        return []
    if cmd.name in ("yarn", "bun") and a[0] == "run" and len(a) >= 2 and not a[1].startswith("-"):
        import json

        text = read_text(ctx, "package.json")
        try:
            scripts = (json.loads(text).get("scripts") or {}) if text else {}
        except (ValueError, AttributeError):
            scripts = {}
        if isinstance(scripts, dict) and a[1] in scripts:
            return []  # a script: indirection follows it
        if re.search(r"\.(m?[jt]sx?|cjs|cts)$", a[1]):
            return []  # a file bun runs: not a binary
        return [" ".join(shell_quote(w) for w in a[1:])]
    return []
_NODE_ENTRY = LazyRegex(r"^(?:\./)?(?:.*/)?node_modules/(?:\.bin/([^/]+)|((?:@[^/]+/)?[^/]+)/.+)$")


def may_embed(cmd: SimpleCommand) -> bool:
    """Cheap: could `cmd` carry commands in its own words or stdin (inline code, awk/sed/vim/tar/... options)?"""
    name = cmd.name
    return name in INLINE_FLAGS or name in _EMBED_TOOLS or is_python(name)


class Embedded:
    __slots__ = ("lines", "unresolved", "remote")

    def __init__(self) -> None:
        self.lines: list[tuple[str, str, Any]] = []  # (how it is reached, shell line, mapper for each command or None)
        self.unresolved: list[str] = []
        self.remote: list[str] = []


def _inline_rest(cmd: SimpleCommand, code: str) -> list[str]:
    a = list(cmd.args)
    for i, x in enumerate(a):
        if x == code and i > 0:
            return a[i + 1:]
    return []


def embedded(cmd: SimpleCommand, ctx: EvalContext) -> Embedded:
    return _for_command("embedded", cmd, ctx, _embedded)


def _embedded(cmd: SimpleCommand, ctx: EvalContext) -> Embedded:
    out = Embedded()
    name = cmd.name
    if not may_embed(cmd):
        return out
    label = name
    lines: list[str] = []
    code = inline_code(cmd, ctx)
    if code:
        label = f"{name} {inline_flag(cmd)}"
        lang = _LANG.get(name, "python" if is_python(name) else "")
        if lang == "python":
            from_stdin = code is cmd.stdin_text
            scan = _py_scan(code, _inline_rest(cmd, code), None if from_stdin else cmd.stdin_text, ctx)
            if scan is None:
                lines += code_commands(code, lang)
            else:
                lines += scan.lines
                out.unresolved += scan.unresolved
                out.remote += scan.remote
        elif lang:
            if lang == "applescript":
                code = "\n".join(a for i, a in enumerate(cmd.args) if i and cmd.args[i - 1] == "-e") or code
                code = re.sub(r"\s+(?:with|without|as|user name|password)\s+[^\n\"]*$", "", code, flags=re.M)
            found, unknown = _lang_commands(code, lang)
            lines += found
            out.unresolved += unknown
    elif name in AWKS:
        prog = _awk_program(cmd, ctx)
        if prog and re.search(r"system|getline|\|", prog):
            found, unknown = _awk_commands(prog)
            lines += found
            out.unresolved += unknown
    elif name in SEDS:
        for script in _sed_scripts(cmd, ctx):
            if "e" not in script:
                continue
            found, pattern = _sed_exec(script)
            lines += [f for f in found if f]
            if "" in found:
                out.unresolved.append("sed `s///e` runs the substituted text as a command")
            if pattern:
                if cmd.stdin_text:
                    lines += [ln for ln in cmd.stdin_text.splitlines() if ln.strip()]
                else:
                    out.unresolved.append("sed `e` runs its input lines as commands")
    elif name in VIMS:
        found, unknown = _vim_commands(cmd, ctx)
        lines += found
        out.unresolved += unknown
    elif name in TARS:
        lines += _tar_commands(cmd)
    elif name == "rsync":
        lines += _rsync_commands(cmd)
    elif name == "zip":
        lines += _zip_commands(cmd)
    elif name in MAKES:
        lines += _make_eval_commands(cmd)
    if name in PACKAGE_MANAGERS and not code:
        found_pm = _pm_lines(cmd, ctx)
        if found_pm:
            lines += found_pm
            label = f"{name} {cmd.args[0]}"
    if name == "node" and not code:
        pos = positionals(cmd)
        m = _NODE_ENTRY.match(pos[0]) if pos else None
        if m:
            prog = m.group(1) or m.group(2).rsplit("/", 1)[-1]
            rest = list(cmd.args)[list(cmd.args).index(pos[0]) + 1:]
            lines.append(" ".join(shell_quote(w) for w in [prog] + rest))
            label = f"node {pos[0]}"
    out.lines = [(label, ln, None) for ln in dict.fromkeys(lines)][:50]
    if name in _REMOTE_TOOLS:
        out.lines += _remote_lines(cmd)[:10]
    out.unresolved = list(dict.fromkeys(out.unresolved))[:5]
    return out


# ---- code that arrives from the network by a route `remote-code` does not trace

_PIPE_FILTERS = frozenset({"tee", "cat", "sed", "tr", "head", "tail", "grep", "egrep", "awk", "gawk", "dos2unix",
                           "iconv", "sort", "uniq", "cut", "perl", "base64", "gunzip", "zcat", "gzip", "xz", "bzip2",
                           "unxz", "bunzip2", "zstd", "openssl", "rev", "fold", "expand", "stdbuf", "pv", "col"})


def _model_of(ctx: EvalContext) -> Any:
    """The command model of the whole line (checks see one command; these questions need its neighbours)."""
    memo = _per_evaluation(ctx)
    hit = memo.get(("model",))
    if hit is None:
        from guardrail.shell import parse_command

        hit = memo[("model",)] = parse_command(ctx.source or "")
    return hit


def _download_outputs(c: SimpleCommand) -> list[str]:
    """Files a downloader command writes (`curl -o F`, `curl -fsSLo F`, `wget -O F`, `> F`)."""
    a, out = list(c.args), []
    for i, x in enumerate(a):
        nxt = a[i + 1] if i + 1 < len(a) else ""
        if c.name in ("curl", "curlie"):
            if x in ("-o", "--output") or re.fullmatch(r"-[a-zA-Z]*o", x):
                out.append(nxt)
            elif x.startswith("--output="):
                out.append(x.split("=", 1)[1])
            elif x in ("-O", "--remote-name") or re.fullmatch(r"-[a-zA-Z]*O[a-zA-Z]*", x):
                urls = [u for u in a if "://" in u]
                if urls:
                    out.append(urls[0].split("?")[0].rstrip("/").rsplit("/", 1)[-1])
        elif c.name in ("wget", "wget2"):
            if x in ("-O", "--output-document") or re.fullmatch(r"-[a-zA-Z]*O", x):
                out.append(nxt)
            elif x.startswith("--output-document="):
                out.append(x.split("=", 1)[1])
            elif x.startswith("-O") and len(x) > 2:
                out.append(x[2:])
        elif c.name == "aria2c" and (x in ("-o", "--out") or x.startswith("--out=")):
            name = nxt if "=" not in x else x.split("=", 1)[1]
            folder = next((a[j + 1] for j, y in enumerate(a[:-1]) if y in ("-d", "--dir")), None) or \
                next((y.split("=", 1)[1] for y in a if y.startswith("--dir=")), None)
            out.append(posixpath.join(folder, name) if folder else name)
    if c.name in ("wget", "wget2") and not out:
        urls = [u for u in a if "://" in u]
        if urls:
            out.append(urls[0].split("?")[0].rstrip("/").rsplit("/", 1)[-1])
    out += [r.target for r in c.redirects if r.op in (">", ">>", ">|", "&>")]
    return [o for o in out if o and o != "-"]


def downloaded_code(cmd: SimpleCommand, ctx: EvalContext) -> list[str]:
    """A download that reaches a shell or interpreter: through filters (`curl URL | tr -d '\\r' | sh`), via a file
    (`curl -o i.sh URL && sh i.sh`), as eval's or a shell's here-string text (`eval "$(curl URL)"`), or from
    another network reader through filters (`nc host 80 | tr -d '\\r' | sh`)."""
    name = cmd.name
    if name in DOWNLOADERS:
        via = cmd.via
        for i in range(len(via) - 1):
            if via[i + 1] == "$()" and (via[i] == "eval" or via[i].endswith(" <stdin") or via[i] in ("source", ".")):
                return [f"output of {name} run by {via[i].replace(' <stdin', '')}"]
        return []
    if name not in CODE_RUNNERS and not cmd.argv[0].startswith(("./", "../", "/")):
        return []
    if name in CODE_RUNNERS and cmd.stdin_from:
        # a downloader piped straight in is the `remote-code` check's (shell/pipe-download-to-shell)
        if cmd.stdin_from in _PIPE_FILTERS and ctx.source:
            cmds = list(_model_of(ctx).commands)
            idx = next((i for i, c in enumerate(cmds) if c.argv == cmd.argv and c.stdin_from == cmd.stdin_from), -1)
            j, hops = idx, 0
            while j > 0 and hops < 8 and cmds[j].stdin_from == cmds[j - 1].name:
                j -= 1
                hops += 1
                if cmds[j].name in DOWNLOADERS:
                    return [f"output of {cmds[j].name} through {' | '.join(c.name for c in cmds[j + 1:idx])}"]
                if cmds[j].name not in _PIPE_FILTERS:
                    break
        return []
    # a script file written by a download earlier on the line
    if name in CODE_RUNNERS:
        pos = [p for p in positionals(cmd) if not p.startswith("-")]
        script = pos[0] if pos else ""
    else:
        script = cmd.argv[0]
    if not script or not ctx.source or not any(d in ctx.source for d in ("curl", "wget", "aria2c", "fetch", "http")):
        return []
    target = ctx.resolve(script)
    for c in _model_of(ctx).commands:
        if c.name in DOWNLOADERS and any(ctx.resolve(o) == target for o in _download_outputs(c)):
            return [f"{script}, downloaded by {c.name} on the same line"]
    return []


_TF_DESTROY = LazyRegex(r"^--?destroy(=(true|1|t|T|TRUE|True))?$")


def fresh_destroy_plan(cmd: SimpleCommand, ctx: EvalContext) -> list[str]:
    """`terraform apply F` where F is a destroy plan written earlier on the same line (`plan -destroy -out=F`)."""
    if cmd.name not in TERRAFORMS or "plan" not in (ctx.source or ""):
        return []
    pos = positionals(cmd)
    if pos[:1] != ["apply"] or len(pos) < 2:
        return []
    plan_file = pos[-1]
    for c in _model_of(ctx).commands:
        if c.name not in TERRAFORMS or "plan" not in c.args:
            continue
        a = list(c.args)
        if not any(_TF_DESTROY.match(x) for x in a):
            continue
        outs = [a[i + 1] for i, x in enumerate(a[:-1]) if x in ("-out", "--out")]
        outs += [x.split("=", 1)[1] for x in a if x.startswith(("-out=", "--out="))]
        if any(ctx.resolve(o) == ctx.resolve(plan_file) for o in outs):
            return [f"the destroy plan {plan_file} made on the same line"]
    return []


def shell_outs(cmd: SimpleCommand, ctx: EvalContext) -> list[SimpleCommand]:
    """Shell commands that inline interpreter code starts (`os.system("...")`, `execSync("...")`, Ruby backticks),
    tree deletions (`shutil.rmtree(os.path.expanduser('~'))`) as the `rm -rf` they amount to, and the commands
    tools run from their options or scripts (awk system(), sed `e`, vim `:!`, tar --to-command, rsync -e, ...)."""
    found = embedded(cmd, ctx)
    if not found.lines:
        return []
    from guardrail.base.record import replace
    from guardrail.shell import parse_command

    out = []
    for label, line, mapper in found.lines:
        for inner in parse_command(line).commands[:20]:
            if mapper is not None:
                inner = mapper(inner)
            out.append(replace(inner, via=cmd.via + (label,) + inner.via))
    return out


def inline_flag(cmd: SimpleCommand) -> str:
    return next((a for a in cmd.args if a in INLINE_FLAGS.get(cmd.name, ("-c",))), "<stdin>")




@check("indirect")
def indirect(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """Commands reached through npm/pnpm/yarn/bun scripts, make, just, script files or inline code's shell-outs
    that another rule would stop. `args.decision` and `args.effects` select which inner findings count.
    Targets name the chain: `npm run db:reset -> prisma migrate reset --force [orm/prisma-migrate-reset]`."""
    want_decision = args.get("decision")
    out = []
    for rule, inner, targets in _inner_hits(cmd, ctx):
        if want_decision and rule.decision != want_decision:
            continue
        if not _effect_ok(rule.effect, args):
            continue
        chain = " -> ".join(inner.via[len(cmd.via):]) if len(inner.via) > len(cmd.via) else cmd.name
        out.append(f"{chain} -> {' '.join(inner.argv)[:120]} [{rule.id}: {rule.summary}]")
    return list(dict.fromkeys(out))


@check("indirect-unresolved")
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
        return list(found.unresolved if kind == "code" else found.remote)
    indirection = _module("guardrail.indirection")
    if not indirection.is_trigger(cmd):
        return []
    # cheap name test first: no file is read for `npm test` or `make build`
    if not any(indirection._DESTRUCTIVE_NAME.search(a) for a in positionals(cmd)[:2] + [cmd.name]):
        return []
    return [u for u in _expansion(cmd, ctx).unresolved if indirection._DESTRUCTIVE_NAME.search(u.rsplit(" ", 1)[-1])]


# --------------------------------------------------------------------------- protected resources

# Tools that find their database in the environment or a .env file rather than on the command line.
DATA_TOOLS = frozenset({"prisma", "drizzle-kit", "rails", "rake", "manage.py", "django-admin", "alembic", "flyway",
                        "liquibase", "sequelize", "sequelize-cli", "knex", "typeorm", "supabase", "mix", "artisan",
                        "php", "mikro-orm", "sqlx", "diesel", "goose", "dbmate", "migrate", "atlas", "psql", "mysql",
                        "dropdb", "mongosh", "mongo", "redis-cli", "python", "python3", "node", "bundle"})

@check("protected-target")
def protected_target(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """A destructive command (any other rule matches it) whose target names a protected resource from config."""
    from guardrail.environment import dotenv_values, protected_names, protected_hits

    kinds = args.get("kinds") or ("databases", "namespaces", "buckets", "projects", "stacks", "clusters")
    names = protected_names(ctx.config, kinds)
    if not names:
        return []
    from guardrail.indirection import is_trigger

    words = " ".join(cmd.argv) + " " + " ".join(v for _, v in cmd.env)
    if not (any(n.strip("*?") in words for n in names) or is_trigger(cmd) or cmd.name in DATA_TOOLS):
        return []  # cheap: nothing names a protected resource and no config/env file can supply one
    hits = [(r, t) for r, t in rule_hits(cmd, ctx) if _effect_ok(r.effect, args)]
    for rule, inner, t in _inner_hits(cmd, ctx):
        if _effect_ok(rule.effect, args):
            hits.append((rule, t + [" ".join(inner.argv)] + [f"{k}={v}" for k, v in inner.env]))
    if not hits:
        return []
    text = " ".join(cmd.argv) + " " + " ".join(f"{k}={v}" for k, v in cmd.env) + " " + " ".join(cmd.via)
    text += " " + " ".join(" ".join(t) for _, t in hits)
    text += " " + " ".join(p for _, p in all_sql_payloads(cmd, ctx))
    found = protected_hits(text, names)
    if not found:
        # ORMs connect to the database named in the environment they load
        envs = {**dotenv_values(ctx), **{k: v for k, v in (ctx.env or {}).items()}, **dict(cmd.env)}
        url = " ".join(v for k, v in envs.items() if k in ("DATABASE_URL", "DB_URL", "POSTGRES_URL", "PGDATABASE",
                                                            "MYSQL_URL", "MONGODB_URI", "DB_NAME", "DB_DATABASE"))
        if any(r.effect.startswith("data.") for r, _ in hits):
            found = protected_hits(url, names)
    return [f"{n} (protected in config; matched {hits[0][0].id})" for n in found]


# --------------------------------------------------------------------------- cloud APIs over HTTP

_CLOUD_API = LazyRegex(
    r"https?://([\w.-]*\.)?(amazonaws\.com|googleapis\.com|management\.azure\.com|api\.digitalocean\.com|"
    r"api\.hetzner\.cloud|api\.linode\.com|api\.vultr\.com|api\.cloudflare\.com|api\.heroku\.com|api\.fly\.io|"
    r"api\.machines\.dev|backboard\.railway\.(app|com)|api\.vercel\.com|api\.render\.com|api\.supabase\.com|"
    r"console\.neon\.tech|api\.neon\.tech|api\.planetscale\.com|api\.netlify\.com|api\.github\.com|gitlab\.com/api|"
    r"api\.mongodb\.com|cloud\.mongodb\.com|api\.upstash\.com|api\.turso\.tech|api\.scaleway\.com|"
    r"api\.exoscale\.com|[\w.-]+:6443|api\.ovh\.com|api\.render\.com|cloudapi|api\.elastic-cloud\.com)", re.I)
_DESTRUCTIVE_MUTATION = LazyRegex(r"(?i)\b(mutation)\b.*?\b\w*(delete|destroy|remove|drop|wipe|purge|reset|"
                                   r"terminate)\w*\b|\b\w*(Delete|Destroy|Remove)\s*\(")


@check("http-destructive-cloud")
def http_destructive_cloud(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """curl/wget/http/xh calls that DELETE a cloud resource, or send a GraphQL mutation that deletes one."""
    a = list(cmd.args)
    urls = [x for x in a if x.startswith(("http://", "https://")) or re.match(r"^[\w.-]+\.\w+(:\d+)?/", x)]
    joined = " ".join(urls)
    if not _CLOUD_API.search(joined):
        return []
    method = ""
    for i, x in enumerate(a):
        if x in ("-X", "--request", "--method") and i + 1 < len(a):
            method = a[i + 1].upper()
        elif x.startswith(("-X", "--request=", "--method=")) and len(x) > 2:
            method = x.split("=", 1)[-1].removeprefix("-X").upper()
    if cmd.name in ("http", "https", "xh", "xhs") and a:
        verb = next((x for x in a if not x.startswith("-")), "")
        if verb.upper() in ("DELETE", "PUT", "POST", "PATCH"):
            method = verb.upper()
    out = []
    if method == "DELETE":
        out.append(f"DELETE {urls[0]}")
    body = " ".join(a[i + 1] for i, x in enumerate(a[:-1]) if x in ("-d", "--data", "--data-raw", "--data-binary",
                                                                      "--json", "--data-urlencode"))
    body += " " + " ".join(x.split("=", 1)[1] for x in a if x.startswith(("--data=", "--data-raw=", "--json=")))
    if cmd.stdin_text:
        body += " " + cmd.stdin_text
    m = _DESTRUCTIVE_MUTATION.search(body)
    if m and (method in ("", "POST") or "graphql" in joined):
        out.append(f"mutation `{m.group(0)[:60]}` to {urls[0]}")
    m2 = re.search(r"(?i)[?&](Action)=(Delete|Terminate|Remove)\w*", joined)
    if m2:
        out.append(f"{m2.group(0).lstrip('?&')} on {urls[0]}")
    return out


# --------------------------------------------------------------------------- MCP tools

_SQL_KEYS = LazyRegex(r"(?i)^(sql|query|queries|statement|statements|stmt|command|script|sql_query|raw|text|body)$")
_TOOL_VERB = LazyRegex(r"(?i)(^|_|-|\b)(drop|delete|destroy|reset|truncate|purge|wipe|remove|flush|terminate|"
                        r"erase|rollback|revert)(_|-|$|[A-Z])")
_TOOL_SAFE = LazyRegex(r"(?i)^(list|get|describe|read|show|search|fetch|find|query_?docs|explain|view|status|dry_?run)")


def _strings(value: Any, key: str = "", depth: int = 0) -> Iterable[tuple[str, str]]:
    if depth > 6:
        return
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in list(value.items())[:200]:
            yield from _strings(v, str(k), depth + 1)
    elif isinstance(value, (list, tuple)):
        for v in value[:200]:
            yield from _strings(v, key, depth + 1)


@check("mcp-sql")
def mcp_sql(call: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """SQL in an MCP tool's input (keys such as `sql`/`query`, or any string that parses as destructive SQL)."""
    name = str(getattr(call, "tool_name", ""))
    if not name.startswith("mcp__"):
        return []
    op = name.split("__", 2)[-1]
    if _TOOL_SAFE.match(op) and not re.search(r"(?i)(sql|exec|run|query$)", op):
        return []  # search_issues(query="drop table"): the text is searched for, not executed
    from guardrail import sql as sqlmod

    payloads = []
    for key, text in _strings(getattr(call, "tool_input", {}) or {}):
        if _SQL_KEYS.match(key) and sqlmod.looks_like_sql(text):
            payloads.append((key, text))
        elif sqlmod.looks_like_strict_sql(text):
            payloads.append((key, text))
    return sql_findings(payloads, args)


@check("mcp-destructive-name")
def mcp_destructive_name(call: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """An MCP tool whose name says it deletes, drops or resets (`delete_branch`, `drop_table`, `reset_database`)."""
    name = str(getattr(call, "tool_name", ""))
    if not name.startswith("mcp__"):
        return []
    op = name.split("__", 2)[-1]
    m = _TOOL_VERB.search(op)
    if not m:
        return []
    nouns = args.get("nouns")
    if nouns and not re.search("(?i)(" + "|".join(nouns) + ")", op):
        return []
    ti = getattr(call, "tool_input", {}) or {}
    subject = next((str(v) for k, v in ti.items() if isinstance(v, (str, int)) and re.search(
        r"(?i)(name|id|table|database|project|branch|bucket|collection|key|path)$", str(k))), "")
    return [f"{op}({subject})" if subject else op]


# --------------------------------------------------------------------------- files that run automatically

_AUTORUN = [
    (LazyRegex(r"(^|/)\.github/workflows/[^/]+\.ya?ml$|(^|/)\.gitlab-ci\.ya?ml$|(^|/)\.circleci/config\.ya?ml$|"
                r"(^|/)azure-pipelines\.ya?ml$|(^|/)bitbucket-pipelines\.ya?ml$|(^|/)\.buildkite/.*\.ya?ml$"), "ci"),
    (LazyRegex(r"(^|/)package\.json$"), "package.json"),
    (LazyRegex(r"(^|/)\.git/hooks/[^/]+$|(^|/)\.husky/[^/_][^/]*$|(^|/)\.githooks/[^/]+$|(^|/)lefthook\.ya?ml$|"
                r"(^|/)\.pre-commit-config\.ya?ml$"), "git-hook"),
    (LazyRegex(r"(^|/)\.claude/settings(\.local)?\.json$"), "claude-settings"),
    (LazyRegex(r"(^|/)\.(bashrc|bash_profile|bash_login|profile|zshrc|zprofile|zshenv|zlogin|kshrc)$|"
                r"(^|/)\.config/fish/config\.fish$|(^|/)\.envrc$"), "shell-rc"),
    (LazyRegex(r"(^|/)(GNUmakefile|[Mm]akefile|[Jj]ustfile|\.justfile)$"), "makefile"),
    (LazyRegex(r"(^|/)docker-compose[^/]*\.ya?ml$|(^|/)compose\.ya?ml$"), "compose"),
]


def autorun_kind(path: str) -> str | None:
    for rx, kind in _AUTORUN:
        if rx.search(path):
            return kind
    return None


def autorun_snippets(kind: str, content: str) -> list[tuple[str, str]]:
    """(where, shell text) pairs that the file will run."""
    out: list[tuple[str, str]] = []
    if kind == "package.json":
        import json

        try:
            scripts = json.loads(content).get("scripts") or {}
        except (ValueError, AttributeError):
            # an Edit carries a fragment: take `"name": "command"` pairs
            scripts = dict(re.findall(r'"([\w:.@/-]+)"\s*:\s*"((?:[^"\\]|\\.)*)"', content))
        if isinstance(scripts, dict):
            out += [(f"script {k}", v.replace('\\"', '"')) for k, v in scripts.items() if isinstance(v, str)]
    elif kind == "claude-settings":
        out += [("hook command", c.replace('\\"', '"')) for c in re.findall(r'"command"\s*:\s*"((?:[^"\\]|\\.)*)"', content)]
    elif kind in ("ci", "compose"):
        lines = content.splitlines()
        i = 0
        while i < len(lines):
            m = re.match(r"^(\s*)(-\s+)?(run|script|command|entrypoint|before_script|after_script)\s*:\s*(.*)$", lines[i])
            if m:
                indent = len(m.group(1)) + len(m.group(2) or "")
                val = m.group(4).strip()
                if val in ("|", ">", "|-", ">-", "|+", ""):
                    block = []
                    i += 1
                    while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
                        block.append(lines[i].strip().removeprefix("- ").strip())
                        i += 1
                    out.append((m.group(3), "\n".join(block)))
                    continue
                if len(val) >= 2 and val[0] == val[-1] and val[0] in "'\"":
                    val = val[1:-1]
                out.append((m.group(3), val))
            i += 1
    elif kind == "makefile":
        out += [("recipe", ln[1:]) for ln in content.splitlines() if ln.startswith("\t")]
        out += [("recipe", ln.strip()) for ln in content.splitlines() if ln.startswith("    ")]
    else:
        out.append((kind, content))
    return out


@check("autorun-write")
def autorun_write(action: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """A Write/Edit that puts a destructive command into a file that runs automatically (CI, package.json
    scripts, git hooks, Claude Code hooks, shell rc files, Makefiles)."""
    path = getattr(action, "path", "")
    content = getattr(action, "content", "")
    kind = autorun_kind(path)
    if kind is None or not content:
        return []
    from guardrail.base.record import replace

    from guardrail.shell import parse_command

    out = []
    if kind in ("shell-rc", "git-hook"):
        out += _autorun_always_bad(content[:MAX_FILE_BYTES])
    for where, script in autorun_snippets(kind, content[:MAX_FILE_BYTES])[:100]:
        if not script.strip():
            continue
        for cmd in parse_command(script).commands[:50]:
            tagged = replace(cmd, via=(f"{kind} {where}",) + cmd.via)  # no path: its words are not the target
            for rule, targets in rule_hits(tagged, ctx):
                if rule.decision != (args.get("decision") or rule.decision):
                    continue
                out.append(f"{where}: `{' '.join(cmd.argv)[:100]}` [{rule.id}]")
    return list(dict.fromkeys(out))


_SHADOWED = frozenset("ls cd cat echo git cp mv grep less vim vi nano code python node npm make clear pwd".split())


def _autorun_always_bad(text: str) -> list[str]:
    """In files that run on every shell or commit, any recursive/forced rm runs repeatedly, and an alias that
    shadows an everyday command with a destructive one fires on next use."""
    from guardrail.shell import parse_command

    out = []
    for m in re.finditer(r"(?m)^\s*alias\s+([\w.-]+)=(['\"]?)(.*?)\2\s*$", text):
        value = m.group(3)
        words = value.split()
        if m.group(1) in _SHADOWED and words and (words[0] in ("rm", "dd", "shred", "mkfs", "wipefs")
                                                  or "reset --hard" in value or "clean -f" in value):
            out.append(f"alias {m.group(1)}='{value}' (shadows `{m.group(1)}` with a destructive command)")
    for c in parse_command(text).commands[:200]:
        if c.name == "rm" and (has_flag(c.args, "-r") or has_flag(c.args, "-R") or has_flag(c.args, "--recursive")):
            out.append(f"`{' '.join(c.argv)[:80]}` (runs on every start)")
    return out


@check("overwrite-existing")
def overwrite_existing(action: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """A write by one of `args.tools` (default Write) to an existing file matching `args.paths` (globs on the
    path or its tail). The glob is tested before any read, so other writes cost nothing; new files pass."""
    if getattr(action, "tool", "") not in args.get("tools", ("Write",)):
        return []
    path = getattr(action, "path", "")
    globs = args.get("paths") or ()
    # `*/<glob>` never matches the tail (it has no `/`), so path and tail can share one compiled pattern list
    if globs and not any_glob(tuple(globs) + tuple("*/" + g for g in globs), (path, path.rsplit("/", 1)[-1])):
        return []
    return [path] if read_text(ctx, path, limit=1) is not None else []
