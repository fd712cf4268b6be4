"""Every named check, one row each: what rules write (`match.check = "rm-broad-target"`), where the function lives,
and what the engine, the prefilter and pack validation need to know about it; and the guards the rows name.

A check is a function `(action, ctx, args) -> list[str]` in the module of its domain (guardrail/checks/<module>.py);
the targets it returns make the rule fire, an empty list does not. Adding one is a row here plus the function (see
docs/writing-rules.md, "Adding a check"). Domain modules load on a check's first call, never at import: most calls
need none of them, and a guard (a cheap exact refusal, at the end of this module) can refuse before its module
loads at all. Each guard must stay an exact superset of what its checks act on (tests/test_checks_registry.py
checks them over every program of the vocabulary): a guard that refused a command its check would flag would hide
a finding.
"""

from __future__ import annotations

from guardrail.base.vocab import (ARCHIVERS, COMMAND_CARRIERS, CONTAINER_ENGINES, CONTAINER_RUN_VERBS, DELETERS,
                                  DESTROYERS, DEVICE_WRITERS, DOWNLOADERS, INTERPRETERS, KUBE_CLIS, PYTHON_INSTALLERS,
                                  SECRET_SENDERS, TERRAFORMS, is_python)
from guardrail.rules import positionals
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any, Callable

    from guardrail.model import EvalContext

    CheckFn = Callable[[Any, Any, Any], list[str]]


# What a check judges, and so which tool calls its rules may name:
COMMAND = "command"  # one simple command of a Bash line (a SimpleCommand)
LINE = "line"  # the Bash line as a whole, once, after its commands (the action is None; the context says why)
FILE = "file"  # a Write/Edit/MultiEdit/NotebookEdit action (model.FileWrite: path and new text)
TOOL = "tool"  # any other tool call (model.ToolCall: its name and input)
# The prefilter's words for a check whose rule names no program: the check cannot fire on a Bash line without one.
SCRIPT_RUNNERS = "script-runners"  # any program that carries commands (vocabulary: COMMAND_CARRIERS)
PROTECTED_NAMES = "protected-names"  # the names protected in the config


class TextCue:
    """Prefilter triggers for a check whose cue is a shape of a line with a redirection, not a word (`: > file` has
    no word): the index stores the regex, and the prefilter sends a line with `>` that it matches (lower-cased)
    down the full path; lines without `>` never compile or run it. `build` makes the regex, when the index is
    built (not on the hook's path)."""

    __slots__ = ("build",)

    def __init__(self, build: Callable[[], str]) -> None:
        self.build = build


def _truncating_redirect() -> str:
    """A write redirection that empties its file: at the head of a command (`> f`, `: > f`, `true >| f`, `cat
    /dev/null > f`, `echo -n > f`), or onto a key, secret or database file (`echo x > config/master.key`)."""
    import re

    from guardrail.base.paths import KEEPSAKE_NAMES, KEEPSAKE_SUFFIXES

    keepsakes = "|".join(sorted({re.escape(n) for n in KEEPSAKE_NAMES} | {re.escape(x) + r"\b" for x in KEEPSAKE_SUFFIXES}))
    return (r"(?:(?:^|[;&|(){}\n]|\bthen\b|\bdo\b|\belse\b)\s*(?:(?::|true|false|cat\s+/dev/null|"
            r"echo(?:\s+(?:-[nee]+|''|\"\"))*|printf\s+(?:''|\"\"))\s*)?[01&]?>\|?(?![>&]))"
            r"|(?:>\|?\s*[^\s;&|>]*(?:" + keepsakes + r"))")


TRUNCATING_REDIRECT = TextCue(_truncating_redirect)


