"""How each SQL client parses its options: which options carry SQL, name a SQL file or take a value.

Adding a client: its name in guardrail/base/vocab.py (SQL_CLIENTS: every reader of the role, the database pack's
@sql-shells included, sees it), and a ClientSpec row here for getopt-style clients (a sqlite-style one goes in
SQLITE_LIKE). tests/test_sql.py keeps the table and the vocabulary equal.
"""

from __future__ import annotations

from guardrail.base.record import record


@record(frozen=True)
class ClientSpec:
    """How one client reads its command line."""

    value_letters: str  # short options that take a value (`-c SQL`, `-cSQL`, `-tAc SQL` in a cluster)
    sql_letters: str  # of those, the ones whose value is SQL
    file_letters: str  # of those, the ones whose value names a SQL file
    long_options: dict[str, str]  # long name -> "sql" | "file" | "value" | "flag" | "optional"
    abbreviations: bool = True  # getopt_long: a unique prefix of a long name is that option


# How each client parses its options (getopt-style clusters `-tAc SQL`, attached values `-cSQL`, `--opt=v`,
# unique long-option prefixes). Per client: short options taking a value, which of them carry SQL or name a
# SQL file, long options (name -> "sql" | "file" | "value" | "flag"), and whether long names may be
# abbreviated. An option not listed is a flag without a value.
_PSQL_LONG = {"command": "sql", "file": "file", "dbname": "value", "set": "value", "variable": "value",
              "log-file": "value", "output": "value", "table-attr": "value", "field-separator": "value",
              "record-separator": "value", "host": "value", "port": "value", "username": "value", "pset": "value",
              "echo-all": "flag", "echo-errors": "flag", "echo-queries": "flag", "echo-hidden": "flag",
              "no-readline": "flag", "single-transaction": "flag", "list": "flag", "quiet": "flag",
              "single-step": "flag", "single-line": "flag", "no-align": "flag", "csv": "flag", "html": "flag",
              "tuples-only": "flag", "expanded": "flag", "field-separator-zero": "flag", "no-psqlrc": "flag",
              "record-separator-zero": "flag", "no-password": "flag", "password": "flag", "version": "flag",
              "help": "value"}


_MYSQL_LONG = {"execute": "sql", "init-command": "sql", "database": "value", "user": "value", "host": "value",
               "port": "value", "socket": "value", "defaults-file": "value", "defaults-extra-file": "value",
               "default-character-set": "value", "protocol": "value", "login-path": "value", "ssl-ca": "value",
               "ssl-cert": "value", "ssl-key": "value", "ssl-mode": "value", "connect-timeout": "value",
               "max-allowed-packet": "value", "prompt": "value", "tee": "value", "pager": "value",
               "delimiter": "value", "batch": "flag", "silent": "flag", "skip-column-names": "flag",
               "raw": "flag", "table": "flag", "vertical": "flag", "verbose": "flag", "force": "flag",
               "unbuffered": "flag", "comments": "flag", "html": "flag", "xml": "flag", "no-beep": "flag",
               "one-database": "flag", "safe-updates": "flag", "i-am-a-dummy": "flag", "quick": "flag",
               "reconnect": "flag", "compress": "flag", "auto-rehash": "flag", "no-auto-rehash": "flag",
               "skip-ssl": "flag", "show-warnings": "flag", "binary-mode": "flag", "password": "optional"}


CLIENTS: dict[str, ClientSpec] = {
    "psql": ClientSpec("cdfvLoTFRhpUP", "c", "f", _PSQL_LONG, True),
    "pgcli": ClientSpec("hpUdDc", "c", "", {"command": "sql", "host": "value", "port": "value", "username": "value",
                                  "dbname": "value"}, True),
    "usql": ClientSpec("cfvJ", "c", "f", {"command": "sql", "file": "file", "set": "value", "variable": "value"}, True),
    "cockroach": ClientSpec("ef", "e", "f", {"execute": "sql", "file": "file", "url": "value", "database": "value",
                                   "host": "value", "user": "value", "certs-dir": "value", "format": "value",
                                   "command": "sql"}, True),
    "mysql": ClientSpec("eDuhPSO", "e", "", _MYSQL_LONG, True),
    "mariadb": ClientSpec("eDuhPSO", "e", "", _MYSQL_LONG, True),
    "mycli": ClientSpec("ehPuSDR", "e", "", {"execute": "sql", "host": "value", "port": "value", "user": "value",
                                   "socket": "value", "database": "value", "prompt": "value"}, True),
    "clickhouse-client": ClientSpec("qdhuf", "q", "", {"query": "sql", "queries-file": "file", "database": "value",
                                             "host": "value", "port": "value", "user": "value",
                                             "password": "value", "format": "value"}, True),
    "snowsql": ClientSpec("qfadusrwch", "q", "f", {"query": "sql", "filename": "file", "accountname": "value",
                                       "dbname": "value", "username": "value", "schemaname": "value",
                                       "rolename": "value", "warehouse": "value", "config": "value",
                                       "connection": "value"}, True),
    "trino": ClientSpec("f", "", "f", {"execute": "sql", "file": "file", "server": "value", "catalog": "value",
                             "schema": "value", "user": "value"}, True),
    "sqlcmd": ClientSpec("QqiSUPdo", "Qq", "i", {}, False),
    "spark-sql": ClientSpec("efid", "e", "fi", {"database": "value", "hiveconf": "value", "hivevar": "value", "define": "value",
                                      "master": "value", "conf": "value", "name": "value", "jars": "value"}, False),
    "beeline": ClientSpec("uenpdfiw", "e", "fi", {"hiveconf": "value", "hivevar": "value", "property-file": "value"}, False),
}


