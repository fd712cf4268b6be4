"""What package managers and task runners run: package.json scripts with pre/post hooks, workspaces,
run-s/concurrently/turbo/nx/lerna."""

from __future__ import annotations

import json
import posixpath
import re

from guardrail.base.record import replace
from guardrail.base.text import shell_quote
from guardrail.expand.steps import DESTRUCTIVE_NAME, Step, read_script
from guardrail.model import SimpleCommand
from guardrail.workdir import join
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any


# npm lifecycle commands that run scripts of the same name (with pre/post).
_NPM_LIFECYCLE = {"test": "test", "t": "test", "tst": "test", "start": "start", "stop": "stop", "restart": "restart"}


_INSTALL_SCRIPTS = ("preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare", "postprepare")


_PM_BUILTINS = frozenset(
    "add remove rm install i ci uninstall un update up upgrade link unlink publish pack init create dlx exec x "
    "why list ls outdated audit config login logout info view whoami cache store patch import rebuild prune "
    "dedupe help version set workspace workspaces node env bin root licenses fetch server setup deploy".split()
)


def _pm_args(cmd: SimpleCommand, cwd: str) -> tuple[list[str], str]:
    """Positionals and the package directory (`--prefix`, `-C`, `--cwd`, `--dir`)."""
    args = list(cmd.args)
    pos: list[str] = []
    d = cwd
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            pos.append("--")
            pos.extend(args[i + 1:])
            break
        if a in ("--prefix", "-C", "--cwd", "--dir") and i + 1 < len(args):
            d = join(cwd, args[i + 1])
            i += 2
            continue
        for opt in ("--prefix=", "--cwd=", "--dir="):
            if a.startswith(opt):
                d = join(cwd, a[len(opt):])
        if a in ("-w", "--workspace", "--filter", "-F") and i + 1 < len(args):
            if re.match(r"^\.{0,2}/|^[\w.-]+/[\w./-]+$", args[i + 1]) and not args[i + 1].startswith("@"):
                d = join(cwd, args[i + 1])  # a workspace named by its path; package names are not resolved
            i += 2
            continue
        for opt in ("--workspace=", "--filter="):
            if a.startswith(opt) and "/" in a and not a[len(opt):].startswith("@"):
                d = join(cwd, a[len(opt):])
        if a.startswith("-"):
            i += 1
            continue
        pos.append(a)
        i += 1
    return pos, d


def resolve_pm(cmd: SimpleCommand, cwd: str, ctx: Any) -> tuple[list[Step], list[str], list[str]]:
    names, every, inner = _workspace_selection(cmd)
    if names or every:
        return _resolve_workspaces(cmd, inner, names, every, _pm_args(inner, cwd)[1], ctx)
    pos, pkg_dir = _pm_args(cmd, cwd)
    if not pos:
        names = list(_INSTALL_SCRIPTS) if cmd.name in ("yarn", "bun") and not cmd.args else []
        if not names:
            return [], [], []
        extra: list[str] = []
        script_name = None
    else:
        sub = pos[0]
        extra = pos[pos.index("--") + 1:] if "--" in pos else pos[2:]
        names = []
        script_name = None
        if sub in ("run", "run-script", "rum", "urn") or (sub.startswith("run-") and "run-script".startswith(sub)):
            script_name = pos[1] if len(pos) > 1 and pos[1] != "--" else None
        elif cmd.name == "npm" and sub in _NPM_LIFECYCLE:
            script_name = _NPM_LIFECYCLE[sub]
            extra = pos[pos.index("--") + 1:] if "--" in pos else []
        elif sub in ("install", "i", "ci", "add") and (len(pos) == 1 or sub == "ci"):
            names = list(_INSTALL_SCRIPTS)  # installing the project itself runs its lifecycle scripts
        elif cmd.name in ("yarn", "pnpm", "bun") and sub not in _PM_BUILTINS:
            script_name = sub  # `yarn db:reset`, `pnpm db:reset` run a script of that name
            extra = pos[1:]
        elif sub in ("test", "start", "stop", "restart") and cmd.name in ("yarn", "pnpm", "bun"):
            script_name = sub
        if script_name is None and not names:
            return [], [], []
    path = join(pkg_dir, "package.json")
    text = read_script(ctx, path)
    # `yarn prisma ...` and `yarn run prisma ...` with no script of that name run the package binary
    bare = script_name is not None and pos and (pos[0] == script_name or cmd.name in ("yarn", "pnpm", "bun"))
    if bare:
        try:
            has_script = text is not None and script_name in (json.loads(text).get("scripts") or {})
        except (ValueError, AttributeError):
            has_script = False
        if not has_script:
            # `yarn prisma migrate reset`: no script of that name, so the package binary runs
            rest = list(cmd.args)
            rest = rest[rest.index(script_name):] if script_name in rest else pos
            body = " ".join(shell_quote(p) for p in rest if p != "--")
            return [Step(f"{cmd.name} {script_name}", f"bin:{pkg_dir}:{body}", body, pkg_dir)], [], []
    label_base = f"{cmd.name} run {script_name}" if script_name else f"{cmd.name} {' '.join(pos[:1]) or 'install'}"
    if text is None:
        return [], [f"{path} could not be read"], [label_base] if script_name else []
    try:
        scripts = json.loads(text).get("scripts") or {}
    except (ValueError, AttributeError):
        return [], [f"{path} is not valid JSON"], [label_base] if script_name else []
    if not isinstance(scripts, dict):
        return [], [], []
    if script_name is not None:
        if script_name not in scripts:
            return [], [f"no script {script_name!r} in {path}"], []
        names = [f"pre{script_name}", script_name, f"post{script_name}"]
    steps = []
    for n in names:
        body = scripts.get(n)
        if not isinstance(body, str):
            continue
        if n == script_name and extra:
            body = body + " " + " ".join(shell_quote(e) for e in extra)
        steps.append(Step(f"{cmd.name} run {n}", f"pkg:{path}:{n}", body, pkg_dir))
    return steps, [], []


