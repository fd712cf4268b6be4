"""Replay Claude Code transcripts: what would guardrail have decided at each tool call?

Lines are walked in order. Human prompts (as `guardrail.intent.transcript.human_prompt_text`
judges them) accumulate into the intent known at that point; every assistant `tool_use` block
(deduplicated by id: Claude Code writes one message over several lines) is evaluated with that
intent, the cwd the line records and the session's permission mode. One record per tool_use.
Replay never reads the files a session touched: `read_file` sees nothing, so checks that need
file content judge only what the call itself says.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from guardrail.model import ToolCall


_HOME = re.compile(r"^(/home/[^/]+|/Users/[^/]+|/root)(/|$)")


def _human_prompt_text(obj: Any) -> str | None:
    try:
        from guardrail.intent.transcript import human_prompt_text
    except ImportError:  # TODO(intent): drop this fallback once guardrail.intent ships everywhere
        return _fallback_prompt_text(obj)
    return human_prompt_text(obj)


def _fallback_prompt_text(obj: Any) -> str | None:
    """A conservative stand-in: plain-text user lines that are not meta, sidechain or tool results."""
    if not isinstance(obj, dict) or obj.get("type") != "user" or obj.get("isSidechain") or obj.get("isMeta"):
        return None
    content = (obj.get("message") or {}).get("content") if isinstance(obj.get("message"), dict) else None
    if isinstance(content, list):
        if any(isinstance(b, dict) and b.get("type") == "tool_result" for b in content):
            return None
        content = "\n".join(b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text")
    if not isinstance(content, str) or not content.strip() or content.lstrip().startswith("<"):
        return None
    return content.strip()


def _intent(prompts: list[str]) -> Any:
    if not prompts:
        return None
    try:
        from guardrail.intent.model import Prompt, extract_intent
    except ImportError:  # TODO(intent): without the intent model replay decides as if nothing was asked
        return None
    return extract_intent([Prompt(text=t, when=float(i), prompt_id=None, source="transcript")
                           for i, t in enumerate(prompts)])


def _non_interactive(mode: str, entrypoint: str) -> bool:
    """As the hook would have judged it: the line's entrypoint ("sdk-cli" = `claude -p`) stands in
    for CLAUDE_CODE_ENTRYPOINT; the replaying machine's own environment is not the session's."""
    try:
        from guardrail.intent.policy import is_non_interactive
    except ImportError:
        return mode == "dontAsk" or entrypoint.startswith("sdk-")
    return bool(is_non_interactive(mode or None, {"CLAUDE_CODE_ENTRYPOINT": entrypoint} if entrypoint else {}))


# Per file: line numbers that were not JSON (a torn last line, garbage). Reported, never fatal.
SKIPPED: dict[str, list[int]] = {}


def iter_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed object) for each JSON line; undecodable lines are skipped and noted in SKIPPED."""
    bad = SKIPPED.setdefault(str(path), [])
    bad.clear()
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            raw = raw.strip()
            if not raw:
                continue
            try:
                yield n, json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                bad.append(n)


def prompts_from_transcript(path: Path) -> list[str]:
    """Every human prompt in a transcript, in order."""
    return [t for _, obj in iter_lines(path) if (t := _human_prompt_text(obj)) is not None]


def summarize_input(tool: str, ti: Any) -> str:
    if not isinstance(ti, dict):
        return str(ti)[:160]
    for key in ("command", "file_path", "notebook_path", "url", "pattern", "path", "description", "prompt"):
        if isinstance(ti.get(key), str):
            return ti[key].replace("\n", "\\n")[:160]
    return json.dumps(ti, ensure_ascii=False, sort_keys=True)[:160]


@dataclass(slots=True)
class ReplayRecord:
    file: str
    line: int
    tool_use_id: str
    tool: str
    input: str  # short summary of tool_input
    decision: str  # "allow" | "deny" | "ask" | "none"
    rule_ids: list[str] = field(default_factory=list)
    reason: str = ""
    prompts: int = 0  # human prompts known at this point
    sidechain: bool = False
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}  # type: ignore[attr-defined]


