"""Prefilter: prove, without importing the engine or the shell parser, that no rule can concern a call.

Most tool calls are benign (`ls`, `pytest`, Read, Grep). For them the hook should cost little more than
starting Python. After the full path has loaded the effective rule set once, it writes a small JSON
index next to the rule cache: which tools have rules, and which words a Bash command must contain
for any Bash rule to fire. The index is keyed by the stat() of every file that shapes the rule set
(built-in packs, user and project config and packs) and the config variables, so any edit rebuilds it.

The filter is conservative by construction: a rule it cannot reason about (no program names and no
known trigger) makes every Bash call take the full path. Anything that hides words from plain text
(`$`, backticks, braces, over-long input) takes the full path too.
"""

from __future__ import annotations

import json
import os
import re
import zlib
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Mapping

INDEX_VERSION = 6
MAX_FAST_COMMAND_CHARS = 4000  # longer commands always get the full parser (and its limits)
# Characters after which plain-text words no longer tell what runs: expansions, substitutions,
# brace expansion, ANSI-C quoting, history expansion.
_OPAQUE = re.compile(r"[$`{}!]")
_WORDS = re.compile(r"[a-z0-9_.+-]+")
_ALNUM = re.compile(r"[a-z0-9_]+")  # word pieces as a \b regex sees them: drop-legacy -> drop, legacy
_DOT_SOURCE = re.compile(r"(^|[;&|(\n]|\bthen|\bdo)\s*\.\s")  # `. ./env` (source) in command position
_STRIP = str.maketrans("", "", "'\"\\")
_PY_PATH_COMMAND = r"(?:^|[;&|(\n])\s*[^\s;&|()]*/[^\s;&|()]*\.py(?:\s|$)"  # compiled only for lines with .py
_ENV_KEYS = ("HOME", "XDG_CONFIG_HOME", "GUARDRAIL_CONFIG", "GUARDRAIL_DISABLED_RULES", "GUARDRAIL_ON_ERROR",
             "GUARDRAIL_AUDIT_LOG", "GUARDRAIL_PROTECTED_BRANCHES",
             "GUARDRAIL_PROTECTED_DATABASES", "GUARDRAIL_PROTECTED_PATHS", "GUARDRAIL_PROTECTED_NAMESPACES",
             "GUARDRAIL_PROTECTED_BUCKETS")

# Program-less Bash checks and the words without which they cannot fire. "*" = cannot tell: always run.
CHECK_TRIGGERS: dict[str, tuple[str, ...]] = {
    "over-limit": (),  # only past MAX_FAST_COMMAND_CHARS or nesting, which always take the full path
    "unread-input": (),  # only after another rule's check tried to read a file: that rule's words decide
    "redirect-to-device": ("dev",),
    "dynamic-program": (),  # needs `$` or a backtick, both opaque
    "unparseable-risky": ("rm", "rmdir", "dd", "mkfs", "shred", "wipefs", "drop", "truncate", "delete", "destroy",
                          "reset", "purge", "flush", "flushall", "flushdb", "prune", "clean", "force", "rf", "fr",
                          "eval", "exec", "base64", "sh", "bash", "zsh", "curl", "wget"),
}
_PREFIX_WORDS = ("mkfs", "flush")  # the risky-word check matches these as prefixes (mkfs.ext4, flushall)
# Enough wrappers (the programs the shell model unwraps: the index lists them) nest past the model's depth limit,
# which is an over-limit ask: such lines take the full path.
_MAX_FAST_WRAPPERS = 4
# Programs that carry commands but whose lower-cased name is no cue in plain text: `.` (`git add .`: _DOT_SOURCE
# finds the builtin), `R` (`-r` everywhere: R's inline code shows its own words) and lwp-request's `GET`
# (`apt-get`, `kubectl get`: a download runs only through a shell, a file or `$(...)`, each a cue of its own).
_NOT_CUES = frozenset({".", "R", "GET"})


def _cache_dir(env: Mapping[str, str]) -> str:
    if env.get("GUARDRAIL_CACHE_DIR"):
        return env["GUARDRAIL_CACHE_DIR"]
    if env.get("CLAUDE_PLUGIN_DATA"):
        return os.path.join(env["CLAUDE_PLUGIN_DATA"], "cache")
    base = env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".cache")
    return os.path.join(base, "guardrail")


def _builtin_rules_dir() -> str:
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