class CheckSpec:
    """One check's row. A plain slotted class: the table is built at import on the hook's path, where a record
    type would compile a specialised __init__ after its 16th instance."""

    __slots__ = ("name", "module", "function", "level", "guard", "triggers", "nests", "after_others")

    def __init__(self, name: str, module: str, function: str, level: str = COMMAND,
                 guard: Callable[[Any, Any], bool] | None = None, triggers: tuple[str, ...] | str | None = None,
                 nests: bool = True, after_others: bool = False) -> None:
        self.name = name
        self.module = module  # guardrail/checks/<module>.py
        self.function = function
        self.level = level
        # A cheap exact refusal run before the module loads (and once per command for every rule naming the
        # check): when it says no, the check would return nothing.
        self.guard = guard
        # For the prefilter, when a rule names this check and no program: the words without which it cannot
        # fire (lower case), SCRIPT_RUNNERS or PROTECTED_NAMES; None = cannot tell, so every Bash line takes the
        # full path. A rule's own `check_args.words` take precedence. For a `tool` check: the base-name patterns
        # (fnmatch, lower case) without which the tool's path cannot concern it (the Read of `src/app.py` stops in
        # the prefilter).
        self.triggers = triggers
        # False for checks that follow nested commands themselves (script following, protected resources,
        # planted commands): their rules are not matched again on the commands those reach.
        self.nests = nests
        # A line-level check that judges what the other rules' checks could not read: it runs after them.
        self.after_others = after_others

    def __repr__(self) -> str:
        return f"CheckSpec({self.name!r}, {self.module!r}, {self.function!r}, level={self.level!r})"


# --------------------------------------------------------------------------- guards

# Runners that carry commands only in some uses; everywhere else they are everyday commands (`docker ps`,
# `curl -s URL`, `kubectl get pods`, `terraform fmt`) that must not pay for script following. A downloader
# matters inside `$(...)`/`<(...)` (`eval "$(curl URL)"`); the others by their first word.
_CONTAINER_TOOLS = CONTAINER_ENGINES | KUBE_CLIS


def _carries_commands(name: str, cmd: Any) -> bool:
    """For a container engine, cluster CLI, gcloud or terraform: whether this use can run commands of its own."""
    pos = positionals(cmd)
    if name in _CONTAINER_TOOLS:
        i = 1 if pos[:1] in (["compose"], ["container"]) else 0  # `docker compose exec`, `docker container run`
        return len(pos) <= i or pos[i] in CONTAINER_RUN_VERBS
    if name == "gcloud":
        return "ssh" in pos[:4]  # `gcloud compute ssh VM --command ...`, `gcloud cloud-shell ssh`
    return not pos or pos[0] in ("apply", "plan")  # terraform: a saved destroy plan applied on the same line


def may_run_scripts(cmd: Any, ctx: EvalContext) -> bool:
    """Whether `cmd` can run commands guardrail reads from somewhere else: a script, a package script, inline
    code, a tool's embedded commands, a download (the guard of script following)."""
    name = getattr(cmd, "name", "")
    if cmd.env and any(k in ("BASH_ENV", "ENV", "ZDOTDIR") for k, _ in cmd.env):
        return True  # the shell that runs it reads a startup file first (expand.scripts.STARTUP_VARS)
    if name in COMMAND_CARRIERS or is_python(name):
        if name in DOWNLOADERS:
            return any(v in ("$()", "<()") for v in cmd.via)
        if name in _CONTAINER_TOOLS or name in TERRAFORMS or name == "gcloud":
            return _carries_commands(name, cmd)
        return True
    head = cmd.argv[0] if getattr(cmd, "argv", None) else ""
    return head.startswith(("./", "../")) or head.endswith((".sh", ".bash", ".zsh")) or ("/" in head and head.endswith(".py"))


def has_protected(cmd: Any, ctx: EvalContext) -> bool:
    """Whether the config protects any resource (the guard of protected-target)."""
    config = ctx.config or {}
    nested = config.get("protected")
    if hasattr(nested, "values") and any(nested.values()):
        return True
    return any(v for k, v in config.items() if k.startswith(("protected_", "protected.")))


# Guards of the checks that program-less rules name: every command of every Bash line meets those rules, so
# without a guard their modules would load for every call.

