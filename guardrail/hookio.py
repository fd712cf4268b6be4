"""Hook I/O: the only module that knows Claude Code's hook wire format.

One process per hook call: a JSON payload on stdin, at most one JSON object on stdout, exit 0 always.
Everything that can go wrong becomes a deliberate answer (PreToolUse: deny by default) plus an audit
record; nothing here may raise, print a traceback or exit non-zero, because Claude Code treats those as
"no opinion" and runs the call (fail open). See ../shared/reference/claude-code-hooks.md sections 3-6.

Imports stay lazy: this module is on the hot path of every tool call.
"""

from __future__ import annotations

import json
import os
import sys
import time
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Mapping


EVENTS = {
    "pre-tool-use": "PreToolUse",
    "post-tool-use": "PostToolUse",
    "post-tool-use-failure": "PostToolUseFailure",
    "user-prompt-submit": "UserPromptSubmit",
    "session-start": "SessionStart",
    "pre-skill-shell-command": "PreSkillShellCommand",  # Claude Code >= 2.1.337
}
# Events that decide whether something runs: answered with a permissionDecision, failing closed.
DECIDING = ("PreToolUse", "PreSkillShellCommand")
SKILL_SHELLS = ("Bash", "PowerShell")  # the tools that run a skill's inline shell commands (2.1.337 schema)
MAX_STDIN_BYTES = 8 * 1024 * 1024  # far above any real payload; beyond it we refuse rather than parse
MAX_REASON_CHARS = 2000  # Claude Code caps hook stdout at 10,000 characters and stores it in the transcript
MAX_FAILURE_REASON = 400  # a failure's cause names a file and field: a little more room than decide.MAX_REASON

SESSION_NOTE = (
    "guardrail is active: destructive operations (deleting data or files, resetting databases or git state, "
    "destroying infrastructure) run only when the user has explicitly asked for them in this session. If one "
    "is blocked, do not look for a workaround: tell the user what you wanted to run and why."
)


class PayloadError(ValueError):
    """The hook payload is not what Claude Code sends; the message says which field and how to fix it."""


def main(argv: list[str] | None = None) -> None:
    """Entry point for the launcher and `guardrail hook EVENT`. Never returns normally: exits 0."""
    args = sys.argv[1:] if argv is None else argv
    event = args[0] if args else ""
    try:
        raw = sys.stdin.buffer.read(MAX_STDIN_BYTES + 1)
    except BaseException as exc:  # noqa: BLE001 - a broken stdin must still produce a decision
        raw = b""
        out = handle(event, None, os.environ, read_error=f"could not read stdin: {exc!r}")
    else:
        out = handle(event, raw, os.environ)
    if out:
        try:
            sys.stdout.write(out + "\n")
            sys.stdout.flush()
        except BaseException:  # noqa: BLE001 - nothing left to tell anyone; exit 0 regardless
            pass
    os._exit(0)  # skip interpreter teardown: nothing to flush, and it costs milliseconds per call


def handle(event: str, raw: bytes | None, env: Mapping[str, str], *, read_error: str | None = None) -> str | None:
    """Answer one hook call: the text to print (one JSON object) or None for no opinion. Never raises."""
    started = time.perf_counter()
    hook_event = EVENTS.get(event)
    payload: dict[str, Any] = {}
    try:
        if hook_event is None:
            raise PayloadError(
                f"unknown hook event {event!r}; the launcher must be called with one of: {', '.join(EVENTS)}")
        if read_error:
            raise PayloadError(read_error)
        payload = parse_payload(raw or b"", hook_event)
        payload.setdefault("hook_event_name", hook_event)  # the audit record's event, when a sender omits it
        if hook_event in DECIDING:
            return _pre_tool_use(payload, hook_event, env, started)
        if hook_event in ("PostToolUse", "PostToolUseFailure"):
            _post_tool_use(payload, hook_event, env, started)
            return None
        if hook_event == "UserPromptSubmit":
            _user_prompt_submit(payload, env)
            return None
        return _session_start(payload, env)
    except BaseException as exc:  # noqa: BLE001 - the contract: every failure becomes a deliberate answer
        return _failure(event, hook_event, payload, exc, env, started)


# --------------------------------------------------------------------------- payload


