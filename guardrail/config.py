"""Layered configuration: built-in defaults, user file, project files, environment.

Runs on the hook path, so it is plain tomllib and dicts (no pydantic): a few stat calls walking up
from cwd and at most two small TOML files. Layers, weakest first:

1. built-in defaults (`DEFAULTS`);
2. user: `$GUARDRAIL_CONFIG` or `$XDG_CONFIG_HOME/guardrail/config.toml` (~/.config/...), plus
   packs in the `rules/` directory beside it;
3. project: the nearest `.guardrail/` from cwd up to the repository root (a directory holding
   `.git`): `.guardrail/config.toml` and `.guardrail/rules/*.toml`;
4. environment: `GUARDRAIL_ON_ERROR`, `GUARDRAIL_AUDIT_LOG`, `GUARDRAIL_DISABLED_RULES`,
   `GUARDRAIL_PROTECTED_<KIND>` (comma-separated).

A project's files arrive with the repository, not from the user, so unless the user's config
lists the project in `trust_project` the project layer may only tighten: it adds protected
resources and rules, may raise `on_error` to deny, and everything that would loosen policy
(disabling rules, `on_error = "ask"`, moving the audit log, trusting itself) is ignored with a
note that `guardrail config show` prints. Untrusted project packs are loaded with layer
"project", which `packs.compile_sources` clamps (no `allow`); trusted ones with layer "user".
"""

from __future__ import annotations

import copy
import fnmatch
import os
from pathlib import Path

from guardrail.base.record import factory, record

TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Mapping

PROTECTED_KINDS = ("branches", "databases", "paths", "namespaces", "buckets", "projects", "stacks", "clusters")
ON_ERROR = ("deny", "ask")
SECRETS_READ = ("off", "ask", "deny")  # weakest first: an untrusted project may only move right

DEFAULTS: dict[str, Any] = {
    "on_error": "deny",
    "audit_path": None,  # None: audit.default_audit_path() decides
    "protected": {k: [] for k in PROTECTED_KINDS},
    "disabled_rules": [],
    "trust_project": [],
    "max_file_bytes": 1_000_000,
    "secrets_read": "ask",  # a secret file or variable read into the model's context: ask, deny, or off  # largest script/SQL/manifest file checks read; bigger ones make the call ask
}
_KEYS = frozenset(DEFAULTS)
BUILTIN = "<built-in>"


class ConfigError(Exception):
    """A config file or variable with a bad key or value; `str()` names the file and key."""


@record
class Config:
    values: dict[str, Any]
    sources: dict[str, str]  # dotted key -> file (or env var) that supplied it
    pack_sources: list[tuple[Path, str]] = factory(list)
    project_root: Path | None = None
    project_trusted: bool = False
    files: list[str] = factory(list)  # config files read, weakest first
    notes: list[str] = factory(list)  # settings ignored, and why
    project_packs: list[Path] = factory(list)  # the project's own packs: a broken one is left out, not fatal
    problems: list[str] = factory(list)  # project files left out because they are broken (file: error)

    def public_values(self) -> dict[str, Any]:
        """`values` without the flat aliases kept for checks."""
        return {k: v for k, v in self.values.items() if k in _KEYS}


def default_values() -> dict[str, Any]:
    return _with_aliases(copy.deepcopy(DEFAULTS))


def values_with(overrides: dict[str, Any] | None, where: str = "<config>") -> dict[str, Any]:
    """Built-in defaults with `overrides` applied at full (user) power: for tests and scenarios."""
    if not overrides:
        return default_values()
    cfg = Config(values=copy.deepcopy(DEFAULTS), sources={})
    _merge(cfg, overrides, where, layer="user")
    return _with_aliases(cfg.values)


def _with_aliases(values: dict[str, Any]) -> dict[str, Any]:
    # checks read flat names (`ctx.config.get("protected_branches")`): keep both spellings.
    for kind in PROTECTED_KINDS:
        values[f"protected_{kind}"] = values["protected"][kind]
    return values


