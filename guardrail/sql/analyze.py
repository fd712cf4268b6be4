"""SQL analysis: statements split and classified (drop, truncate, delete or update without a real WHERE, alter),
dynamic SQL folded. sqlparse is imported only when SQL is present."""

from __future__ import annotations

import re

from guardrail.base.text import LazyRegex
from guardrail.base.record import record


# Any destructive verb at all; everything else (SELECT, INSERT, meta-commands) is never analysed.
_PREFILTER = re.compile(r"\b(drop|truncate|delete|update|alter|grant|revoke|explain)\b", re.I)


# Stricter: a destructive statement shape, for free text that may or may not be SQL (MCP inputs, code).
_STRICT = re.compile(
    r"\b(drop\s+(database|schema|table|view|index|collection|materialized\s+view|user|role|owned)\b|"
    r"truncate\s+(table\s+)?[\w\"`\[]|delete\s+from\s+[\w\"`\[]|update\s+[\w\"`\[.]+\s+set\b|"
    r"alter\s+table\b|grant\s+all\b|revoke\s+all\b|explain\s+(\(\s*)?analy[sz]e\b)",
    re.I,
)


_IDENT = r"(?:\"[^\"]+\"|`[^`]+`|\[[^\]]+\]|:['\"]?[A-Za-z_]\w*['\"]?|[\w$][\w$-]*)(?:\.(?:\"[^\"]+\"|`[^`]+`|\[[^\]]+\]|[\w$]+))*"


_IDENT_LIST = rf"{_IDENT}(?:\s*,\s*{_IDENT})*"


_DROP = re.compile(
    rf"^DROP\s+(?P<what>DATABASE|SCHEMA|TABLE|VIEW|MATERIALIZED\s+VIEW|INDEX|SEQUENCE|FUNCTION|PROCEDURE|"
    rf"TRIGGER|TYPE|DOMAIN|EXTENSION|USER|ROLE|OWNED\s+BY|COLLECTION|TABLESPACE|KEYSPACE)\s+"
    rf"(?:CONCURRENTLY\s+)?(?P<ifx>IF\s+EXISTS\s+)?(?P<objs>{_IDENT_LIST})",
    re.I,
)


_TRUNCATE = re.compile(rf"^TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?(?P<objs>{_IDENT_LIST})", re.I)


_DELETE = re.compile(rf"^DELETE\s+(?:(?:LOW_PRIORITY|QUICK|IGNORE|TOP\s*\(?\d+\)?)\s+)*"
                     rf"(?:FROM\s+(?:ONLY\s+)?(?P<objs>{_IDENT})|(?P<bare>{_IDENT})(?=\s*(?:WHERE\b|FROM\b|USING\b|$)))", re.I)


_UPDATE = re.compile(rf"^UPDATE\s+(?:(?:LOW_PRIORITY|IGNORE|ONLY)\s+)*(?P<objs>{_IDENT})\s.*?\bSET\b", re.I | re.S)


_ALTER = re.compile(rf"^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?P<objs>{_IDENT})\s+(?P<rest>.*)$", re.I | re.S)


_ALTER_DROP = re.compile(r"\bDROP\s+(?!DEFAULT\b|NOT\s+NULL\b|IDENTITY\b|EXPRESSION\b)(?P<sub>COLUMN|CONSTRAINT|PRIMARY\s+KEY|FOREIGN\s+KEY|INDEX|KEY|PARTITION|[\w\"`]+)", re.I)


_GRANT_ALL = re.compile(rf"^(?P<verb>GRANT|REVOKE)\s+(?:GRANT\s+OPTION\s+FOR\s+)?ALL\b.*?\bON\s+(?P<objs>.*?)(?:\s+(?:TO|FROM)\s+(?P<who>.*))?$", re.I | re.S)


_EXPLAIN_ANALYZE = re.compile(r"^EXPLAIN\s+(?:\((?P<opts>[^)]*)\)\s*|(?P<word>ANALY[SZE]+)\s+(?:VERBOSE\s+)?)(?P<body>.*)$", re.I | re.S)


_BEGIN = re.compile(r"^(BEGIN(\s+(TRANSACTION|WORK|TRAN|ISOLATION|READ|DEFERRABLE|NOT)\b.*)?|START\s+TRANSACTION\b.*)$", re.I)


