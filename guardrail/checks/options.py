"""Abbreviated long options (`git reset --har`, `rm --recu --for`) spelled out, so the rules for the full spelling
judge them."""

from __future__ import annotations

from guardrail.model import EvalContext, SimpleCommand
from guardrail.rules import positionals
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Mapping


# Long options of commands whose rules match option words, for expanding the unique prefixes their parsers
# accept (git parse-options and GNU getopt_long: `git reset --har` is `--hard`, `rm --recu --for` is `-r -f`).
# From `git <cmd> --git-completion-helper` (git 2.39) plus the options it hides (--force).
_LONG_OPTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("rm", ""): ("force", "interactive", "one-file-system", "no-preserve-root", "preserve-root", "recursive",
                 "dir", "verbose", "help", "version"),
    ("git", "reset"): ("quiet", "no-refresh", "mixed", "soft", "hard", "merge", "keep", "recurse-submodules", "patch",
                       "intent-to-add", "pathspec-from-file", "pathspec-file-nul", "refresh"),
    ("git", "clean"): ("quiet", "dry-run", "interactive", "exclude", "force"),
    ("git", "push"): ("verbose", "quiet", "repo", "all", "branches", "mirror", "delete", "tags", "dry-run",
                      "porcelain", "force", "force-with-lease", "force-if-includes", "recurse-submodules",
                      "receive-pack", "exec", "set-upstream", "progress", "prune", "no-verify", "follow-tags",
                      "signed", "atomic", "push-option", "ipv4", "ipv6", "verify", "thin", "no-thin"),
    ("git", "send-pack"): ("verbose", "quiet", "receive-pack", "exec", "remote", "all", "dry-run", "mirror", "force",
                           "signed", "push-option", "progress", "thin", "atomic", "stateless-rpc", "stdin",
                           "helper-status", "force-with-lease", "force-if-includes"),
    ("git", "checkout"): ("guess", "overlay", "quiet", "recurse-submodules", "progress", "merge", "conflict", "detach",
                          "track", "orphan", "ignore-other-worktrees", "ours", "theirs", "patch", "force",
                          "ignore-skip-worktree-bits", "pathspec-from-file", "pathspec-file-nul"),
    ("git", "switch"): ("create", "force-create", "guess", "discard-changes", "quiet", "recurse-submodules", "force",
                        "progress", "merge", "conflict", "detach", "track", "orphan", "ignore-other-worktrees"),
    ("git", "restore"): ("source", "staged", "worktree", "ignore-unmerged", "overlay", "quiet", "recurse-submodules",
                         "progress", "merge", "conflict", "ours", "theirs", "patch", "ignore-skip-worktree-bits",
                         "pathspec-from-file", "pathspec-file-nul"),
    ("git", "branch"): ("verbose", "quiet", "track", "set-upstream-to", "unset-upstream", "color", "remotes",
                        "contains", "no-contains", "abbrev", "all", "delete", "move", "copy", "list", "force",
                        "show-current", "create-reflog", "edit-description", "merged", "no-merged", "column", "sort",
                        "points-at", "ignore-case", "recurse-submodules", "format"),
    ("git", "rm"): ("dry-run", "quiet", "cached", "ignore-unmatch", "sparse", "pathspec-from-file",
                    "pathspec-file-nul", "force"),
    ("git", "read-tree"): ("index-output", "empty", "verbose", "trivial", "aggressive", "reset", "prefix",
                           "exclude-per-directory", "dry-run", "no-sparse-checkout", "debug-unpack",
                           "recurse-submodules", "quiet", "sparse-checkout"),
    ("git", "checkout-index"): ("all", "ignore-skip-worktree-bits", "force", "quiet", "no-create", "index", "stdin",
                                "temp", "prefix", "stage", "create"),
}


_FALSE = frozenset({"false", "no", "off", "0"})


def _unabbreviate(word: str, names: tuple[str, ...]) -> str | None:
    """The full option a `--prefix` word stands for, if it is a unique proper prefix (with `=value` kept)."""
    key, eq, val = word[2:].partition("=")
    if not key or key in names or key.startswith("no-") and key[3:] in names:
        return None
    hits = [n for n in names if n.startswith(key)]
    if len(hits) != 1:
        return None  # unknown, or ambiguous: the program refuses it
    return "--" + hits[0] + eq + val


def expanded_options(cmd: SimpleCommand) -> SimpleCommand | None:
    """`cmd` with abbreviated long options spelled out (and `git -c clean.requireForce=false clean` given the
    `--force` it implies), or None when nothing changes."""
    name = cmd.name
    if name not in ("rm", "git"):
        return None
    args = list(cmd.args)
    start, sub = 0, ""
    if name == "git":
        pos = positionals(cmd)
        sub = pos[0] if pos else ""
        if (name, sub) not in _LONG_OPTIONS:
            return None
        start = args.index(sub) + 1
    names = _LONG_OPTIONS[(name, sub)]
    changed = False
    for i in range(start, len(args)):
        a = args[i]
        if a == "--":
            break
        if a.startswith("--") and len(a) > 2:
            full = _unabbreviate(a, names)
            if full:
                args[i], changed = full, True
    if sub == "clean":
        for i in range(start):
            if args[i] == "-c" and i + 1 < len(args):
                key, _eq, val = args[i + 1].partition("=")
                if key.lower() == "clean.requireforce" and val.lower() in _FALSE:
                    args[start:start] = ["--force"]  # what the setting implies; the pair goes (no re-expansion)
                    del args[i:i + 2]
                    changed = True
                    break
    if not changed:
        return None
    from guardrail.base.record import replace

    return replace(cmd, argv=(cmd.argv[0], *args))


def abbreviated_option(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """Commands written with abbreviated long options (`git reset --har`, `rm --recu --for ~`) that another
    rule stops once spelled out. `args.decision` selects which inner findings count."""
    if not any(a.startswith("--") and len(a) > 2 for a in cmd.args) and "-c" not in cmd.args:
        return []
    full = expanded_options(cmd)
    if full is None:
        return []

    want = args.get("decision")
    out = []
    for rule, targets in ctx.nested_hits(full):
        if want and rule.decision != want:
            continue
        shown = " ".join(full.argv)[:100]
        out.append(f"`{shown}` [{rule.id}: {rule.summary}]" + (f": {', '.join(targets[:2])}" if targets else ""))
    return list(dict.fromkeys(out))
