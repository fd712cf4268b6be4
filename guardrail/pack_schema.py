"""The rule pack schema (pydantic, `extra="forbid"`): imported only when packs are (re)compiled or linted."""

from __future__ import annotations

import fnmatch
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from guardrail.model import EFFECTS


_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_BASH_TOOLS = frozenset({"Bash"})
_FILE_TOOLS = frozenset({"Write", "Edit", "MultiEdit", "NotebookEdit"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _valid_config(v: dict[str, Any] | None) -> dict[str, Any] | None:
    if v:
        from guardrail.config import ConfigError, validate

        try:
            validate(v, "config")
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
    return v


class MatchModel(_Strict):
    program: list[str] | None = None
    subcommand: list[str] | list[list[str]] | None = None
    flags_any: list[str] | None = None
    flags_all: list[list[str] | str] | None = None
    flags_none: list[str] | None = None
    args_any: list[str] | None = None
    args_none: list[str] | None = None
    args_regex: str | None = None
    env_any: list[str] | None = None
    stdin_from_any: list[str] | None = None
    check: str | None = None
    check_args: dict[str, Any] | None = None
    path_glob_any: list[str] | None = None
    content_regex: str | None = None
    tool_glob_any: list[str] | None = None

    @field_validator("args_regex", "content_regex")
    @classmethod
    def _regex_compiles(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"invalid regular expression: {exc}") from exc
        return v

    @field_validator("check")
    @classmethod
    def _known_check(cls, v: str | None) -> str | None:
        if v is not None:
            from guardrail.checks.registry import SPECS

            if v not in SPECS:
                raise ValueError(f"unknown check '{v}'; known: {', '.join(sorted(SPECS))}")
        return v

    @model_validator(mode="after")
    def _not_empty(self) -> "MatchModel":
        if not any(v not in (None, [], {}) for v in self.__dict__.values()):
            raise ValueError("match has no conditions: it would fire on everything")
        return self


class GitStateModel(_Strict):
    """A rule test's git working tree: what `git status` would list, and how many stash entries there are."""

    changed: list[str] = Field(default_factory=list)
    untracked: list[str] = Field(default_factory=list)
    ignored: list[str] = Field(default_factory=list)
    stash: int = Field(default=0, ge=0)
    branch: str | None = None  # the branch checked out (None: a detached HEAD)


class CaseModel(_Strict):
    """An inline test. Exactly one of match/ok/todo_match/todo_ok. A string is a Bash command;
    a table is a full tool_input for `tool`."""

    match: str | dict[str, Any] | None = None
    ok: str | dict[str, Any] | None = None
    todo_match: str | dict[str, Any] | None = None
    todo_ok: str | dict[str, Any] | None = None
    tool: str = "Bash"
    note: str | None = None
    cwd: str | None = None
    files: dict[str, str] | None = None
    # The project as a git work tree, by what `git status` says (paths relative to the case's project):
    # { changed = ["app/models.py"], untracked = ["notes/"], ignored = ["build/"], stash = 1 }.
    git: GitStateModel | None = None
    # Config values for this case, over the built-in defaults (e.g. { protected = { databases = ["x"] } }).
    config: dict[str, Any] | None = None
    # The string value repeated this many times: size-limit tests without a megabyte of TOML.
    repeat: int | None = Field(default=None, ge=1, le=1_000_000)

    _config_ok = field_validator("config")(classmethod(lambda cls, v: _valid_config(v)))

    @model_validator(mode="after")
    def _one_kind(self) -> "CaseModel":
        kinds = [k for k in ("match", "ok", "todo_match", "todo_ok") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(f"a test case needs exactly one of match, ok, todo_match, todo_ok (found "
                             f"{', '.join(kinds) or 'none'})")
        if self.repeat is not None and not isinstance(getattr(self, kinds[0]), str):
            raise ValueError("repeat applies to string cases only")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("match", "ok", "todo_match", "todo_ok") if getattr(self, k) is not None)

    @property
    def value(self) -> str | dict[str, Any]:
        v = getattr(self, self.kind)
        return v * self.repeat if self.repeat and isinstance(v, str) else v


class ExceptionModel(_Strict):
    name: str
    reason: str
    when: MatchModel


class RuleModel(_Strict):
    id: str
    summary: str
    effect: str
    decision: Literal["deny", "ask", "allow", "log"]
    severity: Literal["critical", "high", "medium", "low", "info"]
    status: Literal["stable", "preview"] = "stable"
    if_requested: Literal["deny", "ask", "allow", "log"] | None = None
    tools: list[str] = Field(default_factory=lambda: ["Bash"])
    message: str
    why: str
    aliases: list[str] = Field(default_factory=list)
    match: MatchModel
    exceptions: list[ExceptionModel] = Field(default_factory=list)
    tests: list[CaseModel] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError("rule ids are kebab-case names of the pattern (a-z, 0-9, -)")
        return v

    @field_validator("effect")
    @classmethod
    def _known_effect(cls, v: str) -> str:
        if v not in EFFECTS:
            raise ValueError(f"unknown effect '{v}'; known: {', '.join(EFFECTS)}")
        return v

    @model_validator(mode="after")
    def _check_fits_tools(self) -> "RuleModel":
        # A check judges one kind of action (its registry row's level): a rule whose tools never produce that kind
        # would silently never fire.
        from guardrail.checks.registry import COMMAND, FILE, LINE, SPECS, TOOL

        spec = SPECS.get(self.match.check or "")
        if spec is None:
            return self
        fits = {COMMAND: _BASH_TOOLS, LINE: _BASH_TOOLS, FILE: _FILE_TOOLS}.get(spec.level)
        for tool in self.tools:
            ok = any(fnmatch.fnmatchcase(t, tool) for t in fits) if fits is not None else \
                not any(fnmatch.fnmatchcase(t, tool) for t in _BASH_TOOLS | _FILE_TOOLS) or tool == "*"
            if not ok:
                kind = {COMMAND: "a Bash command", LINE: "a Bash command line", FILE: "a file write",
                        TOOL: "another tool's input"}[spec.level]
                raise ValueError(f"check '{spec.name}' judges {kind}, which tool '{tool}' never produces: the rule "
                                 "could never fire")
        return self


class ExpectModel(_Strict):
    decision: Literal["deny", "ask", "allow", "none"]
    rules: list[str] | None = None


class ScenarioModel(_Strict):
    name: str
    prompts: list[str] = Field(default_factory=list)
    transcript: str | None = None
    tool: str = "Bash"
    input: str | dict[str, Any]
    cwd: str | None = None
    files: dict[str, str] | None = None
    git: GitStateModel | None = None
    permission_mode: str | None = None
    non_interactive: bool = False
    config: dict[str, Any] | None = None
    expect: ExpectModel
    todo: bool = False  # a known gap: reported XFAIL while it fails, XPASS once it passes
    note: str | None = None

    _config_ok = field_validator("config")(classmethod(lambda cls, v: _valid_config(v)))


class PackMeta(_Strict):
    id: str
    version: str
    summary: str

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError("pack ids are kebab-case (a-z, 0-9, -)")
        return v


class PackModel(_Strict):
    schema_: int = Field(alias="schema")
    pack: PackMeta
    lists: dict[str, list[str]] = Field(default_factory=dict)
    rule: list[RuleModel] = Field(default_factory=list)
    scenario: list[ScenarioModel] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> "PackModel":
        seen: set[str] = set()
        for r in self.rule:
            if r.id in seen:
                raise ValueError(f"duplicate rule id '{r.id}'")
            seen.add(r.id)
        names: set[str] = set()
        for s in self.scenario:
            if s.name in names:
                raise ValueError(f"duplicate scenario name '{s.name}'")
            names.add(s.name)
        return self

    @model_validator(mode="after")
    def _lists_exist(self) -> "PackModel":
        # "@name" must name a [lists] entry or a built-in vocabulary list: an unknown list would match nothing.
        from guardrail.base.vocab import PACK_LISTS

        for r in self.rule:
            for where, m in [("match", r.match)] + [(f"exceptions.{e.name}.when", e.when) for e in r.exceptions]:
                for fname, value in m.__dict__.items():
                    for v in value if isinstance(value, list) else []:
                        if isinstance(v, str) and v.startswith("@") and v[1:] not in self.lists \
                                and v[1:] not in PACK_LISTS:
                            raise ValueError(f"rule '{r.id}' {where}.{fname}: unknown list '{v}' "
                                             f"(the pack defines: {', '.join(sorted(self.lists)) or 'none'}; "
                                             f"built in: {', '.join(sorted(PACK_LISTS))})")
        return self


# --------------------------------------------------------------------------- lint
# Conventions pydantic cannot see in one field: checked by `guardrail rules lint` and CI.

_PLACEHOLDERS = frozenset({"target", "command"})


def lint_pack(pack: PackModel, path: str, *, known_rule_ids: set[str] | None = None) -> list[str]:
    """Problems as `file:rule-id:field: message`; an empty list means the pack is clean."""
    out: list[str] = []
    pid = pack.pack.id
    for r in pack.rule:
        kinds = [c.kind for c in r.tests]
        if "match" not in kinds:
            out.append(f"{path}:{r.id}:tests: no `match` case: add a command this rule must flag")
        if "ok" not in kinds:
            out.append(f"{path}:{r.id}:tests: no `ok` case: add a near miss this rule must leave alone")
        for i, c in enumerate(r.tests):
            if not any(c.tool == t or (("*" in t or "?" in t) and re.fullmatch(t.replace("*", ".*").replace("?", "."), c.tool))
                       for t in r.tools):
                out.append(f"{path}:{r.id}:tests[{i}].tool: '{c.tool}' is not in the rule's tools {r.tools}: "
                           "the case can never fire")
        for name in re.findall(r"\{(\w+)\}", r.message):
            if name not in _PLACEHOLDERS:
                out.append(f"{path}:{r.id}:message: unknown placeholder {{{name}}} (known: {{target}}, {{command}})")
        if r.decision == "allow" and r.if_requested not in (None, "allow"):
            out.append(f"{path}:{r.id}:if_requested: an allow rule cannot become stricter when requested")
    ids = {f"{pid}/{r.id}" for r in pack.rule} | (known_rule_ids or set())
    for s in pack.scenario:
        for rid in s.expect.rules or []:
            full = rid if "/" in rid else f"{pid}/{rid}"
            if known_rule_ids is not None and full not in ids:
                out.append(f"{path}:{s.name}:expect.rules: unknown rule id '{rid}'")
    return out
