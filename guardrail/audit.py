"""The audit trail: one JSON line per tool call (PreToolUse, with its decision or none) and one per outcome
(PostToolUse/PostToolUseFailure, linked by tool_use_id), appended safely by many hook processes at once.

Hot path: this module imports only os, json and time (redaction compiles its patterns on the first
record). Every write is a single `os.write` of a complete line on an `O_APPEND` descriptor, so
concurrent hooks never interleave or split lines; nothing here raises into the hook: failures come
back as an error string the caller can surface in its decision.

Record (schema 1), keys in this order so a reader can resynchronise on `{"schema":`:
  schema, time, session_id, tool_use_id, event, tool, input, decision, rule_ids, reason, cwd,
  guardrail_version, eval_ms, [mode, agent_id, intent, error, outcome, explanation]
"""

from __future__ import annotations

import json
import os
import time
TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs the hook a few ms
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from pathlib import Path
    from typing import Any

SCHEMA = 1
MAX_LINE_BYTES = 64 * 1024  # a line above this has its input cut down, never split
MAX_STRING = 4096  # longest string kept in a record before truncation
_REDACT_MARGIN = 1024  # extra text redacted past the cut, so a secret on the boundary is never half-kept
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # rotate above this size (config `audit_max_bytes`; 0 = never)
DEFAULT_KEEP = 5  # rotated files kept: audit.jsonl.1 .. audit.jsonl.5 (config `audit_keep`)
_RESYNC = b'{"schema":'


def default_audit_file(env: Mapping[str, str] = os.environ) -> str:
    """GUARDRAIL_AUDIT_LOG > $CLAUDE_PLUGIN_DATA/audit.jsonl > $XDG_STATE_HOME/guardrail/audit.jsonl
    > ~/.local/state/guardrail/audit.jsonl. A str: the hook path avoids importing pathlib for it."""
    explicit = env.get("GUARDRAIL_AUDIT_LOG")
    if explicit:
        return os.path.expanduser(explicit)
    plugin_data = env.get("CLAUDE_PLUGIN_DATA")
    if plugin_data:
        return os.path.join(plugin_data, "audit.jsonl")
    xdg = env.get("XDG_STATE_HOME")
    if xdg and os.path.isabs(xdg):
        return os.path.join(xdg, "guardrail", "audit.jsonl")
    home = env.get("HOME") or os.path.expanduser("~")
    return os.path.join(home, ".local", "state", "guardrail", "audit.jsonl")


def default_audit_path(env: Mapping[str, str] = os.environ) -> Path:
    from pathlib import Path

    return Path(default_audit_file(env))


def _now_iso(t: float) -> str:
    ms = int(t * 1000) % 1000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{ms:03d}Z"


def _version() -> str:
    try:
        from guardrail import __version__

        return str(__version__)
    except Exception:  # a broken install must not cost the record
        return "unknown"


# Substrings without which no redaction pattern can match and no key is sensitive: guardrail.redact's pattern hints
# (a hint holding another one is left out). Text with none of them is kept as is without importing redaction, which
# is most of what a benign call's record holds (ids, paths, `ls -la`). tests/test_audit.py keeps this in step.
REDACT_HINTS = (
    "-u", "://", "_live_", "_test_", "_v1_", "abia", "acca", "aiza", "akia", "asia", "authorization", "aws", "bcp",
    "bearer", "buildah", "cookie", "crane", "cred", "docker", "eyj", "gh", "github_pat_", "gl", "helm", "hf_",
    "hooks.slack.com", "hvb.", "hvr.", "hvs.", "key", "ls0tls1crudjti", "machine", "mariadb", "mongo", "mysql",
    "nerdctl", "npm_", "oras", "pass", "podman", "pwd", "pypi-", "redis-cli", "secret", "sg.", "sig", "sk-", "skopeo",
    "sqlcmd", "token", "whsec_", "xox", "ya29.",
)


def may_hold_secret(s: str) -> bool:
    """False when redaction could not change `s` (it holds none of REDACT_HINTS)."""
    low = s.lower()
    return any(h in low for h in REDACT_HINTS)


