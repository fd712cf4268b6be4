"""Follow indirection: what `npm run X`, `make T`, `just R`, `./script.sh` and `bash x.sh` really run.

`expand(cmd, ctx)` resolves one command into the simple commands its script would run, recursively
(bounded depth, cycles detected), each tagged with the chain in `via` (for example
("npm run db:reset", "prisma migrate reset --force")). Files are read only through `ctx.read_file`
(bounded by the reader and by MAX_SCRIPT_BYTES here); a missing file or an unknown target yields no
commands and a problem note, never an exception.
"""

from __future__ import annotations

import json
import posixpath
import re
from guardrail.record import factory, record, replace
TYPE_CHECKING = False  # `typing` costs milliseconds to import: annotations only
if TYPE_CHECKING:
    from typing import Any

from guardrail.model import SimpleCommand

MAX_DEPTH = 5
MAX_SCRIPT_BYTES = 256_000
MAX_COMMANDS = 200

PACKAGE_MANAGERS = frozenset({"npm", "pnpm", "yarn", "bun"})
SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh", "source", "."})
INTERPRETERS = {"python": "python", "python3": "python", "node": "node", "ruby": "ruby", "perl": "perl",
                "deno": "node", "bun": "node", "php": "php"}
TRIGGER_PROGRAMS = PACKAGE_MANAGERS | {"make", "gmake", "just"} | SHELLS
# npm lifecycle commands that run scripts of the same name (with pre/post).
_NPM_LIFECYCLE = {"test": "test", "t": "test", "tst": "test", "start": "start", "stop": "stop", "restart": "restart"}
_INSTALL_SCRIPTS = ("preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare", "postprepare")
_PM_BUILTINS = frozenset(
    "add remove rm install i ci uninstall un update up upgrade link unlink publish pack init create dlx exec x "
    "why list ls outdated audit config login logout info view whoami cache store patch import rebuild prune "
    "dedupe help version set workspace workspaces node env bin root licenses fetch server setup deploy".split()
)
_DESTRUCTIVE_NAME = re.compile(r"(?i)(^|[:_./-])(reset|drop|nuke|wipe|destroy|purge|flush|truncate|fresh|clean-?db|"
                               r"teardown|down|rollback|undo|delete|erase)([:_.-]|$)")


@record
class Expansion:
    commands: list[SimpleCommand] = factory(list)
    problems: list[str] = factory(list)
    unresolved: list[str] = factory(list)  # labels guardrail could not read


def is_trigger(cmd: SimpleCommand) -> bool:
    """Cheap: could this command run a script guardrail can read? (No I/O.)"""
    if not cmd.argv:
        return False
    head = cmd.argv[0]
    name = cmd.name
    if name in PACKAGE_MANAGERS or name in ("make", "gmake", "just"):
        return True
    if name in SHELLS:
        return any(not a.startswith("-") for a in cmd.args) and cmd.stdin_text is None
    # `./x`, `../x` or any `*.sh`: a project script (bin/rails and /usr/bin/x are programs, not read)
    if not (head.startswith(("./", "../")) or head.endswith((".sh", ".bash", ".zsh"))):
        return False
    return not head.startswith(("$", "/usr/", "/bin/", "/sbin/", "/opt/")) and not _VENDORED.search(head)


_VENDORED = re.compile(r"(^|/)(node_modules|\.venv|venv|vendor|target|dist|build|\.git)/")


def _read(ctx: Any, path: str) -> str | None:
    try:
        text = ctx.read_file(path)
    except Exception:  # the reader is injected; a failure is a missing file, not a crash
        return None
    if text is None:
        return None
    return text[:MAX_SCRIPT_BYTES]


def _join(cwd: str, path: str) -> str:
    if path.startswith("/"):
        return posixpath.normpath(path)
    return posixpath.normpath(posixpath.join(cwd or "/", path))


# --------------------------------------------------------------------------- resolution (one level)

@record(frozen=True)
class Step:
    label: str  # how the chain shows it: "npm run db:reset", "make reset", "./scripts/wipe.sh"
    key: str  # identity for cycle detection
    script: str  # shell text, or code for `lang`
    cwd: str  # where the script runs
    lang: str = "sh"  # "sh" or an interpreter name ("python", "node", ...)


