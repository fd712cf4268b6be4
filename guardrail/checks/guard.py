"""Commands that switch guardrail off: unregistering its hooks, disabling or uninstalling the plugin, removing the
package or the environment the hooks run. Its own files (config, packs, audit log) are the guard pack's path rules."""

from __future__ import annotations

from guardrail.base.vocab import DELETERS, PYTHON_INSTALLERS
from guardrail.model import EvalContext, SimpleCommand
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Mapping

_PLUGIN_VERBS = frozenset({"disable", "uninstall", "remove", "rm"})
_UNINSTALL_VERBS = frozenset({"uninstall", "remove", "rm", "un"})
# Where the plugin and its environment live: Claude Code's plugin folders, the environment the launcher prefers.
_GUARD_DIRS = ("/.claude/plugins/", "$CLAUDE_PLUGIN_DATA", "${CLAUDE_PLUGIN_DATA}", "$CLAUDE_PLUGIN_ROOT",
               "${CLAUDE_PLUGIN_ROOT}", "/.local/share/guardrail", "/.local/pipx/venvs/guardrail",
               "/.local/share/uv/tools/guardrail")


def _names_guardrail(word: str) -> bool:
    return word.split("@", 1)[0].split("==", 1)[0].lower() in ("guardrail", "guardrail-hooks")


def guard_switch_off(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """The command unregisters, disables or uninstalls guardrail, or deletes the folders its hooks run from."""
    argv = cmd.argv
    words = [a for a in argv[1:] if not a.startswith("-")]
    name = cmd.name
    if name == "guardrail":
        return ["guardrail uninstall (its hooks)"] if words[:1] == ["uninstall"] else []
    if name == "claude":
        if words[:2] == ["config", "set"] and any("hook" in w.lower() for w in words[2:3]):
            return [f"claude config set {words[2]}"]  # disableAllHooks and friends
        if words[:1] == ["plugin"] or words[:1] == ["plugins"]:
            rest = words[1:]
            if rest[:1] == ["marketplace"]:
                rest = rest[1:]
            if rest[:1] and rest[0] in _PLUGIN_VERBS and any(_names_guardrail(w) for w in rest[1:]):
                return [f"claude plugin {rest[0]} guardrail"]
        return []
    if name in PYTHON_INSTALLERS or name.startswith("python"):
        # pip/pip3/pipx/uv pip/uv tool/python -m pip: an uninstall verb, then guardrail among the packages
        for i, w in enumerate(words):
            if w in _UNINSTALL_VERBS:
                if any(_names_guardrail(p) for p in words[i + 1:]):
                    return [f"{name} {w} guardrail (the package its hooks run)"]
                return []
        return []
    if name in DELETERS or name == "mv":
        hits = [a for a in argv[1:] if any(d in a for d in _GUARD_DIRS) and ("guardrail" in a.lower() or "PLUGIN" in a)]
        return [f"{h} (guardrail's plugin or environment)" for h in hits]
    return []