_ROLLBACK = re.compile(r"^(ROLLBACK|ABORT)\b(?!\s+(WORK\s+|TRANSACTION\s+)?TO\b)", re.I)


_ROLLBACK_TO = re.compile(r"^ROLLBACK\s+(?:WORK\s+|TRANSACTION\s+)?TO\s+(?:SAVEPOINT\s+)?(?P<name>\w+)", re.I)


_SAVEPOINT = re.compile(r"^SAVEPOINT\s+(?P<name>\w+)", re.I)


_COMMIT = re.compile(r"^(COMMIT|END)\b", re.I)


_USE = re.compile(r"^(?:USE\s+|\\c(?:onnect)?\s+)(?P<db>[\w$\"`.-]+)", re.I)


_WHERE = re.compile(r"\bWHERE\b(?P<cond>.*?)(?:\bRETURNING\b|\bORDER\s+BY\b|\bLIMIT\b|$)", re.I | re.S)


_CREATE = re.compile(rf"^CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL\s+|LOCAL\s+)?(?:TEMP|TEMPORARY|UNLOGGED)\s+)?(?:TABLE|VIEW|INDEX|SCHEMA|DATABASE|MATERIALIZED\s+VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:CONCURRENTLY\s+)?(?P<obj>{_IDENT})", re.I)


_SCRATCH = re.compile(r"(^|[._\"`])(tmp|temp|scratch|sandbox|throwaway)([_\d\"`]|$)|_(tmp|temp|old|bak|backup)\d*$|^(tmp|temp)\w*$", re.I)


_LITERAL = re.compile(r"'(?:[^']|'')*'|\$(\w*)\$.*?\$\1\$", re.S)


@record(frozen=True)
class SqlStatement:
    """One classified statement. `effect` is from guardrail.model.EFFECTS, or "" for harmless ones."""

    kind: str  # drop_table, drop_database, truncate, truncate_cascade, delete_all, update_all, alter_drop, grant_all, ...
    effect: str
    objects: tuple[str, ...]
    statement: str
    rolled_back: bool = False
    scratch: bool = False
    database: str | None = None  # from a preceding `USE db` / `\c db`, or the dropped database itself

    @property
    def is_destructive(self) -> bool:
        return bool(self.effect) and not self.rolled_back and not self.scratch


def looks_like_sql(text: str) -> bool:
    """Cheap: could this text contain a destructive SQL statement? (No sqlparse import.)"""
    return bool(text) and _PREFILTER.search(text) is not None


def looks_like_strict_sql(text: str) -> bool:
    """Stricter prefilter for free text that is not known to be SQL (tool inputs, inline code)."""
    return bool(text) and _STRICT.search(text) is not None


def _clean_ident(name: str) -> str:
    return re.sub(r"[\"`\[\]]", "", name.strip())


# Reserved words cannot name an object unquoted: "drop table delete reset" is prose, not SQL.
_RESERVED = frozenset("SELECT FROM WHERE DELETE UPDATE INSERT DROP TABLE RESET AND OR NOT NULL ALL INTO SET TO ON "
                      "THE IS IT THIS THAT WITH FOR BY AS".split())


def _idents(text: str) -> tuple[str, ...]:
    return tuple(_clean_ident(m.group(0)) for m in re.finditer(_IDENT, text) if m.group(0).upper() not in ("CASCADE", "RESTRICT"))


def _prose(objs: tuple[str, ...]) -> bool:
    return not objs or any(o.upper() in _RESERVED for o in objs)


def _always_true(cond: str) -> bool:
    """WHERE 1=1, WHERE true, WHERE 'a'='a', WHERE x = x, or any OR-branch that is one of those."""
    for branch in re.split(r"\bOR\b", cond, flags=re.I):
        b = branch.strip().strip("()").strip().rstrip(";").strip()
        if re.fullmatch(r"(?i)true|1|not\s+false|1\s*=\s*1|0\s*=\s*0|(\S+)\s*=\s*\1|'[^']*'\s*=\s*'[^']*'|\d+\s*<>\s*\d+|(\w+)\s+is\s+not\s+null\s*", b):
            if "'" in b and "=" in b:
                left, right = (s.strip() for s in b.split("=", 1))
                if left != right:
                    continue
            if re.fullmatch(r"\d+\s*<>\s*\d+", b):
                left, right = (s.strip() for s in b.split("<>", 1))
                if left == right:
                    continue
            if re.search(r"(?i)is\s+not\s+null", b):
                continue  # plausibly narrowing on a nullable column; not flagged
            return True
    return False