def resolve(cmd: SimpleCommand, cwd: str, ctx: Any) -> tuple[list[Step], list[str], list[str]]:
    """(steps, problems, unresolved labels) for one command; no recursion."""
    name = cmd.name
    if name in PACKAGE_MANAGERS:
        return _resolve_pm(cmd, cwd, ctx)
    if name in ("make", "gmake"):
        return _resolve_make(cmd, cwd, ctx)
    if name == "just":
        return _resolve_just(cmd, cwd, ctx)
    return _resolve_script(cmd, cwd, ctx)


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
            d = _join(cwd, args[i + 1])
            i += 2
            continue
        for opt in ("--prefix=", "--cwd=", "--dir="):
            if a.startswith(opt):
                d = _join(cwd, a[len(opt):])
        if a in ("-w", "--workspace", "--filter", "-F") and i + 1 < len(args):
            if re.match(r"^\.{0,2}/|^[\w.-]+/[\w./-]+$", args[i + 1]) and not args[i + 1].startswith("@"):
                d = _join(cwd, args[i + 1])  # a workspace named by its path; package names are not resolved
            i += 2
            continue
        for opt in ("--workspace=", "--filter="):
            if a.startswith(opt) and "/" in a and not a[len(opt):].startswith("@"):
                d = _join(cwd, a[len(opt):])
        if a.startswith("-"):
            i += 1
            continue
        pos.append(a)
        i += 1
    return pos, d


def _resolve_pm(cmd: SimpleCommand, cwd: str, ctx: Any) -> tuple[list[Step], list[str], list[str]]:
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
        if sub in ("run", "run-script", "rum", "urn"):
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
    path = _join(pkg_dir, "package.json")
    text = _read(ctx, path)
    bare = script_name is not None and pos and pos[0] == script_name
    if bare:
        try:
            has_script = text is not None and script_name in (json.loads(text).get("scripts") or {})
        except (ValueError, AttributeError):
            has_script = False
        if not has_script:
            # `yarn prisma migrate reset`: no script of that name, so the package binary runs
            body = " ".join(_quote(p) for p in pos if p != "--")
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
            body = body + " " + " ".join(_quote(e) for e in extra)
        steps.append(Step(f"{cmd.name} run {n}", f"pkg:{path}:{n}", body, pkg_dir))
    return steps, [], []


def _quote(s: str) -> str:
    return s if re.fullmatch(r"[\w@%+=:,./-]+", s) else "'" + s.replace("'", "'\\''") + "'"


# ---- make

_MAKE_VAR = re.compile(r"^([A-Za-z_][\w.-]*)\s*(?:\?|:|::|\+)?=\s*(.*)$")
_MAKE_RULE = re.compile(r"^([^\s:=#][^:=#]*?)\s*::?(?!=)\s*([^=;#]*?)\s*(?:;\s*(.*))?$")


@record
class Makefile:
    rules: dict[str, tuple[list[str], list[str]]]  # target -> (prerequisites, recipe lines)
    default: str | None
    variables: dict[str, str]


def parse_makefile(text: str) -> Makefile:
    rules: dict[str, tuple[list[str], list[str]]] = {}
    variables: dict[str, str] = {}
    default: str | None = None
    current: list[str] = []
    lines = text.replace("\\\n", " ").splitlines()
    for line in lines:
        if line.startswith("\t"):
            for t in current:
                rules[t][1].append(line[1:])
            continue
        s = line.split("#", 1)[0].rstrip() if not line.lstrip().startswith("\t") else line
        if not s.strip():
            continue
        m = _MAKE_VAR.match(s.strip())
        if m and ":" not in s.split("=", 1)[0].rstrip(":?+"):
            variables[m.group(1)] = m.group(2).strip()
            current = []
            continue
        m = _MAKE_RULE.match(s)
        if m and not s.startswith((" ", "include", "-include", "export", "ifeq", "ifneq", "ifdef", "ifndef",
                                   "else", "endif", "define", "endef", "override", "vpath")):
            targets = m.group(1).split()
            prereqs = [p for p in m.group(2).split() if p != "|"]
            current = []
            for t in targets:
                if "%" in t:
                    continue
                entry = rules.setdefault(t, ([], []))
                entry[0].extend(prereqs)
                if m.group(3):
                    entry[1].append(m.group(3))
                current.append(t)
                if default is None and not t.startswith("."):
                    default = t
            continue
        current = []
    return Makefile(rules, default, variables)


