#!/bin/sh
# Run the `guardrail` command line with the Python the plugin's hooks use: for the plugin's slash commands
# (commands/*.md), so plugin users get the CLI's reports without installing anything else.
# Same order as launch.sh: $GUARDRAIL_PYTHON, an installed `guardrail` on PATH, the plugin's own environment.
# Default subcommand: `audit tail`. Never fails the slash command: a missing environment is a printed line.
[ $# -gt 0 ] || set -- audit tail
if [ "$1" = audit ] && [ $# -eq 1 ]; then set -- audit tail; fi
if [ -n "${GUARDRAIL_PYTHON:-}" ] && [ -x "$GUARDRAIL_PYTHON" ]; then
  exec "$GUARDRAIL_PYTHON" -I -m guardrail.cli "$@"
fi
if command -v guardrail >/dev/null 2>&1; then exec guardrail "$@"; fi
for py in "${CLAUDE_PLUGIN_DATA:-/nonexistent}/venv/bin/python" \
          "${CLAUDE_CONFIG_DIR:-$HOME/.claude}"/plugins/data/guardrail-*/venv/bin/python; do
  if [ -x "$py" ]; then exec "$py" -I -m guardrail.cli "$@"; fi
done
echo "guardrail has no Python environment yet: the plugin builds it at session start (log: ~/.claude/plugins/data/guardrail-*/bootstrap.log); start a new session in a minute, or run: pipx install claude-guardrail"
exit 0
