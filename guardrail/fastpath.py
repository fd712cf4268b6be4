"""Prefilter: prove, without importing the engine or the shell parser, that no rule can concern a call; and the
locations every part shares (the cache, the built-in packs, the project directory), in the standard library only.

Most tool calls are benign (`ls`, `pytest`, Read, Grep). For them the hook should cost little more than
starting Python. After the full path has loaded the effective rule set once, it writes a small JSON
index next to the rule cache: which tools have rules, and which words a Bash command must contain
for any Bash rule to fire. The index is keyed by the stat() of every file that shapes the rule set
(built-in packs, user and project config and packs) and the config variables, so any edit rebuilds it.

The index is built by guardrail.index on the full path. The filter is conservative by construction: a rule it
cannot reason about (no program names and no known trigger) makes every Bash call take the full path. Anything that hides words from plain text
(`$`, backticks, braces, over-long input) takes the full path too.
"""

from __future__ import annotations

import json
import os
import re
import zlib
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Iterable, Mapping

INDEX_VERSION = 9
# The modules whose code shapes what is cached under the key: the pickled rule set's classes and their compiler,
# and what the index's words come from (the check registry's triggers, the vocabulary, the shell model's wrappers).
CACHE_SHAPING_MODULES = ("rules.py", "packs.py", "pack_schema.py", "base/record.py", "base/vocab.py", "model.py",
                         "checks/registry.py", "fastpath.py", "index.py", "shell/wrappers.py")
MAX_FAST_COMMAND_CHARS = 4000  # longer commands always get the full parser (and its limits)
# Characters after which plain-text words no longer tell what runs: expansions, substitutions,
# brace expansion, ANSI-C quoting, history expansion; control characters (their rule judges the line as a whole).
_OPAQUE = re.compile(r"[$`{}!\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
WORDS = re.compile(r"[a-z0-9_.+-]+")  # words as the prefilter reads them (the index uses the same)
_ALNUM = re.compile(r"[a-z0-9_]+")  # word pieces as a \b regex sees them: drop-legacy -> drop, legacy
_DOT_SOURCE = re.compile(r"(^|[;&|(\n]|\bthen|\bdo)\s*\.\s")  # `. ./env` (source) in command position
_STRIP = str.maketrans("", "", "'\"\\")
_PY_PATH_COMMAND = r"(?:^|[;&|(\n])\s*[^\s;&|()]*/[^\s;&|()]*\.py(?:\s|$)"  # compiled only for lines with .py
_ENV_KEYS = ("HOME", "XDG_CONFIG_HOME", "GUARDRAIL_CONFIG", "GUARDRAIL_DISABLED_RULES", "GUARDRAIL_ON_ERROR",
             "GUARDRAIL_AUDIT_LOG", "GUARDRAIL_PROTECTED_BRANCHES",
             "GUARDRAIL_PROTECTED_DATABASES", "GUARDRAIL_PROTECTED_PATHS", "GUARDRAIL_PROTECTED_NAMESPACES",
             "GUARDRAIL_PROTECTED_BUCKETS")

_PREFIX_WORDS = ("mkfs", "flush")  # the risky-word check matches these as prefixes (mkfs.ext4, flushall)
# Enough wrappers (the programs the shell model unwraps: the index lists them) nest past the model's depth limit,
# which is an over-limit ask: such lines take the full path.
_MAX_FAST_WRAPPERS = 4


def cache_dir(env: Mapping[str, str]) -> str:
    """Where guardrail keeps its caches (compiled rules, config values, the prefilter's index)."""
    if env.get("GUARDRAIL_CACHE_DIR"):
        return env["GUARDRAIL_CACHE_DIR"]
    if env.get("CLAUDE_PLUGIN_DATA"):
        return os.path.join(env["CLAUDE_PLUGIN_DATA"], "cache")
    base = env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".cache")
    return os.path.join(base, "guardrail")


def builtin_rules_dir() -> str:
    """The built-in packs: inside the wheel (hatch force-include), else the source checkout's rules/."""
    here = os.path.dirname(os.path.abspath(__file__))
    packaged = os.path.join(here, "rules")
    return packaged if os.path.isdir(packaged) else os.path.join(os.path.dirname(here), "rules")


def _stat_dir(path: str, out: list[str]) -> None:
    try:
        entries = sorted(os.scandir(path), key=lambda e: e.name)
    except OSError:
        out.append(f"{path}:-")
        return
    for e in entries:
        if e.name.endswith(".toml"):
            try:
                st = e.stat()
                out.append(f"{e.path}:{st.st_mtime_ns}:{st.st_size}")
            except OSError:
                out.append(f"{e.path}:?")