def _make_expand(line: str, variables: dict[str, str], target: str) -> str:
    line = line.replace("$(MAKE)", "make").replace("${MAKE}", "make").replace("$@", target)
    for _ in range(3):  # nested references, bounded
        new = re.sub(r"\$[({]([A-Za-z_][\w.-]*)[)}]", lambda m: variables.get(m.group(1), m.group(0)), line)
        if new == line:
            break
        line = new
    return line.replace("$$", "$")


def _resolve_make(cmd: SimpleCommand, cwd: str, ctx: Any) -> tuple[list[Step], list[str], list[str]]:
    args = list(cmd.args)
    d, mf = cwd, None
    targets: list[str] = []
    overrides: dict[str, str] = {}
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-C", "--directory") and i + 1 < len(args):
            d = _join(d, args[i + 1])
            i += 2
            continue
        if a in ("-f", "--file", "--makefile") and i + 1 < len(args):
            mf = args[i + 1]
            i += 2
            continue
        if a in ("-n", "--dry-run", "--just-print", "--recon", "-q", "--question", "-p", "--print-data-base",
                 "--help", "-h", "-v", "--version"):
            return [], [], []  # nothing is executed
        if a in ("-j", "--jobs", "-I", "-o", "-W", "-l") and i + 1 < len(args) and not args[i + 1].startswith("-"):
            i += 2
            continue
        if a.startswith("-"):
            i += 1
            continue
        if "=" in a:
            k, v = a.split("=", 1)
            overrides[k] = v
        else:
            targets.append(a)
        i += 1
    candidates = [mf] if mf else ["GNUmakefile", "makefile", "Makefile"]
    text, path = None, ""
    for c in candidates:
        path = _join(d, c)
        text = _read(ctx, path)
        if text is not None:
            break
    label = "make " + " ".join(targets) if targets else "make"
    if text is None:
        return [], [f"no Makefile readable in {d}"], [label]
    # `include other.mk` (one level, a few literal names): recipes often live in included files
    for inc in re.findall(r"(?m)^-?s?include\s+(.+)$", text)[:4]:
        for name in inc.split()[:4]:
            if "$" in name or "*" in name:
                continue
            extra = _read(ctx, _join(d, name))
            if extra:
                text += "\n" + extra
    parsed = parse_makefile(text)
    parsed.variables.update(overrides)
    if not targets:
        targets = [parsed.default] if parsed.default else []
    steps: list[Step] = []
    seen: set[str] = set()
    problems: list[str] = []

    def visit(t: str, depth: int) -> None:
        if t in seen or depth > MAX_DEPTH * 2:
            if t in seen:
                return
            problems.append(f"make prerequisites deeper than {MAX_DEPTH * 2}")
            return
        seen.add(t)
        rule = parsed.rules.get(t)
        if rule is None:
            return  # a file target or an implicit rule: nothing guardrail can read
        for p in rule[0]:
            visit(p, depth + 1)
        if rule[1]:
            body = "\n".join(_make_expand(re.sub(r"^[@+-]+", "", ln.strip()), parsed.variables, t) for ln in rule[1])
            steps.append(Step(f"make {t}", f"make:{path}:{t}", body, d))

    for t in targets:
        visit(t, 0)
    return steps, problems, []


# ---- just

_JUST_RECIPE = re.compile(r"^@?([A-Za-z_][\w-]*)((?:\s+[+*$]?[\w-]+(?:=(?:\"[^\"]*\"|'[^']*'|\S+))?)*)\s*:(?!=)\s*(.*)$")
_JUST_VAR = re.compile(r"^(?:export\s+)?([A-Za-z_][\w-]*)\s*:=\s*(.*)$")


def parse_justfile(text: str) -> tuple[dict[str, tuple[list[str], list[str], list[str]]], str | None, dict[str, str]]:
    """recipe -> (params, dependencies, body lines); the default recipe; variables."""
    recipes: dict[str, tuple[list[str], list[str], list[str]]] = {}
    variables: dict[str, str] = {}
    default = None
    current: str | None = None
    for line in text.replace("\\\n", " ").splitlines():
        if line[:1] in (" ", "\t"):
            if current is not None and line.strip():
                recipes[current][2].append(line.strip())
            continue
        s = line.split("#", 1)[0].rstrip() if not line.startswith("#!") else line
        if not s or s.startswith(("[", "set ", "alias ", "import ", "mod ")):
            current = None if s and not s.startswith("[") else current
            continue
        m = _JUST_VAR.match(s)
        if m:
            variables[m.group(1)] = m.group(2).strip().strip("\"'")
            current = None
            continue
        m = _JUST_RECIPE.match(s)
        if m:
            current = m.group(1)
            params = [p.lstrip("+*$") for p in m.group(2).split()]  # "name" or "name=default"
            deps = [d for d in re.findall(r"[\w-]+", m.group(3).split("&&")[0])]
            recipes[current] = (params, deps, [])
            if default is None:
                default = current
            continue
        current = None
    return recipes, default, variables


