"""The one decision path: a tool call, the session's config and rules, and the human's intent, to one verdict.

The hook, `guardrail check`, `guardrail test` (pack cases and replayed sessions) and any later adapter get their
rules from `load_setup` and their answer from `decide_call`, so they cannot disagree: the same packs, the same
disabled rules, the same context, the same intent handling. What differs between them is only what they bring:
a payload or a command line, real files or a case's fake layout, a transcript or typed prompts.
"""

from __future__ import annotations

import os

from guardrail import fastpath
from guardrail.base.record import record
from guardrail.model import EvalContext, MAX_FILE_BYTES
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Callable, Iterable, Mapping

    from guardrail.model import ToolCall, Verdict
    from guardrail.rules import RuleSet


@record
class Setup:
    """What a session's decisions need besides the call: the config values and the compiled rules."""

    values: dict[str, Any]  # the merged config values (config.Config.values)
    ruleset: RuleSet
    key: str = ""  # the stat fingerprint they are cached under (fastpath.index_key)
    config: Any = None  # the full config.Config when it was loaded rather than read from the cache


def load_setup(cwd: str, env: Mapping[str, str], *, extra_packs: Iterable[tuple[Path, str]] = (),
               key: str | None = None) -> Setup:
    """The config and rules for a session in `cwd` under `env`, plus `extra_packs` ((path, origin) pairs: a CLI's
    --rules): built-in, user and project packs minus the config's `disabled_rules`.

    Read from the cache under the stat fingerprint of every file and variable that shapes them when it is fresh
    (then neither the config loader, TOML nor pydantic is imported), else loaded, compiled and cached.
    Raises config.ConfigError or packs.PackError with the file and field, except for the project's own files
    (`.guardrail/config.toml` and `.guardrail/rules/`), which arrive with a clone: a broken one is left out and
    named in `ruleset.problems`, so built-in and user rules keep working."""
    extra = list(extra_packs)
    if key is None:
        key = fastpath.index_key(cwd, env, extra_files=[str(p) for p, _ in extra])
    cached = fastpath.load_cached_config(key, env)
    ruleset = fastpath.load_cached_ruleset(key, env) if cached is not None else None
    if cached is not None and ruleset is not None:
        return Setup(cached.values, ruleset, key)
    from guardrail.config import load_config

    config = load_config(cwd, env)
    ruleset = compile_rules(config.values, list(config.pack_sources) + extra, lenient=config.project_packs,
                            problems=config.problems)
    fastpath.store_ruleset(key, ruleset, env)
    fastpath.store_config(key, config.values, env)
    return Setup(config.values, ruleset, key, config)


def compile_rules(values: Mapping[str, Any], packs: Iterable[tuple[Path, str]] = (),
                  lenient: Iterable[Path] = (), problems: Iterable[str] = ()) -> RuleSet:
    """Built-in packs plus `packs`, compiled, minus the config's `disabled_rules` (no cache). A broken pack in
    `lenient` (the project's own) is left out and named in `problems` instead of raising."""
    from guardrail.packs import load_ruleset

    return load_ruleset(list(packs), disabled=values.get("disabled_rules") or (), lenient=lenient)


def context_for(call: ToolCall, values: Mapping[str, Any], env: Mapping[str, str],
                read_file: Callable[[str], str | None] | None = None) -> EvalContext:
    """The evaluation context of a call: its directories, the environment, the config values, and a file reader
    (bounded reads of the real files, unless `read_file` is given: a case's fake layout, or nothing in replay)."""
    ctx = EvalContext(cwd=call.cwd, project_dir=call.project_dir, home=env.get("HOME", "") or env.get("USERPROFILE", ""),
                      env=env, config=values)
    if any(len(p) > 2 and p[1] == ":" and p[2] in "\\/" for p in (ctx.cwd, ctx.project_dir, ctx.home)):
        # Windows (`C:\Users\x\proj`): the checks compare POSIX paths, spelled as the PowerShell model spells
        # the line's own paths (guardrail.shell.windows)
        from guardrail.shell.windows import to_posix

        ctx.cwd, ctx.project_dir, ctx.home = (to_posix(p) if p else p for p in (ctx.cwd, ctx.project_dir, ctx.home))
    if read_file is None:
        ctx.read_file = file_reader(call.cwd, ctx.unread, max_file_bytes(values))
        ctx.world = _MachineOnDemand(env, state_timeout(values))  # the real files: checks may ask what a call destroys
    else:
        ctx.read_file = read_file
    return ctx


class _MachineOnDemand:
    """guardrail.world.MachineWorld, imported and made on the first question: most calls never ask one."""

    __slots__ = ("_env", "_timeout", "_world")

    def __init__(self, env: Mapping[str, str], timeout_s: float) -> None:
        self._env, self._timeout, self._world = env, timeout_s, None

    def __getattr__(self, name: str) -> Any:
        if self._world is None:
            from guardrail.world import MachineWorld

            self._world = MachineWorld(self._env, self._timeout)
        return getattr(self._world, name)


def state_timeout(values: Any) -> float:
    """The config's bound on one git lookup (`state_timeout_ms`), in seconds."""
    try:
        return max(0.05, float(values.get("state_timeout_ms") or 1500) / 1000)
    except (AttributeError, TypeError, ValueError):
        return 1.5


def decide_call(call: ToolCall, ruleset: RuleSet, ctx: EvalContext, *, intent: Any = None,
                non_interactive: bool | Callable[[], bool] = False, only_rule: str | None = None) -> Verdict:
    """The verdict for one call. `intent` is an intent.model.Intent, None (nobody asked for anything), or a function
    that returns one; `non_interactive` (nobody can answer `ask`, as under `claude -p`: it becomes deny) is a bool or
    a function that returns one. Functions are called only when some rule found something: the hook reads the
    transcript and the intent modules for no call that no rule concerns."""
    from guardrail.engine import evaluate

    if not callable(intent) and not callable(non_interactive):
        return evaluate(call, ruleset, ctx, intent=intent, non_interactive=non_interactive, only_rule=only_rule)
    verdict = evaluate(call, ruleset, ctx, only_rule=only_rule)
    if not verdict.findings:
        return verdict
    from guardrail.decide import decide

    return decide(verdict.findings, intent=intent() if callable(intent) else intent,
                  non_interactive=non_interactive() if callable(non_interactive) else non_interactive)


def max_file_bytes(values: Any) -> int:
    """The config's bound on one file read (`max_file_bytes`)."""
    try:
        return max(1, int(values.get("max_file_bytes") or MAX_FILE_BYTES))
    except (AttributeError, TypeError, ValueError):
        return MAX_FILE_BYTES


def file_reader(cwd: str, unread: list[str] | None = None, limit: int = MAX_FILE_BYTES) -> Callable[[str], str | None]:
    """Bounded, relative-to-cwd reads of the real files, for checks (package.json scripts, .env, SQL files).

    A missing file is simply None. A file that exists but is too large or unreadable is also None for the
    check, and is listed in `unread`, so the `unread-input` rule asks instead of passing in silence."""

    def read(path: str) -> str | None:
        full = path if os.path.isabs(path) else os.path.join(cwd or ".", path)
        try:
            with open(full, "rb") as fh:
                data = fh.read(limit + 1)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None
        except OSError as exc:
            if unread is not None:
                unread.append(f"{path} (unreadable: {exc.strerror or exc})")
            return None
        if len(data) > limit:
            if unread is not None:
                unread.append(f"{path} (larger than {limit:,} bytes)")
            return None
        return data.decode("utf-8", "replace")

    return read