def has_redirects(cmd: Any, ctx: EvalContext) -> bool:
    """The command redirects its input or output (redirect-to-device, redirect-target)."""
    return bool(cmd.redirects)


def writes_devices(cmd: Any, ctx: EvalContext) -> bool:
    """A general tool that can write a block device (device-write)."""
    return cmd.name in DEVICE_WRITERS


def archives(cmd: Any, ctx: EvalContext) -> bool:
    """An archiver, which may delete what it packs (archive-remove-broad)."""
    return cmd.name in ARCHIVERS


def destroys_files(cmd: Any, ctx: EvalContext) -> bool:
    """A program whose own arguments name files it deletes, empties or overwrites (destroys-unrecoverable). `tee`
    is judged only when it empties (stdin from /dev/null) or writes over a key or database."""
    name = cmd.name
    if name == "tee":
        if cmd.stdin_file in ("/dev/null", "/dev/zero"):
            return True
        from guardrail.base.paths import keepsake_name

        return any(keepsake_name(a.rsplit("/", 1)[-1]) for a in cmd.args)
    if name in ("sed", "gsed"):
        return any(a.startswith(("-i", "--in-place")) for a in cmd.args)  # only an in-place edit can empty a file
    if name in ("tar", "gtar", "bsdtar"):
        return "--remove-files" in cmd.args
    return name in DESTROYERS


_GIT_DISCARD_VERBS = frozenset({"reset", "clean", "stash", "switch", "restore", "checkout", "rm", "checkout-index",
                                "read-tree"})


def may_discard(cmd: Any, ctx: EvalContext) -> bool:
    """A git subcommand that can throw work away (git-loses-work): `git status`, `git log` never load its module."""
    pos = positionals(cmd)
    return bool(pos) and pos[0] in _GIT_DISCARD_VERBS


def truncates(cmd: Any, ctx: EvalContext) -> bool:
    """A write redirection that replaces its file's content (`>`, not `>>`)."""
    return any(r.op in (">", ">|", "1>", "&>") for r in cmd.redirects)


def destroys_or_truncates(cmd: Any, ctx: EvalContext) -> bool:
    return cmd.name in DESTROYERS or truncates(cmd, ctx)


def destroys_with_protected_paths(cmd: Any, ctx: EvalContext) -> bool:
    """destroys_or_truncates, and the config protects some path (destroys-protected-path): without one, the
    effect module never loads for `cp` or `tee`."""
    config = ctx.config or {}
    nested = config.get("protected")
    paths = nested.get("paths") if hasattr(nested, "get") else None
    return bool(paths or config.get("protected.paths") or config.get("protected_paths")) and \
        destroys_or_truncates(cmd, ctx)


def dynamic_head(cmd: Any, ctx: EvalContext) -> bool:
    """The program word is an expansion (dynamic-program)."""
    return bool(cmd.argv) and cmd.argv[0][:1] == "$"


_GUARD_PROGRAMS = frozenset({"guardrail", "claude", "mv"}) | PYTHON_INSTALLERS | DELETERS


def may_switch_off(cmd: Any, ctx: EvalContext) -> bool:
    """A program that can unregister, uninstall or delete guardrail (guard-switch-off)."""
    return cmd.name in _GUARD_PROGRAMS or is_python(cmd.name)


def writes_text(cmd: Any, ctx: EvalContext) -> bool:
    """The command writes text that is on the line into a file (shell-autorun-write, shell-unignore-secret):
    `echo`/`printf` with a write redirect, or `cat`/`tee` fed a heredoc or here-string (planted.shell_written)."""
    name = cmd.name
    if name in ("echo", "printf"):
        return bool(cmd.redirects)
    return name in ("cat", "tee") and cmd.stdin_text is not None and (bool(cmd.redirects) or name == "tee")


def writes_login_keys(cmd: Any, ctx: EvalContext) -> bool:
    """A write redirect or tee onto an authorized_keys file (login-keys-write)."""
    targets = [r.target for r in cmd.redirects] + (list(cmd.args) if cmd.name == "tee" else [])
    return any(t.rsplit("/", 1)[-1] in ("authorized_keys", "authorized_keys2") for t in targets)