def _resolve_just(cmd: SimpleCommand, cwd: str, ctx: Any) -> tuple[list[Step], list[str], list[str]]:
    args = [a for a in cmd.args]
    if any(a in ("--dry-run", "-n", "--list", "-l", "--summary", "--show", "-s", "--help", "-h", "--evaluate",
                 "--dump", "--version", "--choose") for a in args):
        return [], [], []
    d = cwd
    jf = None
    pos: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-f", "--justfile") and i + 1 < len(args):
            jf = args[i + 1]
            i += 2
            continue
        if a in ("-d", "--working-directory") and i + 1 < len(args):
            d = _join(cwd, args[i + 1])
            i += 2
            continue
        if a.startswith("-"):
            i += 1
            continue
        pos.append(a)
        i += 1
    text, path = None, ""
    for c in ([jf] if jf else ["justfile", "Justfile", ".justfile", "JUSTFILE"]):
        path = _join(cwd, c)
        text = _read(ctx, path)
        if text is not None:
            break
    label = "just " + " ".join(pos[:1]) if pos else "just"
    if text is None:
        return [], [f"no justfile readable in {cwd}"], [label]
    recipes, default, variables = parse_justfile(text)
    name = pos[0] if pos else default
    if name is None or name not in recipes:
        return [], [f"no recipe {name!r} in {path}"], []
    steps: list[Step] = []
    seen: set[str] = set()

    def visit(r: str, argv: list[str]) -> None:
        if r in seen or r not in recipes:
            return
        seen.add(r)
        params, deps, body = recipes[r]
        for dep in deps:
            visit(dep, [])
        values = dict(variables)
        for spec in params:
            if "=" in spec:
                k, default = spec.split("=", 1)
                values[k] = variables.get(default, default.strip("\"'"))
        values.update(zip((p.split("=", 1)[0] for p in params), argv))
        lines = []
        for ln in body:
            if ln.startswith("#!"):
                continue
            ln = re.sub(r"^[@-]+", "", ln)
            ln = re.sub(r"\{\{\s*([\w-]+)\s*\}\}", lambda m: values.get(m.group(1), m.group(1)), ln)
            lines.append(ln)
        if lines:
            steps.append(Step(f"just {r}", f"just:{path}:{r}", "\n".join(lines), d))

    visit(name, pos[1:])
    return steps, [], []


# ---- script files

def _resolve_script(cmd: SimpleCommand, cwd: str, ctx: Any) -> tuple[list[Step], list[str], list[str]]:
    name = cmd.name
    if name in SHELLS:
        rest = [a for a in cmd.args]
        while rest and rest[0].startswith(("-", "+")):
            if rest[0] in ("-n", "--noexec"):
                return [], [], []
            rest = rest[1:]
        if not rest:
            return [], [], []
        script, label = rest[0], f"{name} {rest[0]}"
        args = rest[1:]
    else:
        script, label = cmd.argv[0], cmd.argv[0]
        args = list(cmd.args)
    if script.startswith("$") or "$(" in script:
        return [], [], []
    path = _join(cwd, script)
    text = _read(ctx, path)
    if text is None:
        return [], [f"{path} could not be read"], [label]
    if "\0" in text[:4096]:
        return [], [f"{path} is a binary"], []
    lang = "sh"
    first = text.split("\n", 1)[0]
    if first.startswith("#!"):
        interp = first[2:].strip().split()
        prog = posixpath.basename(interp[0]) if interp else ""
        if prog == "env" and len(interp) > 1:
            prog = next((w for w in interp[1:] if not w.startswith("-")), "")
        prog = re.sub(r"[\d.]+$", "", prog) if prog.startswith("python") else prog
        lang = INTERPRETERS.get(prog, "sh" if prog in ("bash", "sh", "zsh", "dash", "ksh") else prog or "sh")
    elif not (script.endswith((".sh", ".bash", ".zsh")) or name in SHELLS):
        if script.endswith(".py"):
            lang = "python"
        elif script.endswith((".js", ".mjs", ".cjs", ".ts")):
            lang = "node"
    if lang == "sh" and args:
        # positional parameters: "$1" becomes the literal argument, so `./wipe.sh prod` is judged with prod
        for n, v in enumerate(args[:9], start=1):
            text = text.replace(f"${{{n}}}", v).replace(f"${n}", v)
    return [Step(label, f"file:{path}", text, posixpath.dirname(path), lang)], [], []


