"""Rule packs: TOML files validated with pydantic, compiled to a RuleSet.

Compiling imports tomllib and pydantic, so it happens only when the one rule cache (guardrail.service, keyed by
the stat of every file that shapes the rules) has no fresh entry. Errors name the place:
`file.toml:rule-id:field: message`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from guardrail.base.record import record

TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Iterable

from guardrail.rules import CompiledRule, Match, RuleException, RuleSet, index_by_tool

SCHEMA_VERSION = 1


class PackError(Exception):
    """A pack that cannot be loaded; `str()` names the file, rule and field."""


@record(frozen=True)
class PackSource:
    path: Path
    text: str
    origin: str  # "builtin" | "user" | "project" | "extra"


def builtin_rules_dir() -> Path:
    from guardrail.fastpath import builtin_rules_dir as located

    return Path(located())


def read_sources(paths: Iterable[tuple[Path, str]]) -> list[PackSource]:
    out = []
    for p, origin in paths:
        try:
            out.append(PackSource(p, p.read_text(encoding="utf-8"), origin))
        except (OSError, UnicodeDecodeError) as exc:
            raise PackError(f"{p}: cannot read rule pack: {exc}") from exc
    return out


def builtin_sources() -> list[tuple[Path, str]]:
    d = builtin_rules_dir()
    return [(p, "builtin") for p in sorted(d.glob("*.toml"))]


def load_ruleset(extra: Iterable[tuple[Path, str]] = (), *, disabled: Iterable[str] = (),
                 lenient: Iterable[Path] = (), problems: Iterable[str] = ()) -> RuleSet:
    """Built-in packs plus `extra` (path, origin) packs, compiled.

    `origin` "project" marks an untrusted project pack: its rules are clamped so they can only
    tighten (see `clamp_for_origin`). `disabled` rule ids (config `disabled_rules`) are dropped.
    A pack in `lenient` (a repository's own `.guardrail/rules/`, which arrives with `git clone`) that cannot be
    read, parsed or compiled is left out and named in `RuleSet.problems`, so one broken file never blocks every
    call; any other broken pack raises PackError. `problems` (the config's) come first in `RuleSet.problems`.
    """
    skip = frozenset(lenient)
    problems = list(problems)
    parsed: list[tuple[PackSource, Any]] = []
    for path, origin in list(builtin_sources()) + list(extra):
        try:
            src = read_sources([(path, origin)])[0]
            parsed.append((src, parse_pack(src)))
        except PackError as exc:
            if path not in skip:
                raise
            problems.append(str(exc))
    ruleset = compile_models(parsed, lenient=skip, problems=problems)
    off = sorted(set(disabled))
    return without_rules(ruleset, off) if off else ruleset


def compile_sources(sources: list[PackSource]) -> RuleSet:
    return compile_models([(src, parse_pack(src)) for src in sources])


def compile_models(parsed: list[tuple[PackSource, Any]], *, lenient: frozenset[Path] = frozenset(),
                   problems: list[str] | None = None) -> RuleSet:
    """Validated pack models (with their sources) to one RuleSet; pack and rule ids must be unique.
    A pack in `lenient` that breaks either is left out whole, its error added to `problems`."""
    rules: list[CompiledRule] = []
    packs: list[tuple[str, str]] = []
    seen: dict[str, Path] = {}
    owner: dict[str, Path] = {}
    found = list(problems or ())
    for src, pack in parsed:
        try:
            compiled, ids = _compile_pack(src, pack, seen, owner)
        except PackError as exc:
            if src.path not in lenient:
                raise
            found.append(str(exc))
            continue
        owner[pack.pack.id] = src.path
        seen.update(ids)
        packs.append((pack.pack.id, f"{pack.pack.version}+sha256:{hashlib.sha256(src.text.encode()).hexdigest()[:12]}"))
        rules.extend(compiled)
    rules_t = tuple(rules)
    return RuleSet(rules=rules_t, packs=tuple(packs), by_tool=index_by_tool(rules_t), problems=tuple(found))


def _compile_pack(src: PackSource, pack: Any, seen: dict[str, Path],
                  owner: dict[str, Path]) -> tuple[list[CompiledRule], dict[str, Path]]:
    """One pack's compiled rules and their ids, or PackError (nothing is half-added)."""
    pid = pack.pack.id
    if pid in owner:
        raise PackError(f"{src.path}:pack.id: pack id '{pid}' is already defined by {owner[pid]}")
    out: list[CompiledRule] = []
    ids: dict[str, Path] = {}
    for r in pack.rule:
        rid = f"{pid}/{r.id}"
        if rid in seen or rid in ids:
            raise PackError(f"{src.path}:{r.id}:id: duplicate rule id (also in {seen.get(rid, src.path)})")
        ids[rid] = src.path
        try:
            out.append(compile_rule(pid, r, pack.lists, origin=src.origin))
        except (ValueError, TypeError, KeyError) as exc:
            raise PackError(f"{src.path}:{r.id}: cannot compile rule: {exc}") from exc
    return out, ids


def parse_pack(src: PackSource) -> Any:
    """TOML text to a validated pack model (pydantic), with located errors."""
    import tomllib  # only on a cache miss: a fresh cache never parses TOML

    try:
        data = tomllib.loads(src.text)
    except tomllib.TOMLDecodeError as exc:
        raise PackError(f"{src.path}: invalid TOML: {exc}") from exc
    schema = data.get("schema")
    if schema != SCHEMA_VERSION:
        raise PackError(f"{src.path}:schema: expected schema = {SCHEMA_VERSION}, found {schema!r}")
    from pydantic import ValidationError

    from guardrail.pack_schema import PackModel

    try:
        return PackModel.model_validate(data)
    except ValidationError as exc:
        raise PackError(_locate(src.path, data, exc)) from exc


def _locate(path: Path, data: dict[str, Any], exc: Any) -> str:
    lines = []
    for err in exc.errors():
        loc = list(err["loc"])
        where = ""
        if len(loc) >= 2 and loc[0] in ("rule", "scenario") and isinstance(loc[1], int):
            items = data.get(loc[0]) or []
            ident = None
            if loc[1] < len(items) and isinstance(items[loc[1]], dict):
                ident = items[loc[1]].get("id") or items[loc[1]].get("name")
            where = f"{ident or f'{loc[0]}[{loc[1]}]'}:" + ".".join(str(x) for x in loc[2:])
        else:
            where = ".".join(str(x) for x in loc)
        lines.append(f"{path}:{where}: {err['msg']}")
    return "\n".join(lines)


def _expand(values: list[str] | None, lists: dict[str, list[str]]) -> tuple[str, ...]:
    """Values with each `@name` replaced by the pack's list of that name, else the built-in vocabulary list."""
    out: list[str] = []
    for v in values or []:
        if v.startswith("@"):
            if v[1:] in lists:
                out.extend(lists[v[1:]])
            else:
                from guardrail.base.vocab import PACK_LISTS

                out.extend(sorted(PACK_LISTS.get(v[1:], ())))
        else:
            out.append(v)
    return tuple(out)


def compile_match(m: Any, lists: dict[str, list[str]]) -> Match:
    sub: tuple[tuple[str, ...], ...] = ()
    if m.subcommand:
        alts = m.subcommand if isinstance(m.subcommand[0], list) else [m.subcommand]
        sub = tuple(tuple(a.split()) if isinstance(a, str) and len(alts) > 1 else tuple(a if isinstance(a, list) else a.split()) for a in alts)
    return Match(
        program=frozenset(_expand(m.program, lists)),
        subcommand=sub,
        flags_any=_expand(m.flags_any, lists),
        flags_all=tuple(tuple(g) if isinstance(g, list) else (g,) for g in (m.flags_all or [])),
        flags_none=_expand(m.flags_none, lists),
        args_any=_expand(m.args_any, lists),
        args_none=_expand(m.args_none, lists),
        args_regex=m.args_regex,
        env_any=_expand(m.env_any, lists),
        stdin_from_any=frozenset(_expand(m.stdin_from_any, lists)),
        check=m.check,
        check_args=tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in (m.check_args or {}).items())),
        path_glob_any=_expand(m.path_glob_any, lists),
        content_regex=m.content_regex,
        tool_glob_any=_expand(m.tool_glob_any, lists),
    )


