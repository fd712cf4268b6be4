"""The prefilter's index, built from a loaded rule set on the full path (guardrail.fastpath reads it).

It lists which tools have rules and which words a Bash command must contain for any Bash rule to fire: the
programs rules name, the words a program-less rule's check needs (its registry row's triggers, or the rule's own
`check_args.words`), every program that carries commands (script following runs for every rule), and the
wrappers the shell model unwraps (enough of them nest past its depth limit, which is an ask).
"""

from __future__ import annotations

import fnmatch
import json
import os

from guardrail.base.vocab import COMMAND_CARRIERS, WINDOWS_SHELLS
from guardrail.checks.registry import PROTECTED_NAMES, SCRIPT_RUNNERS, SPECS, TOOL, TextCue
from guardrail.fastpath import INDEX_VERSION, WORDS, index_path
from guardrail.shell.wrappers import UNWRAPPED
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Mapping

    from guardrail.rules import RuleSet


# Programs that carry commands but whose lower-cased name is no cue in plain text: `.` (`git add .`: the prefilter's
# source pattern finds the builtin), `R` (`-r` everywhere: R's inline code shows its own words) and lwp-request's
# `GET` (`apt-get`, `kubectl get`: a download runs only through a shell, a file or `$(...)`, each a cue of its own).
_NOT_CUES = frozenset({".", "R", "GET"})


def build_index(ruleset: RuleSet, config_values: Mapping[str, Any]) -> dict[str, Any]:
    """The index for a loaded rule set and the config values it was loaded under."""
    tools: set[str] = set()
    tool_globs: set[str] = set()
    words: set[str] = set()
    globs: set[str] = set()
    always = False
    scripts = False
    patterns: set[str] = set()  # line shapes (registry.TextCue), as regexes
    # Tools other than Bash whose every rule names a path-triggered check: tool -> the base-name patterns.
    tool_paths: dict[str, set[str]] = {}
    any_path = set()  # tools some rule may match whatever the path
    for rule in ruleset.rules:
        for t in rule.tools:
            (tool_globs if any(c in t for c in "*?[") else tools).add(t)
            spec = SPECS.get(rule.match.check or "")
            if t != "Bash" and spec is not None and spec.level == TOOL and isinstance(spec.triggers, tuple) and \
                    not any("?" in p or "[" in p for p in spec.triggers):  # the prefilter matches `*` only
                tool_paths.setdefault(t, set()).update(spec.triggers)
            else:
                any_path.add(t)
        if not ("Bash" in rule.tools or any(fnmatch.fnmatchcase("Bash", t) for t in rule.tools if any(c in t for c in "*?["))):
            continue
        m = rule.match
        if m.program:
            for p in m.program:
                p = p.lower().rsplit("/", 1)[-1]
                if p == ".":
                    scripts = True  # `.` (source) as a word is everywhere (`git add .`): the source pattern finds it
                    continue
                (globs if any(c in p for c in "*?[") else words).add(p)
            continue
        if dict(m.check_args).get("words"):  # the rule names the words it cannot fire without
            words.update(str(w).lower() for w in dict(m.check_args)["words"])
            continue
        triggers = SPECS[m.check].triggers if m.check is not None else None
        if triggers == SCRIPT_RUNNERS:
            scripts = True  # the programs that carry commands are added below for every rule set with Bash rules
        elif triggers == PROTECTED_NAMES:
            protected = config_values.get("protected") or {}
            names = [n for kind in protected.values() for n in (kind or [])]
            words.update(w for n in names for w in WORDS.findall(str(n).lower()))
        elif isinstance(triggers, tuple):
            for t in triggers:  # a trigger with glob characters is matched as a pattern (`.env.*`, `*.pem`)
                (globs if any(c in t for c in "*?[") else words).add(t)
        elif isinstance(triggers, TextCue):
            patterns.add(triggers.build())
        else:
            always = True  # a check the prefilter cannot reason about: every Bash line takes the full path
    if words or globs or always or patterns:
        # The engine follows scripts (npm/make/just/./x.sh/inline code) for every rule: any command that can
        # run one takes the full path (the engine's own guard reads the same set). The prefilter compares
        # lower-cased text.
        words.update(w.lower() for w in COMMAND_CARRIERS - _NOT_CUES)
        words.update(w.lower().removesuffix(".exe") for w in WINDOWS_SHELLS)  # `pwsh -c`, `cmd /c`: their model
        scripts = True
        tools.add("PowerShell")  # the PowerShell tool's commands meet the Bash rules
    paths = {t: sorted(p) for t, p in tool_paths.items()
             if t not in any_path and not any(fnmatch.fnmatchcase(t, g) for g in tool_globs)}
    return {"v": INDEX_VERSION, "tools": sorted(tools), "tool_globs": sorted(tool_globs), "tool_paths": paths,
            "bash_words": sorted(words), "bash_globs": sorted(globs), "bash_always": always, "bash_scripts": scripts,
            "wrappers": sorted(UNWRAPPED), "bash_patterns": sorted(patterns)}


def write_index(key: str, ruleset: RuleSet, config_values: Mapping[str, Any], env: Mapping[str, str]) -> None:
    """Atomically write the index; an unwritable cache only costs speed."""
    path = index_path(key, env)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(build_index(ruleset, config_values), fh)
        os.replace(tmp, path)
    except OSError:
        pass


def builtin_document() -> dict[str, Any]:
    """hooks/builtin-index.json: the index of the built-in packs under the default configuration, with the
    fingerprint of what it was built from (the plugin's launcher uses it only while the fingerprint still holds)."""
    from guardrail.config import default_values
    from guardrail.fastpath import builtin_fingerprint
    from guardrail.packs import load_ruleset

    return {"fingerprint": builtin_fingerprint(), "index": build_index(load_ruleset(), default_values())}


if __name__ == "__main__":  # `python -m guardrail.index > hooks/builtin-index.json`
    import sys

    sys.stdout.write(json.dumps(builtin_document(), indent=1, sort_keys=True) + "\n")
