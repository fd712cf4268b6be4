#!/bin/sh
# guardrail hook launcher: find a Python with guardrail installed and exec it directly.
# POSIX sh, no forks on the hot path (a pyenv shim alone costs ~70 ms; dash starts in ~1 ms).
# Order: $GUARDRAIL_PYTHON, then the interpreter behind an installed `guardrail` command on PATH,
# then the plugin's own environment in $CLAUDE_PLUGIN_DATA/venv (bootstrapped at SessionStart).
# If none is found, PreToolUse fails closed with a reason that says how to fix it.
event="${1:-}"
entry='from guardrail.hookio import main; main()'

run() { exec "$1" -I -c "$entry" "$event"; }

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
    run "$CLAUDE_PLUGIN_DATA/venv/bin/python"
  fi
  reason="guardrail has no Python environment yet. Fix one of: wait a minute for the plugin to finish installing its environment (started at session start, log in \${CLAUDE_PLUGIN_DATA}/bootstrap.log); or run 'pipx install guardrail' (or pip install) so a 'guardrail' command is on PATH; or set GUARDRAIL_PYTHON to a Python that has guardrail installed. Run 'guardrail doctor' to check."
fi

# No interpreter: the deliberate answers, since a crash here would fail open.
case "$event" in
  pre-tool-use)
    printf '{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny", "permissionDecisionReason": "guardrail blocked this call because it cannot run: %s"}}\n' "$reason"
    ;;
  session-start)
    if [ -n "${CLAUDE_PLUGIN_ROOT:-}" ] && [ -n "${CLAUDE_PLUGIN_DATA:-}" ] && [ -z "${GUARDRAIL_PYTHON:-}" ]; then
      mkdir -p "$CLAUDE_PLUGIN_DATA" 2>/dev/null
      for boot in python3 python3.13 python3.12 python3.11; do
        if command -v "$boot" >/dev/null 2>&1; then
          nohup "$boot" "$CLAUDE_PLUGIN_ROOT/hooks/bootstrap.py" >>"$CLAUDE_PLUGIN_DATA/bootstrap.log" 2>&1 </dev/null &
          break
        fi
      done
    fi
    ;;
esac
exit 0
