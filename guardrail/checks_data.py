"""Checks for data and infrastructure: SQL clients, document/key-value stores, inline driver code,
environments and protected resources, script indirection, cloud APIs, MCP tools and auto-run files.

Registered into guardrail.checks.CHECKS on import via @check. Pure: files are read only through
`ctx.read_file`, and only after a rule's cheap conditions (program, subcommand) already matched.
"""

from __future__ import annotations

import re
import sys
TYPE_CHECKING = False  # `typing` costs milliseconds to import: annotations only
if TYPE_CHECKING:
    from typing import Any, Iterable, Mapping

from guardrail.checks import CHECKS, SQL_CLIENTS, EvalContext, check, sql_payloads
from guardrail.model import SimpleCommand
from guardrail.rules import any_glob, has_flag, match_command, positionals

MAX_FILE_BYTES = 1_000_000


class _Lazy:
    """A regular expression compiled on first use: importing this module stays cheap for calls that never
    reach the check using it."""

    __slots__ = ("pattern", "flags", "_rx", "__dict__")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern, self.flags, self._rx = pattern, flags, None

    def __getattr__(self, name: str) -> Any:
        if self._rx is None:
            self._rx = re.compile(self.pattern, self.flags)
        value = getattr(self._rx, name)
        self.__dict__[name] = value  # kept: later `rx.search` finds it without a call to __getattr__
        return value




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


_KUBE = frozenset({"kubectl", "oc", "kubecolor", "microk8s.kubectl"})
_KUBE_VERBS = frozenset({"delete", "uninstall", "del", "un"})
_DSN_KEYS = ("DATABASE_URL", "DB_URL", "POSTGRES_URL", "PG_URL", "MYSQL_URL", "MONGODB_URI", "MONGO_URL", "DIRECT_URL",
             "PGDATABASE")


def target_names(cmd: SimpleCommand, ctx: EvalContext) -> str:
    """What a cluster or migration command acts on, naming objects first (intent matching compares them with the
    names in the user's request): `web in namespace shop`, `the database app_dev`, or a description naming nothing.
    """
    pos = positionals(cmd)
    if cmd.name in _KUBE or cmd.name == "helm":
        verb = next((i for i, p in enumerate(pos) if p in _KUBE_VERBS), -1)
        rest = pos[verb + 1:] if verb >= 0 else []
        if cmd.name in _KUBE and rest and "/" not in rest[0]:
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

_MONGO_DROP = _Lazy(r"\.dropDatabase\s*\(|\bdb(\.\w+|\[['\"][^'\"]+['\"]\])\.drop\s*\(\s*\)|\.dropCollection\s*\(|"
                         r"getCollection\s*\([^)]*\)\s*\.drop\s*\(|\.forEach\s*\([^)]*\.drop\s*\(")
_MONGO_DELETE = _Lazy(r"\.(deleteMany|remove|updateMany)\s*\(\s*(\{\s*\}|\))|\.dropAllUsers\s*\(|\.dropIndexes\s*\(\s*\)")


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


_MONGO_COLL = _Lazy(r"\bdb\.(\w+)\s*\.|\bdb\[['\"]([^'\"]+)['\"]\]|(?:getCollection|dropCollection)\s*\(\s*['\"]([^'\"]+)['\"]")
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

INLINE_FLAGS = {"python": ("-c",), "python3": ("-c",), "node": ("-e", "--eval", "-p", "--print"), "ruby": ("-e",),
                "perl": ("-e", "-E"), "php": ("-r",), "deno": ("eval",), "bun": ("-e", "--eval"), "pypy": ("-c",),
                "pypy3": ("-c",), "uv": ("-c",), "osascript": ("-e",)}