# --------------------------------------------------------------------------- recursion

def expand(cmd: SimpleCommand, ctx: Any, *, depth: int = MAX_DEPTH) -> Expansion:
    """Every simple command `cmd` runs through scripts, with `via` naming the chain; bounded and cycle-safe."""
    out = Expansion()
    _expand_into(cmd, ctx, ctx.cwd or "/", depth, (), frozenset(), out)
    return out


def _expand_into(cmd: SimpleCommand, ctx: Any, cwd: str, depth: int, chain: tuple[str, ...],
                 active: frozenset[str], out: Expansion) -> None:
    if not is_trigger(cmd):
        return
    steps, problems, unresolved = resolve(cmd, cwd, ctx)
    out.problems.extend(problems)
    out.unresolved.extend(" -> ".join(chain + (u,)) for u in unresolved)
    for step in steps:
        if step.key in active:
            out.problems.append("cycle: " + " -> ".join(chain + (step.label,)))
            continue
        if depth <= 0:
            out.problems.append("indirection deeper than %d levels at %s" % (MAX_DEPTH, step.label))
            continue
        sub_chain = chain + (step.label,)
        for inner in _commands_of(step):
            if len(out.commands) >= MAX_COMMANDS:
                out.problems.append(f"more than {MAX_COMMANDS} commands behind {chain[:1] or step.label}")
                return
            # cmd.via already holds the outer chain; add this step once
            tagged = replace(inner, via=cmd.via + (step.label,) + inner.via, env=cmd.env + inner.env)
            out.commands.append(tagged)
            _expand_into(tagged, ctx, step.cwd, depth - 1, sub_chain, active | {step.key}, out)


def _commands_of(step: Step) -> list[SimpleCommand]:
    if step.lang == "sh":
        from guardrail.shell import parse_command

        model = parse_command(step.script)
        return list(model.commands)
    flag = {"python": "-c", "ruby": "-e", "perl": "-e", "php": "-r"}.get(step.lang, "-e")
    # Code files become an inline-code command so the same inline-code checks judge them.
    return [SimpleCommand(argv=(step.lang, flag, step.script), text=f"{step.lang} {step.label}")]


def unresolved_destructive(cmd: SimpleCommand, ctx: Any) -> list[str]:
    """Script names that sound destructive (`db:reset`, `make nuke`) whose definition could not be read."""
    if not is_trigger(cmd):
        return []
    exp = expand(cmd, ctx, depth=1)
    return [u for u in exp.unresolved if _DESTRUCTIVE_NAME.search(u.rsplit(" ", 1)[-1])]


def expand_all(commands: list[SimpleCommand], ctx: Any) -> list[SimpleCommand]:
    """Every command reached through indirection from `commands` (for the engine to match like typed ones):
    scripts behind package managers, make, just and script files, and shell commands that inline code starts.
    Each result's `via` names its chain. Reads files only for trigger commands."""
    out: list[SimpleCommand] = []
    for cmd in commands:
        if is_trigger(cmd):
            # the indirect rules ask for the same expansion: checks_data memoises it per evaluation (and its
            # rules load it for every trigger command anyway)
            from guardrail.checks_data import _expansion

            out.extend(_expansion(cmd, ctx).commands)
        elif cmd.name in INTERPRETERS or cmd.name.startswith("python") or cmd.name in ("uv", "pypy3", "pypy"):
            from guardrail.checks_data import inline_code, memo_shell_outs  # only for interpreters: keeps it lazy

            if inline_code(cmd, ctx) is not None:
                out.extend(memo_shell_outs(cmd, ctx))
    return out[:MAX_COMMANDS]
