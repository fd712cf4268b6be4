"""Checks for Write/Edit-style actions: files that run later (CI, hooks, package scripts, rc files) and overwriting
files that hold data."""

from __future__ import annotations

import re

from guardrail.base.text import LazyRegex
from guardrail.model import EvalContext, MAX_FILE_BYTES
from guardrail.rules import any_glob, has_flag
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Mapping


_AUTORUN = [
    ((r"(^|/)\.github/workflows/[^/]+\.ya?ml$|(^|/)\.gitlab-ci\.ya?ml$|(^|/)\.circleci/config\.ya?ml$|"
                r"(^|/)azure-pipelines\.ya?ml$|(^|/)bitbucket-pipelines\.ya?ml$|(^|/)\.buildkite/.*\.ya?ml$"), "ci"),
    ((r"(^|/)package\.json$"), "package.json"),
    ((r"(^|/)\.git/hooks/[^/]+$|(^|/)\.husky/[^/_][^/]*$|(^|/)\.githooks/[^/]+$"), "git-hook"),
    ((r"(^|/)lefthook\.ya?ml$|(^|/)\.pre-commit-config\.ya?ml$"), "hook-config"),
    ((r"(^|/)\.claude/settings(\.local)?\.json$"), "claude-settings"),
    ((r"(^|/)\.(bashrc|bash_profile|bash_login|profile|zshrc|zprofile|zshenv|zlogin|kshrc)$|"
                r"(^|/)\.config/fish/config\.fish$|(^|/)\.envrc$"), "shell-rc"),
    ((r"(^|/)(GNUmakefile|[Mm]akefile|[Jj]ustfile|\.justfile)$"), "makefile"),
    ((r"(^|/)docker-compose[^/]*\.ya?ml$|(^|/)compose\.ya?ml$"), "compose"),
    # editors run these tasks on request, or when the folder opens (`"runOn": "folderOpen"`); devcontainers run
    # their lifecycle commands on creation
    ((r"(^|/)\.vscode/tasks\.json$|(^|/)\.devcontainer(/[^/]+)?/devcontainer\.json$|"
                r"(^|/)\.devcontainer\.json$|(^|/)\.zed/tasks\.json$"), "editor-task"),
    ((r"(^|/)(crontab|cron\.d/[^/]+|cron\.(hourly|daily|weekly|monthly)/[^/]+|spool/cron/.*)$"), "cron"),
    ((r"(^|/)systemd/user/[^/]+\.(service|timer)$|(^|/)LaunchAgents/[^/]+\.plist$|"
                r"(^|/)autostart/[^/]+\.desktop$"), "login-service"),
]


# One pattern for the whole table (one compile per process: every file write asks), a named group per row.
_AUTORUN_RX = LazyRegex("|".join(f"(?P<k{i}>{rx})" for i, (rx, _) in enumerate(_AUTORUN)))


def autorun_kind(path: str) -> str | None:
    m = _AUTORUN_RX.search(path)
    return _AUTORUN[int(m.lastgroup[1:])][1] if m and m.lastgroup else None


def autorun_snippets(kind: str, content: str) -> list[tuple[str, str]]:
    """(where, shell text) pairs that the file will run."""
    out: list[tuple[str, str]] = []
    if kind == "package.json":
        import json

        try:
            scripts = json.loads(content).get("scripts") or {}
        except (ValueError, AttributeError):
            # an Edit carries a fragment: take `"name": "command"` pairs
            scripts = dict(re.findall(r'"([\w:.@/-]+)"\s*:\s*"((?:[^"\\]|\\.)*)"', content))
        if isinstance(scripts, dict):
            out += [(f"script {k}", v.replace('\\"', '"')) for k, v in scripts.items() if isinstance(v, str)]
    elif kind == "claude-settings":
        out += [("hook command", c.replace('\\"', '"')) for c in re.findall(r'"command"\s*:\s*"((?:[^"\\]|\\.)*)"', content)]
    elif kind in ("ci", "compose"):
        lines = content.splitlines()
        i = 0
        while i < len(lines):
            m = re.match(r"^(\s*)(-\s+)?(run|script|command|entrypoint|before_script|after_script)\s*:\s*(.*)$", lines[i])
            if m:
                indent = len(m.group(1)) + len(m.group(2) or "")
                val = m.group(4).strip()
                if val in ("|", ">", "|-", ">-", "|+", ""):
                    block = []
                    i += 1
                    while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
                        block.append(lines[i].strip().removeprefix("- ").strip())
                        i += 1
                    out.append((m.group(3), "\n".join(block)))
                    continue
                if len(val) >= 2 and val[0] == val[-1] and val[0] in "'\"":
                    val = val[1:-1]
                out.append((m.group(3), val))
            i += 1
    elif kind == "hook-config":
        # .pre-commit-config.yaml `entry:` and lefthook `run:` values are command lines
        out += [("hook entry", _unquote(v)) for v in re.findall(r"(?m)^\s*-?\s*(?:entry|run)\s*:\s*(.+?)\s*$", content)]
    elif kind == "editor-task":
        out += [("task command", c.replace('\\"', '"')) for c in
                re.findall(r'"(?:command|postCreateCommand|postStartCommand|postAttachCommand|onCreateCommand|'
                           r'updateContentCommand|initializeCommand)"\s*:\s*"((?:[^"\\]|\\.)*)"', content)]
    elif kind == "cron":
        out += [("cron entry", " ".join(ln.split()[5:]) if not ln.startswith("@") else " ".join(ln.split()[1:]))
                for ln in content.splitlines() if ln.strip() and not ln.lstrip().startswith("#") and "=" not in ln.split()[0]]
    elif kind == "login-service":
        out += [("service command", v) for v in re.findall(r"(?m)^\s*Exec\w*\s*=\s*-?(.+)$", content)]
        out += [("service command", " ".join(re.findall(r"<string>([^<]*)</string>", m)))
                for m in re.findall(r"<key>ProgramArguments</key>\s*<array>(.*?)</array>", content, re.S)]
    elif kind == "makefile":
        out += [("recipe", ln[1:]) for ln in content.splitlines() if ln.startswith("\t")]
        out += [("recipe", ln.strip()) for ln in content.splitlines() if ln.startswith("    ")]
    else:
        out.append((kind, content))
    return out


