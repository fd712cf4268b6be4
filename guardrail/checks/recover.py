"""What a command destroys, and whether it can be got back: the effect model for files.

`destroyed(cmd, ctx)` lists the paths a command deletes, empties or overwrites, read from each program's own
arguments (and from its write redirections), whatever program or code spelled it: `shutil.rmtree('app')`,
`fs.rmSync(...)` and `find -exec rm` reach here as the `rm` they run. `at_risk(path, ctx)` then says why losing
a path could not be undone, or None inside the small zone that is safe to destroy:

- temporary directories (/tmp, $TMPDIR, a `mktemp` result);
- regenerable output: build, cache and dependency directories by name, compiled objects and logs by suffix,
  and whatever git ignores (keys, secrets and local databases excepted: nothing regenerates those);
- what git can give back: tracked files with no uncommitted change;
- inside the workspace, paths that do not exist (nothing to lose).

Everything else is at risk: paths outside the workspace and temp (home, sibling repositories, system paths),
untracked files that are not ignored, uncommitted changes, keys and data files, .git. The paths whose loss is
catastrophic (/, ~, the project root: fs.classify_path) are left to the rules that deny them.

The machine is asked through `ctx.world` (guardrail.world), only for targets the names cannot settle. Without a
world (replay, rule tests) a path inside the workspace is not judged: nothing can say what it holds.
"""

from __future__ import annotations

import posixpath

from guardrail.base.text import LazyRegex
from guardrail.base.paths import REGENERABLE_DIRS, REGENERABLE_ROOTS, REGENERABLE_SUFFIXES, TEMP_ROOTS
from guardrail.base.paths import keepsake_name as keepsake
from guardrail.checks.fs import classify_path
from guardrail.model import EvalContext, SimpleCommand, normalised_dir
from guardrail.rules import has_flag, option_values, positionals
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Mapping

# What a destroyed path lost, in the words of a finding.
DELETE, EMPTY, REPLACE, OVERWRITE, PRUNE = "deletes", "empties", "replaces", "overwrites", "deletes files under"

_NULL_DEVICES = frozenset({"/dev/null", "/dev/zero"})
_TRUNCATING = frozenset({">", ">|", "1>", "&>"})  # a write redirect that empties its target first (not `>>`)
_NO_CLOBBER = ("-n", "--no-clobber", "-i", "--interactive", "-b", "--backup", "-u", "--update")
_LISTED = 3  # files named in a finding; the rest are counted


# --------------------------------------------------------------------------- effects