def without_rules(ruleset: RuleSet, off: Iterable[str]) -> RuleSet:
    """The rule set minus disabled rules (ids "pack/rule", or "pack/*" for a whole pack)."""
    import fnmatch

    pats = list(off)
    kept = tuple(r for r in ruleset.rules if not any(fnmatch.fnmatchcase(r.id, p) for p in pats))
    return RuleSet(rules=kept, packs=ruleset.packs, by_tool=index_by_tool(kept), problems=ruleset.problems)


def clamp_for_origin(r: Any, origin: str) -> tuple[str, str | None, list[str]]:
    """(decision, if_requested, notes) a rule gets from a pack of this origin.

    Packs that arrive with an untrusted repository ("project") may only tighten: a rule there
    cannot emit `allow` (which would approve calls Claude Code would otherwise prompt for), so
    `decision = "allow"` becomes "log" and `if_requested = "allow"` becomes "ask". Such a rule
    cannot weaken a built-in one either: ids are namespaced by pack, pack ids are unique, and the
    engine keeps the strictest finding.
    """
    decision, if_requested, notes = r.decision, r.if_requested, []
    if origin == "project":
        if decision == "allow":
            decision = "log"
            notes.append(f"{r.id}:decision: 'allow' from an untrusted project pack is recorded as 'log'")
        if if_requested == "allow":
            if_requested = "ask"
            notes.append(f"{r.id}:if_requested: 'allow' from an untrusted project pack becomes 'ask'")
    return decision, if_requested, notes


def compile_rule(pack_id: str, r: Any, lists: dict[str, list[str]], origin: str = "builtin") -> CompiledRule:
    decision, if_requested, _ = clamp_for_origin(r, origin)
    return CompiledRule(
        id=f"{pack_id}/{r.id}", pack=pack_id, summary=r.summary, effect=r.effect, decision=decision,
        severity=r.severity, status=r.status, if_requested=if_requested, tools=frozenset(r.tools),
        message=r.message.strip(), why=r.why.strip(), match=compile_match(r.match, lists),
        exceptions=tuple(RuleException(e.name, e.reason, compile_match(e.when, lists)) for e in r.exceptions),
        aliases=tuple(r.aliases),
    )
