"""Per-session store of human prompts, written at UserPromptSubmit and read on the PreToolUse hot path.

The transcript lags (claude-code-hooks.md section 7), so each prompt is stored when the human submits it and
the transcript tail fills in what the store missed (older CLIs, a hook that did not run). One JSON line per
prompt, appended with a single O_APPEND write so concurrent hooks never interleave or tear earlier lines.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

from guardrail.intent.model import Intent, Prompt, extract_intent
from guardrail.intent.transcript import prompt_text, prompts_from_lines, read_tail_lines, tail_prompts

STORE_TAIL_BYTES = 512_000
# With prompts in the store, the transcript only has to supply what the store missed: the current prompt while
# the UserPromptSubmit hook's write races the tool call, or prompts from before the plugin was installed.
TRANSCRIPT_TAIL_WITH_STORE = 256_000
TRANSCRIPT_TAIL_ALONE = 1_000_000  # fallback when the store is empty (plugin just installed, state dir unwritable)
MAX_STORED_CHARS = 8000
_SAFE = re.compile(r"[^A-Za-z0-9_-]")


def state_dir_path(env: Mapping[str, str] = os.environ) -> str:
    """GUARDRAIL_STATE_DIR > $CLAUDE_PLUGIN_DATA/state > $XDG_STATE_HOME/guardrail > ~/.local/state/guardrail.

    A str: the hook path avoids importing pathlib (urllib, ipaddress) for it."""
    if env.get("GUARDRAIL_STATE_DIR"):
        return env["GUARDRAIL_STATE_DIR"]
    if env.get("CLAUDE_PLUGIN_DATA"):
        return os.path.join(env["CLAUDE_PLUGIN_DATA"], "state")
    if env.get("XDG_STATE_HOME"):
        return os.path.join(env["XDG_STATE_HOME"], "guardrail")
    home = env.get("HOME") or os.path.expanduser("~")
    return os.path.join(home, ".local", "state", "guardrail")


def state_dir(env: Mapping[str, str] = os.environ) -> Path:
    from pathlib import Path

    return Path(state_dir_path(env))


def session_file_path(session_id: str, env: Mapping[str, str] = os.environ) -> str:
    """prompts-<id>.jsonl; ids outside [A-Za-z0-9_-] are hashed so no id can name a path elsewhere."""
    if session_id and not _SAFE.search(session_id) and len(session_id) <= 128:
        sid = session_id
    else:
        import hashlib  # only for odd ids: OpenSSL's initialisation is a noticeable share of a hook call

        sid = "h" + hashlib.sha256(session_id.encode("utf-8", "replace")).hexdigest()[:32]
    return os.path.join(state_dir_path(env), "sessions", f"prompts-{sid}.jsonl")


def session_file(session_id: str, env: Mapping[str, str] = os.environ) -> Path:
    from pathlib import Path

    return Path(session_file_path(session_id, env))


# Used only if guardrail.redact fails: long mixed letter+digit tokens (keys, tokens, passwords) are dropped.
_FALLBACK_SECRET = re.compile(r"(?=[A-Za-z0-9_+/=-]{20,})(?=\S*[A-Za-z])(?=\S*\d)[A-Za-z0-9_+/=-]{20,}")


def _redact(text: str) -> str:
    """Prompts are stored redacted; a failing redactor degrades to a blunt one, never to plain text."""
    try:
        from guardrail.redact import redact_text

        return redact_text(text)
    except Exception:  # noqa: BLE001
        return _FALLBACK_SECRET.sub("[REDACTED]", text)


def record_prompt(session_id: str, prompt_id: str | None, text: str, when: float | None = None, *,
                  env: Mapping[str, str] = os.environ) -> None:
    """Append one human prompt to the session's store. Ignores text no human typed (task notifications...)."""
    if not session_id or not isinstance(text, str):
        return
    clean = prompt_text(text)
    if clean is None:
        return
    record = {"v": 1, "prompt_id": prompt_id if isinstance(prompt_id, str) else None,
              "when": float(when) if when is not None else time.time(),
              "text": _redact(clean[:MAX_STORED_CHARS])}
    path = session_file_path(session_id, env)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)  # one write per record: O_APPEND keeps concurrent writers whole
    finally:
        os.close(fd)


def stored_prompts(session_id: str, env: Mapping[str, str] = os.environ) -> list[Prompt]:
    """Prompts recorded for the session (bounded tail of the store), oldest first."""
    out: list[Prompt] = []
    for raw in read_tail_lines(session_file_path(session_id, env), STORE_TAIL_BYTES):
        try:
            rec = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            continue
        if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
            continue
        when = rec.get("when")
        pid = rec.get("prompt_id")
        out.append(Prompt(rec["text"], float(when) if isinstance(when, (int, float)) else 0.0,
                          pid if isinstance(pid, str) else None, "hook"))
    return out


def _key(text: str) -> str:
    return " ".join(text.split()).lower()


def merge_prompts(stored: list[Prompt], from_transcript: list[Prompt]) -> list[Prompt]:
    """One list, oldest first. A shared prompt_id is one prompt (the store's copy wins); a prompt lacking an id
    is the same prompt as one with equal text recorded within two minutes."""
    ids: set[str] = set()
    by_text: dict[str, list[Prompt]] = {}
    merged: list[Prompt] = []
    for p in stored + from_transcript:
        if p.prompt_id and p.prompt_id in ids:
            continue
        k = _key(p.text)
        if any(abs(q.when - p.when) < 120 and not (p.prompt_id and q.prompt_id) for q in by_text.get(k, ())):
            continue
        if p.prompt_id:
            ids.add(p.prompt_id)
        by_text.setdefault(k, []).append(p)
        merged.append(p)
    merged.sort(key=lambda p: p.when)  # stable: equal times keep store-then-transcript order
    return merged


def load_intent(session_id: str, transcript_path: str | None, *, env: Mapping[str, str] = os.environ) -> Intent:
    """The session's intent from stored prompts plus the transcript tail. Never raises (empty Intent)."""
    try:
        stored = stored_prompts(session_id, env) if session_id else []
        window = TRANSCRIPT_TAIL_WITH_STORE if stored else TRANSCRIPT_TAIL_ALONE
        tail = tail_prompts(transcript_path, max_bytes=window) if transcript_path else []
        return extract_intent(merge_prompts(stored, tail))
    except Exception:  # noqa: BLE001 - intent must never break a hook; no intent = no relaxation
        return Intent()


__all__ = ["state_dir", "session_file", "record_prompt", "stored_prompts", "merge_prompts", "load_intent",
           "prompts_from_lines"]