def writes_autorun_file(action: Any, ctx: EvalContext) -> bool:
    """A Write/Edit of a file that runs later (planted-exfiltration); files.py holds the table and loads for every
    file write anyway (autorun-write)."""
    from guardrail.checks.files import autorun_kind

    return autorun_kind(getattr(action, "path", "")) is not None


def writes_gitignore(action: Any, ctx: EvalContext) -> bool:
    """A Write/Edit of a .gitignore (unignore-secret)."""
    return getattr(action, "path", "").rsplit("/", 1)[-1] == ".gitignore"


# Guards of line-level checks (the action is None; the context says what the line was).

# Every secret the secrets checks know has one of these in its command's words: a secret file's name, a folder of
# keys, a credential variable (`$`), a glob that may expand to one, a token printer, an environment dump. Plain
# substrings, not a regex: this runs for every Bash line that takes the full path, and compiling costs more.
_SECRET_HINTS = ("$", "`", "*", "?", "[", "env", "id_", ".ssh", ".aws", ".kube", ".docker", ".gnupg", "gcloud", "azure",
                 "credential", "secret", "token", "key", "pem", "pass", "npmrc", "netrc", "pypirc", ".cnf", "tfvars",
                 "p12", "pfx", "jks", "account", "hosts.yml", "auth", "config/hub", "vault", "sops", "doppler", "heroku",
                 "security", "decrypt", "export", "declare", "typeset")
_SECRET_HINT_WORDS = frozenset({"op", "set"})


def _hints_secret(text: str) -> bool:
    low = text.lower()
    for h in _SECRET_HINTS:
        if h in low:
            return True
    return not _SECRET_HINT_WORDS.isdisjoint(low.split())


def line_may_hold_secret(_line: Any, ctx: EvalContext) -> bool:
    """Some command of the line names a secret or may print one (secret-shown)."""
    for c in ctx.commands:
        if _hints_secret(" ".join(c.argv)) or (c.stdin_file and _hints_secret(c.stdin_file)) or \
                (c.stdin_text and _hints_secret(c.stdin_text)):
            return True
    return False


_DATA_OPTIONS = ("-d", "--data", "-F", "--form", "--json", "--post-data", "--body-data")


def line_may_send(_line: Any, ctx: EvalContext) -> bool:
    """Some command of the line can carry data off the machine, or is inline code, and some command names a secret
    (secret-exfiltration). `git` publishes only what the line also adds: a lone git command sends nothing new."""
    commands = ctx.commands
    for c in commands:
        name = c.name
        if (name in SECRET_SENDERS and (name != "git" or (len(commands) > 1 and "push" in c.args))) or \
                name in INTERPRETERS or is_python(name):
            # every secret the checks know is hinted in some command's words (line_may_hold_secret); a credential
            # may also be written on the line itself (`-d token=ghp_...`, `echo ghp_... | nc`)
            if c.stdin_from is not None or c.stdin_text is not None or c.stdin_file is not None or \
                    line_may_hold_secret(_line, ctx) or \
                    any(a.startswith(_DATA_OPTIONS) for a in c.args):
                return True  # piped data (`echo ghp_... | nc`), a hinted secret, or a data option
    return False


def line_over_limit(_line: Any, ctx: EvalContext) -> bool:
    return bool(ctx.over_limit)


def line_has_problems(_line: Any, ctx: EvalContext) -> bool:
    return bool(ctx.problems)


def line_has_unread(_line: Any, ctx: EvalContext) -> bool:
    return bool(ctx.unread)


def line_has_control(_line: Any, ctx: EvalContext) -> bool:
    """Some character below 0x20 other than tab and newline, or DEL (control-bytes says which and where)."""
    source = ctx.source
    return not source.isprintable() and not source.translate(_TAB_NEWLINE).isprintable()


_TAB_NEWLINE = {9: None, 10: None}


# --------------------------------------------------------------------------- the rows

