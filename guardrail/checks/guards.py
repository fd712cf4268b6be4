"""Cheap exact refusals run before a check's domain module loads: when a guard says no, the check cannot fire.

Each guard must stay an exact superset of what its checks act on (tests/test_checks_registry.py checks them over
many programs): a guard that refused a command its check would flag would hide a finding.
"""

from __future__ import annotations

from guardrail.base.vocab import (ARCHIVERS, COMMAND_CARRIERS, CONTAINER_ENGINES, CONTAINER_RUN_VERBS, DEVICE_WRITERS,
                                  DOWNLOADERS, KUBE_CLIS, TERRAFORMS, is_python)
from guardrail.rules import positionals
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any

    from guardrail.context import EvalContext


# Runners that carry commands only in some uses; everywhere else they are everyday commands (`docker ps`,
# `curl -s URL`, `kubectl get pods`, `terraform fmt`) that must not pay for script following. A downloader
# matters inside `$(...)`/`<(...)` (`eval "$(curl URL)"`); the others by their first word.
_CONTAINER_TOOLS = CONTAINER_ENGINES | KUBE_CLIS


def _carries_commands(name: str, cmd: Any) -> bool:
    """For a container engine, cluster CLI, gcloud or terraform: whether this use can run commands of its own."""
    pos = positionals(cmd)
    if name in _CONTAINER_TOOLS:
        i = 1 if pos[:1] in (["compose"], ["container"]) else 0  # `docker compose exec`, `docker container run`
        return len(pos) <= i or pos[i] in CONTAINER_RUN_VERBS
    if name == "gcloud":
        return "ssh" in pos[:4]  # `gcloud compute ssh VM --command ...`, `gcloud cloud-shell ssh`
    return not pos or pos[0] in ("apply", "plan")  # terraform: a saved destroy plan applied on the same line


def may_run_scripts(cmd: Any, ctx: EvalContext) -> bool:
    """Whether `cmd` can run commands guardrail reads from somewhere else: a script, a package script, inline
    code, a tool's embedded commands, a download (the guard of script following)."""
    name = getattr(cmd, "name", "")
    if name in COMMAND_CARRIERS or is_python(name):
        if name in DOWNLOADERS:
            return any(v in ("$()", "<()") for v in cmd.via)
        if name in _CONTAINER_TOOLS or name in TERRAFORMS or name == "gcloud":
            return _carries_commands(name, cmd)
        return True
    head = cmd.argv[0] if getattr(cmd, "argv", None) else ""
    return head.startswith(("./", "../")) or head.endswith((".sh", ".bash", ".zsh")) or ("/" in head and head.endswith(".py"))


def has_protected(cmd: Any, ctx: EvalContext) -> bool:
    """Whether the config protects any resource (the guard of protected-target)."""
    config = ctx.config or {}
    nested = config.get("protected")
    if hasattr(nested, "values") and any(nested.values()):
        return True
    return any(v for k, v in config.items() if k.startswith(("protected_", "protected.")))


# Guards of the checks that program-less rules name: every command of every Bash line meets those rules, so
# without a guard their modules would load for every call.

def has_redirects(cmd: Any, ctx: EvalContext) -> bool:
    """The command redirects its input or output (redirect-to-device, redirect-target)."""
    return bool(cmd.redirects)


def writes_devices(cmd: Any, ctx: EvalContext) -> bool:
    """A general tool that can write a block device (device-write)."""
    return cmd.name in DEVICE_WRITERS


def archives(cmd: Any, ctx: EvalContext) -> bool:
    """An archiver, which may delete what it packs (archive-remove-broad)."""
    return cmd.name in ARCHIVERS


def dynamic_head(cmd: Any, ctx: EvalContext) -> bool:
    """The program word is an expansion (dynamic-program)."""
    return bool(cmd.argv) and cmd.argv[0][:1] == "$"


# Guards of line-level checks (the action is None; the context says what the line was).

def line_over_limit(_line: Any, ctx: EvalContext) -> bool:
    return bool(ctx.over_limit)


def line_has_problems(_line: Any, ctx: EvalContext) -> bool:
    return bool(ctx.problems)


def line_has_unread(_line: Any, ctx: EvalContext) -> bool:
    return bool(ctx.unread)