def _unquote(v: str) -> str:
    return v[1:-1] if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"" else v


def autorun_write(action: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """A Write/Edit that puts a destructive command into a file that runs automatically (CI, package.json
    scripts, git hooks, Claude Code hooks, shell rc files, Makefiles)."""
    path = getattr(action, "path", "")
    content = getattr(action, "content", "")
    kind = autorun_kind(path)
    if kind is None or not content:
        return []
    from guardrail.base.record import replace

    from guardrail.shell.parse import parse_command

    out = []
    if kind in ("shell-rc", "git-hook"):
        out += _autorun_always_bad(content[:MAX_FILE_BYTES])
    for where, script in autorun_snippets(kind, content[:MAX_FILE_BYTES])[:100]:
        if not script.strip():
            continue
        for cmd in parse_command(script).commands[:50]:
            tagged = replace(cmd, via=(f"{kind} {where}",) + cmd.via)  # no path: its words are not the target
            for rule, targets in ctx.nested_hits(tagged):
                if rule.decision != (args.get("decision") or rule.decision):
                    continue
                out.append(f"{where}: `{' '.join(cmd.argv)[:100]}` [{rule.id}]")
    return list(dict.fromkeys(out))


_SHADOWED = frozenset("ls cd cat echo git cp mv grep less vim vi nano code python node npm make clear pwd".split())


def _autorun_always_bad(text: str) -> list[str]:
    """In files that run on every shell or commit, any recursive/forced rm runs repeatedly, and an alias that
    shadows an everyday command with a destructive one fires on next use."""
    from guardrail.shell.parse import parse_command

    out = []
    for m in re.finditer(r"(?m)^\s*alias\s+([\w.-]+)=(['\"]?)(.*?)\2\s*$", text):
        value = m.group(3)
        words = value.split()
        if m.group(1) in _SHADOWED and words and (words[0] in ("rm", "dd", "shred", "mkfs", "wipefs")
                                                  or "reset --hard" in value or "clean -f" in value):
            out.append(f"alias {m.group(1)}='{value}' (shadows `{m.group(1)}` with a destructive command)")
    for c in parse_command(text).commands[:200]:
        if c.name == "rm" and (has_flag(c.args, "-r") or has_flag(c.args, "-R") or has_flag(c.args, "--recursive")):
            out.append(f"`{' '.join(c.argv)[:80]}` (runs on every start)")
    return out


def overwrite_existing(action: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """A write by one of `args.tools` (default Write) to an existing file matching `args.paths` (globs on the
    path or its tail). The glob is tested before any read, so other writes cost nothing; new files pass."""
    if getattr(action, "tool", "") not in args.get("tools", ("Write",)):
        return []
    path = getattr(action, "path", "")
    globs = args.get("paths") or ()
    # `*/<glob>` never matches the tail (it has no `/`), so path and tail can share one compiled pattern list
    if globs and not any_glob(tuple(globs) + tuple("*/" + g for g in globs), (path, path.rsplit("/", 1)[-1])):
        return []
    return [path] if ctx.read_text(path, limit=1) is not None else []
