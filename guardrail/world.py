"""The machine's state, looked up for checks that judge whether what a call destroys can be got back.

The engine stays pure: checks ask `ctx.world` (an object with the methods below, or None where nobody can look:
replay, rule tests), and guardrail.service gives the hook and `guardrail check` a MachineWorld over the real files.
Lookups run only when a check has found a destructive effect worth asking about, each answer is kept for the rest
of the evaluation, and git is bounded in time: past the bound the answer carries an `error`, which the checks judge
as at risk and say so (a slow `git status` on a huge repository must not stall the hook).
"""

from __future__ import annotations

import os

from guardrail.model import RepoStatus
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Mapping, Sequence

DEFAULT_TIMEOUT_S = 1.5
_MAX_ENTRIES = 2000  # entries kept from one status; a tree with more changes is at risk whatever they are

# Hooks and configuration must not run or change anything while guardrail looks: no fsmonitor helper (a command
# the repository's config names), no optional index lock (`git status` would otherwise refresh and rewrite the
# index under a running Claude Code), no pager, no prompts.
_GIT = ("git", "-c", "core.fsmonitor=false", "-c", "core.quotepath=off", "--no-pager")
_GIT_ENV = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


class MachineWorld:
    """Bounded lookups of the real files and git working trees, memoised for one evaluation."""

    def __init__(self, env: Mapping[str, str] | None = None, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self._env = {**(env or os.environ), **_GIT_ENV}
        self._memo: dict[tuple, object] = {}

    def exists(self, path: str) -> bool:
        """Whether anything (a file, directory or link) is at the absolute `path`."""
        return os.path.lexists(path)

    def is_dir(self, path: str) -> bool:
        return os.path.isdir(path)

    def repo_root(self, path: str) -> str:
        """The work tree holding `path` (the nearest directory above it with a `.git`), or "" outside git."""
        key = ("root", path)
        if key not in self._memo:
            d = path if os.path.isdir(path) else os.path.dirname(path)
            root = ""
            while d:
                if os.path.lexists(os.path.join(d, ".git")):
                    root = d
                    break
                parent = os.path.dirname(d)
                d = "" if parent == d else parent
            self._memo[key] = root
        return self._memo[key]  # type: ignore[return-value]

    def current_branch(self, path: str) -> str | None:
        """The branch checked out in the work tree holding `path` (read from HEAD, no git process), or None
        (outside git, a detached HEAD, an unreadable HEAD)."""
        root = self.repo_root(path)
        if not root:
            return None
        dot_git = os.path.join(root, ".git")
        try:
            if os.path.isfile(dot_git):  # a linked work tree or submodule: `gitdir: <path>`
                with open(dot_git, encoding="utf-8") as fh:
                    line = fh.read(4096).strip()
                if not line.startswith("gitdir:"):
                    return None
                dot_git = os.path.join(root, line[len("gitdir:"):].strip())
            with open(os.path.join(dot_git, "HEAD"), encoding="utf-8") as fh:
                head = fh.read(4096).strip()
        except OSError:
            return None
        return head[len("ref: refs/heads/"):] if head.startswith("ref: refs/heads/") else None

    def git_status(self, root: str, paths: Sequence[str] = ()) -> RepoStatus:
        """What `git status` says of the work tree `root`, limited to `paths` (absolute, inside it; none = all)."""
        rel = tuple(os.path.relpath(p, root) for p in paths)
        key = ("status", root, rel)
        if key not in self._memo:
            self._memo[key] = self._status(root, rel)
        return self._memo[key]  # type: ignore[return-value]

    def stash_count(self, root: str) -> int | None:
        """How many stash entries the repository keeps (None: git could not say)."""
        key = ("stash", root)
        if key not in self._memo:
            out = self._git(root, ("stash", "list", "--format=%gd"))
            self._memo[key] = None if isinstance(out, str) and out.startswith("\0") else len(out.splitlines())
        return self._memo[key]  # type: ignore[return-value]

    def _status(self, root: str, rel: tuple[str, ...]) -> RepoStatus:
        specs = tuple(":(literal)" + r for r in rel if r != ".")
        args = ("status", "--porcelain=v1", "-z", "--untracked-files=normal", "--ignored=matching", "--no-renames")
        out = self._git(root, args + (("--", *specs) if specs else ()))
        if out.startswith("\0"):
            return RepoStatus(root=root, error=out[1:])
        changed, untracked, ignored = [], [], []
        for entry in out.split("\0")[:_MAX_ENTRIES]:
            if len(entry) < 4:
                continue
            code, path = entry[:2], entry[3:]
            (untracked if code == "??" else ignored if code == "!!" else changed).append(path)
        return RepoStatus(root=root, changed=tuple(changed), untracked=tuple(untracked), ignored=tuple(ignored))

    def _git(self, root: str, args: tuple[str, ...]) -> str:
        """git's output, or "\\0" + why it gave none (timed out, failed, not installed)."""
        import subprocess  # ~2M instructions: only calls that ask git pay for it

        try:
            p = subprocess.run(_GIT + args, cwd=root, env=self._env, capture_output=True, text=True,
                               errors="replace", timeout=self.timeout_s, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return f"\0git did not answer within {self.timeout_s:g} s"
        except OSError as exc:
            return f"\0git could not run ({exc.strerror or exc})"
        if p.returncode != 0:
            first = (p.stderr.strip().splitlines() or ["no message"])[0][:160]
            return f"\0git failed ({first})"
        return p.stdout