# Words in the names of the files that run later (checks/files.py's table), for shell writes into them.
_AUTORUN_WORDS = ("hooks", ".husky", ".githooks", ".bashrc", ".bash_profile", ".bash_login", ".profile", ".zshrc",
                  ".zprofile", ".zshenv", ".zlogin", ".kshrc", "config.fish", ".envrc", "package.json", "makefile",
                  "gnumakefile", "justfile", ".justfile", "workflows", ".gitlab-ci.yml", ".gitlab-ci.yaml", ".circleci",
                  "azure-pipelines.yml", "bitbucket-pipelines.yml", ".buildkite", "docker-compose*", "compose.yml",
                  "compose.yaml", "tasks.json", "devcontainer.json", ".devcontainer.json", "crontab", "cron.d",
                  "cron.hourly", "cron.daily", "cron.weekly", "cron.monthly", "cron", "systemd", "launchagents",
                  "autostart", ".pre-commit-config.yaml", ".pre-commit-config.yml", "lefthook.yml", "lefthook.yaml",
                  "settings.json", "settings.local.json")
# Base names of the files secret_path knows (the prefilter lets the Read of any other file through).
_SECRET_FILE_NAMES = (".env", ".env.*", "*.env", ".envrc", "id_*", "*.pem", "*.key", "*.p12", "*.pfx", "*.jks",
                      "*.keystore", ".netrc", "_netrc", ".npmrc", ".pypirc", ".git-credentials", ".pgpass", ".my.cnf",
                      "*service*account*", "*credentials*", "client_secret*", "secrets.*", ".secrets", "*.tfvars",
                      "*vault-token", "config", "config.json", "hosts.yml", "*token*", "hub", "auth.json")
# Words without which no secret can be printed: secret files' names (globs allowed) and the programs that print
# tokens; `$` makes a line take the full path anyway (`echo $API_KEY`).
_SECRET_WORDS = (".env", ".env.*", "*.env", ".envrc", "id_*", "*.pem", "*.key", "*.p12", "*.pfx", "*.jks",
                 "*.keystore", "credentials", "credentials*", ".netrc", "_netrc", ".npmrc", ".pypirc", ".git-credentials",
                 ".pgpass", ".my.cnf", ".kube", ".docker", ".aws", ".ssh", ".gnupg", "hosts.yml", "*service*account*",
                 "client_secret*", "secrets.*", ".secrets", "*.tfvars", "*vault-token", "printenv", "token", "vault",
                 "op", "pass", "find-generic-password", "find-internet-password", "keyvault", "doppler", "heroku",
                 "sops", "credential", "secretsmanager", "ssm", "export-credentials", "get-login-password",
                 "get-session-token", "print-access-token", "print-identity-token", "secret", "secrets", "gh", "glab",
                 "gcloud", "kubectl", "oc", "kubecolor")

_RISKY_WORDS = ("rm", "rmdir", "dd", "mkfs", "shred", "wipefs", "drop", "truncate", "delete", "destroy", "reset",
                "purge", "flush", "flushall", "flushdb", "prune", "clean", "force", "rf", "fr", "eval", "exec",
                "base64", "sh", "bash", "zsh", "curl", "wget")