def parse_payload(raw: bytes, hook_event: str) -> dict[str, Any]:
    """Decode and type-check the fields guardrail relies on; unknown fields are ignored."""
    if len(raw) > MAX_STDIN_BYTES:
        raise PayloadError(f"hook payload is larger than {MAX_STDIN_BYTES} bytes; refusing to parse it")
    if not raw.strip():
        raise PayloadError("hook payload on stdin is empty; Claude Code sends one JSON object per call")
    try:
        payload = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PayloadError(f"hook payload is not valid JSON ({exc}); it may have been truncated") from None
    if not isinstance(payload, dict):
        raise PayloadError(f"hook payload must be a JSON object, got {type(payload).__name__}")
    got = payload.get("hook_event_name")
    if got is not None and got != hook_event:
        raise PayloadError(f"hook_event_name is {got!r} but this hook was registered for {hook_event}")
    for key in ("session_id", "transcript_path", "cwd", "permission_mode", "tool_use_id", "prompt_id"):
        value = payload.get(key)
        if value is not None and not isinstance(value, str):
            raise PayloadError(f"field {key!r} must be a string, got {type(value).__name__}")
    if hook_event in ("PreToolUse", "PostToolUse", "PostToolUseFailure", "PreSkillShellCommand"):
        if not isinstance(payload.get("tool_name"), str) or not payload["tool_name"]:
            raise PayloadError("field 'tool_name' is missing or not a non-empty string")
        if not isinstance(payload.get("tool_input"), dict):
            raise PayloadError("field 'tool_input' is missing or not a JSON object")
        if payload["tool_name"] in ("Bash", "PowerShell") and not isinstance(payload["tool_input"].get("command"), str):
            raise PayloadError(f"field 'tool_input.command' of a {payload['tool_name']} call is missing or not a string")
        _check_file_tool_input(payload["tool_name"], payload["tool_input"])
    if hook_event == "PreSkillShellCommand":
        _check_skill_shell_command(payload)
    if hook_event == "UserPromptSubmit" and not isinstance(payload.get("prompt"), str):
        raise PayloadError("field 'prompt' is missing or not a string")
    return payload


# Fields the engine reads from file-editing tools, and their types (claude-code-hooks.md section 8).
_FILE_TOOL_FIELDS = {
    "Write": (("file_path", str), ("content", str)),
    "Edit": (("file_path", str), ("old_string", str), ("new_string", str)),
    "MultiEdit": (("file_path", str), ("edits", list)),
    "NotebookEdit": (("notebook_path", str),),
}


def _check_file_tool_input(tool: str, tool_input: dict[str, Any]) -> None:
    for field, kind in _FILE_TOOL_FIELDS.get(tool, ()):
        value = tool_input.get(field)
        if value is not None and not isinstance(value, kind):
            raise PayloadError(f"field 'tool_input.{field}' of a {tool} call must be a {kind.__name__}, "
                               f"got {type(value).__name__}")
    if tool == "MultiEdit":
        for i, edit in enumerate(tool_input.get("edits") or []):
            if not isinstance(edit, dict) or not isinstance(edit.get("new_string", ""), str):
                raise PayloadError(f"field 'tool_input.edits[{i}]' of a MultiEdit call must be an object with "
                                   "string old_string/new_string")
    if tool == "NotebookEdit" and not isinstance(tool_input.get("new_source", ""), str):
        raise PayloadError("field 'tool_input.new_source' of a NotebookEdit call must be a string")


def _check_skill_shell_command(payload: dict[str, Any]) -> None:
    """PreSkillShellCommand (2.1.337): a shell command embedded in a skill or slash command, run as the skill loads,
    never seen by PreToolUse. It is judged as that shell tool's call."""
    if payload["tool_name"] not in SKILL_SHELLS:
        raise PayloadError(f"field 'tool_name' of a PreSkillShellCommand is {payload['tool_name']!r}; Claude Code "
                           f"sends one of: {', '.join(SKILL_SHELLS)}")
    if not isinstance(payload["tool_input"].get("command"), str):
        raise PayloadError("field 'tool_input.command' of a PreSkillShellCommand is missing or not a string")
    for key in ("command_name", "command_source", "invoked_by"):
        value = payload.get(key)
        if value is not None and not isinstance(value, str):
            raise PayloadError(f"field {key!r} of a PreSkillShellCommand must be a string, got {type(value).__name__}")


# --------------------------------------------------------------------------- events