def user_config_dir(env: Mapping[str, str] = os.environ) -> Path:
    base = env.get("XDG_CONFIG_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".config")
    return Path(base) / "guardrail"


def user_config_path(env: Mapping[str, str] = os.environ) -> Path:
    if env.get("GUARDRAIL_CONFIG"):
        return Path(env["GUARDRAIL_CONFIG"]).expanduser()
    return user_config_dir(env) / "config.toml"


def find_project_dir(cwd: str, env: Mapping[str, str] = os.environ) -> tuple[Path | None, Path | None]:
    """(nearest directory holding `.guardrail/`, repository root) walking up from cwd (fastpath.project_dirs:
    the prefilter's cache key walks the same way)."""
    from guardrail.fastpath import project_dirs

    found, root = project_dirs(cwd, env.get("HOME") or os.path.expanduser("~"))
    return (Path(found) if found else None), (Path(root) if root else None)


def load_config(cwd: str, env: Mapping[str, str] = os.environ) -> Config:
    """The merged configuration for a session in `cwd`. Raises ConfigError on bad files."""
    values = copy.deepcopy(DEFAULTS)
    sources: dict[str, str] = {k: BUILTIN for k in _flat_keys(values)}
    cfg = Config(values=values, sources=sources)

    upath = user_config_path(env)
    user = _read(upath)
    if user is not None:
        cfg.files.append(str(upath))
        _merge(cfg, user, str(upath), layer="user")
    cfg.pack_sources.extend((p, "user") for p in _packs_in(upath.parent / "rules"))

    project, repo = find_project_dir(cwd, env)
    cfg.project_root = project
    if project is not None:
        cfg.project_trusted = is_trusted(project, values["trust_project"], env)
        layer = "user" if cfg.project_trusted else "project"
        ppath = project / ".guardrail" / "config.toml"
        try:
            data = _read(ppath)
            if data is not None:
                cfg.files.append(str(ppath))
                _merge(cfg, data, str(ppath), layer="trusted-project" if cfg.project_trusted else "project")
        except ConfigError as exc:
            # It arrived with the repository: a typo in it must not block every call. `_merge` validates before
            # it changes anything, so the file is left out whole; the error is reported, never silent.
            cfg.problems.append(f"{exc} (this project config is ignored until it is fixed)")
        cfg.project_packs = _packs_in(project / ".guardrail" / "rules")
        cfg.pack_sources.extend((p, layer) for p in cfg.project_packs)

    _merge_env(cfg, env)
    cfg.values = _with_aliases(values)
    return cfg


def is_trusted(project: Path, patterns: list[str], env: Mapping[str, str] = os.environ) -> bool:
    home = env.get("HOME") or os.path.expanduser("~")
    p = str(project)
    for pat in patterns:
        pat = pat.replace("~", home, 1) if pat.startswith("~") else pat
        pat = pat.rstrip("/") or "/"
        if p == pat or fnmatch.fnmatchcase(p, pat):
            return True
    return False


def _packs_in(d: Path) -> list[Path]:
    try:
        return sorted(p for p in d.glob("*.toml") if p.is_file())
    except OSError:
        return []


def _read(path: Path) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc
    import tomllib  # only when a config file exists

    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc


def _flat_keys(values: dict[str, Any]) -> list[str]:
    out = []
    for k, v in values.items():
        if k == "protected":
            out.extend(f"protected.{kind}" for kind in v)
        else:
            out.append(k)
    return out


def _str_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise ConfigError(f"{where}: expected a list of strings, found {type(value).__name__} {value!r}"[:300])
    return list(value)


def validate(data: dict[str, Any], path: str) -> None:
    """Reject unknown keys and wrong types, naming the file and key."""
    for key, value in data.items():
        where = f"{path}:{key}"
        if key not in _KEYS:
            raise ConfigError(f"{where}: unknown key; known keys: {', '.join(sorted(_KEYS))}")
        if key == "on_error" and value not in ON_ERROR:
            raise ConfigError(f"{where}: expected one of {', '.join(ON_ERROR)}, found {value!r}")
        if key == "secrets_read" and value not in SECRETS_READ:
            raise ConfigError(f"{where}: expected one of {', '.join(SECRETS_READ)}, found {value!r}")
        if key == "audit_path" and not isinstance(value, str):
            raise ConfigError(f"{where}: expected a path string, found {value!r}")
        if key in ("disabled_rules", "trust_project"):
            _str_list(value, where)
        if key == "max_file_bytes" and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise ConfigError(f"{where}: expected a positive integer (bytes), found {value!r}")
        if key == "protected":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: expected a table ([protected]), found {value!r}")
            for kind, items in value.items():
                if kind not in PROTECTED_KINDS:
                    raise ConfigError(f"{where}.{kind}: unknown kind; known: {', '.join(PROTECTED_KINDS)}")
                _str_list(items, f"{where}.{kind}")


def _merge(cfg: Config, data: dict[str, Any], path: str, *, layer: str) -> None:
    validate(data, path)
    values, sources = cfg.values, cfg.sources
    untrusted = layer == "project"
    for key, value in data.items():
        if key == "protected":
            for kind, items in value.items():
                _add(values["protected"][kind], items, sources, f"protected.{kind}", path)
        elif key == "disabled_rules":
            if untrusted and value:
                cfg.notes.append(f"{path}:disabled_rules: ignored; an untrusted project may not disable rules "
                                 "(add it to trust_project in your user config)")
                continue
            _add(values["disabled_rules"], value, sources, key, path)
        elif key == "trust_project":
            if layer != "user":
                cfg.notes.append(f"{path}:trust_project: ignored; only your user config can trust a project")
                continue
            _add(values["trust_project"], value, sources, key, path)
        elif key == "on_error":
            if untrusted and value == "ask" and values["on_error"] == "deny":
                cfg.notes.append(f"{path}:on_error: ignored; an untrusted project may only tighten on_error to deny")
                continue
            values[key], sources[key] = value, path
        elif key == "secrets_read":
            if untrusted and SECRETS_READ.index(value) < SECRETS_READ.index(values[key]):
                cfg.notes.append(f"{path}:secrets_read: ignored; an untrusted project may only tighten it")
                continue
            values[key], sources[key] = value, path
        elif key == "max_file_bytes":
            if untrusted and value > values[key]:
                cfg.notes.append(f"{path}:max_file_bytes: ignored; an untrusted project may only lower it")
                continue
            values[key], sources[key] = value, path
        elif key == "audit_path":
            if untrusted:
                cfg.notes.append(f"{path}:audit_path: ignored; an untrusted project may not move the audit log")
                continue
            values[key], sources[key] = os.path.expanduser(value), path


def _add(target: list[str], items: list[str], sources: dict[str, str], key: str, path: str) -> None:
    new = [x for x in items if x not in target]
    if new:
        target.extend(new)
        prev = sources.get(key, BUILTIN)
        sources[key] = path if prev == BUILTIN else f"{prev} + {path}"


def _env_list(env: Mapping[str, str], name: str) -> list[str]:
    return [x.strip() for x in env.get(name, "").split(",") if x.strip()]


def _merge_env(cfg: Config, env: Mapping[str, str]) -> None:
    values, sources = cfg.values, cfg.sources
    if env.get("GUARDRAIL_ON_ERROR"):
        v = env["GUARDRAIL_ON_ERROR"].strip().lower()
        if v not in ON_ERROR:
            raise ConfigError(f"$GUARDRAIL_ON_ERROR: expected one of {', '.join(ON_ERROR)}, found {v!r}")
        values["on_error"], sources["on_error"] = v, "$GUARDRAIL_ON_ERROR"
    if env.get("GUARDRAIL_AUDIT_LOG"):
        values["audit_path"], sources["audit_path"] = env["GUARDRAIL_AUDIT_LOG"], "$GUARDRAIL_AUDIT_LOG"
    _add(values["disabled_rules"], _env_list(env, "GUARDRAIL_DISABLED_RULES"), sources, "disabled_rules",
         "$GUARDRAIL_DISABLED_RULES")
    for kind in PROTECTED_KINDS:
        var = f"GUARDRAIL_PROTECTED_{kind.upper()}"
        _add(values["protected"][kind], _env_list(env, var), sources, f"protected.{kind}", f"${var}")