SPECS: dict[str, CheckSpec] = {spec.name: spec for spec in (
    # files and devices
    CheckSpec("rm-broad-target", "fs", "rm_broad_target"),
    CheckSpec("rm-unresolved-list", "fs", "rm_unresolved_list"),
    CheckSpec("path-broad-target", "fs", "path_broad_target"),
    CheckSpec("find-delete-broad", "fs", "find_delete_broad"),
    CheckSpec("device-target", "fs", "device_target"),
    CheckSpec("device-write", "fs", "device_write", guard=writes_devices),
    CheckSpec("archive-remove-broad", "fs", "archive_remove_broad", guard=archives),
    CheckSpec("redirect-to-device", "fs", "redirect_to_device", guard=has_redirects, triggers=("dev",)),
    CheckSpec("redirect-target", "fs", "redirect_target", guard=has_redirects),
    CheckSpec("chmod-broad", "fs", "chmod_broad"),
    CheckSpec("rsync-delete-broad", "fs", "rsync_delete_broad"),
    # what a command destroys and whether it can be got back (guardrail/checks/recover.py)
    CheckSpec("destroys-unrecoverable", "recover", "destroys_unrecoverable", guard=destroys_files,
              triggers=tuple(sorted(DESTROYERS - {":", "true"}))),
    CheckSpec("redirect-destroys-unrecoverable", "recover", "redirect_destroys_unrecoverable", guard=truncates,
              triggers=TRUNCATING_REDIRECT),
    CheckSpec("destroys-path", "recover", "destroys_path", guard=destroys_or_truncates,
              triggers=tuple(sorted(DESTROYERS - {":", "true"}))),
    CheckSpec("destroys-protected-path", "recover", "destroys_protected_path", guard=destroys_with_protected_paths,
              triggers=tuple(sorted(DESTROYERS - {":", "true"}))),
    # git
    CheckSpec("git-force-push", "git", "git_force_push"),
    CheckSpec("git-loses-work", "gitstate", "git_loses_work", guard=may_discard),
    CheckSpec("git-push-delete", "git", "git_push_delete"),
    CheckSpec("abbreviated-option", "options", "abbreviated_option"),
    # the line as a whole
    CheckSpec("over-limit", "meta", "over_limit", level=LINE, guard=line_over_limit, triggers=(), nests=False),
    CheckSpec("unparseable-risky", "meta", "unparseable_risky", level=LINE, guard=line_has_problems,
              triggers=_RISKY_WORDS, nests=False),
    CheckSpec("unread-input", "meta", "unread_input", level=LINE, guard=line_has_unread, triggers=(),
              after_others=True),
    CheckSpec("control-bytes", "meta", "control_bytes", level=LINE, guard=line_has_control, triggers=(),
              nests=False),
    # code guardrail cannot see, or that a tool runs
    CheckSpec("dynamic-program", "exec", "dynamic_program", guard=dynamic_head, triggers=()),
    CheckSpec("remote-code", "exec", "remote_code"),
    CheckSpec("runs-command", "runs", "runs_command"),
    # data
    CheckSpec("sql-destructive", "sql", "sql_destructive"),
    CheckSpec("inline-code-sql", "sql", "inline_code_sql"),
    CheckSpec("inline-code-orm", "sql", "inline_code_orm"),
    CheckSpec("mongo-destructive", "stores", "mongo_destructive"),
    CheckSpec("redis-destructive", "stores", "redis_destructive"),
    CheckSpec("http-destructive-cloud", "cloud", "http_destructive_cloud"),
    # targets
    CheckSpec("target-env", "targets", "target_env"),
    CheckSpec("protected-target", "protected", "protected_target", guard=has_protected, triggers=PROTECTED_NAMES,
              nests=False),
    # what a command runs through something else
    CheckSpec("indirect", "indirect", "indirect", guard=may_run_scripts, triggers=SCRIPT_RUNNERS, nests=False),
    CheckSpec("indirect-unresolved", "indirect", "indirect_unresolved", guard=may_run_scripts, triggers=SCRIPT_RUNNERS,
              nests=False),
    # secrets
    CheckSpec("secret-exfiltration", "secrets", "secret_exfiltration", level=LINE, guard=line_may_send,
              triggers=tuple(sorted(n.lower() for n in SECRET_SENDERS)), nests=False),
    CheckSpec("secret-shown", "secrets", "secret_shown", level=LINE, guard=line_may_hold_secret, triggers=_SECRET_WORDS,
              nests=False),
    CheckSpec("secret-in-request", "secrets", "secret_in_request", level=TOOL),
    CheckSpec("shell-to-socket", "secrets", "shell_to_socket", guard=has_redirects, triggers=("tcp", "udp")),
    CheckSpec("secret-file-read", "secrets", "secret_file_read", level=TOOL, triggers=_SECRET_FILE_NAMES),
    # files that run later, and protections taken away
    CheckSpec("planted-exfiltration", "planted", "planted_exfiltration", level=FILE, guard=writes_autorun_file,
              nests=False),
    CheckSpec("shell-autorun-write", "planted", "shell_autorun_write", guard=writes_text, triggers=_AUTORUN_WORDS,
              nests=False),
    CheckSpec("unignore-secret", "planted", "unignore_secret", level=FILE, guard=writes_gitignore),
    CheckSpec("scanner-removed", "planted", "scanner_removed", level=FILE, guard=writes_autorun_file),
    CheckSpec("shell-unignore-secret", "planted", "shell_unignore_secret", guard=writes_text, triggers=(".gitignore",)),
    CheckSpec("login-keys-write", "planted", "login_keys_write", guard=writes_login_keys,
              triggers=("authorized_keys", "authorized_keys2")),
    # guardrail itself
    CheckSpec("guard-switch-off", "guard", "guard_switch_off", guard=may_switch_off,
              triggers=("guardrail", "claude_plugin_data", "claude_plugin_root")),
    # other tools
    CheckSpec("mcp-sql", "mcp", "mcp_sql", level=TOOL),
    CheckSpec("mcp-destructive-name", "mcp", "mcp_destructive_name", level=TOOL),
    CheckSpec("autorun-write", "files", "autorun_write", level=FILE, nests=False),
    CheckSpec("overwrite-existing", "files", "overwrite_existing", level=FILE),
    CheckSpec("write-empties-unrecoverable", "recover", "write_empties_unrecoverable", level=FILE),
)}


