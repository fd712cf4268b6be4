"""Named checks: the semantic parts of matching that a TOML table cannot express.

A rule names a check (`match.check = "rm-broad-target"`); the check returns the targets it found,
and an empty list means the rule does not fire. Checks are pure: files are read only through
`ctx.read_file`, which the caller injects (bounded real reads in the hook, dicts in tests).
"""

from __future__ import annotations

import posixpath
import re
from guardrail.base.text import shell_quote
from guardrail.base.lazy import LazyRegex
from guardrail.base.record import factory, record
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Callable, Mapping

from guardrail.base.vocab import (ARCHIVERS, COMMAND_CARRIERS, CONTAINER_ENGINES, CONTAINER_RUN_VERBS, DELETERS,
                                  DOWNLOADERS, KUBE_CLIS, SQL_CLIENTS, TERRAFORMS, is_python)
from guardrail.model import SimpleCommand
from guardrail.rules import has_flag, positionals


@record
class EvalContext:
    """What checks may know about the world: paths, environment, and a file reader."""

    cwd: str = ""
    project_dir: str = ""
    home: str = ""
    env: Mapping[str, str] = factory(dict)
    read_file: Callable[[str], str | None] = lambda _path: None
    problems: list[str] = factory(list)
    over_limit: str | None = None
    source: str = ""
    config: Mapping[str, Any] = factory(dict)
    ruleset: Any = None  # the RuleSet being evaluated, for checks that match nested commands (set by evaluate)
    unread: list[str] = factory(list)  # files a check needed but the reader refused (too large, unreadable)

    def resolve(self, path: str) -> str:
        """Absolute, normalised form of a path argument (tilde and $HOME expanded)."""
        key = (path, self.cwd, self.home)
        hit = _RESOLVED.get(key)
        if hit is None:
            if len(_RESOLVED) >= 4096:
                _RESOLVED.clear()
            hit = _RESOLVED[key] = self._resolve(path)
        return hit

    def _resolve(self, path: str) -> str:
        p = path
        if p == "~+" or p.startswith("~+/"):  # bash: `~+` is $PWD
            p = (self.cwd or "/") + p[2:]
        if p == "~" or p.startswith("~/"):
            p = (self.home or "/home/~") + p[1:]
        for var in ("$HOME", "${HOME}"):
            if p == var or p.startswith(var + "/"):
                p = (self.home or "/home/~") + p[len(var):]
        for var in ("$PWD", "${PWD}"):
            if p == var or p.startswith(var + "/"):
                p = (self.cwd or "/") + p[len(var):]
        if not p.startswith("/"):
            p = posixpath.join(self.cwd or "/", p)
        return posixpath.normpath(p)


# resolve() is pure in (path, cwd, home) and checks ask it several times per path: memoised, bounded.
_RESOLVED: dict[tuple[str, str, str], str] = {}


def _normpath(path: str) -> str:
    """posixpath.normpath of a context directory (cwd, home, project: the same few strings on every call)."""
    hit = _NORMALISED.get(path)
    if hit is None:
        if len(_NORMALISED) >= 256:
            _NORMALISED.clear()
        hit = _NORMALISED[path] = posixpath.normpath(path)
    return hit


_NORMALISED: dict[str, str] = {}


class _Registry(dict):
    """Check name -> function. Checks for data, infrastructure and indirection live in checks_data, which
    (with sqlparse-free SQL triage, script expansion and environment rules) costs several milliseconds to
    import; it loads on the first call that could need it, and guards keep program-less checks from
    loading it for commands they cannot concern."""

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        proxy = _PROXIES.get(name)
        if proxy is not None:
            return proxy  # guarded (cheap refusal first) even after checks_data has loaded
        fn = dict.get(self, name)
        if fn is None and name in LAZY_CHECKS:
            proxy = _PROXIES[name] = _lazy_proxy(name)
            return proxy
        return default if fn is None else fn

    def __getitem__(self, name: str) -> Any:
        fn = self.get(name)
        if fn is None:
            raise KeyError(name)
        return fn

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self, name) or name in LAZY_CHECKS

    def names(self) -> list[str]:
        return sorted(set(self) | LAZY_CHECKS)


CHECKS: _Registry = _Registry()
_PROXIES: dict[str, Any] = {}
# Registered by guardrail.checks_data (a test keeps this list equal to what it registers).
LAZY_CHECKS = frozenset({
    "target-env", "sql-destructive", "mongo-destructive", "redis-destructive", "inline-code-sql", "inline-code-orm",
    "indirect", "indirect-unresolved", "protected-target", "http-destructive-cloud", "mcp-sql",
    "mcp-destructive-name", "autorun-write", "overwrite-existing",
})
_extensions_loaded = False


def load_extensions() -> None:
    global _extensions_loaded
    if not _extensions_loaded:
        from guardrail import checks_data  # noqa: F401  (registers its checks on import)

        _extensions_loaded = True


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


def _may_run_scripts(cmd: Any, ctx: EvalContext) -> bool:
    name = getattr(cmd, "name", "")
    if name in COMMAND_CARRIERS or is_python(name):
        if name in DOWNLOADERS:
            return any(v in ("$()", "<()") for v in cmd.via)
        if name in _CONTAINER_TOOLS or name in TERRAFORMS or name == "gcloud":
            return _carries_commands(name, cmd)
        return True
    head = cmd.argv[0] if getattr(cmd, "argv", None) else ""
    return head.startswith(("./", "../")) or head.endswith((".sh", ".bash", ".zsh")) or ("/" in head and head.endswith(".py"))


def _has_protected(cmd: Any, ctx: EvalContext) -> bool:
    config = ctx.config or {}
    nested = config.get("protected")
    if hasattr(nested, "values") and any(nested.values()):
        return True
    return any(v for k, v in config.items() if k.startswith(("protected_", "protected.")))


# Guards: when False, the check cannot fire, so checks_data need not load. They must stay exact supersets.
_GUARDS: dict[str, Callable[[Any, EvalContext], bool]] = {
    "indirect": _may_run_scripts,
    "indirect-unresolved": _may_run_scripts,
    "protected-target": _has_protected,
}


