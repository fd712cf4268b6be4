#!/bin/sh
# guardrail hook launcher: find a Python with guardrail installed and exec it directly.
# POSIX sh, no forks on the hot path (a pyenv shim alone costs ~70 ms; dash starts in ~1 ms).
# Order: $GUARDRAIL_PYTHON, then the interpreter behind an installed `guardrail` command on PATH,
# then the plugin's own environment in $CLAUDE_PLUGIN_DATA/venv (bootstrapped at SessionStart).
# If none is found, hooks/launch.py answers (see there); without any python3, PreToolUse fails closed with a reason.
# hooks/hooks.json runs launch.py directly (it also works where there is no sh); this is the POSIX-only equivalent.
event="${1:-}"
entry='from guardrail.hookio import main; main()'

run() { exec "$1" -I -c "$entry" "$event"; }

# Build (or refresh) the plugin's venv in the background; bootstrap.py is idempotent and locked.
# setsid: outlive Claude Code, which may signal the hook's process group when the hook exits.
start_bootstrap() {
  [ -n "${CLAUDE_PLUGIN_ROOT:-}" ] && [ -n "${CLAUDE_PLUGIN_DATA:-}" ] || return 0
  mkdir -p "$CLAUDE_PLUGIN_DATA" 2>/dev/null
  for boot in python3 python3.13 python3.12 python3.11; do
    if command -v "$boot" >/dev/null 2>&1; then
      if command -v setsid >/dev/null 2>&1; then set -- setsid nohup; else set -- nohup; fi
      "$@" "$boot" "$CLAUDE_PLUGIN_ROOT/hooks/bootstrap.py" >>"$CLAUDE_PLUGIN_DATA/bootstrap.log" 2>&1 </dev/null &
      return 0
    fi
  done
}

if [ -n "${GUARDRAIL_PYTHON:-}" ]; then
  if [ -x "$GUARDRAIL_PYTHON" ]; then run "$GUARDRAIL_PYTHON"; fi
  reason="GUARDRAIL_PYTHON is set to '$GUARDRAIL_PYTHON', which is not an executable file. Point it at a Python that has guardrail installed, or unset it."
else
  # An installed guardrail (pip, pipx, uv tool): its console script's shebang names its interpreter.
  IFS_SAVED=$IFS; IFS=:
  for dir in $PATH; do
    if [ -f "$dir/guardrail" ]; then
      IFS=$IFS_SAVED
      read -r shebang < "$dir/guardrail" || shebang=""
      case "$shebang" in
        '#!'/*) py="${shebang#\#!}"; py="${py%% *}"
          case "${py##*/}" in python*) if [ -x "$py" ]; then run "$py"; fi ;; esac ;;
      esac
      break
    fi
  done
  IFS=$IFS_SAVED
  if [ -n "${CLAUDE_PLUGIN_DATA:-}" ] && [ -x "$CLAUDE_PLUGIN_DATA/venv/bin/python" ]; then
    # After a plugin update CLAUDE_PLUGIN_ROOT moves: rebuild in the background, keep using the old venv.
    if [ "$event" = session-start ]; then
      built=""
      if [ -r "$CLAUDE_PLUGIN_DATA/venv/.plugin-root" ]; then read -r built < "$CLAUDE_PLUGIN_DATA/venv/.plugin-root"; fi
      [ "$built" = "${CLAUDE_PLUGIN_ROOT:-}" ] || start_bootstrap
    fi
    run "$CLAUDE_PLUGIN_DATA/venv/bin/python"
  fi
  # No environment yet: launch.py (stdlib only) answers calls no built-in rule concerns with no opinion and asks
  # about the rest while the environment is built, instead of denying everything.
  case "$event" in
    pre-tool-use|pre-skill-shell-command|session-start)
      for boot in python3 python3.13 python3.12 python3.11; do
        if command -v "$boot" >/dev/null 2>&1; then exec "$boot" -I -S "${0%/*}/launch.py" "$event"; fi
      done ;;
  esac
  state=""
  if [ -r "${CLAUDE_PLUGIN_DATA:-/nonexistent}/bootstrap.state" ]; then read -r state < "$CLAUDE_PLUGIN_DATA/bootstrap.state"; fi
  case "$state" in
    failed*) status="building its environment failed (${state#failed: }); retry with: python3 ${CLAUDE_PLUGIN_ROOT:-<plugin root>}/hooks/bootstrap.py --data-dir ${CLAUDE_PLUGIN_DATA:-} --wait --verbose (log: ${CLAUDE_PLUGIN_DATA:-}/bootstrap.log)" ;;
    running) status="it is still building its environment (started at session start; log: ${CLAUDE_PLUGIN_DATA:-}/bootstrap.log): retry in a minute" ;;
    *) status="it builds its environment at session start (log: ${CLAUDE_PLUGIN_DATA:-}/bootstrap.log): start a new session, or wait a minute" ;;
  esac
  reason="guardrail has no Python environment yet: $status. Or run 'pipx install claude-guardrail' (or pip install) so a 'guardrail' command is on PATH, or set GUARDRAIL_PYTHON to a Python that has guardrail installed. Run 'guardrail doctor' to check."
fi

# The reason goes into JSON via printf: a path with a quote, backslash or control character would break
# the JSON (and bad JSON fails open), so such a reason is replaced by a plain one.
case "$reason" in
  *[\"\\]*|*[[:cntrl:]]*) reason="guardrail has no usable Python environment. Set GUARDRAIL_PYTHON to a Python that has guardrail installed, or run 'guardrail doctor'." ;;
esac

# No interpreter: the deliberate answers, since a crash here would fail open.
case "$event" in
  pre-tool-use|pre-skill-shell-command)
    name=PreToolUse; [ "$event" = pre-skill-shell-command ] && name=PreSkillShellCommand
    printf '{"hookSpecificOutput": {"hookEventName": "%s", "permissionDecision": "deny", "permissionDecisionReason": "guardrail blocked this call because it cannot run: %s"}}\n' "$name" "$reason"
    ;;
  session-start)
    if [ -z "${GUARDRAIL_PYTHON:-}" ]; then start_bootstrap; fi
    ;;
esac
exit 0