_DO = re.compile(r"^DO\s+(?:LANGUAGE\s+\w+\s+)?\$(\w*)\$(?P<body>.*)\$\1\$", re.I | re.S)


_EXECUTE_LIT = re.compile(r"\bEXECUTE\s+'((?:[^']|'')*)'", re.I)


def _nested(stmt: str, database: str | None) -> SqlStatement | None:
    """The most destructive statement hidden in a DO block or a data-modifying CTE, or None."""
    body = None
    m = _DO.match(stmt.strip())
    if m:
        # PL/pgSQL: EXECUTE 'sql' runs its string; plain statements in the block run as written
        body = _EXECUTE_LIT.sub(lambda e: e.group(1).replace("''", "'") + ";", m.group("body"))
        body = re.sub(r"(?i)\b(BEGIN|END|DECLARE|LOOP|END\s+LOOP|END\s+IF)\b\s*;?", ";", body)
    elif re.match(r"(?i)^WITH\b", stmt.strip()):
        masked = _LITERAL.sub("''", stmt)
        parts = []
        for m2 in re.finditer(r"(?i)\bAS\s+(?:NOT\s+)?(?:MATERIALIZED\s+)?\(", masked):
            depth, i = 1, m2.end()
            while i < len(masked) and depth:
                depth += {"(": 1, ")": -1}.get(masked[i], 0)
                i += 1
            parts.append(masked[m2.end():i - 1])
            last = i
        if parts:
            parts.append(masked[last:])  # the main statement after the CTE list
        body = ";\n".join(parts)
    if not body:
        return None
    worst = [st for st in (_classify(p.strip(), database) for p in re.split(r";", body) if p.strip()) if st.effect]
    if not worst:
        return None
    w = worst[0]
    return SqlStatement(w.kind, w.effect, w.objects, stmt, scratch=w.scratch, database=database)


def _classify(stmt: str, database: str | None) -> SqlStatement:
    """Classify one comment-free statement."""
    if stmt[:2].upper() in ("DO", "WI"):
        hidden = _nested(stmt, database)
        if hidden is not None:
            return hidden
    masked = _LITERAL.sub("''", stmt)
    norm = " ".join(masked.split()).rstrip(";").strip()
    m = _EXPLAIN_ANALYZE.match(norm)
    if m:
        opts = m.group("opts") or ""
        analyze = bool(m.group("word")) or re.search(r"(?i)\banaly[sz]e\b(?!\s+(false|off|0))", opts) is not None
        if not analyze:
            return SqlStatement("explain", "", (), stmt, database=database)
        inner = _classify(m.group("body"), database)
        if inner.effect:
            return SqlStatement("explain_analyze_" + inner.kind, inner.effect, inner.objects, stmt,
                                scratch=inner.scratch, database=database)
        return SqlStatement("explain", "", (), stmt, database=database)
    m = _DROP.match(norm)
    if m:
        what = "_".join(m.group("what").lower().split())
        objs = _idents(m.group("objs"))
        if _prose(objs):
            return SqlStatement("other", "", (), stmt, database=database)
        effect = "data.drop" if what in ("database", "schema", "table", "collection", "keyspace", "materialized_view",
                                         "owned_by", "tablespace") else "data.alter"
        scratch = bool(objs) and all(_SCRATCH.search(o.rsplit(".", 1)[-1]) for o in objs)
        db = objs[0] if what == "database" and objs else database
        return SqlStatement(f"drop_{what}", effect, objs, stmt, scratch=scratch, database=db)
    m = _TRUNCATE.match(norm)
    if m:
        objs = _idents(m.group("objs"))
        if _prose(objs):
            return SqlStatement("other", "", (), stmt, database=database)
        cascade = re.search(r"(?i)\bCASCADE\s*$", norm) is not None
        scratch = bool(objs) and all(_SCRATCH.search(o.rsplit(".", 1)[-1]) for o in objs)
        return SqlStatement("truncate_cascade" if cascade else "truncate", "data.truncate", objs, stmt,
                            scratch=scratch, database=database)
    for rx, kind in ((_DELETE, "delete_all"), (_UPDATE, "update_all")):
        m = rx.match(norm)
        if not m:
            continue
        objs = (_clean_ident(m.group("objs") or m.group("bare")),)
        if _prose(objs):
            return SqlStatement("other", "", (), stmt, database=database)
        w = _WHERE.search(norm[m.end():])
        if w and w.group("cond").strip() and not _always_true(w.group("cond")):
            return SqlStatement(kind.replace("_all", ""), "", objs, stmt, database=database)
        if kind == "delete_all" and re.search(r"(?i)\bUSING\b|\bJOIN\b", norm) and w:
            return SqlStatement("delete", "", objs, stmt, database=database)
        if kind == "update_all" and re.search(r"(?i)\bWHERE\s+CURRENT\s+OF\b", norm):
            return SqlStatement("update", "", objs, stmt, database=database)
        scratch = _SCRATCH.search(objs[0].rsplit(".", 1)[-1]) is not None
        return SqlStatement(kind, "data.delete_rows", objs, stmt, scratch=scratch, database=database)
    m = _ALTER.match(norm)
    if m:
        drops = [d.group("sub") for d in _ALTER_DROP.finditer(m.group("rest"))]
        if drops:
            obj = _clean_ident(m.group("objs"))
            scratch = _SCRATCH.search(obj.rsplit(".", 1)[-1]) is not None
            return SqlStatement("alter_drop", "data.alter", (obj,), stmt, scratch=scratch, database=database)
        return SqlStatement("alter", "", (_clean_ident(m.group("objs")),), stmt, database=database)
    m = _GRANT_ALL.match(norm)
    if m:
        objs = tuple(o.strip() for o in (m.group("objs") or "").split(",") if o.strip())
        return SqlStatement(f"{m.group('verb').lower()}_all", "data.alter", objs, stmt, database=database)
    return SqlStatement("other", "", (), stmt, database=database)