def _clip(s: str, limit: int) -> str:
    """Redact, then cut to `limit` characters with a marker saying how much was dropped.

    Only `limit + margin` characters are redacted (cost stays flat for huge inputs), and the margin
    is dropped afterwards, so a token cut in half at the boundary never reaches the log.
    """
    if len(s) <= limit:
        if len(s) < 8 or not may_hold_secret(s):
            return s
        from guardrail.redact import redact_text

        return redact_text(s)
    from guardrail.redact import redact_text

    head = redact_text(s[: limit + _REDACT_MARGIN])
    head = head[: max(0, min(limit, len(head) - _REDACT_MARGIN))]
    return f"{head}…[truncated {len(s) - len(head)} chars]"


def _scrub(obj: Any, limit: int, depth: int = 0) -> Any:
    """Redact and truncate every string in a JSON-like value (the shape stays JSON-serialisable)."""
    if isinstance(obj, str):
        return _clip(obj, limit)
    if isinstance(obj, float) and (obj != obj or obj in (float("inf"), float("-inf"))):
        return str(obj)  # NaN/Infinity are not JSON: jq and other readers would reject the line
    if obj is None or isinstance(obj, (bool, int, float)):
        return obj
    if depth >= 32:
        return "[TRUNCATED:depth]"
    if isinstance(obj, dict):
        out: dict[str, Any] = {}
        for i, (k, v) in enumerate(obj.items()):
            if i >= 200:
                out["…"] = f"[truncated {len(obj) - i} keys]"
                break
            key = _clip(k if isinstance(k, str) else str(k), 200)
            if isinstance(k, str) and may_hold_secret(k):  # every sensitive key name holds a hint
                from guardrail.redact import MARK, is_secret_item

                if is_secret_item(k, v):
                    out[key] = MARK.format("secret")
                    continue
            out[key] = _scrub(v, limit, depth + 1)
        return out
    if isinstance(obj, (list, tuple)):
        items = [_scrub(v, limit, depth + 1) for v in obj[:200]]
        if len(obj) > 200:
            items.append(f"[truncated {len(obj) - 200} items]")
        return items
    return _clip(repr(obj), limit)


def _str_or_none(v: Any, limit: int = 200) -> str | None:
    if v is None:
        return None
    return _clip(v if isinstance(v, str) else str(v), limit)


def make_record(
    *,
    event: str,
    payload: dict,
    decision: str | None,
    rule_ids: list[str],
    reason: str,
    elapsed_ms: float,
    intent: dict | None = None,
    error: str | None = None,
    outcome: dict | None = None,
    explanation: str | None = None,
) -> dict:
    """A schema-1 audit record for one hook event; secrets redacted, long strings truncated.

    `payload` is the hook's stdin object as parsed; it may be malformed (fail-closed paths log too),
    so every field is read defensively and this never raises on odd types.
    """
    p = payload if isinstance(payload, dict) else {}
    rec: dict[str, Any] = {
        "schema": SCHEMA,
        "time": _now_iso(time.time()),
        "session_id": _str_or_none(p.get("session_id")),
        "tool_use_id": _str_or_none(p.get("tool_use_id")),
        "event": _str_or_none(event, 64),
        "tool": _str_or_none(p.get("tool_name")),
        "input": _scrub(p.get("tool_input"), MAX_STRING) if "tool_input" in p else None,
        "decision": decision,
        "rule_ids": [_clip(str(r), 200) for r in (rule_ids or [])][:100],
        "reason": _clip(reason or "", MAX_STRING),
        "cwd": _str_or_none(p.get("cwd"), 1024),
        "guardrail_version": _version(),
        "eval_ms": round(float(elapsed_ms), 3) if isinstance(elapsed_ms, (int, float)) and elapsed_ms == elapsed_ms else None,
    }
    if p.get("permission_mode") is not None:
        rec["mode"] = _str_or_none(p.get("permission_mode"), 64)
    if p.get("agent_id") is not None:
        rec["agent_id"] = _str_or_none(p.get("agent_id"))
    if not isinstance(payload, dict):
        rec["payload_type"] = type(payload).__name__
    if intent is not None:
        rec["intent"] = _scrub(intent, 1024)
    if error is not None:
        rec["error"] = _clip(str(error), MAX_STRING)
    if outcome is not None:
        rec["outcome"] = _scrub(outcome, 1024)
    if explanation and explanation != reason:
        rec["explanation"] = _clip(explanation, MAX_STRING)  # the whole story; `reason` is what Claude saw
    return rec


