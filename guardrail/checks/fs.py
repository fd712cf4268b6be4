"""Checks for files and devices: recursive deletion of critical paths, find -delete, writes to block devices, broad
chmod, rsync --delete."""

from __future__ import annotations

import posixpath
import re

from guardrail.base.text import LazyRegex
from guardrail.base.vocab import ARCHIVERS, DELETERS, DEVICE_WRITERS
from guardrail.checks.options import expanded_options
from guardrail.model import EvalContext, SimpleCommand, normalised_dir
from guardrail.rules import has_flag, positionals
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Mapping


_SYSTEM_DIRS = frozenset(
    "/bin /boot /dev /etc /lib /lib32 /lib64 /opt /proc /root /sbin /srv /sys /usr /var /home /Users "
    "/System /Library /Applications /private /mnt /media /snap /usr/local /usr/bin /usr/lib /var/lib /etc/ssh".split()
) | frozenset({"/Windows", "/Windows/System32", "/Program Files", "/Program Files (x86)", "/ProgramData"})  # as the
# PowerShell model spells C:\Windows, C:\Program Files... (guardrail.shell.windows)


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
        cwd, project = normalised_dir(ctx.cwd or "/"), normalised_dir(ctx.project_dir or "/")
        if project != "/" and cwd.startswith(project + "/") and ctx.world is not None and ctx.world.exists(cwd):
            return None  # a subdirectory of the project (`cd dist && rm -rf ./*`): judged by what it holds
        return "every file in the current directory"
    if raw.endswith("/*") and classify_path(raw[:-2] or "/", ctx):
        return classify_path(raw[:-2] or "/", ctx)
    if "*" in raw or "?" in raw or "[" in raw:
        why = _classify_glob(raw, ctx)
        if why:
            return why
    resolved = ctx.resolve(raw)
    home = normalised_dir(ctx.home) if ctx.home else ""
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
    project = normalised_dir(ctx.project_dir) if ctx.project_dir else ""
    if project and resolved == project:
        return "the project root"
    if project and project.startswith(resolved + "/"):
        return f"{resolved}, which contains the project"
    cwd = normalised_dir(ctx.cwd) if ctx.cwd else ""
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
    if last and not any(c in parent for c in "*?[") and set(_BRACKETS.sub("", last)) <= set("*?.") and\
            "*" in _BRACKETS.sub("", last):
        why = classify_path(parent or "/", ctx)
        if why:
            return f"every entry of {why} (the glob {last})"
    home = normalised_dir(ctx.home) if ctx.home else ""
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
    text = ctx.read(listed[0]) if listed else None
    if not text:
        return None
    source, suffix = listed
    for item in text.split()[:_MAX_LISTED]:
        why = classify_path(item.strip("'\"") + suffix, ctx)
        if why:
            return f"{item}{suffix}, listed in {source}: {why}"
    return None


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


def rm_unresolved_list(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """rm -r of paths xargs reads from a file guardrail could not read (`xargs -a targets.txt rm -rf`)."""
    if not (has_flag(cmd.args, "-r") or has_flag(cmd.args, "-R") or has_flag(cmd.args, "--recursive")):
        return []
    out = []
    for p in positionals(cmd):
        source = xargs_source(p)
        if source and ctx.read(source) is None:
            out.append(f"the paths listed in {source}")
    return out


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


def device_target(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """A block device as output of dd, tee or cp, or operand of mkfs/shred/wipefs/fdisk/hdparm erase/nvme format."""
    name = cmd.name
    if name in ("dd", "dcfldd"):
        return [a[3:] for a in cmd.args if a.startswith("of=") and _DEVICE.match(a[3:])]
    if name in DEVICE_WRITERS:
        return device_write(cmd, ctx, args)
    out = [p for p in positionals(cmd) if _DEVICE.match(p)]
    out += [r.target for r in cmd.redirects if r.op in (">", ">|", "1>", "&>") and _DEVICE.match(r.target)]
    return out




def device_write(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """A block device written by a general tool: every operand of tee, the destination of cp/install/ddrescue,
    hdparm's erase options, `nvme format/sanitize`. Program-less (its rule names the word `dev` instead), so
    common tools such as cp do not make every line take the full path."""
    name = cmd.name
    if name not in DEVICE_WRITERS:
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


def redirect_to_device(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """Output redirected onto a block device (`> /dev/sda`, `exec 3>/dev/sda`, `1<>/dev/sda`)."""
    return [r.target for r in cmd.redirects if _OUT_REDIRECT.match(r.op) and _DEVICE.match(r.target)]


_WRITE_REDIRECTS = frozenset({">", ">|", "1>", "&>", ">>", "&>>", "1>>", "2>", "2>>"})


def redirect_target(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """Output redirected onto a path matching `args.regex` (checked on the text and the resolved path)."""
    if not cmd.redirects:
        return []  # most commands: no pattern to look up
    from guardrail.rules import cached_regex

    rx = cached_regex(str(args.get("regex") or "(?!)"))
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