def guard_of(name: str | None) -> Callable[[Any, EvalContext], bool] | None:
    """The exact cheap refusal `CHECKS.get(name)` applies before running `name` (None: it has none). The engine
    evaluates it once per command for all rules naming the check, instead of once per rule."""
    return _GUARDS.get(name) if name in LAZY_CHECKS else None  # type: ignore[arg-type]


def _lazy_proxy(name: str) -> Callable[[Any, EvalContext, Mapping[str, Any]], list[str]]:
    guard = _GUARDS.get(name)

    def proxy(action: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
        if guard is not None and not guard(action, ctx):
            return []
        load_extensions()
        return dict.__getitem__(CHECKS, name)(action, ctx, args)

    return proxy


def check(name: str) -> Callable[[Callable[..., list[str]]], Callable[..., list[str]]]:
    def deco(fn: Callable[..., list[str]]) -> Callable[..., list[str]]:
        CHECKS[name] = fn
        return fn

    return deco


# --------------------------------------------------------------------------- filesystem

_SYSTEM_DIRS = frozenset(
    "/bin /boot /dev /etc /lib /lib32 /lib64 /opt /proc /root /sbin /srv /sys /usr /var /home /Users "
    "/System /Library /Applications /private /mnt /media /snap /usr/local /usr/bin /usr/lib /var/lib /etc/ssh".split()
)
_VAR_PATH = re.compile(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_SAFE_VARS = frozenset({"TMPDIR"})
_HOME_DIR = r"/(home|Users)/[^/]+"  # patterns compiled on first use (re caches them): not at import
_PARENTS = r"(\.\./)+\.\.?/?"


def classify_path(arg: str, ctx: EvalContext) -> str | None:
    """Why deleting `arg` recursively would be catastrophic, or None when it is ordinary."""
    raw = arg.strip()
    if not raw:
        return "an empty path"
    if raw.startswith("$(xargs-input"):
        return _classify_listed(raw, ctx)
    var = _VAR_PATH.match(raw)
    if var and var.group(1) not in ("HOME", "PWD") and var.group(1) not in _SAFE_VARS:
        rest = raw[var.end():].lstrip("}")
        if rest.startswith("/"):
            return f"a path built from ${var.group(1)}, which is not set on this command line (an empty value would delete from `/`)"
    if raw.startswith("$(mktemp"):
        return None
    if raw.startswith("$("):
        return "a path produced by a command substitution guardrail cannot see"
    if raw in ("*", "./*", ".*", "./.*"):
        return "every file in the current directory"
    if raw.endswith("/*") and classify_path(raw[:-2] or "/", ctx):
        return classify_path(raw[:-2] or "/", ctx)
    if "*" in raw or "?" in raw or "[" in raw:
        why = _classify_glob(raw, ctx)
        if why:
            return why
    resolved = ctx.resolve(raw)
    home = _normpath(ctx.home) if ctx.home else ""
    if resolved == "/":
        return "the filesystem root"
    if raw in ("~", "~/") or raw.rstrip("/") in ("$HOME", "${HOME}") or (home and resolved == home):
        return "the home directory"
    if resolved in _SYSTEM_DIRS:
        return f"the system directory {resolved}"
    if re.fullmatch(_HOME_DIR, resolved):
        return f"a home directory ({resolved})"
    if home and home.startswith(resolved + "/"):
        return f"{resolved}, which contains the home directory"
    project = _normpath(ctx.project_dir) if ctx.project_dir else ""
    if project and resolved == project:
        return "the project root"
    if project and project.startswith(resolved + "/"):
        return f"{resolved}, which contains the project"
    cwd = _normpath(ctx.cwd) if ctx.cwd else ""
    if raw in (".", "./", "..", "../") or (raw.startswith("../") and re.fullmatch(_PARENTS, raw)):
        return "the current directory" if raw.startswith(".") and not raw.startswith("..") else "a parent directory"
    if cwd and resolved == cwd:
        return "the current directory"
    if cwd and cwd.startswith(resolved + "/"):
        return f"{resolved}, which contains the current directory"
    base = posixpath.basename(resolved)
    if base == ".git" or raw.rstrip("/").endswith("/.git") or raw.rstrip("/") == ".git":
        return "the git repository's history (.git)"
    if home and posixpath.dirname(resolved) == home:
        if base in _HOME_SECRETS:
            return f"~/{base}"
        if base in _HOME_DATA or base.lower() in _HOME_DATA:
            return f"~/{base}{_HOME_DATA_WHY}"
    return None


_BRACKETS = LazyRegex(r"\[!?\]?[^\]]*\]")


def _classify_glob(raw: str, ctx: EvalContext) -> str | None:
    """A glob the shell expands to critical paths: every entry of a critical directory (`/[a-z]*`, `/?*`,
    `~/[!.]*`), or a pattern naming a system directory (`/h?me`). Globs with literal text (`~/Downloads/*.zip`)
    select some files, and are ordinary."""
    import fnmatch

    resolved = ctx.resolve(raw)
    parent, last = posixpath.split(resolved)
    if last and not any(c in parent for c in "*?[") and set(_BRACKETS.sub("", last)) <= set("*?.") and \
            "*" in _BRACKETS.sub("", last):
        why = classify_path(parent or "/", ctx)
        if why:
            return f"every entry of {why} (the glob {last})"
    home = _normpath(ctx.home) if ctx.home else ""
    for d in sorted(_SYSTEM_DIRS) + [home, "/"]:
        if d and fnmatch.fnmatchcase(d, resolved):
            return classify_path(d, ctx) and f"{classify_path(d, ctx)}, which the glob {raw} matches"
    return None


# Direct children of ~ whose loss is the user's, not the build's: keys and credentials, and the folders
# people keep documents and source trees in. Caches and scratch dirs (~/.cache, ~/tmp) stay ordinary.
_HOME_SECRETS = frozenset({".ssh", ".gnupg", ".aws", ".kube", ".config"})
_HOME_DATA = frozenset({"Documents", "Desktop", "Downloads", "Pictures", "Music", "Videos", "Movies", "Library",
                        "src", "code", "projects", "work", "dev", "git", "repos", "workspace", "documents",
                        "desktop", "downloads", "pictures", "music", "videos"})
_HOME_DATA_WHY = ", a home folder that holds the user's own files"
_MAX_LISTED = 256


def listed_input(arg: str) -> tuple[str, str] | None:
    """(file, suffix) for an argument built from words read out of a file: `$(xargs-input <list.txt)` as xargs
    or a `for d in $(cat list.txt)` loop passes it, possibly followed by more path (`"$d/build"`)."""
    if not arg.startswith("$(xargs-input <"):
        return None
    end = arg.find(")", len("$(xargs-input <"))
    if end < 0:
        return None
    return arg[len("$(xargs-input <"):end], arg[end + 1:]


def xargs_source(arg: str) -> str | None:
    """The file an `xargs` placeholder argument reads from (`$(xargs-input <list.txt)`), if it names one."""
    listed = listed_input(arg)
    return listed[0] if listed else None


def _classify_listed(raw: str, ctx: EvalContext) -> str | None:
    """`xargs -a list.txt rm -rf`: classify what the list file names (unknown input: not judged here)."""
    listed = listed_input(raw)
    text = ctx.read_file(listed[0]) if listed else None
    if not text:
        return None
    source, suffix = listed
    for item in text.split()[:_MAX_LISTED]:
        why = classify_path(item.strip("'\"") + suffix, ctx)
        if why:
            return f"{item}{suffix}, listed in {source}: {why}"
    return None


@check("rm-broad-target")
def rm_broad_target(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """rm -r/-f of a critical path (root, home, parent, cwd, project root, .git, unset variable)."""
    if any(a.startswith("--") and len(a) > 2 for a in cmd.args):
        cmd = expanded_options(cmd) or cmd  # `rm --recu --for ~`: GNU rm accepts unique prefixes
    recursive = has_flag(cmd.args, "-r") or has_flag(cmd.args, "-R") or has_flag(cmd.args, "--recursive")
    force = has_flag(cmd.args, "-f") or has_flag(cmd.args, "--force")
    if not (recursive or force):
        return []
    found = []
    for p in positionals(cmd):
        why = classify_path(p, ctx)
        if why is None:
            continue
        # A forced non-recursive rm of `*` or a directory name cannot remove directories.
        if not recursive and why not in ("the home directory",) and not why.startswith("a path built from"):
            if why != "every file in the current directory":
                continue
        found.append(f"{p} ({why})")
    return found


@check("rm-unresolved-list")
def rm_unresolved_list(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """rm -r of paths xargs reads from a file guardrail could not read (`xargs -a targets.txt rm -rf`)."""
    if not (has_flag(cmd.args, "-r") or has_flag(cmd.args, "-R") or has_flag(cmd.args, "--recursive")):
        return []
    out = []
    for p in positionals(cmd):
        source = xargs_source(p)
        if source and ctx.read_file(source) is None:
            out.append(f"the paths listed in {source}")
    return out


@check("path-broad-target")
def path_broad_target(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """Any positional path (after the first `skip`) that classify_path calls critical. `sources_only = true`
    leaves out a destination (`mv a b dest`: the last operand, unless `-t DIR` names it), which is not moved."""
    pos = positionals(cmd)
    skip = int(args.get("skip", 0))
    if args.get("sources_only") and not any(a in ("-t", "--target-directory") or a.startswith("--target-directory=")
                                            for a in cmd.args):
        pos = pos[:-1]
    out = []
    for p in pos[skip:]:
        why = classify_path(p, ctx)
        if why:
            out.append(f"{p} ({why})")
    return out


# find tests that select some files rather than all (`-type` alone still matches every file or directory)
_FIND_NARROWING = frozenset({"-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-regex", "-iregex",
                             "-newer", "-newermt", "-newerct", "-anewer", "-cnewer", "-mtime", "-mmin", "-atime",
                             "-amin", "-ctime", "-cmin", "-size", "-empty", "-user", "-uid", "-group", "-gid",
                             "-nouser", "-nogroup", "-perm", "-links", "-inum", "-samefile", "-lname", "-ilname",
                             "-used", "-fstype"})
_FIND_EXEC = ("-exec", "-execdir", "-ok", "-okdir")


def _find_exec_deletes(args: tuple[str, ...]) -> bool:
    """Whether an -exec/-execdir runs a deleting command on what find found (`-exec rm -rf {} +`)."""
    for i, a in enumerate(args):
        if a not in _FIND_EXEC:
            continue
        inner = []
        for b in args[i + 1:]:
            if b in (";", "+", "\\;"):
                break
            inner.append(b)
        while inner and inner[0] in ("sudo", "doas", "nice", "nohup", "command", "env"):
            inner = inner[1:]
        if not inner:
            continue
        prog = posixpath.basename(inner[0])
        if prog in DELETERS:
            return True
        if prog in ("sh", "bash", "zsh", "dash") and re.search(r"\b(rm|unlink|shred)\b", " ".join(inner[1:])):
            return True
    return False


def _find_narrowed(args: tuple[str, ...]) -> bool:
    """A selecting test in every `-o` branch that ends in the action, and none of them negated."""
    branches: list[list[str]] = [[]]
    for a in args:
        if a in ("-o", "-or"):
            branches.append([])
        else:
            branches[-1].append(a)
    acting = [b for b in branches if any(x == "-delete" or x in _FIND_EXEC for x in b)] or branches
    for branch in acting:
        ok = False
        for i, a in enumerate(branch):
            if a in _FIND_NARROWING and not (i > 0 and branch[i - 1] in ("!", "-not")):
                ok = True
        if not ok:
            return False
    return True


@check("find-delete-broad")
def find_delete_broad(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """find -delete (or -exec rm {}) over a critical root, with no test that selects only some files."""
    if "-delete" not in cmd.args and not _find_exec_deletes(cmd.args):
        return []
    roots = []
    for a in cmd.args:
        if a.startswith("-") or a in ("!", "(", ")", "\\(", "\\)"):
            break
        roots.append(a)
    if not roots:
        roots = ["."]
    narrowing = _find_narrowed(cmd.args[len(roots):])
    out = []
    for r in roots:
        why = classify_path(r, ctx)
        if why is None:
            continue
        if narrowing and (why in ("the current directory", "the project root") or ", which contains " in why
                          or why.endswith(_HOME_DATA_WHY)):
            continue  # `find . -name '*.pyc' -delete`, `find ~/Downloads -name '*.dmg' -delete` are routine
        out.append(f"{r} ({why})")
    return out


_DEVICE_RX = LazyRegex(r"^/dev/(sd[a-z]+\d*|hd[a-z]+\d*|vd[a-z]+\d*|xvd[a-z]+\d*|nvme\d+(n\d+(p\d+)?)?|mmcblk\d+(p\d+)?|"
                        r"disk\d+(s\d+)?|rdisk\d+|md\d+|dm-\d+|mapper/.+|loop\d+|sr\d+|root|block/\d+:\d+|"
                        r"[a-z]+/by-(id|uuid|label|path|partuuid|partlabel|diskseq)/.+)$")
# What a glob under /dev may expand to (`of=/dev/sd?`): tested against these names.
_DEVICE_SAMPLES = ("/dev/sda", "/dev/sdb", "/dev/sda1", "/dev/hda", "/dev/vda", "/dev/vda1", "/dev/xvda", "/dev/nvme0",
                   "/dev/nvme0n1", "/dev/nvme0n1p1", "/dev/mmcblk0", "/dev/disk0", "/dev/md0", "/dev/dm-0",
                   "/dev/root", "/dev/block/8:0")


class _Device:
    """`_DEVICE.match(path)`: a block device path, or a glob under /dev that names one."""

    @staticmethod
    def match(path: str) -> bool:
        if not path.startswith("/dev/"):
            return False
        if _DEVICE_RX.match(path):
            return True
        if "*" in path or "?" in path or "[" in path:
            import fnmatch

            return any(fnmatch.fnmatchcase(d, path) for d in _DEVICE_SAMPLES)
        return False


_DEVICE = _Device()
_DEST_LAST = frozenset({"cp", "install", "ddrescue"})  # the last operand is written
_HDPARM_ERASE = ("--security-erase", "--security-erase-enhanced", "--trim-sector-ranges", "--write-sector",
                 "--make-bad-sector", "--dco-restore")


@check("device-target")
def device_target(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """A block device as output of dd, tee or cp, or operand of mkfs/shred/wipefs/fdisk/hdparm erase/nvme format."""
    name = cmd.name
    if name in ("dd", "dcfldd"):
        return [a[3:] for a in cmd.args if a.startswith("of=") and _DEVICE.match(a[3:])]
    if name in _DEVICE_WRITERS:
        return device_write(cmd, ctx, args)
    out = [p for p in positionals(cmd) if _DEVICE.match(p)]
    out += [r.target for r in cmd.redirects if r.op in (">", ">|", "1>", "&>") and _DEVICE.match(r.target)]
    return out


_DEVICE_WRITERS = frozenset({"tee", "cp", "install", "ddrescue", "hdparm", "nvme"})


@check("device-write")
def device_write(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """A block device written by a general tool: every operand of tee, the destination of cp/install/ddrescue,
    hdparm's erase options, `nvme format/sanitize`. Program-less (its rule names the word `dev` instead), so
    common tools such as cp do not make every line take the full path."""
    name = cmd.name
    if name not in _DEVICE_WRITERS:
        return []
    if name == "tee":
        return [p for p in positionals(cmd) if _DEVICE.match(p)]
    if name in _DEST_LAST:
        pos = positionals(cmd)
        return pos[-1:] if len(pos) >= 2 and _DEVICE.match(pos[-1]) else []
    if name == "hdparm":
        if not any(a.startswith(_HDPARM_ERASE) for a in cmd.args):
            return []
        return [a for a in cmd.args if _DEVICE.match(a)]
    if name == "nvme":
        pos = positionals(cmd)
        if pos[:1] not in (["format"], ["sanitize"], ["write-zeroes"]):
            return []
        return [p for p in pos[1:] if _DEVICE.match(p)]
    return []




@check("archive-remove-broad")
def archive_remove_broad(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """`tar --remove-files` / `zip -m` over a critical path: the archiver deletes what it packs. Program-less
    (its rule names its words), so everyday `tar -xzf` lines keep the fast path."""
    if cmd.name not in ARCHIVERS:
        return []
    if cmd.name == "zip":
        if not (has_flag(cmd.args, "-m") or has_flag(cmd.args, "--move")):
            return []
        return path_broad_target(cmd, ctx, {"skip": 1})
    if not any(a == "--remove-files" for a in cmd.args):
        return []
    return path_broad_target(cmd, ctx, {"skip": 0})


_OUT_REDIRECT = LazyRegex(r"^(\d*>>?\|?|&>>?|\d*<>)$")


@check("redirect-to-device")
def redirect_to_device(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """Output redirected onto a block device (`> /dev/sda`, `exec 3>/dev/sda`, `1<>/dev/sda`)."""
    return [r.target for r in cmd.redirects if _OUT_REDIRECT.match(r.op) and _DEVICE.match(r.target)]


_WRITE_REDIRECTS = frozenset({">", ">|", "1>", "&>", ">>", "&>>", "1>>", "2>", "2>>"})


@check("redirect-target")
def redirect_target(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """Output redirected onto a path matching `args.regex` (checked on the text and the resolved path)."""
    if not cmd.redirects:
        return []  # most commands: no pattern to look up
    from guardrail.rules import _rx

    rx = _rx(str(args.get("regex") or "(?!)"))
    return [r.target for r in cmd.redirects
            if r.op in _WRITE_REDIRECTS and (rx.search(r.target) or rx.search(ctx.resolve(r.target)))]


_SYMBOLIC_CLAUSE = re.compile(r"^([ugoa]*)([-+=][rwxXstugo]*)+$")


def _chmod_only_tightens(mode: str, why: str) -> bool:
    """`go-w`, `o-rwx`, `a-w`: every clause removes permissions, and none takes read or execute away from the
    owner or (outside the home directory) from everyone, which breaks programs rather than protecting files."""
    clauses = mode.split(",")
    for clause in clauses:
        m = _SYMBOLIC_CLAUSE.match(clause)
        if not m:
            return False
        who, ops = m.group(1), clause[len(m.group(1)):]
        for op in re.findall(r"[-+=][rwxXstugo]*", ops):
            if op[0] != "-":
                return False
            perms = set(op[1:])
            if perms <= {"w", "s", "t"}:
                continue
            in_home = why == "the home directory" or why.startswith("~/")
            if who and set(who) <= {"g", "o"} and in_home:
                continue
            return False
    return True


def _chmod_opens_to_others(mode: str) -> bool:
    """777, 666, o+w, a+rwx, +w: others may write."""
    if re.fullmatch(r"[0-7]{3,4}", mode):
        return int(mode[-1]) & 2 == 2
    for clause in mode.split(","):
        who = re.match(r"[ugoa]*", clause).group(0)
        if (not who or "a" in who or "o" in who) and re.search(r"[+=][^-+=]*w", clause[len(who):]):
            return True
    return False


@check("chmod-broad")
def chmod_broad(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    if not (has_flag(cmd.args, "-R") or has_flag(cmd.args, "--recursive")):
        return []
    pos = positionals(cmd)
    if len(pos) < 2:
        return []
    out = []
    for p in pos[1:]:
        why = classify_path(p, ctx)
        if not why or why in ("the current directory",):
            continue
        if cmd.name == "chmod" and _chmod_only_tightens(pos[0], why):
            continue  # `chmod -R go-w ~/.ssh` takes permissions away: it protects, it cannot expose
        if why.endswith(_HOME_DATA_WHY) and not (cmd.name == "chmod" and _chmod_opens_to_others(pos[0])):
            continue  # `chmod -R 755 ~/projects`, `chown -R me ~/src` are routine; only world-writable is not
        out.append(f"{p} ({why})")
    return out


@check("rsync-delete-broad")
def rsync_delete_broad(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """rsync --delete* whose destination is /, ~, ., .., the project root or another critical path: everything
    there that the source lacks is deleted (`rsync -a --delete empty/ ~/` empties the home directory)."""
    if not any(x == "--del" or x.startswith("--delete") for x in cmd.args):
        return []
    pos = positionals(cmd)  # rsync's value-taking options are in rules.VALUE_OPTIONS
    if len(pos) < 2:
        return []
    dest = pos[-1]
    if re.match(r"^[^/]*:", dest):
        return []  # a remote destination: the deletion happens on another machine, judged by its owner
    why = classify_path(dest, ctx)
    return [f"{dest} ({why})"] if why else []


# --------------------------------------------------------------------------- git

_SHARED_BRANCH = re.compile(r"^(main|master|trunk|develop|development|dev|staging|stage|production|prod|live|"
                            r"release([/-].*)?|releases/.*|hotfix/.*|gh-pages)$")


def shared_branches(ctx: EvalContext) -> re.Pattern[str]:
    extra = ctx.config.get("protected_branches") if ctx.config else None
    if extra:
        import fnmatch

        pats = "|".join(fnmatch.translate(b) for b in extra)
        return re.compile(f"{_SHARED_BRANCH.pattern}|{pats}")
    return _SHARED_BRANCH


@check("git-force-push")
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
    if not refs:
        return ["the current branch (no refspec given)"] if want_unknown else []
    out = []
    for r in refs:
        if not (forced or lease or r.startswith("+")):
            continue
        dst = r.lstrip("+").split(":")[-1]
        dst = dst.removeprefix("refs/heads/")
        if shared.match(dst):
            if not want_unknown:
                out.append(dst)
        elif dst in ("HEAD", "") or dst.startswith("$"):
            if want_unknown:
                out.append(f"{dst or r} (branch not known)")
    return out


@check("git-discard")
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


@check("git-push-delete")
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


# --------------------------------------------------------------------------- SQL



# How each client parses its options (getopt-style clusters `-tAc SQL`, attached values `-cSQL`, `--opt=v`,
# unique long-option prefixes). Per client: short options taking a value, which of them carry SQL or name a
# SQL file, long options (name -> "sql" | "file" | "value" | "flag"), and whether long names may be
# abbreviated. An option not listed is a flag without a value.
_PSQL_LONG = {"command": "sql", "file": "file", "dbname": "value", "set": "value", "variable": "value",
              "log-file": "value", "output": "value", "table-attr": "value", "field-separator": "value",
              "record-separator": "value", "host": "value", "port": "value", "username": "value", "pset": "value",
              "echo-all": "flag", "echo-errors": "flag", "echo-queries": "flag", "echo-hidden": "flag",
              "no-readline": "flag", "single-transaction": "flag", "list": "flag", "quiet": "flag",
              "single-step": "flag", "single-line": "flag", "no-align": "flag", "csv": "flag", "html": "flag",
              "tuples-only": "flag", "expanded": "flag", "field-separator-zero": "flag", "no-psqlrc": "flag",
              "record-separator-zero": "flag", "no-password": "flag", "password": "flag", "version": "flag",
              "help": "value"}
_MYSQL_LONG = {"execute": "sql", "init-command": "sql", "database": "value", "user": "value", "host": "value",
               "port": "value", "socket": "value", "defaults-file": "value", "defaults-extra-file": "value",
               "default-character-set": "value", "protocol": "value", "login-path": "value", "ssl-ca": "value",
               "ssl-cert": "value", "ssl-key": "value", "ssl-mode": "value", "connect-timeout": "value",
               "max-allowed-packet": "value", "prompt": "value", "tee": "value", "pager": "value",
               "delimiter": "value", "batch": "flag", "silent": "flag", "skip-column-names": "flag",
               "raw": "flag", "table": "flag", "vertical": "flag", "verbose": "flag", "force": "flag",
               "unbuffered": "flag", "comments": "flag", "html": "flag", "xml": "flag", "no-beep": "flag",
               "one-database": "flag", "safe-updates": "flag", "i-am-a-dummy": "flag", "quick": "flag",
               "reconnect": "flag", "compress": "flag", "auto-rehash": "flag", "no-auto-rehash": "flag",
               "skip-ssl": "flag", "show-warnings": "flag", "binary-mode": "flag", "password": "optional"}
_CLIENT_OPTS: dict[str, tuple[str, str, str, dict[str, str], bool]] = {
    # name: (short value letters, SQL letters, file letters, long options, abbreviations allowed)
    "psql": ("cdfvLoTFRhpUP", "c", "f", _PSQL_LONG, True),
    "pgcli": ("hpUdDc", "c", "", {"command": "sql", "host": "value", "port": "value", "username": "value",
                                  "dbname": "value"}, True),
    "usql": ("cfvJ", "c", "f", {"command": "sql", "file": "file", "set": "value", "variable": "value"}, True),
    "cockroach": ("ef", "e", "f", {"execute": "sql", "file": "file", "url": "value", "database": "value",
                                   "host": "value", "user": "value", "certs-dir": "value", "format": "value",
                                   "command": "sql"}, True),
    "mysql": ("eDuhPSO", "e", "", _MYSQL_LONG, True),
    "mariadb": ("eDuhPSO", "e", "", _MYSQL_LONG, True),
    "mycli": ("ehPuSDR", "e", "", {"execute": "sql", "host": "value", "port": "value", "user": "value",
                                   "socket": "value", "database": "value", "prompt": "value"}, True),
    "clickhouse-client": ("qdhuf", "q", "", {"query": "sql", "queries-file": "file", "database": "value",
                                             "host": "value", "port": "value", "user": "value",
                                             "password": "value", "format": "value"}, True),
    "snowsql": ("qfadusrwch", "q", "f", {"query": "sql", "filename": "file", "accountname": "value",
                                       "dbname": "value", "username": "value", "schemaname": "value",
                                       "rolename": "value", "warehouse": "value", "config": "value",
                                       "connection": "value"}, True),
    "trino": ("f", "", "f", {"execute": "sql", "file": "file", "server": "value", "catalog": "value",
                             "schema": "value", "user": "value"}, True),
    "sqlcmd": ("QqiSUPdo", "Qq", "i", {}, False),
    "spark-sql": ("efid", "e", "fi", {"database": "value", "hiveconf": "value", "hivevar": "value", "define": "value",
                                      "master": "value", "conf": "value", "name": "value", "jars": "value"}, False),
    "beeline": ("uenpdfiw", "e", "fi", {"hiveconf": "value", "hivevar": "value", "property-file": "value"}, False),
}
# sqlite-style shells: `-name value` options, then DB, then SQL words (`-cmd` SQL runs before them).
_SQLITE_VALUE = frozenset({"cmd", "init", "separator", "nullvalue", "newline", "vfs", "mmap", "pagecache",
                           "lookaside", "heap", "maxsize", "escape", "c", "s"})
_SQLITE_SQL = frozenset({"cmd", "c", "s"})  # duckdb: -c COMMAND, -s COMMAND
_SQLITE_LIKE = frozenset({"sqlite3", "sqlite", "duckdb", "litecli"})


def _long_kind(name: str, table: dict[str, str], abbrev: bool) -> tuple[str, str]:
    """(full name, kind) of a long option, resolving a unique prefix as getopt_long does."""
    if name in table or not abbrev:
        return name, table.get(name, "flag")
    hits = [k for k in table if k.startswith(name)]
    if len(hits) == 1 or (hits and len({table[h] for h in hits}) == 1 and table[hits[0]] in ("sql", "file")):
        return hits[0], table[hits[0]]
    return name, "flag"


def client_options(name: str, args: tuple[str, ...] | list[str]) -> tuple[list[tuple[str, str, str]], list[str]]:
    """([(kind, option, value)] for the SQL and file options, positionals) of a database client's argv, parsed
    the way the client's getopt does: `-tAc SQL` ends in `-c`, `-cSQL` and `-fFILE` attach the value."""
    spec = _CLIENT_OPTS.get(name)
    found: list[tuple[str, str, str]] = []
    pos: list[str] = []
    if spec is None:
        return found, [x for x in args if not x.startswith("-")]
    value_letters, sql_letters, file_letters, long_opts, abbrev = spec
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if a == "--":
            pos.extend(args[i:])
            break
        if a.startswith("--") and len(a) > 2:
            key, eq, val = a[2:].partition("=")
            full, kind = _long_kind(key, long_opts, abbrev)
            if kind in ("sql", "file", "value") and not eq and i < len(args):
                val, i = args[i], i + 1
            elif kind in ("sql", "file", "value") and not eq:
                continue
            if kind in ("sql", "file"):
                found.append((kind, "--" + full, val))
            continue
        if a.startswith("-") and len(a) > 1:
            for j in range(1, len(a)):
                letter = a[j]
                if name in ("mysql", "mariadb") and letter in "p#":
                    break  # optional value, attached only (`-pSECRET`)
                if letter in value_letters:
                    val = a[j + 1:]
                    if not val and i < len(args):
                        val, i = args[i], i + 1
                    if letter in sql_letters:
                        found.append(("sql", "-" + letter, val))
                    elif letter in file_letters:
                        found.append(("file", "-" + letter, val))
                    break
            continue
        pos.append(a)
    return found, pos


def _sqlite_options(args: tuple[str, ...] | list[str]) -> tuple[list[tuple[str, str, str]], list[str]]:
    found: list[tuple[str, str, str]] = []
    pos: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if a.startswith("-") and len(a) > 1:
            key = a.lstrip("-")
            if key in _SQLITE_VALUE and i < len(args):
                val, i = args[i], i + 1
                if key in _SQLITE_SQL:
                    found.append(("sql", a, val))
                elif key == "init":
                    found.append(("file", a, val))
            elif key == "A":
                break  # archive mode: the rest are archive arguments
            continue
        pos.append(a)
    return found, pos


# Client commands inside SQL text that make the client read another file: psql `\i f`, `\ir f`,
# `\include f`; mysql `source f`, `\. f`; sqlite `.read f`.
_INCLUDE = LazyRegex(r"(?im)^\s*(?:\\i(?:r|nclude|nclude_relative)?|\\\.|source|\.read)\s+(['\"]?)([^\s;'\"]+)\1\s*;?\s*$")


def _file_text(path: str, ctx: EvalContext) -> str | None:
    """A file a client reads: a real path, or a process substitution whose output is plain text."""
    if path.startswith("$(") and path.endswith(")"):
        inner = path[2:-1].strip()
        if inner.startswith("cat ") and " " not in inner[4:].strip():
            return ctx.read_file(inner[4:].strip().strip("'\""))
        if inner.startswith(("echo ", "printf ")):
            from guardrail.shell import parse_command

            cmds = parse_command(inner).commands
            if len(cmds) == 1 and cmds[0].name in ("echo", "printf"):
                return " ".join(x for x in cmds[0].args if not x.startswith("-"))
        return None
    return ctx.read_file(path)


def _with_includes(origin: str, text: str, ctx: EvalContext, out: list[tuple[str, str]], depth: int = 0) -> None:
    out.append((origin, text))
    if depth < 3 and ("\\" in text or "source" in text.lower() or ".read" in text):
        for m in _INCLUDE.finditer(text):
            sub = _file_text(m.group(2), ctx)
            if sub is not None:
                _with_includes(f"-f {m.group(2)}", sub, ctx, out, depth + 1)


def sql_payloads(cmd: SimpleCommand, ctx: EvalContext) -> list[tuple[str, str]]:
    """(origin, SQL text) pairs a database client command would execute. Origins of text read from files start
    with `-f`, `--file`, `<` or `.read` (rules asking for files only rely on it)."""
    name = cmd.name
    a = cmd.args
    out: list[tuple[str, str]] = []
    if name not in SQL_CLIENTS:
        return out
    if name == "bq":
        if "query" in a:
            out.extend(("bq query", x) for x in a[a.index("query") + 1:] if not x.startswith("-"))
    elif name in _SQLITE_LIKE:
        found, pos = _sqlite_options(a)
        if name == "litecli":
            found, pos = client_options("mycli", a)
        for kind, opt, val in found:
            if kind == "sql":
                _with_includes(opt, val, ctx, out)
            else:
                text = _file_text(val, ctx)
                if text is not None:
                    _with_includes(f"-f {val}", text, ctx, out)
        # sqlite3 DB "SQL" ...: every word after the database is SQL or a dot-command
        for x in pos[1:]:
            _with_includes("argument", x, ctx, out)
    else:
        found, _pos = client_options(name, a)
        for kind, opt, val in found:
            if kind == "sql":
                _with_includes(opt, val, ctx, out)
            else:
                text = _file_text(val, ctx)
                if text is not None:
                    _with_includes(f"-f {val}" if opt.startswith("-") and not opt.startswith("--") else
                                   f"--file {val}", text, ctx, out)
    if cmd.stdin_text:
        _with_includes("stdin", cmd.stdin_text, ctx, out)
    elif cmd.stdin_file:
        text = _file_text(cmd.stdin_file, ctx)
        if text is not None:
            _with_includes(f"< {cmd.stdin_file}", text, ctx, out)
    return out


# Client escapes to the operating system: psql/mysql `\! cmd`, mysql `system cmd`, sqlite `.shell`/`.system`,
# and output piped to a command (psql `\o |cmd`, `\g |cmd`; sqlite `.output |cmd`, `.once |cmd`).
_SQL_SHELL = LazyRegex(r"(?im)(?:^|;)\s*(?:\\!|system\s|\.(?:shell|system)\s|\\[og]\s*\||"
                        r"\.(?:output|once)\s+(?:-\w+\s+)*\|)\s*(.+?)\s*$")


# "sql-destructive" lives in guardrail.checks_data (lazy): it also reads files relative to cwd, covers more
# tools (cqlsh, prisma db execute, heroku pg:psql, wrangler d1, dbshell stdin) and filters by environment.


@check("dropdb")
def dropdb(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    pos = positionals(cmd)
    return pos[-1:] if pos else ["(database from the environment)"]


# --------------------------------------------------------------------------- shell-level findings


@check("unread-input")
def unread_input(cmd: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """Files the command runs or feeds in (SQL scripts, package.json, Makefiles) that were too large or
    unreadable to analyse: what they do is unknown, so this is not a pass."""
    return list(ctx.unread[:3])


@check("over-limit")
def over_limit(cmd: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    return [ctx.over_limit] if ctx.over_limit else []


_RISKY_WORDS = re.compile(r"\b(rm|rmdir|dd|mkfs\S*|shred|wipefs|drop|truncate|delete|destroy|reset|purge|flush\S*|"
                          r"prune|clean|force|--force|-rf|-fr|eval|exec|base64|sh|bash|zsh|curl|wget)\b", re.I)


@check("unparseable-risky")
def unparseable_risky(cmd: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    if not ctx.problems:
        return []
    hit = _RISKY_WORDS.search(ctx.source.replace("'", "").replace('"', "").replace("\\", ""))
    return [f"{ctx.problems[0]}; it mentions `{hit.group(0)}`"] if hit else []


_DESTRUCTIVE_ARGS = re.compile(r"^(-[a-zA-Z]*[rRfF][a-zA-Z]*|--force|--recursive|--hard|drop|delete|destroy|"
                               r"reset|purge|truncate|wipe|rm|/|~|\*)$", re.I)


@check("dynamic-program")
def dynamic_program(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """The program name comes from an expansion guardrail cannot resolve, with destructive-looking arguments."""
    head = cmd.argv[0] if cmd.argv else ""
    if not (head.startswith("$") or head.startswith("$(")):
        return []
    if any(_DESTRUCTIVE_ARGS.match(a) for a in cmd.args):
        return [head]
    return []


# `$(curl ...)` as a script operand: the download is the script (compiled on first use)
_DOWNLOAD_SUBST = LazyRegex(r"^\$\(\s*(" + "|".join(sorted(map(re.escape, DOWNLOADERS))) + r")\s")


@check("remote-code")
def remote_code(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """A shell or interpreter reading a download from a pipe, or as its script (`source <(curl ...)`)."""
    if cmd.stdin_from in DOWNLOADERS:
        return [f"output of {cmd.stdin_from}"]
    script = next((a for a in cmd.args if not a.startswith("-")), "")
    m = _DOWNLOAD_SUBST.match(script)
    return [f"output of {m.group(1)} as the script"] if m else []



# --------------------------------------------------------------------------- commands a tool runs for you

# git settings and environment variables whose value git runs as a shell command (`!cmd` for aliases and
# credential helpers); `git -c core.pager='rm -rf ~' log` runs it.
_GIT_CMD_KEYS = frozenset({"core.pager", "core.sshcommand", "core.fsmonitor", "core.editor", "core.askpass",
                           "credential.helper", "diff.external", "sequence.editor", "gpg.program",
                           "pager.log", "pager.diff", "pager.show", "pager.status", "pager.branch"})
_GIT_CMD_ENV = ("GIT_PAGER", "PAGER", "GIT_SSH_COMMAND", "GIT_EDITOR", "EDITOR", "VISUAL", "GIT_SEQUENCE_EDITOR",
                "GIT_ASKPASS", "GIT_EXTERNAL_DIFF", "GIT_SSH")
# git subcommands that run a shell command given as an argument
_GIT_RUNNERS = {"submodule": "foreach", "bisect": "run"}
_GIT_TRANSPORT = {"fetch": ("--upload-pack",), "pull": ("--upload-pack",), "clone": ("--upload-pack", "-u"),
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
            if key.lower() in _GIT_CMD_KEYS or key.lower().startswith(("filter.", "merge.", "diff.")) and \
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
        for j, t in enumerate(tail):
            if t in ("-x", "--exec") and j + 1 < len(tail):
                out.append(tail[j + 1])
            elif t.startswith("--exec="):
                out.append(t.split("=", 1)[1])
            elif t.startswith("-x") and len(t) > 2:
                out.append(t[2:])
    elif sub in _GIT_TRANSPORT:
        # `--upload-pack`/`--receive-pack`/`--exec` name the remote helper, run through the shell for local
        # and ssh transports; difftool's `--extcmd`/`-x` runs per file
        opts = _GIT_TRANSPORT[sub]
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




_GIT_SUBS_RUNNING = frozenset({"submodule", "bisect", "rebase", "config", *_GIT_TRANSPORT})
# Server- and client-side COPY to or from a program (psql `\copy ... program 'cmd'` runs it locally).
_COPY_PROGRAM = LazyRegex(r"(?i)\b(?:TO|FROM)\s+PROGRAM\s+'((?:[^']|'')*)'")


@check("runs-command")
def runs_command(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """Shell commands a tool runs on the agent's behalf (git command-valued config and `foreach`/`exec`/`run`
    arguments; database clients' `\\!`, `system`, `.shell` escapes) that another rule would stop.
    `args.decision` selects which inner findings count."""
    if cmd.name == "git":
        if not cmd.env and "-c" not in cmd.args and not any(
                a in _GIT_SUBS_RUNNING for a in cmd.args):
            return []
        lines = git_run_commands(cmd)
    elif cmd.name in SQL_CLIENTS:
        load_extensions()
        from guardrail.checks_data import all_sql_payloads

        lines = []
        for _origin, text in all_sql_payloads(cmd, ctx):
            if "!" in text or "system" in text.lower() or "shell" in text or "|" in text:
                lines += [m.group(1) for m in _SQL_SHELL.finditer(text)]
            if "rogram" in text or "ROGRAM" in text:
                lines += [m.group(1).replace("''", "'") for m in _COPY_PROGRAM.finditer(text)]
    else:
        return []
    if not lines:
        return []
    load_extensions()
    from guardrail.checks_data import rule_hits
    from guardrail.base.record import replace
    from guardrail.shell import parse_command

    want = args.get("decision")
    out = []
    for line in lines[:10]:
        for inner in parse_command(line).commands[:20]:
            inner = replace(inner, via=cmd.via + (cmd.name,) + inner.via)
            for rule, _targets in rule_hits(inner, ctx):
                if want and rule.decision != want:
                    continue
                out.append(f"{cmd.name} runs `{' '.join(inner.argv)[:100]}` [{rule.id}: {rule.summary}]")
    return list(dict.fromkeys(out))


# --------------------------------------------------------------------------- abbreviated long options

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


@check("abbreviated-option")
def abbreviated_option(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """Commands written with abbreviated long options (`git reset --har`, `rm --recu --for ~`) that another
    rule stops once spelled out. `args.decision` selects which inner findings count."""
    if not any(a.startswith("--") and len(a) > 2 for a in cmd.args) and "-c" not in cmd.args:
        return []
    full = expanded_options(cmd)
    if full is None:
        return []
    load_extensions()
    from guardrail.checks_data import rule_hits

    want = args.get("decision")
    out = []
    for rule, targets in rule_hits(full, ctx):
        if want and rule.decision != want:
            continue
        shown = " ".join(full.argv)[:100]
        out.append(f"`{shown}` [{rule.id}: {rule.summary}]" + (f": {', '.join(targets[:2])}" if targets else ""))
    return list(dict.fromkeys(out))