def destroyed(cmd: SimpleCommand, ctx: EvalContext) -> list[tuple[str, str]]:
    """(what happens, path) for every path `cmd` deletes, empties or overwrites, by its own arguments."""
    name = cmd.name
    if name in ("rm", "unlink", "srm", "rimraf"):
        return [(DELETE, p) for p in positionals(cmd) if not _listed_by_finder(p, cmd)]
    if name == "shred":
        values = set(option_values(cmd.args, "-n", "--iterations") + option_values(cmd.args, "-s", "--size"))
        return [(DELETE if has_flag(cmd.args, "-u") else EMPTY, p) for p in positionals(cmd) if p not in values]
    if name == "truncate":
        sizes = option_values(cmd.args, "-s", "--size")
        if not sizes or all(s[:1] in "+>" for s in sizes):
            return []  # growing, or sized from a reference file: nothing is cut away
        refs = set(option_values(cmd.args, "-r", "--reference"))
        return [(EMPTY, p) for p in positionals(cmd) if p not in sizes and p not in refs]
    if name in ("cp", "install", "mv", "ln"):
        return _copied_over(cmd, ctx)
    if name in ("tar", "gtar", "bsdtar") and "--remove-files" in cmd.args:
        archive = _tar_archive(cmd.args)
        if not archive or archive[-1] in ("-", ""):
            # written to a pipe or the terminal: the files are gone once the reader is done with the bytes
            return [(DELETE, p) for p in positionals(cmd) if p not in ("-", *archive)]
        return []  # moved into an archive file: kept there
    if name in ("sed", "gsed") and any(a == "-i" or a.startswith(("-i", "--in-place")) for a in cmd.args):
        return _sed_emptied(cmd)
    if name == "dd":
        return [(REPLACE, a[3:]) for a in cmd.args if a.startswith("of=") and not a[3:].startswith("/dev/")
                and _exists(a[3:], ctx)]
    if name == "tee" and not (has_flag(cmd.args, "-a") or has_flag(cmd.args, "--append")):
        if cmd.stdin_file in _NULL_DEVICES:
            return [(EMPTY, p) for p in positionals(cmd) if not p.startswith("/dev/")]  # `tee f </dev/null`
        return [(OVERWRITE, p) for p in positionals(cmd)
                if keepsake(posixpath.basename(p.rstrip("/"))) and _exists(p, ctx)]  # output over a key or database
    if name == "rsync" and any(a == "--del" or a.startswith("--delete") for a in cmd.args):
        pos = positionals(cmd)
        dest = pos[-1] if len(pos) >= 2 else ""
        return [(PRUNE, dest)] if dest and ":" not in dest.split("/", 1)[0] else []
    if name == "find" and ("-delete" in cmd.args or any(a in ("rm", "/bin/rm", "shred") for a in cmd.args)):
        roots = []
        for a in cmd.args:
            if a.startswith("-") or a in ("!", "(", ")", "\\(", "\\)"):
                break
            roots.append(a)
        named = [v for k, v in zip(cmd.args, cmd.args[1:]) if k in ("-name", "-iname") and not any(c in v for c in "*?[")]
        # `find . -name .git -exec rm -rf {} +`: a literal name is what goes, wherever it is found
        return [(DELETE, posixpath.join(r, n)) for r in roots or ["."] for n in named if keepsake(n)] + \
            [(PRUNE, r) for r in roots or ["."]]
    return []


# Programs whose output piped into xargs is paths they found under their operands, selected by their own tests
# (`find . -name '*.pyc' | xargs rm`): judged by the find and listing rules, not as unknown paths. Paths from any
# other program (`git ls-files -o`, `cat`, `curl`) are unknown destinations.
_FINDERS = frozenset({"find", "ls", "fd", "fdfind", "gfind"})


def _listed_by_finder(arg: str, cmd: SimpleCommand) -> bool:
    return arg == "$(xargs-input)" and cmd.stdin_from in _FINDERS


def _tar_archive(args: tuple[str, ...]) -> list[str]:
    """The archive tar writes: `-f X`, `-czf X`, `-fX`, `--file X`, `--file=X`; a traditional first word (`czf X`)."""
    out = []
    for i, a in enumerate(args):
        nxt = args[i + 1] if i + 1 < len(args) else ""
        if a in ("--file", "-f"):
            out.append(nxt)
        elif a.startswith("--file="):
            out.append(a[len("--file="):])
        elif a[:1] == "-" and a[1:2] != "-" and "f" in a:
            k = a.index("f")
            out.append(a[k + 1:] or nxt)
        elif i == 0 and a.isalpha() and "f" in a:
            out.append(nxt)
    return out


_DELETE_EVERY_LINE = LazyRegex(r"^\s*(1\s*,\s*\$\s*)?d\s*;?\s*$")


def _sed_emptied(cmd: SimpleCommand) -> list[tuple[str, str]]:
    """`sed -i d FILE`, `sed -i '1,$d' FILE`: an in-place script that deletes every line empties the file."""
    args = [a for a in cmd.args if not a.startswith("-")]
    scripts = [cmd.args[i + 1] for i, a in enumerate(cmd.args[:-1]) if a in ("-e", "--expression")]
    if not scripts and args:
        scripts, args = [args[0]], args[1:]
    if scripts and all(_DELETE_EVERY_LINE.match(sc) for sc in scripts):
        return [(EMPTY, f) for f in args if f not in scripts]
    return []