_STRING = _Lazy(r'"""(.*?)"""|\'\'\'(.*?)\'\'\'|`((?:[^`\\]|\\.)*)`|"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'', re.S)
_EXEC_CALL = _Lazy(r"(?:\b|(?<=\$))(execute\w*|exec|query\w*|raw|run|sql|prepare|\$executeRaw\w*|"
                        r"\$queryRaw\w*|\$executeRawUnsafe|unsafe|none|any|many|batch|do|select_all|exec_query)\s*[(`]", re.I)
_ORM_API = [
    (_Lazy(r"\bmetadata\.drop_all\s*\(|\bdb\.drop_all\s*\(|\.dropDatabase\s*\(|\.dropCollection\s*\(|"
                r"\bsequelize\.drop\s*\(|\.sync\s*\(\s*\{\s*force\s*:\s*true|\.synchronize\s*\(\s*true|"
                r"\bdropSchema\s*\(|\.dropTable\s*\(|\bdrop_table\s*\(|\bschema\.dropTable|\bmigrate\.reset\b|"
                r"\bcall_command\s*\(\s*['\"](flush|reset_db)['\"]"), "data.drop"),
    (_Lazy(r"\.objects(\.all\(\))?\.delete\s*\(\s*\)|\.(destroy_all|delete_all)\b(?!\s*\(\s*\w)|"
                r"\.deleteMany\s*\(\s*(\{\s*\})?\s*\)|\.truncate\s*\(\s*\)|\bflushall\s*\(|\bflushdb\s*\(|"
                r"\.query\s*\(\s*\w+\s*\)\.delete\s*\(\s*\)|\.destroy\s*\(\s*\{\s*(where\s*:\s*\{\s*\}\s*,?\s*)?truncate\s*:\s*true"),
     "data.delete_rows"),
]


def inline_code(cmd: SimpleCommand, ctx: EvalContext) -> str | None:
    """The code an interpreter command runs inline (`-c`, `-e`, heredoc on stdin), or None."""
    name = cmd.name
    if name not in INLINE_FLAGS and not re.fullmatch(r"python3(\.\d+)?", name):
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
    if trigger or inline_code(cmd, ctx) is not None:
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
_LANG = {"python": "python", "python3": "python", "pypy": "python", "pypy3": "python", "uv": "python",
         "node": "node", "deno": "node", "bun": "node", "ruby": "ruby", "perl": "perl", "php": "php"}
# Path expressions that name well-known places.
_PATH_EXPR = [
    (_Lazy(r"^(?:os\.path\.expanduser|Path|pathlib\.Path)\(\s*" + _LIT + r"\s*\)(?:\.expanduser\(\))?$"), None),
    (_Lazy(r"^(?:Path\.home\(\)|pathlib\.Path\.home\(\)|os\.homedir\(\)|os\.environ\[['\"]HOME['\"]\]|"
                r"os\.getenv\(['\"]HOME['\"]\)|process\.env\.HOME|Dir\.home|ENV\[['\"]HOME['\"]\]|\$ENV\{HOME\}|"
                r"require\(['\"]os['\"]\)\.homedir\(\))$"), "~"),
    (_Lazy(r"^(?:os\.getcwd\(\)|Path\.cwd\(\)|process\.cwd\(\)|Dir\.pwd|getcwd\(\))$"), "."),
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


_B64_CALL = _Lazy(
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
                    lit = " ".join(_shq(w) for w in words)
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
                out.append(f"rm -rf {_shq(path)}")
    if lang == "python" and depth < 2:
        for m in re.finditer(r"(?<![\w.])(?:exec|eval)\s*\(\s*" + _LIT, code, re.S):
            if in_text(m.start()):
                continue
            inner = m.group(1)[1:-1].encode().decode("unicode_escape", "ignore") if "\\" in m.group(1) else m.group(1)[1:-1]
            out += code_commands(inner, lang, depth + 1)
    return list(dict.fromkeys(out))[:50]


def shell_outs(cmd: SimpleCommand, ctx: EvalContext) -> list[SimpleCommand]:
    """Shell commands that inline interpreter code starts (`os.system("...")`, `execSync("...")`, Ruby backticks),
    and tree deletions (`shutil.rmtree(os.path.expanduser('~'))`) as the `rm -rf` they amount to."""
    code = inline_code(cmd, ctx)
    if not code:
        return []
    from guardrail.record import replace
    from guardrail.shell import parse_command

    lang = _LANG.get(cmd.name, "python" if cmd.name.startswith("python") else "")
    out = []
    for line in code_commands(code, lang):
        for inner in parse_command(line).commands[:20]:
            out.append(replace(inner, via=cmd.via + (f"{cmd.name} {inline_flag(cmd)}",) + inner.via))
    return out


def inline_flag(cmd: SimpleCommand) -> str:
    return next((a for a in cmd.args if a in INLINE_FLAGS.get(cmd.name, ("-c",))), "<stdin>")


def _shq(s: str) -> str:
    return s if re.fullmatch(r"~?[\w@%+=:,./-]*", s) and s else "'" + s.replace("'", "'\\''") + "'"


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
    """A destructive-sounding script name (`db:reset`, `make nuke`) whose definition guardrail cannot read."""
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

_CLOUD_API = _Lazy(
    r"https?://([\w.-]*\.)?(amazonaws\.com|googleapis\.com|management\.azure\.com|api\.digitalocean\.com|"
    r"api\.hetzner\.cloud|api\.linode\.com|api\.vultr\.com|api\.cloudflare\.com|api\.heroku\.com|api\.fly\.io|"
    r"api\.machines\.dev|backboard\.railway\.(app|com)|api\.vercel\.com|api\.render\.com|api\.supabase\.com|"
    r"console\.neon\.tech|api\.neon\.tech|api\.planetscale\.com|api\.netlify\.com|api\.github\.com|gitlab\.com/api|"
    r"api\.mongodb\.com|cloud\.mongodb\.com|api\.upstash\.com|api\.turso\.tech|api\.scaleway\.com|"
    r"api\.exoscale\.com|[\w.-]+:6443|api\.ovh\.com|api\.render\.com|cloudapi|api\.elastic-cloud\.com)", re.I)
_DESTRUCTIVE_MUTATION = _Lazy(r"(?i)\b(mutation)\b.*?\b\w*(delete|destroy|remove|drop|wipe|purge|reset|"
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

_SQL_KEYS = _Lazy(r"(?i)^(sql|query|queries|statement|statements|stmt|command|script|sql_query|raw|text|body)$")
_TOOL_VERB = _Lazy(r"(?i)(^|_|-|\b)(drop|delete|destroy|reset|truncate|purge|wipe|remove|flush|terminate|"
                        r"erase|rollback|revert)(_|-|$|[A-Z])")
_TOOL_SAFE = _Lazy(r"(?i)^(list|get|describe|read|show|search|fetch|find|query_?docs|explain|view|status|dry_?run)")


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
    (_Lazy(r"(^|/)\.github/workflows/[^/]+\.ya?ml$|(^|/)\.gitlab-ci\.ya?ml$|(^|/)\.circleci/config\.ya?ml$|"
                r"(^|/)azure-pipelines\.ya?ml$|(^|/)bitbucket-pipelines\.ya?ml$|(^|/)\.buildkite/.*\.ya?ml$"), "ci"),
    (_Lazy(r"(^|/)package\.json$"), "package.json"),
    (_Lazy(r"(^|/)\.git/hooks/[^/]+$|(^|/)\.husky/[^/_][^/]*$|(^|/)\.githooks/[^/]+$|(^|/)lefthook\.ya?ml$|"
                r"(^|/)\.pre-commit-config\.ya?ml$"), "git-hook"),
    (_Lazy(r"(^|/)\.claude/settings(\.local)?\.json$"), "claude-settings"),
    (_Lazy(r"(^|/)\.(bashrc|bash_profile|bash_login|profile|zshrc|zprofile|zshenv|zlogin|kshrc)$|"
                r"(^|/)\.config/fish/config\.fish$|(^|/)\.envrc$"), "shell-rc"),
    (_Lazy(r"(^|/)(GNUmakefile|[Mm]akefile|[Jj]ustfile|\.justfile)$"), "makefile"),
    (_Lazy(r"(^|/)docker-compose[^/]*\.ya?ml$|(^|/)compose\.ya?ml$"), "compose"),
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
    from guardrail.record import replace

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
