"""Git discards judged by what `git status` says they would lose, not by how they are spelled.

`git reset --hard`, `checkout`/`restore` of paths, `switch -f`, `checkout -f`, `clean -f` and `stash drop/clear`
throw away work only when there is work to throw away: in a clean tree they lose nothing and get no opinion, and
`git restore app/` with uncommitted edits under app/ is stopped like a whole-tree reset. The state comes from
`ctx.world` (guardrail.world: a time-bounded `git status`); where nobody can look (replay, rule tests, a directory
that is not a repository yet) the rules that name these commands keep their spelling-based judgement
(`args.fallback`), and the narrow spellings (one path) are not judged.
"""

from __future__ import annotations

import posixpath

from guardrail.checks.git import git_discard
from guardrail.checks.recover import keepsake, regenerable
from guardrail.model import EvalContext, SimpleCommand
from guardrail.rules import has_flag, option_values, positionals
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Mapping

_LISTED = 3
_WHOLE_TREE = frozenset({".", "./", ":/", ":(top)", "*"})


def discard(cmd: SimpleCommand, ctx: EvalContext) -> tuple[str, list[str]] | None:
    """(what is lost, pathspecs) for a git command that throws work away: "tracked" (uncommitted changes to
    tracked files), "untracked", "untracked+ignored", "ignored" (git clean), "stash"; None for anything else."""
    pos = positionals(cmd)
    sub, rest = (pos[0], pos[1:]) if pos else ("", [])
    args = cmd.args
    forced = has_flag(args, "-f") or has_flag(args, "--force")
    if sub == "reset" and any(has_flag(args, f) for f in ("--hard", "--merge", "--keep")):
        return ("tracked", [])
    if sub == "clean" and forced and not (has_flag(args, "-n") or has_flag(args, "--dry-run")):
        kind = "ignored" if has_flag(args, "-X") else "untracked+ignored" if has_flag(args, "-x") else "untracked"
        return (kind, rest)
    if sub == "stash" and rest[:1] in (["drop"], ["clear"]):
        return ("stash", [])
    if sub == "checkout-index" and (has_flag(args, "-a") or has_flag(args, "--all")) and forced and \
            not any(a.startswith("--prefix") for a in args):
        return ("tracked", [])  # every file rewritten from the index: unstaged changes go
    if sub == "read-tree" and has_flag(args, "-u") and has_flag(args, "--reset"):
        return ("tracked", [])
    if sub == "rm" and forced and not has_flag(args, "--cached"):
        return ("tracked", rest)  # without -f git refuses to remove files with changes: HEAD has the rest
    if sub == "stash" and rest[:1] in ([], ["push"], ["save"]) and not has_flag(args, "--help"):
        return ("stash-push", rest[1:] if rest[:1] == ["push"] else [])
    if sub == "switch" and (forced or has_flag(args, "--discard-changes")):
        return ("tracked", [])
    if sub == "restore":
        if (has_flag(args, "--staged") or has_flag(args, "-S")) and not (has_flag(args, "--worktree") or
                                                                         has_flag(args, "-W")):
            return None  # unstaging only: the working tree keeps its changes
        sources = set(option_values(args, "-s", "--source"))
        return ("tracked", [p for p in rest if p not in sources])
    if sub == "checkout":
        if has_flag(args, "-b") or has_flag(args, "-B") or has_flag(args, "--orphan"):
            return None
        if "--" in args:
            return ("tracked", list(args[args.index("--") + 1:]))
        if forced:
            return ("tracked", [])
        if not rest:
            return None
        # `git checkout main` switches branches (git refuses to lose changes); `git checkout lib tests`,
        # `git checkout HEAD~3 src/` overwrite paths: the words that name existing paths are pathspecs
        world = ctx.world
        paths = [p for p in rest if p in _WHOLE_TREE or (world is not None and world.exists(ctx.resolve(p)))]
        return ("tracked", paths) if paths else None
    return None


