"""Checks for MCP tools: SQL in their input and destructive tool names."""

from __future__ import annotations

import re

from guardrail.base.text import LazyRegex
from guardrail.checks.sql import sql_findings
from guardrail.model import EvalContext
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Iterable, Mapping


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


def mcp_sql(call: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """SQL in an MCP tool's input (keys such as `sql`/`query`, or any string that parses as destructive SQL)."""
    name = str(getattr(call, "tool_name", ""))
    if not name.startswith("mcp__"):
        return []
    op = name.split("__", 2)[-1]
    if _TOOL_SAFE.match(op) and not re.search(r"(?i)(sql|exec|run|query$)", op):
        return []  # search_issues(query="drop table"): the text is searched for, not executed
    from guardrail.sql import analyze as sqlmod

    payloads = []
    for key, text in _strings(getattr(call, "tool_input", {}) or {}):
        if _SQL_KEYS.match(key) and sqlmod.looks_like_sql(text):
            payloads.append((key, text))
        elif sqlmod.looks_like_strict_sql(text):
            payloads.append((key, text))
    return sql_findings(payloads, args)


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