def _workspace_selection(cmd: SimpleCommand) -> tuple[list[str], bool, SimpleCommand]:
    """(selected workspace names, every workspace?, the command without its selectors)."""
    args = list(cmd.args)
    names: list[str] = []
    every = False
    rest: list[str] = []
    i = 0
    if cmd.name == "yarn" and args[:1] == ["workspace"] and len(args) >= 3:
        names, args = [args[1]], args[2:]
    elif cmd.name == "yarn" and args[:1] == ["workspaces"] and len(args) >= 2:
        every, args = True, args[1:]
        if args[:1] == ["foreach"]:  # `yarn workspaces foreach -A --parallel run x`
            args = [a for a in args[1:] if not a.startswith("-")]
    while i < len(args):
        a = args[i]
        if a == "--":
            rest += args[i:]
            break
        if a in ("-w", "--workspace", "--filter", "-F") and i + 1 < len(args):
            names.append(args[i + 1])
            i += 2
            continue
        if a.startswith(("--workspace=", "--filter=")):
            names.append(a.split("=", 1)[1])
        elif a in ("--workspaces", "-ws", "-r", "--recursive") or (cmd.name == "pnpm" and a == "-r"):
            every = True
        else:
            rest.append(a)
        i += 1
    # a workspace named by its path is a directory: _pm_args resolves it
    names = [n for n in names if n and not n.startswith(("./", "../", "/")) and ("/" not in n or n[0] == "@")]
    if not names and not every:
        return [], False, cmd
    return names, every, replace(cmd, argv=(cmd.argv[0], *rest))


def _workspace_patterns(root: str, ctx: Any) -> list[str]:
    patterns: list[str] = []
    try:
        data = json.loads(read_script(ctx, join(root, "package.json")) or "{}")
        ws = data.get("workspaces") if isinstance(data, dict) else None
        ws = ws.get("packages") if isinstance(ws, dict) else ws
        patterns += [p for p in ws or [] if isinstance(p, str)]
    except (ValueError, AttributeError):
        pass
    yaml = read_script(ctx, join(root, "pnpm-workspace.yaml")) or ""
    patterns += re.findall(r"(?m)^\s*-\s*[\"']?([^\"'#\s]+)", yaml.split("catalog", 1)[0])
    for name in ("lerna.json",):
        try:
            patterns += [p for p in json.loads(read_script(ctx, join(root, name)) or "{}").get("packages") or []
                         if isinstance(p, str)]
        except (ValueError, AttributeError):
            pass
    return list(dict.fromkeys(p for p in patterns if not p.startswith("!")))[:16]


def _find_workspace(root: str, name: str, patterns: list[str], ctx: Any) -> str | None:
    """The directory of workspace `name` (its package name or folder): a glob pattern is tried with the name's
    last part (`packages/*` + `@mono/api` -> packages/api), since guardrail lists no directories."""
    short = name.rsplit("/", 1)[-1]
    for pat in patterns + ["packages/*", "apps/*", "services/*"]:
        cand = pat.split("*", 1)[0].rstrip("/") + "/" + short if "*" in pat else pat
        d = join(root, cand)
        text = read_script(ctx, join(d, "package.json"))
        if text is None:
            continue
        try:
            pkg_name = json.loads(text).get("name")
        except (ValueError, AttributeError):
            pkg_name = None
        if pkg_name in (name, None) or posixpath.basename(d) == short or "*" in name:
            return d
    return None


def _resolve_workspaces(cmd: SimpleCommand, inner: SimpleCommand, names: list[str], every: bool, cwd: str,
                        ctx: Any) -> tuple[list[Step], list[str], list[str]]:
    patterns = _workspace_patterns(cwd, ctx)
    dirs: list[str] = []
    unresolved = False
    for n in names[:8]:
        d = _find_workspace(cwd, n, patterns, ctx)
        if d is None:
            unresolved = True
        else:
            dirs.append(d)
    if every and not names:
        dirs += [join(cwd, p) for p in patterns if "*" not in p]
        unresolved = unresolved or not patterns or any("*" in p for p in patterns)
    steps: list[Step] = []
    problems: list[str] = []
    for d in dict.fromkeys(dirs):
        s, p, _ = resolve_pm(inner, d, ctx)
        steps += s
        problems += p
    pos = [a for a in inner.args if not a.startswith("-")]
    label = " ".join([inner.name] + pos[:2])
    if not unresolved:
        return steps, problems, []
    if DESTRUCTIVE_NAME.search(pos[1] if pos[:1] == ["run"] and len(pos) > 1 else (pos or [""])[0]):
        # a destructive-sounding script in workspaces guardrail cannot list: what runs is not known
        note = f"{label} in the workspaces of {cwd} (which packages define it is not known)"
        if note not in ctx.unread:
            ctx.unread.append(note)
    return steps, problems + [f"workspaces of {cwd} cannot be listed"], [label]