# sqlparse is exact but slow on big scripts (a 155 KB dump took 2.7 s here); past this size statements are
# split on semicolons with comments stripped by regex, so a decision still comes well within a second. A
# semicolon inside a string literal can then cut a statement in two, which errs towards flagging.
SQLPARSE_MAX_CHARS = 20_000


def _split(text: str) -> list[str]:
    if len(text) > SQLPARSE_MAX_CHARS:
        return _naive_split(text)
    import sqlparse  # only here: the hot path never imports it

    out = []
    try:
        for raw in sqlparse.split(text):
            s = sqlparse.format(raw, strip_comments=True).strip()
            if s:
                out.append(s)
    except Exception:  # sqlparse refuses pathological input (token limits): fall back to a naive split
        out = _naive_split(text)
    return out


def _naive_split(text: str) -> list[str]:
    text = re.sub(r"--[^\n]*|/\*.*?\*/", " ", text, flags=re.S)
    return [p.strip() for p in text.split(";") if p.strip()]


_MEMO: dict[str, tuple[SqlStatement, ...]] = {}


_MEMO_MAX = 512


def analyze_sql(text: str) -> list[SqlStatement]:
    """`_analyze_sql`, memoised: several rules ask about the same SQL text in one evaluation (DROP, TRUNCATE,
    DELETE, ALTER rules each look), and sqlparse is by far the engine's most expensive step. Statements are
    frozen records, so sharing them is safe."""
    hit = _MEMO.get(text)
    if hit is None:
        if len(_MEMO) >= _MEMO_MAX:
            _MEMO.clear()
        hit = _MEMO[text] = tuple(_analyze_sql(text))
    return list(hit)