def _stat_file(path: str, out: list[str]) -> None:
    try:
        st = os.stat(path)
        out.append(f"{path}:{st.st_mtime_ns}:{st.st_size}")
    except OSError:
        out.append(f"{path}:-")


def project_dirs(cwd: str, home: str, *, need_root: bool = True) -> tuple[str | None, str | None]:
    """(nearest directory holding `.guardrail/`, repository root) walking up from cwd (real paths).

    Stops at the first directory holding `.git`; outside a repository it stops below the home directory, so
    `~/.guardrail` never becomes every directory's project config. `need_root=False` stops at the project."""
    try:
        d = os.path.realpath(cwd or ".")
    except (OSError, ValueError):
        return None, None
    home = os.path.realpath(home) if home else ""
    found = None
    while True:
        if found is None and d != home and os.path.isdir(os.path.join(d, ".guardrail")):
            found = d
            if not need_root:
                return found, None
        if os.path.exists(os.path.join(d, ".git")):
            return found, d
        if d == home:
            return found, None
        parent = os.path.dirname(d)
        if parent == d:
            return found, None
        d = parent


def index_key(cwd: str, env: Mapping[str, str], extra_files: Iterable[str] = ()) -> str:
    """A fingerprint of everything that shapes the effective rule set for a call in `cwd` (and `extra_files`:
    packs a command line adds)."""
    from guardrail import __version__

    parts = [__version__, str(INDEX_VERSION)]
    here = os.path.dirname(os.path.abspath(__file__))
    # code that shapes the cache, so an upgrade in place never keeps a stale one (a test keeps this list complete)
    for module in CACHE_SHAPING_MODULES:
        _stat_file(os.path.join(here, module), parts)
    _stat_dir(builtin_rules_dir(), parts)
    home = env.get("HOME") or os.path.expanduser("~")
    cfg_dir = os.path.join(env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config"), "guardrail")
    _stat_file(env.get("GUARDRAIL_CONFIG") or os.path.join(cfg_dir, "config.toml"), parts)
    _stat_dir(os.path.join(cfg_dir, "rules"), parts)
    project = project_dirs(cwd, home, need_root=False)[0]
    if project is not None:
        _stat_file(os.path.join(project, ".guardrail", "config.toml"), parts)
        _stat_dir(os.path.join(project, ".guardrail", "rules"), parts)
    for path in extra_files:
        _stat_file(os.path.abspath(path), parts)
    parts.extend(f"{k}={env.get(k, '')}" for k in _ENV_KEYS)
    blob = "\n".join(parts).encode("utf-8", "surrogateescape")
    return f"{zlib.crc32(blob):08x}{zlib.adler32(blob):08x}"


def index_path(key: str, env: Mapping[str, str]) -> str:
    return os.path.join(cache_dir(env), f"fast-{key}.json")


def can_skip(tool_name: str, tool_input: Mapping[str, Any], cwd: str, env: Mapping[str, str]) -> tuple[bool, str, bool]:
    """(skip, key, indexed). skip is True when no rule can fire for this call; key fingerprints the
    rule set's inputs; indexed is False when no valid index exists yet, so the full path writes one."""
    key = index_key(cwd, env)
    try:
        with open(index_path(key, env), encoding="utf-8") as fh:
            index = json.load(fh)
        if index.get("v") != INDEX_VERSION:
            return False, key, False
    except (OSError, ValueError):
        return False, key, False
    return skip_with_index(tool_name, tool_input, index), key, True


def skip_with_index(tool_name: str, tool_input: Mapping[str, Any], index: Mapping[str, Any]) -> bool:
    """Whether no rule of the indexed rule set can fire for this call."""
    if tool_name not in index["tools"]:
        return not any(_glob(tool_name, g) for g in index["tool_globs"])
    if tool_name != "Bash":
        paths = index.get("tool_paths", {}).get(tool_name)
        return paths is not None and not _path_may_match(tool_input, paths)
    if index["bash_always"]:
        return False
    command = tool_input.get("command")
    if not isinstance(command, str) or len(command) > MAX_FAST_COMMAND_CHARS or _OPAQUE.search(command):
        return False
    return not bash_may_match(command, index)


# --------------------------------------------------------------------------- before the environment exists
# The plugin's launcher (hooks/launch.py) runs on whatever Python starts it, before guardrail's own environment is
# built. It ships the index of the built-in packs under the default configuration (hooks/builtin-index.json,
# written by `python -m guardrail.index`) and uses it only while these two functions say it still describes
# the rule set a call would meet.

# Variables that add rules or trigger words beyond the built-in defaults (the others only take rules away or
# move files).
_RULE_SHAPING_ENV = ("GUARDRAIL_CONFIG", "GUARDRAIL_PROTECTED_BRANCHES", "GUARDRAIL_PROTECTED_DATABASES",
                     "GUARDRAIL_PROTECTED_PATHS", "GUARDRAIL_PROTECTED_NAMESPACES", "GUARDRAIL_PROTECTED_BUCKETS")


def builtin_fingerprint() -> str:
    """A content hash (not stat: a plugin copy has fresh mtimes) of what shapes the built-in packs' index."""
    import hashlib

    from guardrail import __version__

    digest = hashlib.sha256(f"{__version__}\0{INDEX_VERSION}\0".encode())
    here = os.path.dirname(os.path.abspath(__file__))
    rules = builtin_rules_dir()
    try:
        packs = sorted(n for n in os.listdir(rules) if n.endswith(".toml"))
    except OSError:
        packs = []
    for name, path in [(m, os.path.join(here, m)) for m in CACHE_SHAPING_MODULES] + \
                      [(f"rules/{n}", os.path.join(rules, n)) for n in packs]:
        digest.update(name.encode() + b"\0")
        try:
            with open(path, "rb") as fh:
                digest.update(fh.read())
        except OSError:
            digest.update(b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()[:24]


def only_builtin_rules(cwd: str, env: Mapping[str, str]) -> bool:
    """Whether a call in `cwd` meets the built-in packs under the default configuration and nothing else: no user
    or project config or packs, no variable that adds rules or trigger words."""
    if any(env.get(k) for k in _RULE_SHAPING_ENV):
        return False
    home = env.get("HOME") or os.path.expanduser("~")
    cfg_dir = os.path.join(env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config"), "guardrail")
    if os.path.exists(os.path.join(cfg_dir, "config.toml")) or os.path.isdir(os.path.join(cfg_dir, "rules")):
        return False
    return project_dirs(cwd, home, need_root=False)[0] is None


def _path_may_match(tool_input: Mapping[str, Any], patterns: Iterable[str]) -> bool:
    """Whether a file tool's path (or Grep's glob) has a base name one of its rules' checks needs (`.env`, `*.pem`):
    the Read of an ordinary file stops here."""
    for field in ("file_path", "path", "notebook_path", "glob"):
        value = tool_input.get(field)
        if isinstance(value, str) and value:
            base = value.lower().rstrip("/").rsplit("/", 1)[-1]
            if "*" in base or "?" in base or "[" in base or any(_star_match(base, p) for p in patterns):
                return True
    return False


def _star_match(name: str, pattern: str) -> bool:
    """fnmatch for patterns whose only wildcard is `*` (the index keeps others out), without importing fnmatch:
    this runs for every Read."""
    parts = pattern.split("*")
    if len(parts) == 1:
        return name == pattern
    first, last = parts[0], parts[-1]
    if not name.startswith(first) or not name.endswith(last) or len(name) < len(first) + len(last):
        return False
    at, end = len(first), len(name) - len(last)
    for mid in parts[1:-1]:
        at = name.find(mid, at, end)
        if at < 0:
            return False
        at += len(mid)
    return True


def bash_may_match(command: str, index: Mapping[str, Any]) -> bool:
    text = command.translate(_STRIP).lower()
    if "\\\n" in command:
        # bash deletes a backslash-newline before it reads words (`r\<newline>m -rf ~` runs rm): read the words
        # both with the continuations joined and as written
        text += "\n" + command.replace("\\\n", "").translate(_STRIP).lower()
    words = set(WORDS.findall(text))
    words.update(_ALNUM.findall(text))
    globbed = False
    for token in text.split():  # also whole tokens and basenames: /usr/bin/rm, mkfs.ext4, ./deploy.sh
        words.add(token)
        words.add(token.rsplit("/", 1)[-1])
        globbed = globbed or "[" in token or "?" in token or "*" in token
    tokens = text.split()
    if len(tokens) >= _MAX_FAST_WRAPPERS:
        wrappers = frozenset(index["wrappers"])
        if sum(1 for t in tokens if t.rsplit("/", 1)[-1] in wrappers) >= _MAX_FAST_WRAPPERS:
            return True
    wanted = index["bash_words"]
    if not words.isdisjoint(wanted):
        return True
    if globbed and _glob_names_a_word(text, wanted):
        return True
    if any(w.startswith(p) for w in words for p in _PREFIX_WORDS):
        return True
    if index.get("bash_scripts") and any(w.startswith("python") for w in words):
        return True
    if index.get("bash_scripts") and _DOT_SOURCE.search(text):
        return True
    if index.get("bash_scripts") and any(t.startswith(("./", "../")) or t.endswith((".sh", ".bash", ".zsh"))
                                         for t in text.split()):
        return True
    if index.get("bash_scripts") and ".py" in text and re.search(_PY_PATH_COMMAND, text):  # `scripts/wipe.py` run as a program
        return True
    if ">" in text and any(re.search(rx, text) for rx in index.get("bash_patterns", ())):  # line shapes (registry.TextCue)
        return True
    for g in index["bash_globs"]:
        if "?" in g or "[" in g:
            if any(_glob(w, g) for w in words):
                return True
        # most: `*` only, no fnmatch import on the benign path; a word can match only if the glob's longest
        # literal piece is somewhere in the line (one substring search instead of a match per word)
        elif max(g.split("*"), key=len) in text and any(_star_match(w, g) for w in words):
            return True
    return False


def _glob_names_a_word(text: str, wanted: Any) -> bool:
    """Whether a token with glob characters could name a trigger word once bash expands it (`/bin/r[m]`,
    `/usr/bin/r?`): its basename, taken as a pattern, matches one."""
    import fnmatch

    for token in text.split():
        if "[" in token or "?" in token or "*" in token:
            base = token.rsplit("/", 1)[-1]
            if base and base.strip("*") and fnmatch.filter(wanted, base):
                return True
    return False


def _glob(name: str, pattern: str) -> bool:
    import fnmatch

    return fnmatch.fnmatchcase(name, pattern)


def load_cached_ruleset(key: str, env: Mapping[str, str]) -> Any:
    """The compiled rule set stored under this stat key, or None. Skips reading and hashing every pack."""
    import pickle

    try:
        with open(os.path.join(cache_dir(env), f"rules-stat-{key}.pickle"), "rb") as fh:
            return pickle.load(fh)
    except Exception:  # missing, stale format or corrupt: the caller compiles and stores a fresh one
        return None


class CachedConfig:
    """The part of guardrail.config.Config the hook reads: `values`."""

    __slots__ = ("values",)

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values


def load_cached_config(key: str, env: Mapping[str, str]) -> CachedConfig | None:
    try:
        with open(os.path.join(cache_dir(env), f"config-{key}.json"), encoding="utf-8") as fh:
            values = json.load(fh)
        return CachedConfig(values) if isinstance(values, dict) else None
    except (OSError, ValueError):
        return None


def store_config(key: str, values: Mapping[str, Any], env: Mapping[str, str]) -> None:
    path = os.path.join(cache_dir(env), f"config-{key}.json")
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(values, fh, default=str)
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError):
        pass


def store_ruleset(key: str, ruleset: Any, env: Mapping[str, str]) -> None:
    import pickle

    path = os.path.join(cache_dir(env), f"rules-stat-{key}.pickle")
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            pickle.dump(ruleset, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # atomic: concurrent hooks never read a half-written file
    except OSError:
        pass


def launcher_hint_path(target: str, env: Mapping[str, str]) -> str:
    """hooks/launch.py's note of where `target` (an interpreter it starts) keeps this guardrail package."""
    return os.path.join(cache_dir(env), "launcher-%08x.json" % zlib.crc32(target.encode("utf-8", "surrogateescape")))


def note_launcher(env: Mapping[str, str]) -> None:
    """Started by hooks/launch.py (it sets GUARDRAIL_LAUNCHER_TARGET): note where this package is and what this
    interpreter imports from beyond its standard library, so the launcher can run this very prefilter, and when its
    own interpreter is binary-compatible this very hook, in its own process. Unwritable: the launcher stays slower."""
    import sys

    target = env.get("GUARDRAIL_LAUNCHER_TARGET")
    if not target:
        return
    path = launcher_hint_path(target, env)
    stdlib = os.path.dirname(os.__file__)
    hint = {"target": target, "package": os.path.dirname(os.path.abspath(__file__)), "tag": interpreter_tag(),
            "paths": [p for p in sys.path if p and p not in (stdlib, os.path.join(stdlib, "lib-dynload"))
                      and not p.endswith(".zip")]}
    try:
        with open(path, encoding="utf-8") as fh:
            if json.load(fh) == hint:
                return
    except (OSError, ValueError):
        pass
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(hint, fh)
        os.replace(tmp, path)
    except OSError:
        pass


def interpreter_tag() -> str:
    """What compiled extension modules (pydantic-core, tree-sitter) need to match: version, ABI flags, word size
    (hooks/launch.py computes the same)."""
    import sys

    return f"{sys.implementation.cache_tag}{getattr(sys, 'abiflags', '')}-{sys.maxsize > 2 ** 32}"
