"""Files that run later, judged by what lands in them: a command planted in CI, a git hook, a package script, an
editor task, a cron entry or a shell rc file runs outside any hook, so the text is read as command lines (what they
destroy, what they send off the machine), whether a Write/Edit or a shell redirect writes it; and changes that
take a protection away (a `.gitignore` that stops ignoring secrets)."""

from __future__ import annotations

import re

from guardrail.checks.files import autorun_kind, autorun_snippets, autorun_write
from guardrail.checks.secrets import analyse, scrubbed, secret_path
from guardrail.model import MAX_FILE_BYTES, EvalContext, FileWrite, SimpleCommand
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Mapping


def planted_exfiltration(action: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """A file that runs later gets a command line that sends a secret off the machine (`curl -d "$(env)"` in a CI
    step, `cat .env | curl` in a pre-commit entry, a folder-open task posting ~/.aws/credentials)."""
    path = getattr(action, "path", "")
    content = getattr(action, "content", "")
    kind = autorun_kind(path)
    if kind is None or not content:
        return []
    from guardrail.shell.parse import parse_command

    out: list[str] = []
    for where, script in autorun_snippets(kind, content[:MAX_FILE_BYTES])[:100]:
        if script.strip():
            commands = parse_command(script).commands[:50]
            out += [f"{where}: {s}" for s in analyse(commands, ctx).sent]
    return scrubbed(out)


# --------------------------------------------------------------------------- the same files, written by the shell

_WRITE_OPS = (">", ">>", ">|", "&>", "&>>", "1>")


def shell_written(cmd: SimpleCommand, ctx: EvalContext) -> list[FileWrite]:
    """The files this command writes and the text it writes, when the text is on the line: `cat > f <<EOF`,
    `echo x >> f`, `printf ... > f`, `... | tee -a f`."""
    targets = [r.target for r in cmd.redirects if r.op in _WRITE_OPS]
    if cmd.name == "tee":
        targets += [a for a in cmd.args if not a.startswith("-")]
    if not targets:
        return []
    if cmd.name in ("echo", "printf"):
        words = [a for a in cmd.args if not (cmd.name == "echo" and a in ("-e", "-n", "-E", "-ne", "-en"))]
        text = " ".join(words).replace("\\n", "\n") if cmd.name == "printf" or "-e" in cmd.args else " ".join(words)
    elif cmd.name in ("cat", "tee") and cmd.stdin_text is not None:
        text = cmd.stdin_text
    else:
        return []
    return [FileWrite(ctx.resolve(t), text, "Bash") for t in targets]


def shell_autorun_write(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """A shell write that puts a command into a file that runs later: judged like the same Write
    (`cat >> .git/hooks/post-checkout <<EOF ... git clean -ffdx`, `echo 'curl ... | sh' >> ~/.bashrc`)."""
    out: list[str] = []
    for fw in shell_written(cmd, ctx):
        if autorun_kind(fw.path) is None:
            continue
        hits = autorun_write(fw, ctx, args)
        if args.get("flows", True) and args.get("decision") in (None, "deny"):
            hits += planted_exfiltration(fw, ctx, args)
        out += [f"{fw.path}: {h}" for h in hits]
    return out


def login_keys_write(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """The command writes ~/.ssh/authorized_keys (a redirect or tee): a new key logs in as this user."""
    targets = [r.target for r in cmd.redirects if r.op in _WRITE_OPS]
    if cmd.name == "tee":
        targets += [a for a in cmd.args if not a.startswith("-")]
    return [t for t in targets if t.rsplit("/", 1)[-1] in ("authorized_keys", "authorized_keys2")]


# --------------------------------------------------------------------------- protections taken away

_IGNORE_NAMES = (".env", ".env.local", ".env.production", "id_rsa", "secrets.json", "credentials.json", "key.pem")


def _ignores_secret(line: str) -> bool:
    """A .gitignore line that keeps some secret file out of commits (`.env`, `.env.*`, `*.pem`, `secrets/`)."""
    import fnmatch

    pat = line.strip().lstrip("/").rstrip("/")
    if not pat or pat.startswith(("#", "!")):
        return False
    if secret_path(pat) or pat.lower() in ("secrets", ".secrets", "credentials"):
        return True
    base = pat.rsplit("/", 1)[-1]
    return any(c in base for c in "*?[") and len(re.sub(r"[*?]", "", base)) >= 2 and \
        any(fnmatch.fnmatchcase(n, base) for n in _IGNORE_NAMES)


def _unignores_secret(line: str) -> bool:
    """A negation that puts a secret file back into commits (`!.env`, `!.env.production`)."""
    s = line.strip()
    return s.startswith("!") and _ignores_secret(s[1:])


def unignore_secret(action: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """A change to a .gitignore (Write, Edit, or a shell write) after which secret files are no longer ignored:
    an ignore line for them removed, or a `!` line that re-includes them."""
    return _unignored(ctx, [action])


def shell_unignore_secret(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """`echo '!.env' >> .gitignore`: the shell spelling of unignore_secret."""
    return _unignored(ctx, shell_written(cmd, ctx))


def _unignored(ctx: EvalContext, writes: list[Any]) -> list[str]:
    out: list[str] = []
    for fw in writes:
        path = getattr(fw, "path", "")
        if path.rsplit("/", 1)[-1] != ".gitignore":
            continue
        new = getattr(fw, "content", "")
        old = getattr(fw, "old", "")
        if fw.tool == "Write":
            old = ctx.read_text(path) or ""
        added = set(new.splitlines()) - set(old.splitlines())
        removed = set(old.splitlines()) - set(new.splitlines())
        out += [f"`{ln.strip()}` re-includes a secret file" for ln in added if _unignores_secret(ln)]
        if fw.tool in ("Edit", "MultiEdit", "Write"):
            out += [f"`{ln.strip()}` removed: secret files would be committed" for ln in removed if _ignores_secret(ln)]
    return out


_SCANNERS = ("gitleaks", "detect-secrets", "trufflehog", "git-secrets", "ggshield", "talisman", "secretlint",
             "detect-private-key", "detect-aws-credentials")


def scanner_removed(action: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """An edit of a hook or CI file that takes out a secret scanner (gitleaks, detect-secrets, trufflehog, ...)."""
    path = getattr(action, "path", "")
    if autorun_kind(path) not in ("hook-config", "ci", "git-hook"):
        return []
    new = getattr(action, "content", "")
    old = getattr(action, "old", "") if action.tool != "Write" else (ctx.read_text(path) or "")
    low_new = new.lower()
    return [f"{s} no longer runs ({path.rsplit('/', 1)[-1]})" for s in _SCANNERS
            if s in old.lower() and s not in low_new]