def _analyze_sql(text: str) -> list[SqlStatement]:
    """Every statement in `text`, classified, with transaction state applied.

    Client meta-commands (`\\c db`, `.read f`) are dropped from the SQL but `\\c`/`USE` set the database
    reported on later statements. Statements between BEGIN and ROLLBACK (or SAVEPOINT s and ROLLBACK TO s)
    are marked rolled back: they never take effect.
    """
    if not text or not text.strip():
        return []
    database: str | None = None
    lines = []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("\\"):
            m = _USE.match(s)
            if m:
                lines.append(f"USE {m.group('db')};")  # keep the switch in order
            continue
        if s.startswith(".") and re.match(r"^\.[a-z]", s):
            continue  # sqlite3 dot-command
        lines.append(line)
    statements: list[SqlStatement] = []
    open_tx: list[int] = []  # indices of statements inside the current explicit transaction
    in_tx = False
    savepoints: dict[str, int] = {}
    created: set[str] = set()  # objects this script creates: dropping them again destroys nothing older
    for stmt in _split("\n".join(lines)):
        norm = " ".join(stmt.split()).rstrip(";").strip()
        m = _USE.match(norm)
        if m:
            database = _clean_ident(m.group("db"))
            continue
        if _BEGIN.match(norm):
            in_tx, open_tx, savepoints = True, [], {}
            continue
        m = _ROLLBACK_TO.match(norm)
        if m and in_tx:
            start = savepoints.get(m.group("name").lower())
            if start is not None:
                for i in open_tx:
                    if i >= start:
                        statements[i] = _replace_rolled(statements[i])
            continue
        if _ROLLBACK.match(norm):
            for i in open_tx:
                statements[i] = _replace_rolled(statements[i])
            in_tx, open_tx, savepoints = False, [], {}
            continue
        if _COMMIT.match(norm):
            in_tx, open_tx, savepoints = False, [], {}
            continue
        m = _SAVEPOINT.match(norm)
        if m and in_tx:
            savepoints[m.group("name").lower()] = len(statements)
            continue
        if norm[:7].upper() in ("INSERT ", "SELECT ", "VALUES "):
            # The bulk of any dump: harmless by construction (a destructive CTE starts with WITH), so the
            # classifier's patterns are skipped and a 1 MB script is judged well within a second.
            st = SqlStatement("other", "", (), stmt, database=database)
            if in_tx:
                open_tx.append(len(statements))
            statements.append(st)
            continue
        st = _classify(stmt, database)
        made = _CREATE.match(norm)
        if made:
            created.add(_clean_ident(made.group("obj")).lower())
        elif st.effect and st.objects and all(o.lower() in created for o in st.objects):
            st = SqlStatement(st.kind, st.effect, st.objects, st.statement, st.rolled_back, True, st.database)
        if in_tx:
            open_tx.append(len(statements))
        statements.append(st)
    return statements


def _replace_rolled(st: SqlStatement) -> SqlStatement:
    return SqlStatement(st.kind, st.effect, st.objects, st.statement, True, st.scratch, st.database)


def destructive(stmts: list[SqlStatement]) -> list[SqlStatement]:
    """The statements that would destroy or strip data: not rolled back, not scratch objects."""
    return [s for s in stmts if s.is_destructive]


_DESTRUCTIVE: dict[tuple[str, bool], tuple[SqlStatement, ...]] = {}


_DESTRUCTIVE_TEXT_MAX = 100_000  # longer texts are not kept as memo keys


def destructive_in(text: str, *, strict: bool = False) -> tuple[SqlStatement, ...]:
    """The destructive statements of `text` when it passes the (strict) prefilter, else (); memoised: every SQL
    rule asks about the same payload, each filtering by its own effects."""
    key = (text, strict)
    hit = _DESTRUCTIVE.get(key)
    if hit is None:
        full = expand_dynamic(text)
        ok = looks_like_strict_sql(full) if strict else looks_like_sql(full)
        hit = tuple(destructive(analyze_sql(full))) if ok else ()
        if len(text) <= _DESTRUCTIVE_TEXT_MAX:
            if len(_DESTRUCTIVE) >= _MEMO_MAX:
                _DESTRUCTIVE.clear()
            _DESTRUCTIVE[key] = hit
    return hit


_DYN_TRIGGER = re.compile(r"/\*M?!|\\gexec|\bPREPARE\b|\|\||\bformat\s*\(|\bCONCAT\s*\(", re.I)


_EXEC_COMMENT = LazyRegex(r"/\*M?!\d*(.*?)\*/", re.S)


_SQ = r"'(?:[^'\\]|''|\\.)*'"


_DQ = r'"(?:[^"\\]|""|\\.)*"'


_LIT_RX = LazyRegex(rf"^(?:{_SQ}|{_DQ})$")


# an operand of a string expression: a literal, or a name / simple call (`quote_ident(r.tablename)`, `@t`)
_OPERAND = rf"(?:{_SQ}|[\w.@$]+(?:\s*\([^()]*\))?)"


_CONCAT_OP = LazyRegex(rf"{_OPERAND}(?:\s*\|\|\s*{_OPERAND})+")