def _pre_tool_use(payload: dict[str, Any], hook_event: str, env: Mapping[str, str], started: float) -> str | None:
    """PreToolUse, and PreSkillShellCommand judged the same way as the shell call it is."""
    from guardrail import fastpath

    fastpath.note_launcher(env)
    skip, key, indexed = fastpath.can_skip(payload["tool_name"], payload["tool_input"], payload.get("cwd") or "", env)
    if skip:
        # provably no rule concerns this call: no parse, no opinion; recorded all the same (decision none)
        cached = fastpath.load_cached_config(key, env)
        _audit(payload, env, started, decision=None, rule_ids=[], reason="",
               values=cached.values if cached is not None else None)
        return None
    from guardrail import service
    from guardrail.model import ToolCall

    # Config values and the compiled rules are cached under the same stat key: a fresh cache means
    # neither guardrail.config (pathlib) nor the pack compiler (tomllib, pydantic) is imported.
    setup = service.load_setup(payload.get("cwd") or "", env, key=key)
    if not indexed:
        from guardrail.index import write_index

        write_index(key, setup.ruleset, setup.values, env)
    call = ToolCall(
        tool_name=payload["tool_name"], tool_input=payload["tool_input"], cwd=payload.get("cwd") or "",
        session_id=payload.get("session_id") or "", tool_use_id=payload.get("tool_use_id") or "",
        permission_mode=payload.get("permission_mode") or "", project_dir=env.get("CLAUDE_PROJECT_DIR", ""),
    )
    if not setup.ruleset.for_tool(call.tool_name):
        _audit(payload, env, started, decision=None, rule_ids=[], reason="", values=setup.values)
        return None  # no rule concerns this tool: no opinion

    def intent() -> Any:  # read only when a rule found something
        from guardrail.intent.store import load_intent

        return load_intent(call.session_id, payload.get("transcript_path") or "", env=env)

    def non_interactive() -> bool:
        if hook_event == "PreSkillShellCommand":
            return True  # Claude Code blocks a skill's command on ask: nobody is asked, so say it is a deny
        from guardrail.intent.policy import is_non_interactive

        return is_non_interactive(call.permission_mode or None, env)

    ctx = service.context_for(call, setup.values, env)
    verdict = service.decide_call(call, setup.ruleset, ctx, intent=intent, non_interactive=non_interactive)
    _audit(payload, env, started, decision=verdict.decision, rule_ids=verdict.rule_ids, reason=verdict.reason,
           intent=verdict.intent, values=setup.values, explanation=verdict.explanation)
    if verdict.decision is None:
        return None  # only preview/log findings: recorded, no opinion
    return pre_tool_use_output(verdict.decision, verdict.reason, hook_event)


def _post_tool_use(payload: dict[str, Any], hook_event: str, env: Mapping[str, str], started: float) -> None:
    """The call's outcome, linked to its PreToolUse record by tool_use_id (every call has one)."""
    from guardrail import audit, fastpath

    values: Any = None
    try:
        cached = fastpath.load_cached_config(fastpath.index_key(payload.get("cwd") or "", env), env)
        if cached is not None:
            values = cached.values
        else:
            from guardrail.config import load_config

            values = load_config(payload.get("cwd") or "", env).values
    except Exception:  # noqa: BLE001 - a broken config must not stop outcome logging
        values = None
    _audit(payload, env, started, decision=None, rule_ids=[], reason="", outcome=audit.outcome_from_payload(payload),
           values=values)


def _user_prompt_submit(payload: dict[str, Any], env: Mapping[str, str]) -> None:
    from guardrail.intent.store import record_prompt

    # Plain stdout here would be added to Claude's context, so this event prints nothing.
    if payload.get("agent_id"):
        return  # a subagent's prompt was written by the parent model, not by the human
    record_prompt(payload.get("session_id") or "", payload.get("prompt_id"), payload["prompt"], time.time(), env=env)


def _session_start(payload: dict[str, Any], env: Mapping[str, str]) -> str:
    """The session note for Claude, and the rules loaded once (which warms the cache for the first tool call).
    What is broken is said to the user (`systemMessage`) and to Claude: project files that were left out, or the
    error that blocks every tool call."""
    out: dict[str, Any] = {"hookEventName": "SessionStart", "additionalContext": SESSION_NOTE}
    problems, fatal = _setup_problems(payload.get("cwd") or "", env)
    if not problems:
        return json.dumps({"hookSpecificOutput": out})
    listed = "; ".join(p.splitlines()[0][:300] for p in problems[:3]) + ("; ..." if len(problems) > 3 else "")
    if fatal:
        message = (f"guardrail cannot load its rules, so it blocks every tool call: {listed}. Check with: guardrail "
                   "doctor (plugin: /guardrail:doctor)")
        out["additionalContext"] += f" {message}. Tell the user."
    else:
        message = (f"guardrail: {len(problems)} broken project file(s) left out, built-in and user rules still "
                   f"apply: {listed}. Check with: guardrail rules lint (plugin: /guardrail:doctor)")
        out["additionalContext"] += (f" Broken guardrail project files were left out ({listed}); built-in and user "
                                     "rules still apply. Tell the user if they ask about guardrail.")
    return json.dumps({"hookSpecificOutput": out, "systemMessage": message})


def _setup_problems(cwd: str, env: Mapping[str, str]) -> tuple[tuple[str, ...], bool]:
    """(problems, fatal): the project's own broken files (left out), or, when the setup does not load at all (a
    user pack or config), that error, which blocks tool calls until it is fixed."""
    from guardrail import fastpath, service

    try:
        key = fastpath.index_key(cwd, env)
        setup = service.load_setup(cwd, env, key=key)
        if not os.path.exists(fastpath.index_path(key, env)):
            from guardrail.index import write_index

            write_index(key, setup.ruleset, setup.values, env)
        return tuple(getattr(setup.ruleset, "problems", ())), False
    except Exception as exc:  # noqa: BLE001 - a session start must never fail; PreToolUse fails closed on it
        return (str(exc),), True