def replay_file(path: Path, ruleset: Any, *, config: dict[str, Any] | None = None,
                display_name: str | None = None) -> list[ReplayRecord]:
    """One record per distinct tool_use in the transcript. Per-call failures become `error` records."""
    from guardrail import service

    name = display_name or str(path)
    prompts: list[str] = []
    intent: Any = None
    intent_for = -1
    seen: set[str] = set()
    mode = ""
    entrypoint = ""
    project_dir = ""
    out: list[ReplayRecord] = []
    for n, obj in iter_lines(path):
        if not isinstance(obj, dict):
            continue
        if isinstance(obj.get("permissionMode"), str):
            mode = obj["permissionMode"]
        if isinstance(obj.get("entrypoint"), str):
            entrypoint = obj["entrypoint"]
        text = _human_prompt_text(obj)
        if text is not None:
            prompts.append(text)
            continue
        if obj.get("type") != "assistant" or not isinstance(obj.get("message"), dict):
            continue
        content = obj["message"].get("content")
        if not isinstance(content, list):
            continue
        cwd = obj.get("cwd") if isinstance(obj.get("cwd"), str) else ""
        project_dir = project_dir or cwd
        for block in content:
            if not isinstance(block, dict) or block.get("type") != "tool_use":
                continue
            tid = str(block.get("id") or f"line{n}")
            if tid in seen:
                continue
            seen.add(tid)
            tool = str(block.get("name") or "")
            ti = block.get("input") if isinstance(block.get("input"), dict) else {}
            rec = ReplayRecord(file=name, line=n, tool_use_id=tid, tool=tool, input=summarize_input(tool, ti),
                               decision="none", prompts=len(prompts), sidechain=bool(obj.get("isSidechain")))
            try:
                if intent_for != len(prompts):
                    intent, intent_for = _intent(prompts), len(prompts)
                home = _HOME.match(cwd)
                call = ToolCall(tool_name=tool, tool_input=ti, cwd=cwd, session_id=str(obj.get("sessionId") or ""),
                                tool_use_id=tid, permission_mode=mode, project_dir=project_dir)
                # the session's files are not on this machine: checks see none
                ctx = service.context_for(call, dict(config or {}), {"HOME": home.group(1) if home else ""},
                                          read_file=lambda _p: None)
                v = service.decide_call(call, ruleset, ctx, intent=intent,
                                        non_interactive=_non_interactive(mode, entrypoint))
                rec.decision = v.decision or "none"
                rec.rule_ids = sorted(set(v.rule_ids))
                rec.reason = v.reason
            except Exception as exc:  # reported per call so one bad call does not hide the rest
                rec.decision, rec.error = "error", f"{type(exc).__name__}: {exc}"
            out.append(rec)
    return out


def summarize(records: list[ReplayRecord], files: int) -> dict[str, Any]:
    decisions = Counter(r.decision for r in records)
    rules = Counter(rid for r in records for rid in r.rule_ids)
    return {
        "files": files,
        "tool_uses": len(records),
        "decisions": {k: decisions.get(k, 0) for k in ("deny", "ask", "allow", "none", "error")},
        "rules": dict(sorted(rules.items())),
        "errors": sum(1 for r in records if r.error),
    }


def replay_paths(paths: list[Path], ruleset: Any, *, config: dict[str, Any] | None = None,
                 base: Path | None = None, progress: Any = None) -> dict[str, Any]:
    """The `{"results": [...], "summary": {...}}` document for these transcripts.

    `base` makes file names relative (stable golden output); `progress(path)` is called per file.
    """
    records: list[ReplayRecord] = []
    problems: list[str] = []
    for p in paths:
        shown = str(p.relative_to(base)) if base is not None and p.is_relative_to(base) else str(p)
        try:
            records.extend(replay_file(p, ruleset, config=config, display_name=shown))
        except OSError as exc:
            problems.append(f"{shown}: cannot read transcript: {exc.strerror or exc}")
        bad = SKIPPED.get(str(p)) or []
        if bad:
            lines = ", ".join(map(str, bad[:5])) + (" ..." if len(bad) > 5 else "")
            problems.append(f"{shown}: {len(bad)} line(s) are not JSON and were skipped (line {lines})")
        if progress is not None:
            progress(p)
    summary = summarize(records, len(paths))
    summary["problems"] = problems
    return {"results": [r.to_dict() for r in records], "summary": summary}


def expand_transcripts(paths: list[Path]) -> list[Path]:
    """Files as given; directories contribute their *.jsonl files recursively, sorted."""
    out: list[Path] = []
    for p in paths:
        out.extend(sorted(p.rglob("*.jsonl")) if p.is_dir() else [p])
    return out


def compare_expected(doc: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """Differences between replay output and a golden document (keyed by file name + tool_use_id)."""
    def key(r: dict[str, Any]) -> tuple[str, str]:
        return (Path(str(r.get("file", ""))).name, str(r.get("tool_use_id", "")))

    want = {key(r): r for r in expected.get("results", []) if isinstance(r, dict)}
    got = {key(r): r for r in doc.get("results", [])}
    diffs = []
    for k, r in got.items():
        e = want.get(k)
        if e is None:
            diffs.append(f"{k[0]} {k[1]}: not in the expected file (got {r['decision']})")
            continue
        if e.get("decision") != r["decision"]:
            diffs.append(f"{k[0]} {k[1]} ({r['input'][:60]}): expected {e.get('decision')}, got {r['decision']}")
        elif "rule_ids" in e and sorted(e["rule_ids"]) != sorted(r["rule_ids"]):
            diffs.append(f"{k[0]} {k[1]}: expected rules {sorted(e['rule_ids'])}, got {sorted(r['rule_ids'])}")
    replayed_files = {k[0] for k in got}
    for k in want:
        if k not in got and k[0] in replayed_files:
            diffs.append(f"{k[0]} {k[1]}: expected a tool_use that the replay did not produce")
    return diffs