def _copied_over(cmd: SimpleCommand, ctx: EvalContext) -> list[tuple[str, str]]:
    """cp/install/mv/ln: the destination file they replace, and for `mv X /dev/null` the sources."""
    if any(has_flag(cmd.args, f) for f in _NO_CLOBBER) or any(a.startswith("--update") for a in cmd.args):
        return []
    pos = positionals(cmd)
    target_dir = option_values(cmd.args, "-t", "--target-directory")
    if target_dir or len(pos) < 2:
        return []  # into a directory: files land beside what is there (an equal name is overwritten: not judged)
    if cmd.name == "ln" and not (has_flag(cmd.args, "-f") or has_flag(cmd.args, "--force")):
        return []
    *sources, dest = pos
    if cmd.name == "mv" and dest in _NULL_DEVICES:
        return [(DELETE, s) for s in sources]
    if dest.startswith("/dev/") or dest.endswith("/"):
        return []
    if any(s in _NULL_DEVICES for s in sources) and cmd.name != "mv":
        return [(EMPTY, dest)]
    world = ctx.world
    if world is None:
        return []
    full = ctx.resolve(dest)
    if len(sources) == 1 and world.exists(full) and not world.is_dir(full):
        return [(REPLACE, dest)]
    return []


def redirected(cmd: SimpleCommand, ctx: EvalContext) -> list[tuple[str, str]]:
    """Files a command's own write redirections empty (`: > f`, `> f`, `cat /dev/null > f`) or overwrite (any
    other output, judged only where the names say the file is a key, a secret or a database)."""
    out = []
    for r in cmd.redirects:
        if r.op not in _TRUNCATING or r.target.startswith(("/dev/", "&")) or r.target in ("-", ""):
            continue
        if _emits_nothing(cmd):
            out.append((EMPTY, r.target))
        elif keepsake(posixpath.basename(r.target.rstrip("/"))) and _exists(r.target, ctx):
            out.append((OVERWRITE, r.target))
    return out


def _emits_nothing(cmd: SimpleCommand) -> bool:
    if not cmd.argv or cmd.name in (":", "true", "false"):
        return True
    if cmd.name == "cat":
        return all(a in _NULL_DEVICES for a in cmd.args) and bool(cmd.args)
    if cmd.name == "echo":
        return all(a.startswith("-") and set(a[1:]) <= set("neE") and "n" in a for a in cmd.args) and bool(cmd.args)
    return cmd.name == "printf" and cmd.args in (("",), ("%s", ""))


def _exists(path: str, ctx: EvalContext) -> bool:
    return ctx.world is not None and ctx.world.exists(ctx.resolve(path))


# --------------------------------------------------------------------------- recoverability

def regenerable(path: str) -> bool:
    """A path a build, install or tool makes again: under a build/cache/dependency directory, or output by suffix.
    `path` is relative to where it lives (the project, the home directory), so `/tmp` or `/var` never count."""
    parts = [p for p in path.split("/") if p]
    if any(p in REGENERABLE_DIRS or p.endswith(".egg-info") for p in parts[:-1]):
        return True
    last = parts[-1] if parts else ""
    return last in REGENERABLE_DIRS or last.endswith(REGENERABLE_SUFFIXES) or last.endswith(".egg-info")


def in_temp(path: str, ctx: EvalContext) -> bool:
    """Under a temporary directory, and not in the part of it the session itself lives in: when the project or
    the home directory is under /tmp (a scratch checkout, a container), its neighbours there are not scratch."""
    roots = TEMP_ROOTS + tuple(normalised_dir(v) for k in ("TMPDIR", "TEMP", "TMP") if (v := ctx.env.get(k, "")))
    if ctx.home:
        roots += (normalised_dir(ctx.home) + "/AppData/Local/Temp",)  # Windows' per-user temp (%TEMP%)
    for root in roots:
        root = root.rstrip("/")
        if not root or not path.startswith(root + "/"):
            continue
        entry = root + "/" + path[len(root) + 1:].split("/", 1)[0]
        lived_in = (workspace(ctx), normalised_dir(ctx.home) if ctx.home else "")
        if not any(d == entry or d.startswith(entry + "/") for d in lived_in if d):
            return True
    return False