def _where(cmd: SimpleCommand, ctx: EvalContext) -> str:
    """The directory git runs in: each `-C dir` before the subcommand, from the command's working directory."""
    where = ctx.cwd or "/"
    args = cmd.args
    i = 0
    while i < len(args) and args[i].startswith("-"):
        if args[i] == "-C" and i + 1 < len(args):
            where = posixpath.normpath(posixpath.join(where, ctx.resolve(args[i + 1])))
        i += 2 if args[i] in _VALUED and "=" not in args[i] else 1
    return where


_VALUED = frozenset({"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path", "--config-env"})


def lost_work(cmd: SimpleCommand, ctx: EvalContext, found: tuple[str, list[str]] | None) -> list[str] | None:
    """What the discard `found` (discard(cmd, ctx)) would lose, as finding targets ([] = nothing), or None when
    nobody can tell."""
    world = ctx.world
    if found is None:
        return []
    if world is None:
        return None
    kind, specs = found
    where = _where(cmd, ctx)
    root = world.repo_root(where)
    if not root:
        return None
    if kind == "stash-push":
        # nothing is lost yet, but a later `stash drop` on the line drops what this takes: remember it
        taken = world.git_status(root, ()).changed
        if taken:
            ctx.memo[("stashed", root)] = True
        return []
    if kind == "stash":
        n = world.stash_count(root)
        if n is not None and ctx.memo.get(("stashed", root)):
            n += 1  # `git stash && git stash drop`: the entry the line just made
        return None if n is None else [f"{n} stash entr{'ies' if n != 1 else 'y'}"] if n else []
    paths = []
    for s in specs:
        if s in (":/", ":(top)"):
            paths = []
            break
        paths.append(posixpath.normpath(posixpath.join(where, ctx.resolve(s))) if s != "*" else where)
    status = world.git_status(root, tuple(paths))
    if status.error:
        return [f"the working tree ({status.error}: judged at risk)"]
    if kind == "tracked":
        lost = list(status.changed)
        what = "uncommitted change"
    else:
        lost = list(status.untracked) if kind != "ignored" else []
        if kind != "untracked":  # -x/-X also delete ignored files: build output is fine, keys and databases are not
            lost += [p for p in status.ignored if keepsake(posixpath.basename(p.rstrip("/")))]
        lost = [p for p in lost if kind != "untracked" or not regenerable(p)]
        what = "untracked file"
    if not lost:
        return []
    shown = ", ".join(lost[:_LISTED]) + (f" and {len(lost) - _LISTED} more" if len(lost) > _LISTED else "")
    return [f"{len(lost)} {what}{'s' if len(lost) != 1 else ''} ({shown})"]


def git_loses_work(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """The work a git discard would lose. With `args.fallback` (the rules that name whole-tree discards), a call
    whose state nobody can read fires as those rules always did (`args.broad`: only whole-tree checkouts and
    restores, as check `git-discard` reads them); without it, only known losses fire. `args.only`: the subcommands
    judged, whole-tree spellings left to the rules above."""
    whole_tree = git_discard(cmd, ctx, args) if args.get("broad") or args.get("only") else []
    if args.get("broad") and not whole_tree:
        return []
    found = discard(cmd, ctx)
    if found is not None and found[0] == "stash-push":
        lost_work(cmd, ctx, found)  # nothing is lost yet; a `stash drop` later on the line counts the entry this makes
        return []
    pos = positionals(cmd)
    only = args.get("only")
    if only and (not pos or pos[0] not in only or whole_tree):
        return []  # the narrow rule: paths the whole-tree rules (reset, clean, stash, `checkout .`) do not judge
    lost = lost_work(cmd, ctx, found)
    # The finding names what the command acts on, as a rule without a check would (`origin/main`, `app/`): intent
    # matches the human's words against it. What would be lost follows in parentheses.
    operand = " ".join(found[1]) if found and found[1] else (pos[-1] if pos else "git")
    if lost is None:
        if not args.get("fallback"):
            return []
        return whole_tree if args.get("broad") else [operand]
    return [f"{operand} ({what})" for what in lost]