def _domain(module: str) -> ModuleType:
    """The domain module, imported on first need (explicit imports: the layering contract sees each one)."""
    if module == "fs":
        from guardrail.checks import fs as m
    elif module == "git":
        from guardrail.checks import git as m
    elif module == "options":
        from guardrail.checks import options as m
    elif module == "meta":
        from guardrail.checks import meta as m
    elif module == "exec":
        from guardrail.checks import exec as m
    elif module == "runs":
        from guardrail.checks import runs as m
    elif module == "sql":
        from guardrail.checks import sql as m
    elif module == "stores":
        from guardrail.checks import stores as m
    elif module == "cloud":
        from guardrail.checks import cloud as m
    elif module == "targets":
        from guardrail.checks import targets as m
    elif module == "protected":
        from guardrail.checks import protected as m
    elif module == "indirect":
        from guardrail.checks import indirect as m
    elif module == "secrets":
        from guardrail.checks import secrets as m
    elif module == "planted":
        from guardrail.checks import planted as m
    elif module == "guard":
        from guardrail.checks import guard as m
    elif module == "mcp":
        from guardrail.checks import mcp as m
    elif module == "files":
        from guardrail.checks import files as m
    elif module == "recover":
        from guardrail.checks import recover as m
    elif module == "gitstate":
        from guardrail.checks import gitstate as m
    else:
        raise KeyError(f"no check module {module!r}")
    return m


class Check:
    """A named check, callable like its function: the guard first, then the function (its module loads on the
    first call that passes the guard). `function` is kept once loaded, so later calls cost one attribute read."""

    __slots__ = ("spec", "guard", "function")

    def __init__(self, spec: CheckSpec) -> None:
        self.spec = spec
        self.guard = spec.guard
        self.function: CheckFn | None = None

    def load(self) -> CheckFn:
        fn = self.function
        if fn is None:
            fn = self.function = getattr(_domain(self.spec.module), self.spec.function)
        return fn

    def __call__(self, action: Any, ctx: Any, args: Any) -> list[str]:
        if self.guard is not None and not self.guard(action, ctx):
            return []
        return (self.function or self.load())(action, ctx, args)

    def __repr__(self) -> str:
        return f"Check({self.spec.name!r})"


# Check name -> Check. `CHECKS.get(name)` is what rules.match_command calls.
CHECKS: dict[str, Check] = {name: Check(spec) for name, spec in SPECS.items()}