def index_key(cwd: str, env: Mapping[str, str]) -> str:
    """A fingerprint of everything that shapes the effective rule set for a call in `cwd`."""
    from guardrail import __version__

    parts = [__version__, str(INDEX_VERSION)]
    here = os.path.dirname(os.path.abspath(__file__))
    # code that shapes the cache: the compiled rules, and the index's words (CHECK_TRIGGERS here and the
    # vocabulary), so an upgrade in place never keeps an index that skips a new trigger
    for module in ("rules.py", "packs.py", "pack_schema.py", "base/record.py", "base/vocab.py", "model.py", "checks.py",
                   "fastpath.py", "shell.py"):
        _stat_file(os.path.join(here, module), parts)
    _stat_dir(_builtin_rules_dir(), parts)
    home = env.get("HOME") or os.path.expanduser("~")
    cfg_dir = os.path.join(env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config"), "guardrail")
    _stat_file(env.get("GUARDRAIL_CONFIG") or os.path.join(cfg_dir, "config.toml"), parts)
    _stat_dir(os.path.join(cfg_dir, "rules"), parts)
    # Mirror config.find_project_dir: nearest .guardrail/ from cwd up to the repository root.
    d = os.path.realpath(cwd or ".")
    while True:
        if d != home and os.path.isdir(os.path.join(d, ".guardrail")):
            _stat_file(os.path.join(d, ".guardrail", "config.toml"), parts)
            _stat_dir(os.path.join(d, ".guardrail", "rules"), parts)
            break
        if os.path.exists(os.path.join(d, ".git")) or d == home:
            break
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    parts.extend(f"{k}={env.get(k, '')}" for k in _ENV_KEYS)
    blob = "\n".join(parts).encode("utf-8", "surrogateescape")
    return f"{zlib.crc32(blob):08x}{zlib.adler32(blob):08x}"


def _index_path(key: str, env: Mapping[str, str]) -> str:
    return os.path.join(_cache_dir(env), f"fast-{key}.json")


def can_skip(tool_name: str, tool_input: Mapping[str, Any], cwd: str, env: Mapping[str, str]) -> tuple[bool, str, bool]:
    """(skip, key, indexed). skip is True when no rule can fire for this call; key fingerprints the
    rule set's inputs; indexed is False when no valid index exists yet, so the full path writes one."""
    key = index_key(cwd, env)
    try:
        with open(_index_path(key, env), encoding="utf-8") as fh:
            index = json.load(fh)
        if index.get("v") != INDEX_VERSION:
            return False, key, False
    except (OSError, ValueError):
        return False, key, False
    if tool_name not in index["tools"]:
        return not any(_glob(tool_name, g) for g in index["tool_globs"]), key, True
    if tool_name != "Bash" or index["bash_always"]:
        return False, key, True
    command = tool_input.get("command")
    if not isinstance(command, str) or len(command) > MAX_FAST_COMMAND_CHARS or _OPAQUE.search(command):
        return False, key, True
    return not bash_may_match(command, index), key, True


def bash_may_match(command: str, index: Mapping[str, Any]) -> bool:
    text = command.translate(_STRIP).lower()
    if "\\\n" in command:
        # bash deletes a backslash-newline before it reads words (`r\<newline>m -rf ~` runs rm): read the words
        # both with the continuations joined and as written
        text += "\n" + command.replace("\\\n", "").translate(_STRIP).lower()
    words = set(_WORDS.findall(text))
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
    return any(_glob(w, g) for w in words for g in index["bash_globs"])


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


def build_index(ruleset: Any, config_values: Mapping[str, Any]) -> dict[str, Any]:
    """The index for a loaded rule set (called on the full path)."""
    tools: set[str] = set()
    tool_globs: set[str] = set()
    words: set[str] = set()
    globs: set[str] = set()
    always = False
    scripts = False
    for rule in ruleset.rules:
        for t in rule.tools:
            (tool_globs if any(c in t for c in "*?[") else tools).add(t)
        if not ("Bash" in rule.tools or any(_glob("Bash", t) for t in rule.tools if any(c in t for c in "*?["))):
            continue
        m = rule.match
        if m.program:
            for p in m.program:
                p = p.lower().rsplit("/", 1)[-1]
                if p == ".":
                    scripts = True  # `.` (source) as a word is everywhere (`git add .`): _DOT_SOURCE finds it
                    continue
                (globs if any(c in p for c in "*?[") else words).add(p)
        elif dict(m.check_args).get("words"):  # the rule names the words it cannot fire without
            words.update(str(w).lower() for w in dict(m.check_args)["words"])
        elif m.check in ("indirect", "indirect-unresolved"):
            scripts = True  # script runners are added below for every rule set with Bash rules
        elif m.check in CHECK_TRIGGERS:
            words.update(CHECK_TRIGGERS[m.check])
        elif m.check == "protected-target":
            protected = config_values.get("protected") or {}
            names = [n for kind in protected.values() for n in (kind or [])]
            words.update(w for n in names for w in _WORDS.findall(str(n).lower()))
        else:
            always = True
    if words or globs or always:
        # The engine follows scripts (npm/make/just/./x.sh/inline code) for every rule: any command that can
        # run one takes the full path (the engine's own guard reads the same set). The prefilter compares
        # lower-cased text.
        from guardrail.base.vocab import COMMAND_CARRIERS

        words.update(w.lower() for w in COMMAND_CARRIERS - _NOT_CUES)
        scripts = True
    from guardrail.shell import UNWRAPPED

    return {"v": INDEX_VERSION, "tools": sorted(tools), "tool_globs": sorted(tool_globs), "bash_words": sorted(words),
            "bash_globs": sorted(globs), "bash_always": always, "bash_scripts": scripts, "wrappers": sorted(UNWRAPPED)}


def load_cached_ruleset(key: str, env: Mapping[str, str]) -> Any:
    """The compiled rule set stored under this stat key, or None. Skips reading and hashing every pack."""
    import pickle

    try:
        with open(os.path.join(_cache_dir(env), f"rules-stat-{key}.pickle"), "rb") as fh:
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
        with open(os.path.join(_cache_dir(env), f"config-{key}.json"), encoding="utf-8") as fh:
            values = json.load(fh)
        return CachedConfig(values) if isinstance(values, dict) else None
    except (OSError, ValueError):
        return None


def store_config(key: str, values: Mapping[str, Any], env: Mapping[str, str]) -> None:
    path = os.path.join(_cache_dir(env), f"config-{key}.json")
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

    path = os.path.join(_cache_dir(env), f"rules-stat-{key}.pickle")
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            pickle.dump(ruleset, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # atomic: concurrent hooks never read a half-written file
    except OSError:
        pass


def write_index(key: str, ruleset: Any, config_values: Mapping[str, Any], env: Mapping[str, str]) -> None:
    """Atomically write the index; an unwritable cache only costs speed."""
    path = _index_path(key, env)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(build_index(ruleset, config_values), fh)
        os.replace(tmp, path)
    except OSError:
        pass