# --------------------------------------------------------------------------- output


def pre_tool_use_output(decision: str, reason: str, hook_event: str = "PreToolUse") -> str:
    """A permission decision for PreToolUse or PreSkillShellCommand (same fields; on the latter deny, ask and
    defer all keep the command from running and `updatedInput` is never applied, so guardrail sends none)."""
    if len(reason) > MAX_REASON_CHARS:
        reason = reason[: MAX_REASON_CHARS - 1] + "…"
    return json.dumps({"hookSpecificOutput": {
        "hookEventName": hook_event, "permissionDecision": decision, "permissionDecisionReason": reason}})


def _failure(event: str, hook_event: str | None, payload: dict[str, Any], exc: BaseException,
             env: Mapping[str, str], started: float) -> str | None:
    """Turn any failure into a deliberate answer. Must not raise."""
    try:
        detail = str(exc) if isinstance(exc, PayloadError) else f"internal error {type(exc).__name__}: {exc}"
        detail = detail[:600]
        is_pre = hook_event in DECIDING or (hook_event is None and event in ("", "pre-tool-use"))
        decision = _on_error_decision(env, (payload or {}).get("cwd") or "") if is_pre else None
        try:
            _audit(payload or {"hook_event_name": hook_event or event}, env, started, decision=decision,
                   rule_ids=["guardrail-error"], reason=detail, error=detail)
        except BaseException:  # noqa: BLE001
            pass
        if not is_pre:
            return None  # other events have no decision to fail closed on
        # The next step first and the whole within ~350 characters (Claude Code's collapsed view shows ~200);
        # the full detail is in the audit record written above.
        reason = (f"guardrail could not check this tool call and blocks it to stay safe. Fix: tell the user and run "
                  f"`guardrail doctor` (plugin: /guardrail:doctor); on_error = \"ask\" in "
                  f"~/.config/guardrail/config.toml asks instead. Cause: {detail}")
        if len(reason) > MAX_FAILURE_REASON:
            reason = reason[: MAX_FAILURE_REASON - 1] + "…"
        return pre_tool_use_output(decision or "deny", reason, hook_event or "PreToolUse")
    except BaseException:  # noqa: BLE001 - last resort: a hard-coded deny
        if hook_event in DECIDING or event == "pre-tool-use":
            return ('{"hookSpecificOutput": {"hookEventName": "%s", "permissionDecision": "deny", '
                    '"permissionDecisionReason": "guardrail failed internally; run `guardrail doctor`."}}'
                    % (hook_event or "PreToolUse"))
        return None


def _on_error_decision(env: Mapping[str, str], cwd: Any = "") -> str:
    """on_error from $GUARDRAIL_ON_ERROR or the config (deny when the config is what failed)."""
    value = env.get("GUARDRAIL_ON_ERROR", "").strip().lower()
    if value in ("deny", "ask"):
        return value
    try:
        from guardrail.config import load_config

        value = load_config(cwd if isinstance(cwd, str) else "", env).values.get("on_error")
    except Exception:  # noqa: BLE001 - a broken config falls back to the safe default
        value = None
    return value if value in ("deny", "ask") else "deny"


# --------------------------------------------------------------------------- helpers


def _audit(payload: dict[str, Any], env: Mapping[str, str], started: float, *, decision: str | None,
           rule_ids: list[str], reason: str, intent: Any = None, error: str | None = None,
           outcome: dict[str, Any] | None = None, values: Any = None, explanation: str = "") -> None:
    from guardrail import audit

    record = audit.make_record(
        event=payload.get("hook_event_name") or "", payload=payload, decision=decision, rule_ids=rule_ids,
        reason=reason, elapsed_ms=round((time.perf_counter() - started) * 1000, 3), intent=intent, error=error,
        outcome=outcome, explanation=explanation)
    path = _audit_path(values, env)
    problem = audit.append_record(record, path)
    if problem:
        # Surface, don't swallow: stderr reaches Claude Code's debug log; the decision still stands.
        try:
            sys.stderr.write(f"guardrail: audit log not written: {problem}\n")
        except BaseException:  # noqa: BLE001
            pass


def _audit_path(values: Any, env: Mapping[str, str]) -> str:
    """The audit log: the config's audit_path if set, else the default for this environment."""
    from guardrail import audit

    if isinstance(values, dict) and values.get("audit_path"):
        return os.path.expanduser(str(values["audit_path"]))
    return audit.default_audit_file(env)