# sqlite-style shells: `-name value` options, then DB, then SQL words (`-cmd` SQL runs before them).
_SQLITE_VALUE = frozenset({"cmd", "init", "separator", "nullvalue", "newline", "vfs", "mmap", "pagecache",
                           "lookaside", "heap", "maxsize", "escape", "c", "s"})


_SQLITE_SQL = frozenset({"cmd", "c", "s"})  # duckdb: -c COMMAND, -s COMMAND


SQLITE_LIKE = frozenset({"sqlite3", "sqlite", "duckdb", "litecli"})


def _long_kind(name: str, table: dict[str, str], abbrev: bool) -> tuple[str, str]:
    """(full name, kind) of a long option, resolving a unique prefix as getopt_long does."""
    if name in table or not abbrev:
        return name, table.get(name, "flag")
    hits = [k for k in table if k.startswith(name)]
    if len(hits) == 1 or (hits and len({table[h] for h in hits}) == 1 and table[hits[0]] in ("sql", "file")):
        return hits[0], table[hits[0]]
    return name, "flag"


def client_options(name: str, args: tuple[str, ...] | list[str]) -> tuple[list[tuple[str, str, str]], list[str]]:
    """([(kind, option, value)] for the SQL and file options, positionals) of a database client's argv, parsed
    the way the client's getopt does: `-tAc SQL` ends in `-c`, `-cSQL` and `-fFILE` attach the value."""
    spec = CLIENTS.get(name)
    found: list[tuple[str, str, str]] = []
    pos: list[str] = []
    if spec is None:
        return found, [x for x in args if not x.startswith("-")]
    value_letters, sql_letters, file_letters = spec.value_letters, spec.sql_letters, spec.file_letters
    long_opts, abbrev = spec.long_options, spec.abbreviations
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if a == "--":
            pos.extend(args[i:])
            break
        if a.startswith("--") and len(a) > 2:
            key, eq, val = a[2:].partition("=")
            full, kind = _long_kind(key, long_opts, abbrev)
            if kind in ("sql", "file", "value") and not eq and i < len(args):
                val, i = args[i], i + 1
            elif kind in ("sql", "file", "value") and not eq:
                continue
            if kind in ("sql", "file"):
                found.append((kind, "--" + full, val))
            continue
        if a.startswith("-") and len(a) > 1:
            for j in range(1, len(a)):
                letter = a[j]
                if name in ("mysql", "mariadb") and letter in "p#":
                    break  # optional value, attached only (`-pSECRET`)
                if letter in value_letters:
                    val = a[j + 1:]
                    if not val and i < len(args):
                        val, i = args[i], i + 1
                    if letter in sql_letters:
                        found.append(("sql", "-" + letter, val))
                    elif letter in file_letters:
                        found.append(("file", "-" + letter, val))
                    break
            continue
        pos.append(a)
    return found, pos


def sqlite_options(args: tuple[str, ...] | list[str]) -> tuple[list[tuple[str, str, str]], list[str]]:
    found: list[tuple[str, str, str]] = []
    pos: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if a.startswith("-") and len(a) > 1:
            key = a.lstrip("-")
            if key in _SQLITE_VALUE and i < len(args):
                val, i = args[i], i + 1
                if key in _SQLITE_SQL:
                    found.append(("sql", a, val))
                elif key == "init":
                    found.append(("file", a, val))
            elif key == "A":
                break  # archive mode: the rest are archive arguments
            continue
        pos.append(a)
    return found, pos


def sql_option_clients(letter: str) -> frozenset[str]:
    """The clients whose short option `-LETTER` carries SQL (`-e` for mysql, mariadb, mycli and cockroach)."""
    return frozenset(name for name, spec in CLIENTS.items() if letter in spec.sql_letters)