def workspace(ctx: EvalContext) -> str:
    """The directory the session works in: the project's, else the call's."""
    return normalised_dir(ctx.project_dir or ctx.cwd or "/")


def at_risk(raw: str, ctx: EvalContext, how: str = DELETE, catastrophic_elsewhere: bool = False) -> str | None:
    """Why losing `raw` (as the command wrote it) could not be undone, or None when it can. A catastrophic path
    (fs.classify_path: the rules on it deny) answers its reason too, or None with `catastrophic_elsewhere` (the
    command is one those rules already judge: one finding, not two)."""
    if not raw:
        return None
    catastrophic = classify_path(raw, ctx) if catastrophic_elsewhere else None
    if catastrophic is not None:
        return None
    full = ctx.resolve(raw)
    if "$" in full:  # what is left unexpanded after $HOME, $PWD and the line's own assignments
        return None if raw.startswith(("$(mktemp", "$TMPDIR", "${TMPDIR")) else \
            "a path only known when the command runs (an unresolved variable or substitution)"
    ws = workspace(ctx)
    inside = full == ws or full.startswith(ws.rstrip("/") + "/")
    if how == PRUNE and inside:
        return None  # find/rsync select what they delete: inside the project the find and rsync rules judge them
    if not catastrophic_elsewhere:
        catastrophic = classify_path(raw, ctx)
        if catastrophic is not None:
            return catastrophic  # the rules on those deny; this one asks whatever else holds
    if full.startswith(("/dev/", "/proc/", "/sys/", "/.container/")) or full == "/.container":
        return None  # device nodes and kernel files (the device rules judge those); a container's own files
    if in_temp(full, ctx):
        return None
    base = posixpath.basename(full)
    if keepsake(base):
        if ctx.world is not None and not ctx.world.exists(full):
            return None
        return "a key, secret or local database, which nothing regenerates"
    home = normalised_dir(ctx.home) if ctx.home else ""
    if regenerable(_below(full, ws if inside else home)) or any(full.startswith(r + "/") for r in REGENERABLE_ROOTS):
        return None
    if not inside:
        if how == OVERWRITE:
            return None  # another program's output over a file elsewhere: left to the rules on planted files
        where = "in the home directory" if home and full.startswith(home + "/") else "outside the project"
        return f"{where}, where no repository or build can give it back"
    if any(c in posixpath.basename(full) for c in "*?["):
        full = posixpath.dirname(full)  # `rm -rf src/*`: what is lost is what that directory holds
    return _judged_by_state(full, ctx, how)


def _below(full: str, base: str) -> str:
    """`full` relative to `base` when under it, else without its top-level directory (`/var/cache/x` -> cache/x)."""
    if base and full.startswith(base.rstrip("/") + "/"):
        return full[len(base.rstrip("/")) + 1:]
    return full.lstrip("/").partition("/")[2]


def _judged_by_state(full: str, ctx: EvalContext, how: str) -> str | None:
    world = ctx.world
    if world is None or how == OVERWRITE:
        return None  # nobody can look (replay, rule tests); an overwrite inside the workspace is ordinary editing
    if not world.exists(full):
        return None
    root = world.repo_root(full)
    if not root:
        return "not under version control, so nothing can give it back"
    status = world.git_status(root, (full,))
    if status.error:
        return f"git could not say what it holds ({status.error}): judged at risk"
    rel = posixpath.relpath(full, root)
    if any(rel == i.rstrip("/") or rel.startswith(i) for i in status.ignored if i.endswith("/") or i == rel):
        if not world.is_dir(full) and _holds_secrets(full, ctx):
            return "ignored by git because it holds secrets (so git has no copy)"
        return None  # ignored as a whole: regenerable output
    lost = list(status.changed) + [p for p in status.untracked if not regenerable(p)]
    lost += [p for p in status.ignored if keepsake(posixpath.basename(p.rstrip("/")))]
    if not lost:
        return None  # tracked and unmodified (git gives it back), or only ignored output under it
    return f"{_count(lost)} git cannot give back ({_listed(lost)})"