def outcome_from_payload(payload: dict) -> dict:
    """A small, secret-free summary of a PostToolUse / PostToolUseFailure payload.

    Tool output is not logged (it may hold file contents); only sizes, flags and a redacted head of
    stderr or the error text.
    """
    p = payload if isinstance(payload, dict) else {}
    out: dict[str, Any] = {}
    if p.get("hook_event_name") == "PostToolUseFailure" or "error" in p:
        out["ok"] = False
        out["error"] = _clip(str(p.get("error", "")), 500)
        if p.get("is_interrupt") is not None:
            out["interrupted"] = bool(p.get("is_interrupt"))
    else:
        out["ok"] = True
        resp = p.get("tool_response")
        if isinstance(resp, dict):
            for k in ("stdout", "stderr", "content"):
                v = resp.get(k)
                if isinstance(v, str):
                    out[f"{k}_bytes"] = len(v.encode("utf-8", "surrogatepass"))
            if isinstance(resp.get("stderr"), str) and resp["stderr"]:
                out["stderr_head"] = _clip(resp["stderr"], 300)
            if resp.get("interrupted"):
                out["interrupted"] = True
            if isinstance(resp.get("type"), str):
                out["type"] = resp["type"][:32]
    if isinstance(p.get("duration_ms"), (int, float)):
        out["duration_ms"] = p["duration_ms"]
    return out


def _encode(record: dict) -> bytes:
    return (json.dumps(record, ensure_ascii=True, separators=(",", ":"), default=str) + "\n").encode("ascii")


def encode_line(record: dict, max_bytes: int = MAX_LINE_BYTES) -> bytes:
    """One complete JSONL line no longer than `max_bytes`: big fields shrink, the line never splits."""
    line = _encode(record)
    if len(line) <= max_bytes:
        return line
    rec = dict(record)
    rec["truncated"] = True
    for limit in (512, 64):
        for key in ("input", "intent", "outcome"):
            if rec.get(key) is not None:
                rec[key] = _scrub(rec[key], limit)
        for key in ("reason", "error", "explanation"):
            if isinstance(rec.get(key), str) and len(rec[key]) > limit:
                rec[key] = rec[key][:limit] + "…[truncated]"
        line = _encode(rec)
        if len(line) <= max_bytes:
            return line
    for key in ("input", "intent", "outcome"):
        if rec.get(key) is not None:
            rec[key] = f"[dropped: {len(_encode({key: record.get(key)}))} bytes]"
    line = _encode(rec)
    if len(line) <= max_bytes:
        return line
    keep = ("schema", "time", "session_id", "tool_use_id", "event", "tool", "decision", "guardrail_version")
    return _encode({k: (str(rec.get(k))[:128] if isinstance(rec.get(k), str) else rec.get(k)) for k in keep} | {"truncated": True})


def _describe(e: OSError, path: Any) -> str:
    import errno

    name = errno.errorcode.get(e.errno or 0, "")
    return f"audit log {path}: {e.strerror or e}{f' ({name})' if name else ''}"


