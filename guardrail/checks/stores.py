"""Checks for document and key-value stores: Mongo drops and unfiltered deletes, Redis flushes and mass deletes."""

from __future__ import annotations

import re

from guardrail.base.text import LazyRegex
from guardrail.model import EvalContext, SimpleCommand
from guardrail.rules import positionals
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Mapping


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
            out.append(ctx.read_text(a[i + 1]) or "")
        elif x.endswith(".js") and not x.startswith("-"):
            out.append(ctx.read_text(x) or "")
    if cmd.stdin_text:
        out.append(cmd.stdin_text)
    elif cmd.stdin_file:
        out.append(ctx.read_text(cmd.stdin_file) or "")
    return [t for t in out if t]


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
