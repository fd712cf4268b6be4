"""Claude Code settings files: where they live, and merging guardrail's hook entries in and out.

`guardrail install` writes exec-form handlers that run the current interpreter directly
(`<python> -I -c "from guardrail.hookio import main; main()" <event>`): no shell, no PATH lookup, no
console-script wrapper on the hot path. The `-c` program text is the mark that makes an entry ours, so
`uninstall` removes exactly those handlers (and the containers install created) and nothing else.
No extra marker key is added: unknown handler fields are outside Claude Code's settings schema.

Pure functions over parsed JSON plus two I/O helpers (`read_settings`, `write_settings`). See
../shared/reference/claude-code-hooks.md sections 1, 2 and 6.
"""

from __future__ import annotations

import copy
import difflib
import json
import os
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

HOOK_ENTRY = "from guardrail.hookio import main; main()"
# Same events, slugs, timeout and onFailure as the plugin's hooks/hooks.json (a test keeps them equal).
EVENTS: dict[str, str] = {
    "PreToolUse": "pre-tool-use",
    "PreSkillShellCommand": "pre-skill-shell-command",  # Claude Code >= 2.1.337: skills' inline shell commands
    "PostToolUse": "post-tool-use",
    "PostToolUseFailure": "post-tool-use-failure",
    "UserPromptSubmit": "user-prompt-submit",
    "SessionStart": "session-start",
}
TIMEOUT_S = 10
SCOPES = ("user", "project", "local")


class SettingsError(Exception):
    """A settings file guardrail will not touch; the message names the file and the field."""


@dataclass(frozen=True)
class Settings:
    path: Path
    exists: bool
    text: str  # the file's text as read ("" when missing)
    data: dict[str, Any]


# --------------------------------------------------------------------------- locations


def config_dir(env: Mapping[str, str] = os.environ) -> Path:
    """`$CLAUDE_CONFIG_DIR`, which replaces ~/.claude for Claude Code, else ~/.claude."""
    custom = env.get("CLAUDE_CONFIG_DIR")
    if custom:
        return Path(os.path.expanduser(custom))
    home = env.get("HOME") or os.path.expanduser("~")
    return Path(home) / ".claude"


def settings_path(scope: str, *, project_dir: str | os.PathLike[str] = ".", env: Mapping[str, str] = os.environ) -> Path:
    if scope == "user":
        return config_dir(env) / "settings.json"
    root = Path(project_dir).resolve()
    if scope == "project":
        return root / ".claude" / "settings.json"
    if scope == "local":
        return root / ".claude" / "settings.local.json"
    raise ValueError(f"unknown scope {scope!r}; expected one of {', '.join(SCOPES)}")


# --------------------------------------------------------------------------- handlers


def hook_handler(python: str, event: str) -> dict[str, Any]:
    return {
        "type": "command",
        "command": python,
        "args": ["-I", "-c", HOOK_ENTRY, EVENTS[event]],
        "timeout": TIMEOUT_S,
        "onFailure": "block",
    }


def is_guardrail_handler(handler: Any) -> bool:
    """True for a handler written by `guardrail install` (recognised by its -c program text)."""
    if not isinstance(handler, dict):
        return False
    args = handler.get("args")
    return isinstance(args, list) and len(args) >= 3 and args[:3] == ["-I", "-c", HOOK_ENTRY]


def iter_guardrail_handlers(data: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(event, handler) for every guardrail handler in parsed settings; tolerant of odd shapes."""
    hooks = data.get("hooks")
    if not isinstance(hooks, dict):
        return
    for event, groups in hooks.items():
        if not isinstance(groups, list):
            continue
        for group in groups:
            if isinstance(group, dict) and isinstance(group.get("hooks"), list):
                for handler in group["hooks"]:
                    if is_guardrail_handler(handler):
                        yield event, handler


# --------------------------------------------------------------------------- merge


def _check_shape(data: dict[str, Any], path: Path) -> None:
    """Refuse shapes we cannot merge into without guessing (the message names the field)."""
    hooks = data.get("hooks")
    if hooks is None:
        return
    if not isinstance(hooks, dict):
        raise SettingsError(f"{path}: field 'hooks' must be a JSON object, got {type(hooks).__name__}; "
                            "fix it by hand (guardrail did not change the file)")
    for event in EVENTS:
        groups = hooks.get(event)
        if groups is None:
            continue
        if not isinstance(groups, list):
            raise SettingsError(f"{path}: field 'hooks.{event}' must be a JSON array, got {type(groups).__name__}; "
                                "fix it by hand (guardrail did not change the file)")
        for i, group in enumerate(groups):
            if not isinstance(group, dict) or ("hooks" in group and not isinstance(group["hooks"], list)):
                raise SettingsError(f"{path}: field 'hooks.{event}[{i}]' must be an object with a 'hooks' array; "
                                    "fix it by hand (guardrail did not change the file)")


def merge_install(data: dict[str, Any], python: str, *, path: Path = Path("settings.json")) -> dict[str, Any]:
    """A copy of `data` with one guardrail handler per event; existing guardrail handlers are updated in place."""
    _check_shape(data, path)
    out = copy.deepcopy(data)
    hooks = out.setdefault("hooks", {})
    for event in EVENTS:
        wanted = hook_handler(python, event)
        groups = hooks.setdefault(event, [])
        found = False
        for group in groups:
            handlers = group.get("hooks")
            if not isinstance(handlers, list):
                continue
            kept = []
            for handler in handlers:
                if is_guardrail_handler(handler):
                    if found:
                        continue  # a duplicate of ours (hand-copied): keep one
                    found = True
                    handler = wanted
                kept.append(handler)
            group["hooks"] = kept
        if not found:
            groups.append({"matcher": "*", "hooks": [wanted]})
    return out


def merge_uninstall(data: dict[str, Any], *, path: Path = Path("settings.json")) -> dict[str, Any]:
    """A copy of `data` without guardrail handlers. Containers left empty by the removal are dropped too
    (install created them); containers that were already empty are kept."""
    _check_shape(data, path)
    out = copy.deepcopy(data)
    hooks = out.get("hooks")
    if not isinstance(hooks, dict):
        return out
    for event in list(hooks):
        groups = hooks[event]
        if not isinstance(groups, list):
            continue
        removed_any = False
        new_groups = []
        for group in groups:
            handlers = group.get("hooks") if isinstance(group, dict) else None
            if isinstance(handlers, list) and any(is_guardrail_handler(h) for h in handlers):
                removed_any = True
                kept = [h for h in handlers if not is_guardrail_handler(h)]
                if not kept:
                    continue
                group["hooks"] = kept
            new_groups.append(group)
        if removed_any:
            if new_groups:
                hooks[event] = new_groups
            else:
                del hooks[event]
                if not hooks:
                    del out["hooks"]
    return out


# --------------------------------------------------------------------------- file I/O


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"duplicate key {key!r}")
        seen[key] = value
    return seen


def read_settings(path: Path) -> Settings:
    """Read and parse a settings file. Missing or blank = empty settings. Invalid JSON raises SettingsError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings(path, False, "", {})
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read settings file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SettingsError(f"{path}: not UTF-8 text ({exc}); guardrail did not change the file") from None
    if not text.strip():
        return Settings(path, True, text, {})
    try:
        data = json.loads(text, object_pairs_hook=_reject_duplicates)
    except json.JSONDecodeError as exc:
        raise SettingsError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                            "fix it or move it aside, then run the command again. guardrail did not change the file"
                            ) from None
    except ValueError as exc:  # duplicate keys: rewriting would silently drop one of them
        raise SettingsError(f"{path}: {exc}; Claude Code would keep only the last one. Remove the duplicate, "
                            "then run the command again. guardrail did not change the file") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: the top level must be a JSON object, got {type(data).__name__}; "
                            "guardrail did not change the file")
    return Settings(path, True, text, data)