def append_record(
    record: dict,
    path: Path | str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    keep: int = DEFAULT_KEEP,
) -> str | None:
    """Append one record as one line; return None on success or an error text. Never raises.

    One `os.write` on an O_APPEND descriptor: the kernel positions and writes the whole line under the
    inode lock, so lines from parallel hooks never interleave. A short write (disk full mid-line) is
    reported and the line terminated, so the next record starts on a line of its own.
    """
    try:
        p = os.fspath(path) if path is not None else default_audit_file()
        line = encode_line(record)
    except Exception as e:  # noqa: BLE001 - the hook must get a decision whatever happens here
        return f"audit record could not be encoded: {type(e).__name__}: {e}"
    try:
        fd = _open_append(p)
    except OSError as e:
        return _describe(e, p)
    try:
        try:
            n = os.write(fd, line)
        except OSError as e:
            return _describe(e, p)
        if n != len(line):
            try:
                os.write(fd, b"\n")
            except OSError:
                pass
            return f"audit log {p}: short write ({n} of {len(line)} bytes; disk full?)"
        if max_bytes > 0:
            try:
                if os.fstat(fd).st_size >= max_bytes:
                    _rotate(p, fd, max_bytes, keep)
            except OSError:
                pass  # rotation is housekeeping: the record is already written
        return None
    finally:
        os.close(fd)


def _open_append(p: str) -> int:
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(p, flags, 0o600)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(p) or ".", mode=0o700, exist_ok=True)
        return os.open(p, flags, 0o600)


def rotated_paths(path: Path | str, keep: int | None = None) -> list[str]:
    """Existing rotated files, oldest first (`audit.jsonl.5` .. `audit.jsonl.1`); `keep` caps the count."""
    p = os.fspath(path)
    d, base = os.path.split(p)
    prefix = base + "."
    found: list[tuple[int, str]] = []
    try:
        names = os.listdir(d or ".")
    except OSError:
        return []
    for name in names:
        if name.startswith(prefix) and name[len(prefix) :].isdigit():
            found.append((int(name[len(prefix) :]), os.path.join(d, name)))
    found.sort(reverse=True)
    if keep is not None:
        found = found[-keep:] if keep > 0 else []
    return [f for _, f in found]


def _rotate(p: str, fd: int, max_bytes: int, keep: int) -> None:
    """Shift audit.jsonl -> .1 -> .2 ... under an flock, by whichever process gets the lock first.

    Writers that opened the old file before the rename keep appending to it (now `.1`), which is
    still kept; everyone opening afterwards gets a fresh file. Nothing is lost, nothing is copied.
    """
    import fcntl  # only when a rotation is due

    lock_fd = os.open(p + ".lock", os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return  # another process is rotating right now
        try:
            st = os.stat(p)
        except FileNotFoundError:
            return
        mine = os.fstat(fd)
        if (st.st_ino, st.st_dev) != (mine.st_ino, mine.st_dev) or st.st_size < max_bytes:
            return  # already rotated by someone else
        keep = max(1, keep)
        try:
            os.unlink(f"{p}.{keep}")
        except FileNotFoundError:
            pass
        for i in range(keep - 1, 0, -1):
            try:
                os.rename(f"{p}.{i}", f"{p}.{i + 1}")
            except FileNotFoundError:
                pass
        os.rename(p, f"{p}.1")
    finally:
        os.close(lock_fd)


def iter_records(path: Path | str) -> Iterator[dict]:
    """Records in file order. Torn or corrupt lines are skipped; a good record glued after a torn
    fragment (a crash or disk-full mid-line) is recovered from its `{"schema":` start."""
    try:
        f = open(os.fspath(path), "rb")
    except OSError:
        return
    with f:
        for raw in f:
            rec = _parse_line(raw)
            if rec is not None:
                yield rec


def iter_all_records(path: Path | str, keep: int | None = None) -> Iterator[dict]:
    """Records from rotated files (oldest first) and then the live file."""
    for p in rotated_paths(path, keep):
        yield from iter_records(p)
    yield from iter_records(path)


def _parse_line(raw: bytes) -> dict | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        obj = json.loads(raw)
    except ValueError:
        obj = None
        i = raw.rfind(_RESYNC)  # ensure_ascii JSON escapes quotes in strings, so this only starts a record
        if i > 0:
            try:
                obj = json.loads(raw[i:])
            except ValueError:
                return None
    return obj if isinstance(obj, dict) else None