_SECRET_SETTING = r"(?im)^\s*[\w.-]*(password|passwd|secret|token|api[_-]?key|private[_-]?key|credentials?)[\w.-]*\s*[:=]\s*\S|-----BEGIN [A-Z ]*PRIVATE KEY-----"


def _holds_secrets(full: str, ctx: EvalContext) -> bool:
    """An ignored file that sets a password, token or key (`config/database.yml`, `local.settings.json`): local
    configuration nothing regenerates, ignored precisely because it is secret."""
    from guardrail.rules import cached_regex

    text = ctx.read_text(full, limit=64_000)
    return bool(text) and cached_regex(_SECRET_SETTING).search(text) is not None


def _count(paths: list[str]) -> str:
    n = len(paths)
    return f"{n} uncommitted or untracked file{'s' if n != 1 else ''}" if n < 2000 else "over 2,000 uncommitted files"


def _listed(paths: list[str]) -> str:
    shown = ", ".join(paths[:_LISTED])
    return shown + (f" and {len(paths) - _LISTED} more" if len(paths) > _LISTED else "")


# --------------------------------------------------------------------------- checks

def destroys_unrecoverable(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """Paths the command deletes, empties or overwrites that nothing could give back (see the module docstring).
    A recursive or forced `rm` of a catastrophic path is left to rm-broad-target's rule alone (one finding)."""
    elsewhere = cmd.name == "rm" and (has_flag(cmd.args, "-r") or has_flag(cmd.args, "-R") or has_flag(cmd.args, "-f")
                                      or any(a.startswith("--rec") or a.startswith("--for") for a in cmd.args))
    return _findings(destroyed(cmd, ctx), ctx, elsewhere)


def redirect_destroys_unrecoverable(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """The same, for files emptied or overwritten by the command's write redirections."""
    return _findings(redirected(cmd, ctx), ctx)


def _findings(effects: list[tuple[str, str]], ctx: EvalContext, catastrophic_elsewhere: bool = False) -> list[str]:
    out = []
    for how, raw in effects:
        why = at_risk(raw, ctx, how, catastrophic_elsewhere)
        if why:
            out.append(f"{raw} ({why})")
    return out


def destroys_path(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """Paths the command destroys (by any program, redirection or code) that match `args.paths`: globs relative
    to the project (`data/**`) or absolute; with `args.protected`, the config's `protected.paths`. For rules that
    name what must not be lost, not how."""
    import fnmatch

    globs = tuple(str(g) for g in args.get("paths") or ())
    if args.get("protected"):
        from guardrail.environment import protected_names

        globs += tuple(protected_names(ctx.config, ("paths",)))
    if not globs:
        return []
    ws = workspace(ctx)
    out = []
    for _how, raw in destroyed(cmd, ctx) + redirected(cmd, ctx):
        full = ctx.resolve(raw)
        for g in globs:
            pattern = normalised_dir(g if g.startswith(("/", "~")) else posixpath.join(ws, g))
            pattern = ctx.resolve(pattern)
            stem = pattern.rstrip("/*") or "/"
            # the path itself, something under the protected tree, or a directory that holds it (`rm -rf .`)
            if fnmatch.fnmatchcase(full, pattern) or full == stem or full.startswith(stem + "/") or \
                    stem.startswith(full.rstrip("/") + "/"):
                out.append(raw)
                break
    return out


def write_empties_unrecoverable(action: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """A Write whose new text is empty over an existing file with content that nothing could give back."""
    if getattr(action, "tool", "") != "Write" or getattr(action, "content", "x").strip():
        return []
    path = getattr(action, "path", "")
    if not path or not ctx.read_text(path, limit=1):
        return []  # a new or already empty file
    why = at_risk(path, ctx, EMPTY)
    return [f"{path} ({why})"] if why else []


def destroys_protected_path(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """destroys_path over the config's `protected.paths`."""
    return destroys_path(cmd, ctx, {**args, "protected": True})