def render(data: Mapping[str, Any]) -> str:
    """Claude Code's own layout: 2-space indent, UTF-8 kept as is, trailing newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def unified_diff(old: str, new: str, path: Path) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        fromfile=f"{path} (current)", tofile=f"{path} (new)"))


def backup_path(path: Path, now: float | None = None) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now if now is not None else time.time()))
    candidate = path.with_name(f"{path.name}.guardrail-{stamp}.bak")
    n = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.guardrail-{stamp}-{n}.bak")
        n += 1
    return candidate


def write_settings(path: Path, text: str, *, backup: bool = True) -> Path | None:
    """Atomically replace `path` with `text` (temp file + fsync + rename in the same directory).

    A symlinked settings file (dotfile managers) is written through to its target. Returns the backup
    path, if one was written (a byte copy of the previous file, same permissions).
    """
    target = Path(os.path.realpath(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = 0o644
    saved: Path | None = None
    if target.exists():
        mode = stat.S_IMODE(target.stat().st_mode)
        if backup:
            saved = backup_path(path)
            _atomic_write(saved, target.read_bytes(), mode)
    _atomic_write(target, text.encode("utf-8"), mode)
    return saved


def _atomic_write(target: Path, data: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable
        dfd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


# --------------------------------------------------------------------------- plugin installs


@dataclass(frozen=True)
class PluginInstall:
    """One entry of Claude Code's plugins/installed_plugins.json for a guardrail plugin."""

    key: str  # "guardrail@<marketplace>"
    scope: str  # user | project | local
    install_path: Path
    project_path: Path | None
    enabled: bool | None  # from enabledPlugins in the settings files; None = not mentioned anywhere

    @property
    def data_dir(self) -> Path:
        """${CLAUDE_PLUGIN_DATA} of an installed plugin: plugins/data/<plugin>-<marketplace>, sanitised."""
        return plugin_data_dir(self.key)


def plugin_data_dir(key: str, env: Mapping[str, str] = os.environ) -> Path:
    name, _, marketplace = key.partition("@")
    slug = f"{name}-{marketplace}" if marketplace else f"{name}-inline"
    slug = "".join(c if c.isalnum() or c in "_-" else "-" for c in slug)
    return config_dir(env) / "plugins" / "data" / slug


def find_plugin_installs(settings: list[Settings], env: Mapping[str, str] = os.environ) -> list[PluginInstall]:
    """guardrail entries in installed_plugins.json (v2: {"version": 2, "plugins": {key: [entry, ...]}}),
    with their enabled state taken from `enabledPlugins` in `settings` (later files override earlier)."""
    path = config_dir(env) / "plugins" / "installed_plugins.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    plugins = doc.get("plugins") if isinstance(doc, dict) else None
    if not isinstance(plugins, dict):
        return []
    enabled: dict[str, bool] = {}
    for s in settings:
        flags = s.data.get("enabledPlugins")
        if isinstance(flags, dict):
            enabled.update({k: bool(v) for k, v in flags.items()})
    out = []
    for key, entries in plugins.items():
        if not isinstance(key, str) or key.partition("@")[0] != "guardrail":
            continue
        for entry in entries if isinstance(entries, list) else [entries]:
            if not isinstance(entry, dict) or not entry.get("installPath"):
                continue
            project = entry.get("projectPath")
            out.append(PluginInstall(key, str(entry.get("scope") or "user"), Path(entry["installPath"]),
                                     Path(project) if project else None, enabled.get(key)))
    return out
