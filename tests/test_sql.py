"""SQL analysis: classification, transactions, scratch objects, and the effect checked on a real SQLite database."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from guardrail.sql.analyze import analyze_sql, destructive, looks_like_sql, looks_like_strict_sql


def kinds(text: str) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(s.kind, s.effect, s.objects) for s in destructive(analyze_sql(text))]


@pytest.mark.parametrize(
    "text, kind, effect, objects",
    [
        ("DROP DATABASE shop;", "drop_database", "data.drop", ("shop",)),
        ("drop schema public cascade", "drop_schema", "data.drop", ("public",)),
        ("DROP TABLE users, orders;", "drop_table", "data.drop", ("users", "orders")),
        ('DROP TABLE "User"', "drop_table", "data.drop", ("User",)),
        ("DROP TABLE IF EXISTS app.users", "drop_table", "data.drop", ("app.users",)),
        ("DROP VIEW report_v", "drop_view", "data.alter", ("report_v",)),
        ("DROP INDEX CONCURRENTLY idx_users_email", "drop_index", "data.alter", ("idx_users_email",)),
        ("DROP MATERIALIZED VIEW mv", "drop_materialized_view", "data.drop", ("mv",)),
        ("TRUNCATE users", "truncate", "data.truncate", ("users",)),
        ("TRUNCATE TABLE a, b RESTART IDENTITY CASCADE", "truncate_cascade", "data.truncate", ("a", "b")),
        ("DELETE FROM sessions", "delete_all", "data.delete_rows", ("sessions",)),
        ("delete from users where 1=1", "delete_all", "data.delete_rows", ("users",)),
        ("DELETE FROM users WHERE true", "delete_all", "data.delete_rows", ("users",)),
        ("DELETE FROM users WHERE id = 3 OR 1 = 1", "delete_all", "data.delete_rows", ("users",)),
        ("DELETE FROM t WHERE 'a' = 'a'", "delete_all", "data.delete_rows", ("t",)),
        ("DELETE users", "delete_all", "data.delete_rows", ("users",)),
        ("UPDATE accounts SET balance = 0", "update_all", "data.delete_rows", ("accounts",)),
        ("UPDATE accounts SET note = 'where' ", "update_all", "data.delete_rows", ("accounts",)),
        ("ALTER TABLE users DROP COLUMN email", "alter_drop", "data.alter", ("users",)),
        ("ALTER TABLE users DROP CONSTRAINT users_pkey", "alter_drop", "data.alter", ("users",)),
        ("alter table orders drop foreign key fk_user", "alter_drop", "data.alter", ("orders",)),
        ("GRANT ALL PRIVILEGES ON DATABASE app TO PUBLIC", "grant_all", "data.alter", ("DATABASE app",)),
        ("REVOKE ALL ON SCHEMA public FROM app", "revoke_all", "data.alter", ("SCHEMA public",)),
        ("EXPLAIN ANALYZE DELETE FROM events", "explain_analyze_delete_all", "data.delete_rows", ("events",)),
        ("EXPLAIN (ANALYZE, BUFFERS) UPDATE t SET x = 1", "explain_analyze_update_all", "data.delete_rows", ("t",)),
    ],
)
def test_destructive_statements(text: str, kind: str, effect: str, objects: tuple[str, ...]) -> None:
    assert kinds(text) == [(kind, effect, objects)]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * FROM users",
        "INSERT INTO log VALUES ('DROP TABLE x')",
        "-- DROP TABLE users\nSELECT 1",
        "/* DELETE FROM users */ SELECT 1",
        "DELETE FROM sessions WHERE expires_at < now()",
        "UPDATE users SET name = 'x' WHERE id = 3",
        "UPDATE users SET name = 'x' WHERE id IS NOT NULL",
        "DELETE t1 FROM t1 JOIN t2 ON t1.a = t2.a WHERE t2.x = 1",
        "ALTER TABLE users ADD COLUMN created_at timestamptz",
        "ALTER TABLE t ALTER COLUMN c DROP DEFAULT",
        "ALTER TABLE t ALTER COLUMN c DROP NOT NULL",
        "EXPLAIN DELETE FROM users",
        "EXPLAIN (ANALYZE false) DELETE FROM users",
        "EXPLAIN ANALYZE SELECT * FROM users",
        "GRANT SELECT ON users TO reporting",
        "CREATE FUNCTION f() RETURNS void AS $$ BEGIN DELETE FROM x; END $$ LANGUAGE plpgsql",
        "BEGIN; DROP TABLE users; ROLLBACK;",
        "BEGIN; SAVEPOINT s; DELETE FROM users; ROLLBACK TO SAVEPOINT s; COMMIT;",
        "START TRANSACTION; TRUNCATE users; ABORT;",
        "DROP TABLE IF EXISTS tmp_import",
        "DROP TABLE IF EXISTS scratch_results",
        "TRUNCATE temp_load",
        "DROP TABLE users_tmp",
        "delete the file",
        "",
        "\\dt",
    ],
)
def test_not_destructive(text: str) -> None:
    assert kinds(text) == []


def test_commit_keeps_statements_destructive() -> None:
    stmts = analyze_sql("BEGIN; DROP TABLE users; COMMIT; DELETE FROM x;")
    assert [(s.kind, s.rolled_back) for s in stmts] == [("drop_table", False), ("delete_all", False)]


def test_rollback_marks_only_the_open_transaction() -> None:
    stmts = analyze_sql("DROP TABLE a; BEGIN; DROP TABLE b; ROLLBACK; DROP TABLE c;")
    assert [(s.objects, s.rolled_back) for s in stmts] == [(("a",), False), (("b",), True), (("c",), False)]


def test_unterminated_transaction_is_not_assumed_rolled_back() -> None:
    assert kinds("BEGIN; DROP TABLE users;") == [("drop_table", "data.drop", ("users",))]


def test_database_from_use_and_psql_connect() -> None:
    assert [s.database for s in analyze_sql("USE shop; DROP TABLE a;")] == ["shop"]
    assert [s.database for s in analyze_sql("\\c prod\nDELETE FROM x;")] == ["prod"]
    assert analyze_sql("DROP DATABASE shop")[0].database == "shop"


def test_statement_text_is_reported_without_comments() -> None:
    (st,) = analyze_sql("-- wipe\nDROP TABLE users; -- bye")
    assert st.statement.startswith("DROP TABLE users")
    assert "wipe" not in st.statement


def test_prefilters() -> None:
    assert looks_like_sql("drop table x")
    assert not looks_like_sql("SELECT 1")
    assert not looks_like_sql("")
    assert looks_like_strict_sql("please run: DELETE FROM users")
    assert not looks_like_strict_sql("delete the old branch")
    assert not looks_like_strict_sql("we should drop this idea")


# --------------------------------------------------------------------------- effect on a real database

SETUP = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('a'), ('b'), ('c');"


def _effect(sql: str) -> str:
    """What the statement really did to a real SQLite database: 'dropped', 'emptied', 'changed-all', 'partial', 'none'."""
    con = sqlite3.connect(":memory:", isolation_level=None)
    con.executescript(SETUP)
    try:
        con.executescript(sql)
    except sqlite3.Error:
        pass
    if not con.execute("SELECT name FROM sqlite_master WHERE name = 'users'").fetchone():
        return "dropped"
    rows = con.execute("SELECT name FROM users ORDER BY id").fetchall()
    if not rows:
        return "emptied"
    if rows == [("a",), ("b",), ("c",)]:
        return "none"
    if all(r == rows[0] for r in rows) and len(rows) == 3:
        return "changed-all"
    return "partial"


@pytest.mark.parametrize(
    "sql",
    [
        "DROP TABLE users;",
        "DELETE FROM users;",
        "DELETE FROM users WHERE 1=1;",
        "DELETE FROM users WHERE true;",
        "DELETE FROM users WHERE id = 2 OR 1 = 1;",
        "UPDATE users SET name = 'z';",
        "BEGIN; DROP TABLE users; COMMIT;",
        "-- note\nDROP TABLE users;",
    ],
)
def test_classified_destructive_really_destroys(sql: str) -> None:
    assert destructive(analyze_sql(sql)), sql
    assert _effect(sql) in ("dropped", "emptied", "changed-all")


@pytest.mark.parametrize(
    "sql",
    [
        "BEGIN; DROP TABLE users; ROLLBACK;",
        "BEGIN; DELETE FROM users; ROLLBACK;",
        "BEGIN; SAVEPOINT s; DELETE FROM users; ROLLBACK TO SAVEPOINT s; COMMIT;",
        "DELETE FROM users WHERE id = 2;",
        "UPDATE users SET name = 'z' WHERE id = 1;",
        "SELECT * FROM users;",
        "-- DROP TABLE users;\nSELECT 1;",
        "INSERT INTO users (name) VALUES ('DROP TABLE users');",
    ],
)
def test_classified_safe_keeps_the_table(sql: str) -> None:
    assert not destructive(analyze_sql(sql)), sql
    assert _effect(sql) in ("none", "partial")


def test_sqlparse_is_imported_only_by_analysis() -> None:
    code = (
        "import sys\n"
        "from guardrail.sql.analyze import looks_like_sql, looks_like_strict_sql\n"
        "looks_like_sql('SELECT 1'); looks_like_strict_sql('DROP TABLE x')\n"
        "assert 'sqlparse' not in sys.modules\n"
        "from guardrail.sql.analyze import analyze_sql\n"
        "analyze_sql('DROP TABLE x')\n"
        "assert 'sqlparse' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_sql_client_of_the_vocabulary_has_a_way_to_read_its_sql() -> None:
    """A client named in the vocabulary (which the database pack's @sql-shells list is) without an option table
    would have its `-c`/`-e` SQL read as nothing: each has a ClientSpec row, is sqlite-style, or is bq."""
    from guardrail.base.vocab import SQL_CLIENTS
    from guardrail.sql.clients import CLIENTS, SQLITE_LIKE

    assert SQL_CLIENTS == set(CLIENTS) | SQLITE_LIKE | {"bq"}
    for name, spec in CLIENTS.items():
        assert set(spec.sql_letters + spec.file_letters) <= set(spec.value_letters), name
