"""Checks for git: force pushes to shared branches, discarding local work, deleting remote refs, and commands git
runs from config."""

from __future__ import annotations

import re

from guardrail.base.text import shell_quote
from guardrail.model import EvalContext, SimpleCommand
from guardrail.rules import has_flag, option_values, positionals
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Mapping


_SHARED_BRANCH = re.compile(r"^(main|master|trunk|develop|development|dev|staging|stage|production|prod|live|"
                            r"release([/-].*)?|releases/.*|hotfix/.*|gh-pages)$")


def shared_branches(ctx: EvalContext) -> re.Pattern[str]:
    extra = ctx.config.get("protected_branches") if ctx.config else None
    if extra:
        import fnmatch

        pats = "|".join(fnmatch.translate(b) for b in extra)
        return re.compile(f"{_SHARED_BRANCH.pattern}|{pats}")
    return _SHARED_BRANCH


def git_force_push(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """Force pushes (--force, -f, +refspec, --mirror, --force-with-lease) to shared branches.

    `args.unknown_branch = true` makes the check fire when the branch cannot be known
    (no refspec given), for a milder rule; otherwise it fires only for shared branches. A lease only
    protects against racing pushes: to a shared branch it is still a history rewrite for everyone.
    """
    pos = positionals(cmd)
    if pos[:1] not in (["push"], ["send-pack"]):  # send-pack: the plumbing under push, same arguments
        return []
    a = cmd.args
    lease = has_flag(a, "--force-with-lease") or has_flag(a, "--force-if-includes")
    forced = has_flag(a, "--force") or has_flag(a, "-f") or has_flag(a, "--mirror")
    refs = pos[2:]
    plus = [r for r in refs if r.startswith("+")]
    if not (forced or plus or lease):
        return []
    shared = shared_branches(ctx)
    want_unknown = bool(args.get("unknown_branch"))
    if lease and not (forced or plus) and want_unknown:
        return []  # a lease to an unnamed branch guards the race that makes a bare force push risky
    if has_flag(a, "--mirror"):
        return ["--mirror (every ref on the remote)"] if not want_unknown else []
    current = ctx.world.current_branch(ctx.cwd or "/") if ctx.world is not None else None
    if not refs:
        # no refspec: the current branch (to its upstream), judged by the ref when the work tree says which
        if current is None:
            return ["the current branch (no refspec given)"] if want_unknown else []
        return [f"{current} (the current branch)"] if shared.match(current) and not want_unknown else []
    out = []
    for r in refs:
        if not (forced or lease or r.startswith("+")):
            continue
        dst = r.lstrip("+").split(":")[-1]
        dst = dst.removeprefix("refs/heads/")
        if dst == "HEAD" and current is not None:
            dst = current
        if shared.match(dst):
            if not want_unknown:
                out.append(dst)
        elif dst in ("HEAD", "") or dst.startswith("$"):
            if want_unknown:
                out.append(f"{dst or r} (branch not known)")
    return out


def git_discard(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """checkout/restore of whole trees: `git checkout -- .`, `git checkout .`, `git restore .`."""
    pos = positionals(cmd)
    if pos[:1] == ["switch"]:
        forced = any(has_flag(cmd.args, f) for f in ("--discard-changes", "--force", "-f"))
        return ["the working tree (switch --discard-changes)"] if forced else []
    if pos[:1] == ["rm"]:
        # `git rm -r .` deletes every tracked file from the working tree; `--cached` only untracks them
        if has_flag(cmd.args, "--cached") or has_flag(cmd.args, "-n") or has_flag(cmd.args, "--dry-run"):
            return []
        if not (has_flag(cmd.args, "-r") or any(p in ("*", ":/") for p in pos[1:])):
            return []
        return [f"{p} (every tracked file under it)" for p in pos[1:]
                if p in (".", "./", ":/", "*", ":(top)", "..", "../") or p.endswith("/.")]
    if not pos or pos[0] not in ("checkout", "restore"):
        return []
    if pos[0] == "restore" and (has_flag(cmd.args, "--staged") or has_flag(cmd.args, "-S")) and not (
        has_flag(cmd.args, "--worktree") or has_flag(cmd.args, "-W")
    ):
        return []  # unstaging only; the working tree is untouched
    paths = pos[1:]
    if pos[0] == "checkout" and "--" in cmd.args:
        paths = list(cmd.args[cmd.args.index("--") + 1:])
    elif pos[0] == "checkout" and not has_flag(cmd.args, "-f") and not has_flag(cmd.args, "--force"):
        # `git checkout branch` switches branches; only `.`/`:/`/`*` style pathspecs discard
        paths = [p for p in paths if p in (".", "./", ":/", "*", ":(top)")]
        if has_flag(cmd.args, "-b") or has_flag(cmd.args, "-B"):
            return []
    broad = [p for p in paths if p in (".", "./", ":/", "*", ":(top)", "..", "-A") or p.endswith("/.")]
    if pos[0] == "checkout" and (has_flag(cmd.args, "-f") or has_flag(cmd.args, "--force")) and not broad:
        return ["the working tree (forced checkout)"]
    return [f"{p} (every uncommitted change under it)" for p in broad]


_TAG_LIKE = re.compile(r"^(refs/tags/.+|v?\d+(\.\d+)+([-.+].*)?)$")


def git_push_delete(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """Refs a push deletes on the remote (`:ref`, `--delete ref`). `args.kind` picks which ones are reported:
    "tag" (refs/tags/*, `tag v1`, version-like names) or "unknown" (names only known at run time, such as
    branch lists piped through xargs or loop variables)."""
    pos = positionals(cmd)
    if pos[:1] != ["push"]:
        return []
    deleting = has_flag(cmd.args, "--delete") or has_flag(cmd.args, "-d")
    refs = pos[2:]
    deleted: list[str] = []
    i = 0
    while i < len(refs):
        r = refs[i]
        if r == "tag" and i + 1 < len(refs):
            if deleting:
                deleted.append("refs/tags/" + refs[i + 1])
            i += 2
            continue
        if r.startswith(":") and len(r) > 1:
            deleted.append(r[1:])
        elif deleting:
            deleted.append(r)
        i += 1
    kind = args.get("kind", "tag")
    if kind == "unknown":
        return [f"{r} (names only known at run time)" for r in deleted if r.startswith("$")]
    return [r for r in deleted if _TAG_LIKE.match(r)]


# git settings and environment variables whose value git runs as a shell command (`!cmd` for aliases and
# credential helpers); `git -c core.pager='rm -rf ~' log` runs it.
_GIT_CMD_KEYS = frozenset({"core.pager", "core.sshcommand", "core.fsmonitor", "core.editor", "core.askpass",
                           "credential.helper", "diff.external", "sequence.editor", "gpg.program",
                           "pager.log", "pager.diff", "pager.show", "pager.status", "pager.branch"})


_GIT_CMD_ENV = ("GIT_PAGER", "PAGER", "GIT_SSH_COMMAND", "GIT_EDITOR", "EDITOR", "VISUAL", "GIT_SEQUENCE_EDITOR",
                "GIT_ASKPASS", "GIT_EXTERNAL_DIFF", "GIT_SSH")


# git subcommands that run a shell command given as an argument
_GIT_RUNNERS = {"submodule": "foreach", "bisect": "run"}


GIT_TRANSPORT = {"fetch": ("--upload-pack",), "pull": ("--upload-pack",), "clone": ("--upload-pack", "-u"),
                  "ls-remote": ("--upload-pack",), "push": ("--receive-pack", "--exec"),
                  "send-pack": ("--receive-pack", "--exec"), "archive": ("--exec",),
                  "difftool": ("--extcmd", "-x")}


def git_run_commands(cmd: SimpleCommand) -> list[str]:
    """Shell command lines a git invocation runs: `-c key=cmd` for command-valued settings, such environment
    variables, `submodule foreach CMD`, `bisect run CMD...`, `rebase --exec/-x CMD`."""
    if cmd.name != "git":
        return []
    out = []
    for k, v in cmd.env:
        if k in _GIT_CMD_ENV and v:
            out.append(v)
    a = cmd.args
    i = 0
    while i < len(a):
        x = a[i]
        if x == "-c" and i + 1 < len(a):
            key, _eq, val = a[i + 1].partition("=")
            if key.lower() in _GIT_CMD_KEYS or key.lower().startswith(("filter.", "merge.", "diff.")) and\
                    key.lower().endswith((".clean", ".smudge", ".process", ".driver", ".textconv", ".command")):
                out.append(val.lstrip("!"))
            i += 2
            continue
        if not x.startswith("-"):
            break
        i += 2 if x in ("-C", "--git-dir", "--work-tree", "--namespace", "--exec-path", "--config-env") else 1
    rest = list(a[i:])
    if not rest:
        return out
    sub, tail = rest[0], rest[1:]
    if sub in _GIT_RUNNERS:
        word = _GIT_RUNNERS[sub]
        if word in tail:
            args = [t for t in tail[tail.index(word) + 1:] if t not in ("--recursive", "-q", "--quiet")]
            if args:
                out.append(" ".join(shell_quote(t) for t in args) if len(args) > 1 else args[0])
    elif sub == "rebase":
        out += option_values(tail, "-x", "--exec")
    elif sub in GIT_TRANSPORT:
        # `--upload-pack`/`--receive-pack`/`--exec` name the remote helper, run through the shell for local
        # and ssh transports; difftool's `--extcmd`/`-x` runs per file
        opts = GIT_TRANSPORT[sub]
        for j, t in enumerate(tail):
            key, eq, val = t.partition("=")
            if key in opts:
                if eq:
                    out.append(val)
                elif j + 1 < len(tail):
                    out.append(tail[j + 1])
    elif sub == "config" and len(tail) >= 2 and tail[-2].lower() in _GIT_CMD_KEYS:
        out.append(tail[-1].lstrip("!"))  # `git config core.pager CMD`: runs on later git commands
    return [o for o in out if o.strip()]
