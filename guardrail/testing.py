"""Run the inline tests and scenarios of rule packs (`guardrail test`, tests/test_packs.py).

Each rule case runs against that rule alone (`evaluate(..., only_rule=id)`), like SQLFluff's
per-rule fixtures: a `match` case passes when the rule produces a finding (a `preview` rule's
logged finding counts), an `ok` case when it produces none. `todo_match`/`todo_ok` are known gaps:
XFAIL while the gap exists, XPASS once it is fixed (pytest runs them as strict xfail so the
fixed gap gets promoted). Scenarios run the whole engine with the intent taken from prompts or a
transcript and compare the decision and rule ids. Not on the hook path: pydantic is fine here.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from guardrail.model import ToolCall


# Where cases run unless they say `cwd`: a fixed, fake layout so results never depend on the machine.
CASE_HOME = "/home/user"
CASE_CWD = "/work/proj"

STATUSES = ("PASS", "FAIL", "ERROR", "SKIP", "XFAIL", "XPASS")


@dataclass(slots=True)
class CaseResult:
    """One inline rule case or scenario and how it went."""

    id: str  # "git/reset-hard/match/3" or "git/scenario/<name>"
    pack: str
    rule: str | None  # full rule id; None for scenarios
    kind: str  # match | ok | todo_match | todo_ok | scenario
    tool: str
    input: Any
    status: str  # one of STATUSES
    detail: str = ""
    decision: str | None = None
    rule_ids: list[str] = field(default_factory=list)
    source: str = ""
    note: str | None = None

    @property
    def failed(self) -> bool:
        return self.status in ("FAIL", "ERROR", "XPASS")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class PackCases:
    """A validated pack (pydantic model) and where it came from."""

    path: Path
    origin: str
    model: Any
    text: str = ""


def case_tool_input(tool: str, value: Any) -> dict[str, Any]:
    """A case's value as a tool_input: a table is used as is; a string is the Bash command,
    or the file path for file tools (empty content)."""
    if isinstance(value, dict):
        return dict(value)
    if tool in ("Bash", "PowerShell"):
        return {"command": value}
    if tool == "Edit":
        return {"file_path": value, "old_string": "", "new_string": ""}
    if tool == "Write":
        return {"file_path": value, "content": ""}
    if tool in ("Read", "Glob", "Grep"):
        return {"file_path": value} if tool == "Read" else {"pattern": value}
    return {"input": value}


def case_context(cwd: str | None, files: dict[str, str] | None, config: dict[str, Any] | None = None,
                 git: Any = None) -> Any:
    """An EvalContext over the fake layout; `files` (relative to cwd or absolute) feed read_file. With `git` (a
    case's git state), the context has a world: the files exist and the project is a work tree with that status."""
    from guardrail.model import EvalContext

    wd = cwd or CASE_CWD
    if not wd.startswith("/"):
        wd = posixpath.normpath(posixpath.join(CASE_CWD, wd))
    table = {posixpath.normpath(p if p.startswith("/") else posixpath.join(wd, p)): t for p, t in (files or {}).items()}

    limit = int((config or {}).get("max_file_bytes", 1_000_000))  # the hook's reader limit; cases may lower it
    ctx = EvalContext(cwd=wd, project_dir=CASE_CWD, home=CASE_HOME, env={}, config=dict(config or {}))

    def read_file(path: str) -> str | None:
        p = path if path.startswith("/") else posixpath.join(wd, path)
        text = table.get(posixpath.normpath(p))
        if text is not None and len(text.encode()) > limit:
            ctx.unread.append(f"{path} (larger than {limit:,} bytes)")
            return None
        return text

    ctx.read_file = read_file
    if git is not None:
        ctx.world = LayoutWorld(table, git, CASE_CWD)
    return ctx


class LayoutWorld:
    """The machine a rule test describes (guardrail.world's questions, answered from the case): its `files` and the
    paths its git state names exist, and the project is a work tree whose `git status` is the case's."""

    def __init__(self, table: dict[str, str], git: Any, root: str) -> None:
        from guardrail.model import RepoStatus

        self.root = root
        self.status = RepoStatus(root=root, changed=tuple(git.changed), untracked=tuple(git.untracked),
                                 ignored=tuple(git.ignored))
        self.stash = git.stash
        self.branch = git.branch
        named = [posixpath.join(root, p.rstrip("/")) for p in (*git.changed, *git.untracked, *git.ignored)]
        self.paths = set(table) | set(named)

    def exists(self, path: str) -> bool:
        return path in self.paths or self.is_dir(path)

    def is_dir(self, path: str) -> bool:
        prefix = path.rstrip("/") + "/"
        return path == self.root or any(p.startswith(prefix) for p in self.paths)

    def repo_root(self, path: str) -> str:
        return self.root if path == self.root or path.startswith(self.root + "/") else ""

    def git_status(self, root: str, paths: Any = ()) -> Any:
        from guardrail.base.record import replace

        if not paths:
            return self.status
        rels = [posixpath.relpath(p, root) for p in paths]

        def under(entry: str) -> bool:
            e = entry.rstrip("/")
            return any(r in (".", e) or e.startswith(r.rstrip("/") + "/") or r.startswith(e + "/") for r in rels)

        s = self.status
        return replace(s, changed=tuple(filter(under, s.changed)), untracked=tuple(filter(under, s.untracked)),
                       ignored=tuple(filter(under, s.ignored)))

    def stash_count(self, root: str) -> int:
        return self.stash

    def current_branch(self, path: str) -> str | None:
        return self.branch if self.repo_root(path) else None


def load_pack_cases(sources: Iterable[tuple[Path, str]]) -> list[PackCases]:
    """Validate each pack (raises packs.PackError naming the file on schema errors)."""
    from guardrail.packs import parse_pack, read_sources

    return [PackCases(s.path, s.origin, parse_pack(s), s.text) for s in read_sources(list(sources))]


def _default_config() -> dict[str, Any]:
    try:
        from guardrail.config import default_values

        return default_values()
    except ImportError:  # config not importable: checks fall back to their built-in defaults
        return {}


def run_pack_tests(ruleset_sources: Iterable[tuple[Path, str]] | None = None, k: str | None = None,
                   *, config: dict[str, Any] | None = None, progress: Any = None) -> list[CaseResult]:
    """Run every inline case and scenario of the given packs (default: the built-in packs).

    The engine sees the built-in packs plus the given ones, so a team pack's scenarios meet the
    same rules a real session would. `k` keeps cases whose id contains it (case-insensitive;
    `not X` excludes). Schema errors raise packs.PackError; a crashing case is an ERROR result.
    `progress(case_result)`, if given, is called after each case.
    """
    from guardrail.packs import PackSource, builtin_sources, compile_models

    builtins = builtin_sources()
    targets = list(ruleset_sources) if ruleset_sources is not None else list(builtins)
    known = {p.resolve() for p, _ in builtins}
    extra: list[tuple[Path, str]] = []
    for p, o in targets:
        if Path(p).resolve() not in known:
            known.add(Path(p).resolve())
            extra.append((Path(p), o))
    loaded = load_pack_cases(builtins + extra)  # each pack validated once, for the rule set and its cases
    ruleset = compile_models([(PackSource(pc.path, pc.text, pc.origin), pc.model) for pc in loaded])
    wanted = {Path(p).resolve() for p, _ in targets}
    cfg = _default_config() if config is None else config
    results: list[CaseResult] = []
    for pc in loaded:
        if pc.path.resolve() in wanted:
            for result in _pack_results(pc, ruleset, cfg, k):
                results.append(result)
                if progress is not None:
                    progress(result)
    return results


def case_ids(pc: PackCases) -> list[tuple[str, bool]]:
    """(case id, is a todo) for every case and scenario of a pack, in run order."""
    pid = pc.model.pack.id
    out = [(f"{pid}/{r.id}/{c.kind}/{i}", c.kind.startswith("todo_")) for r in pc.model.rule
           for i, c in enumerate(r.tests)]
    out += [(f"{pid}/scenario/{_slug(s.name)}", s.todo) for s in pc.model.scenario]
    return out


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "unnamed"


def keep(case_id: str, k: str | None) -> bool:
    if not k:
        return True
    k = k.strip().lower()
    if k.startswith("not "):
        return k[4:].strip() not in case_id.lower()
    return k in case_id.lower()


def _pack_results(pc: PackCases, ruleset: Any, cfg: dict[str, Any], k: str | None) -> Iterator[CaseResult]:
    """Each case's result as soon as it has run (so a caller can show progress)."""
    pid = pc.model.pack.id
    for r in pc.model.rule:
        rid = f"{pid}/{r.id}"
        for i, case in enumerate(r.tests):
            cid = f"{rid}/{case.kind}/{i}"
            if keep(cid, k):
                yield run_rule_case(cid, pid, rid, case, ruleset, cfg, str(pc.path))
    for s in pc.model.scenario:
        cid = f"{pid}/scenario/{_slug(s.name)}"
        if keep(cid, k):
            yield run_scenario(cid, pid, s, ruleset, cfg, pc.path)


def _case_config(base: dict[str, Any], overrides: dict[str, Any] | None, cid: str) -> dict[str, Any]:
    """The run's config with a case's `config = {...}` applied (raises ConfigError naming the case)."""
    if not overrides:
        return base
    from guardrail.config import values_with

    return values_with(overrides, where=f"{cid}:config")


def run_rule_case(cid: str, pack: str, rule_id: str, case: Any, ruleset: Any, cfg: dict[str, Any],
                  source: str = "") -> CaseResult:
    from guardrail.service import decide_call

    kind, value = case.kind, case.value
    shown = value if not case.repeat else f"({getattr(case, kind)}) x {case.repeat}"
    res = CaseResult(id=cid, pack=pack, rule=rule_id, kind=kind, tool=case.tool, input=shown, status="ERROR",
                     source=source, note=case.note)
    if not any(r.id == rule_id for r in ruleset.rules):
        res.detail = f"rule {rule_id} is not in the loaded rule set"
        return res
    try:
        call = ToolCall(tool_name=case.tool, tool_input=case_tool_input(case.tool, value),
                        cwd=case.cwd or CASE_CWD, project_dir=CASE_CWD)
        verdict = decide_call(call, ruleset, case_context(case.cwd, case.files, _case_config(cfg, case.config, cid),
                                                               git=case.git),
                              only_rule=rule_id)
    except Exception as exc:  # a crashing matcher is reported, not raised: other cases still run
        res.detail = f"{type(exc).__name__}: {exc}"
        return res
    fired = [f for f in verdict.findings if f.rule_id == rule_id]
    res.decision = verdict.decision
    res.rule_ids = sorted({f.rule_id for f in verdict.findings})
    want_fire = kind in ("match", "todo_match")
    ok = bool(fired) == want_fire
    if kind.startswith("todo_"):
        res.status = "XPASS" if ok else "XFAIL"
    else:
        res.status = "PASS" if ok else "FAIL"
    if want_fire and not fired:
        res.detail = "expected the rule to fire; it did not"
    elif not want_fire and fired:
        res.detail = f"expected no finding; the rule fired on {fired[0].target or fired[0].command!r}"
    return res


def _intent_from_prompts(texts: list[str]) -> Any:
    from guardrail.intent.model import Prompt, extract_intent

    return extract_intent([Prompt(text=t, when=float(i), prompt_id=f"p{i}", source="cli") for i, t in enumerate(texts)])


def run_scenario(cid: str, pack: str, s: Any, ruleset: Any, cfg: dict[str, Any], pack_path: Path) -> CaseResult:
    from guardrail.service import decide_call

    res = CaseResult(id=cid, pack=pack, rule=None, kind="scenario", tool=s.tool, input=s.input, status="ERROR",
                     source=str(pack_path), note=s.note)
    prompts = list(s.prompts)
    if s.transcript:
        tpath = (pack_path.parent / s.transcript) if not Path(s.transcript).is_absolute() else Path(s.transcript)
        if not tpath.is_file():
            res.status, res.detail = "SKIP", f"transcript {tpath} not found"
            return res
        from guardrail.replay import prompts_from_transcript

        prompts = [p for p in prompts_from_transcript(tpath)] + prompts
    intent = None
    if prompts:
        try:
            intent = _intent_from_prompts(prompts)
        except ImportError:
            res.status, res.detail = "SKIP", "guardrail.intent is not available to read the prompts"
            return res
    try:
        from guardrail.intent.policy import is_non_interactive

        non_interactive = s.non_interactive or is_non_interactive(s.permission_mode, {})
    except ImportError:
        non_interactive = s.non_interactive
    try:
        call = ToolCall(tool_name=s.tool, tool_input=case_tool_input(s.tool, s.input), cwd=s.cwd or CASE_CWD,
                        project_dir=CASE_CWD, permission_mode=s.permission_mode or "")
        verdict = decide_call(call, ruleset, case_context(s.cwd, s.files, _case_config(cfg, s.config, cid), git=s.git),
                              intent=intent, non_interactive=non_interactive)
    except Exception as exc:
        res.detail = f"{type(exc).__name__}: {exc}"
        return res
    got = verdict.decision or "none"
    res.decision = verdict.decision
    res.rule_ids = sorted({f.rule_id for f in verdict.findings})
    problems = []
    if got != s.expect.decision:
        problems.append(f"expected decision {s.expect.decision}, got {got}")
    if s.expect.rules is not None:
        want = {r if "/" in r else f"{pack}/{r}" for r in s.expect.rules}
        if not want and res.rule_ids:
            problems.append(f"expected no findings, got {', '.join(res.rule_ids)}")
        missing = sorted(want - set(res.rule_ids))
        if missing:
            problems.append(f"expected rules {', '.join(missing)} among findings {res.rule_ids or '[]'}")
    if s.todo:
        res.kind = "todo_scenario"
        res.status = "XFAIL" if problems else "XPASS"
    else:
        res.status = "FAIL" if problems else "PASS"
    res.detail = "; ".join(problems) or (verdict.reason[:300] if verdict.reason else "")
    return res


def summarize(results: list[CaseResult]) -> dict[str, int]:
    counts = {s: 0 for s in STATUSES}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    counts["total"] = len(results)
    return counts