def _resolve_monorepo_tool(cmd: SimpleCommand, cwd: str, ctx: Any) -> tuple[list[Step], list[str], list[str]]:
    """`turbo run x [--filter api]`, `lerna run x [--scope api]`, `nx run api:x`, `nx run-many -t x`, `nx x api`:
    package scripts run in the workspaces, as `npm run x` in each."""
    args = list(cmd.args)
    names: list[str] = []
    pos: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            break
        if a in ("--filter", "-F", "--scope", "-p", "--projects", "-t", "--target", "--targets") and i + 1 < len(args):
            if a in ("-t", "--target", "--targets"):
                pos.append(args[i + 1])
            else:
                names += args[i + 1].split(",")
            i += 2
            continue
        if a.startswith(("--filter=", "--scope=", "--projects=")):
            names += a.split("=", 1)[1].split(",")
        elif a.startswith(("--target=", "--targets=")):
            pos.append(a.split("=", 1)[1])
        elif not a.startswith("-"):
            pos.append(a)
        i += 1
    if pos[:1] in (["run"], ["run-many"], ["exec"]):
        pos = pos[1:]
    if not pos:
        return [], [], []
    task = pos[0]
    if cmd.name == "nx":
        if ":" in task and not names:  # `nx run api:db:reset`
            proj, task = task.split(":", 1)
            names = [proj]
        elif len(pos) > 1 and not names:  # `nx db:reset api`
            names = [pos[1]]
    inner = SimpleCommand(argv=("npm", "run", task), via=cmd.via)
    return _resolve_workspaces(cmd, inner, [n for n in names if n and "*" not in n], not names, cwd, ctx)


_RUNNER_VALUE_OPTS = frozenset({"--npm-path", "--max-parallel", "-n", "--names", "-c", "--prefix-colors", "-p",
                                "--prefix", "-l", "--prefix-length", "-t", "--timestamp-format", "-s", "--success",
                                "--restart-tries", "--restart-after", "-m", "--max-processes", "--name-separator",
                                "--kill-signal", "--default-input-target", "--hide", "--pad-prefix"})


_NPM_RUN_ALL_FLAGS = frozenset({"-s", "-p", "-c", "-l", "-r", "-n", "--sequential", "--serial", "--parallel",
                                "--continue-on-error", "--print-label", "--print-name", "--race", "--silent",
                                "--aggregate-output"})


def resolve_runner(cmd: SimpleCommand, cwd: str, ctx: Any) -> tuple[list[Step], list[str], list[str]]:
    if cmd.name in ("turbo", "lerna", "nx"):
        return _resolve_monorepo_tool(cmd, cwd, ctx)
    args = list(cmd.args)
    pos: list[str] = []
    concurrently = cmd.name == "concurrently"
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            break  # npm-run-all passes what follows to the scripts as {1}, {2}...
        if a.startswith("-"):
            i += 1 if (not concurrently and a in _NPM_RUN_ALL_FLAGS) or "=" in a or a not in _RUNNER_VALUE_OPTS else 2
            continue
        pos.append(a)
        i += 1
    if not pos:
        return [], [], []
    if concurrently:
        lines = [f"npm run {shell_quote(c[4:])}" if c.startswith("npm:") else c for c in pos]
        return [Step(f"concurrently {' '.join(pos)[:60]}", f"runner:{cwd}:{pos}", "\n".join(lines), cwd)], [], []
    path = join(cwd, "package.json")
    text = read_script(ctx, path)
    label = f"{cmd.name} {' '.join(pos)}"
    try:
        scripts = json.loads(text).get("scripts") or {} if text is not None else None
    except (ValueError, AttributeError):
        scripts = None
    if not isinstance(scripts, dict):
        return [], [f"{path} could not be read"], [label]
    names: list[str] = []
    for p in pos:
        if "*" in p:  # `db:*` matches within one `:` segment, `**` across them
            rx = re.compile("^" + re.escape(p).replace(r"\*\*", ".+").replace(r"\*", "[^:]+") + "$")
            names += [n for n in scripts if rx.match(n) and not n.startswith(("pre", "post"))]
        else:
            names.append(p)
    body = "\n".join(f"npm run {shell_quote(n)}" for n in names if n in scripts)
    if not body:
        return [], [f"no script {pos!r} in {path}"], []
    return [Step(label, f"runner:{path}:{pos}", body, cwd)], [], []