_CONCAT_FN = LazyRegex(rf"\bCONCAT\s*\(\s*((?:{_SQ}|{_DQ}|[\w.@$]+)(?:\s*,\s*(?:{_SQ}|{_DQ}|[\w.@$]+))*)\s*\)", re.I)


_FORMAT_FN = LazyRegex(rf"\bformat\s*\(\s*({_SQ})((?:\s*,\s*{_OPERAND})*)\s*\)", re.I)


_ANY_LIT = LazyRegex(rf"{_SQ}|{_DQ}")


_ARG = LazyRegex(rf"{_SQ}|{_DQ}|[\w.@$]+(?:\s*\([^()]*\))?")


_SET_VAR = LazyRegex(rf"\bSET\s+(@\w+)\s*:?=\s*({_SQ}|{_DQ})", re.I)


_PREPARE = LazyRegex(rf"\bPREPARE\s+\w+\s+FROM\s+({_SQ}|{_DQ}|@\w+)", re.I)


_GEXEC = LazyRegex(r"([^;]*?)\\gexec\b", re.I)


_DYNAMIC_NAME = "$dynamic"  # stands for a value known only at run time (a table name from a loop, a variable)


def _unquote(lit: str) -> str:
    q = lit[0]
    return lit[1:-1].replace(q + q, q).replace("\\" + q, q)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _value(operand: str) -> str:
    operand = operand.strip()
    return _unquote(operand) if _LIT_RX.match(operand) else _DYNAMIC_NAME


def _fold(text: str) -> str:
    """Constant-ish string expressions as one literal: `'DR' || 'OP t'`, `CONCAT('DR', "OP t")`,
    `format('DROP TABLE %I', t)`; a part known only at run time becomes `$dynamic`
    (`'DROP TABLE ' || quote_ident(r.tablename)` -> `'DROP TABLE $dynamic'`)."""
    def fmt(m: re.Match[str]) -> str:
        args = [_value(x) for x in _ARG.findall(m.group(2))]
        it = iter(args)
        return _quote(re.sub(r"%[ILs]", lambda _m: next(it, _DYNAMIC_NAME), _unquote(m.group(1))))

    def chain(m: re.Match[str]) -> str:
        parts = re.split(r"\s*\|\|\s*", m.group(0))
        if not any(_LIT_RX.match(p.strip()) for p in parts):
            return m.group(0)
        return _quote("".join(_value(p) for p in parts))

    def concat(m: re.Match[str]) -> str:
        parts = _ARG.findall(m.group(1))
        if not any(_LIT_RX.match(p) for p in parts):
            return m.group(0)
        return _quote("".join(_value(p) for p in parts))

    if "format" in text.lower():
        text = _FORMAT_FN.sub(fmt, text)
    return _CONCAT_FN.sub(concat, _CONCAT_OP.sub(chain, text))


def expand_dynamic(text: str) -> str:
    """`text` with SQL that runs without being spelled out as a statement written in place: MySQL executable
    comments (`/*!50000 DROP TABLE t */` runs its body), string expressions folded (`'DR'||'OP ...'`, CONCAT,
    format), `PREPARE s FROM '...'` / `FROM @var` and psql `\\gexec` (each string the query returns is run)."""
    if not text or _DYN_TRIGGER.search(text) is None:
        return text
    text = _EXEC_COMMENT.sub(lambda m: " " + m.group(1) + " ", text)
    text = _fold(text)
    variables = {m.group(1).lower(): m.group(2) for m in _SET_VAR.finditer(text)}

    def prepared(m: re.Match[str]) -> str:
        src = m.group(1)
        lit = variables.get(src.lower()) if src.startswith("@") else src
        return ";\n" + (_unquote(lit) if lit else "") + ";\n"

    text = _PREPARE.sub(prepared, text)
    if "gexec" not in text.lower():
        return text
    # `\gexec` runs every string its query returns; the query starts after the last `;` outside a literal
    masked = _ANY_LIT.sub(lambda m: "'" * len(m.group(0)), text)
    out, last = [], 0
    for m in _GEXEC.finditer(masked):
        query = text[m.start(1):m.end(1)]
        out.append(text[last:m.start()] + ";\n" + ";\n".join(_unquote(x) for x in _ANY_LIT.findall(query)) + ";\n")
        last = m.end()
    return "".join(out) + text[last:]
