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
from guardrail.base.text import shell_quote
from guardrail.base.record import factory, record, replace
TYPE_CHECKING = False  # `typing` costs milliseconds to import: annotations only
if TYPE_CHECKING:
    from typing import Any

from guardrail.base.vocab import (CD_BUILTINS, FILE_WRITERS, INLINE_CODE_OPTIONS, INTERPRETERS, JOB_QUEUES, JUSTS,
                                  LANGUAGE_PROGRAMS, MAKES, PACKAGE_MANAGERS, SCRIPT_READERS, SHELLS, TASK_RUNNERS,
                                  is_python)
from guardrail.model import SimpleCommand
from guardrail.workdir import WorkingDirs, join

MAX_DEPTH = 5
MAX_SCRIPT_BYTES = 256_000
MAX_COMMANDS = 200

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
    if name in PACKAGE_MANAGERS or name in MAKES or name in JUSTS or name in TASK_RUNNERS:
        return True
    if name in SCRIPT_READERS:
        if cmd.stdin_text is not None:
            return False  # a heredoc or here-string script: the shell model already parsed it
        return any(not a.startswith("-") for a in cmd.args) or cmd.stdin_file is not None
    if name in INTERPRETERS or is_python(name):
        return _interp_operand(cmd) is not None
    if name in JOB_QUEUES:
        return _job_file(cmd) is not None
    if head[:2] == "$(" or head[:1] == "`":
        return _SUBST_FILE.match(head) is not None  # `$(cat x.sh)` as a command: the file's text runs
    # `./x`, `../x` or any `*.sh`: a project script (bin/rails and /usr/bin/x are programs, not read);
    # `scripts/x.py` (a path runs the file) and `uv run x.py` (uv runs python on it)
    if not (head.startswith(("./", "../")) or head.endswith((".sh", ".bash", ".zsh"))
            or head.endswith(".py") and ("/" in head or cmd.via[-1:] == ("uv run",)) and _follow_code_file(head)):
        return False
    return not head.startswith(("$", "/usr/", "/bin/", "/sbin/", "/opt/")) and not _VENDORED.search(head)


def _follow_code_file(path: str) -> bool:
    """Whether `python PATH` / `scripts/x.py` is read: when this line wrote the file, or its name sounds
    destructive (`reset_db.py`, `wipe.py`). Not every tool script: the common benign call stays free of file
    reads, and the inline-code rules (made for `-c` snippets) would ask about any real script that runs a
    computed command."""
    if _DESTRUCTIVE_NAME.search(posixpath.basename(path)):
        return True
    files = _LINE["files"]
    return bool(files) and any(k.endswith("/" + path.lstrip("./")) for k in files)


# `$(cat F)`, `$(< F)`, `` `cat F` `` (and the shell model's `xargs-input <F`): the text of file F
_SUBST_FILE = re.compile(r"^(?:\$\(|`)\s*(?:cat\s+(?:--\s+)?|<\s*|xargs-input\s+<)([^\s()$`;|&<>'\"]+)\s*(?:\)|`)$")
# `$(ls F)`, `$(echo F)`, `$(realpath F)` as a script operand: names F itself
_SUBST_NAME = re.compile(r"^\$\((?:ls|echo|realpath|readlink\s+-f)\s+([^\s()$`;|&<>'\"*?\[]+)\s*\)$")
_GLOB_CHARS = re.compile(r"[*?\[]")

# Interpreter options that take a value (`python -X dev x.py`, `node -r ts-node/register x.ts`).
_INTERP_VALUE_OPTS = {
    "python": frozenset({"-W", "-X", "-Q"}),
    "node": frozenset({"-r", "--require", "--import", "--loader", "--experimental-loader", "-C", "--conditions",
                       "--env-file", "--title", "--input-type"}),
    "ruby": frozenset({"-I", "-r", "-C", "-E", "-F"}),
    "perl": frozenset({"-I", "-M", "-m", "-C"}),
    "php": frozenset({"-c", "-d", "-z"}),
}


def _interp_operand(cmd: SimpleCommand) -> tuple[str, str] | None:
    """("file", path), ("module", name) or ("stdin", path) for an interpreter running a file; None for inline
    code (`-c`, `-e`: checks_data judges that) or an interactive session."""
    name = cmd.name
    lang = INTERPRETERS.get(name) or ("python" if is_python(name) else "")
    if not lang or name == "bun":
        return None
    args = cmd.args
    if name == "deno":
        if not args or args[0] != "run":
            return None
        args = args[1:]
    value_opts = _INTERP_VALUE_OPTS.get(lang, frozenset())
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-":
            break
        if a == "--":
            i += 1
            break
        if a.startswith("-"):
            if lang == "php" and a == "-f" and i + 1 < len(args):
                return ("file", args[i + 1])
            if a in INLINE_CODE_OPTIONS.get(lang, ()) or (lang == "python" and a[:2] == "-c") or (
                    lang in ("ruby", "perl") and a[:2] == "-e"):
                return None
            if lang == "python" and a == "-m" and i + 1 < len(args):
                mod = args[i + 1]
                return ("module", mod) if _follow_code_file(mod.replace(".", "/") + ".py") else None
            i += 2 if a in value_opts else 1
            continue
        break
    if i < len(args) and args[i] != "-":
        op = args[i]
        if op.startswith("$"):
            return None
        return ("file", op) if _follow_code_file(op) else None
    if cmd.stdin_file is not None and cmd.stdin_text is None:
        return ("stdin", cmd.stdin_file)
    return None


_VENDORED = re.compile(r"(^|/)(node_modules|\.venv|venv|vendor|target|dist|build|\.git)/")


def _read(ctx: Any, path: str) -> str | None:
    if _LINE["ctx"] is ctx and _LINE["files"]:
        text = _LINE["files"].get(posixpath.normpath(path))
        if text is not None:  # written earlier on this line
            return None if text.startswith("\0") else text[:MAX_SCRIPT_BYTES]
    try:
        text = ctx.read_file(path)
    except Exception:  # the reader is injected; a failure is a missing file, not a crash
        return None
    if text is None:
        return None
    return text[:MAX_SCRIPT_BYTES]


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
    if name in TASK_RUNNERS:
        return _resolve_runner(cmd, cwd, ctx)
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


def _resolve_pm(cmd: SimpleCommand, cwd: str, ctx: Any) -> tuple[list[Step], list[str], list[str]]:
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
    text = _read(ctx, path)
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
    define: list[str] | None = None  # `define NAME ... endef`: a multi-line variable (a canned recipe)
    define_name = ""
    for line in lines:
        if define is not None:
            if line.strip() == "endef":
                variables[define_name] = "\n".join(define)
                define = None
            else:
                define.append(line)
            continue
        m = re.match(r"^\s*(?:override\s+|export\s+)*define\s+([A-Za-z_][\w.-]*)", line)
        if m:
            define, define_name, current = [], m.group(1), []
            continue
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


# make's built-in variables that recipes use for commands (`$(RM) -r dist` is `rm -f -r dist`)
_MAKE_BUILTINS = {"RM": "rm -f", "MAKE": "make", "CP": "cp", "MV": "mv", "SHELL": "/bin/sh"}


def _make_expand(line: str, variables: dict[str, str], target: str) -> str:
    line = line.replace("$(MAKE)", "make").replace("${MAKE}", "make").replace("$@", target)
    for _ in range(3):  # nested references, bounded
        new = re.sub(r"\$[({]([A-Za-z_][\w.-]*)[)}]",
                     lambda m: variables.get(m.group(1), _MAKE_BUILTINS.get(m.group(1), m.group(0))), line)
        if new == line:
            break
        line = new
    # `$(shell cmd)` runs cmd when make expands the line: the shell model reads `$(cmd)` the same way
    line = re.sub(r"\$([({])shell\s+", r"$\1", line)
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
            d = join(d, args[i + 1])
            i += 2
            continue
        if a.startswith("--directory=") or (a.startswith("-C") and len(a) > 2):
            d = join(d, a.split("=", 1)[1] if a.startswith("--") else a[2:])
            i += 1
            continue
        if a in ("-f", "--file", "--makefile") and i + 1 < len(args):
            mf = args[i + 1]
            i += 2
            continue
        if a.startswith(("--file=", "--makefile=")) or (a.startswith("-f") and len(a) > 2):
            mf = a.split("=", 1)[1] if a.startswith("--") else a[2:]
            i += 1
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
        path = join(d, c)
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
            extra = _read(ctx, join(d, name))
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
    parse_time = [v for v in parsed.variables.values() if "$(shell " in v or "${shell " in v]
    if parse_time:
        body = "\n".join(_make_expand(v, parsed.variables, "") for v in parse_time)
        steps.insert(0, Step("make (Makefile variables)", f"make:{path}:$(shell)", body, d))
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
            d = join(cwd, args[i + 1])
            i += 2
            continue
        if a.startswith("-"):
            i += 1
            continue
        pos.append(a)
        i += 1
    text, path = None, ""
    for c in ([jf] if jf else ["justfile", "Justfile", ".justfile", "JUSTFILE"]):
        path = join(cwd, c)
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
        lang = _shebang_lang(body[0]) if body and body[0].startswith("#!") else "sh"
        for ln in body:
            if ln.startswith("#!"):
                continue
            if lang == "sh":
                ln = re.sub(r"^[@-]+", "", ln)
            ln = re.sub(r"\{\{\s*([\w-]+)\s*\}\}", lambda m: values.get(m.group(1), m.group(1)), ln)
            lines.append(ln)
        if lines:
            steps.append(Step(f"just {r}", f"just:{path}:{r}", "\n".join(lines), d, lang))

    visit(name, pos[1:])
    return steps, [], []


# ---- script files

def _shebang_lang(first: str) -> str:
    """The language a `#!` line names: "sh" for shells, an INTERPRETERS name, or the program's own name."""
    interp = first[2:].strip().split()
    prog = posixpath.basename(interp[0]) if interp else ""
    if prog == "env" and len(interp) > 1:
        prog = next((w for w in interp[1:] if not w.startswith("-")), "")
    prog = re.sub(r"[\d.]+$", "", prog) if is_python(prog) else prog
    return INTERPRETERS.get(prog, "sh" if prog in SHELLS else prog or "sh")


def _shell_operand(cmd: SimpleCommand) -> tuple[str, str, list[str]]:
    """(mode, script, arguments) for a shell command: mode "file" (a script operand), "stdin" (the script is
    the file on stdin: `bash < x.sh`, `cat x.sh | sh`, `bash -s -- a < x.sh`), or "none" (`-c` text the shell
    model already unwrapped, `-n` runs nothing, or an interactive shell)."""
    args = list(cmd.args)
    if cmd.name in ("source", "."):
        if args and args[0] == "--":
            args = args[1:]
        return ("file", args[0], args[1:]) if args else ("none", "", [])
    i, from_stdin = 0, False
    while i < len(args):
        a = args[i]
        if a in ("--", "-"):
            i += 1
            break
        if a in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"):
            i += 2
            continue
        if a.startswith("--"):
            if a == "--noexec":
                return ("none", "", [])
            i += 1
            continue
        if a[:1] in ("-", "+") and len(a) > 1:
            letters = a[1:]
            if a[0] == "-" and ("c" in letters or "n" in letters):
                return ("none", "", [])
            from_stdin = from_stdin or "s" in letters
            i += 2 if ("o" in letters or "O" in letters) else 1
            continue
        break
    if from_stdin or i >= len(args):
        if cmd.stdin_file is not None and cmd.stdin_text is None:
            return ("stdin", cmd.stdin_file, args[i:])
        return ("none", "", [])
    return ("file", args[i], args[i + 1:])


def _job_file(cmd: SimpleCommand) -> str | None:
    """The script file `at -f FILE` / `batch -f FILE` queues (at runs it with /bin/sh)."""
    args = cmd.args
    for i, a in enumerate(args):
        if a == "-f" and i + 1 < len(args):
            return args[i + 1]
        if a.startswith("-f") and len(a) > 2:
            return a[2:]
    return None


def _resolve_script(cmd: SimpleCommand, cwd: str, ctx: Any) -> tuple[list[Step], list[str], list[str]]:
    name = cmd.name
    head = cmd.argv[0]
    lang_hint = "sh"
    if name in JOB_QUEUES:
        script = _job_file(cmd) or ""
        label, args = f"{name} -f {script}", []
    elif name in SCRIPT_READERS:
        mode, script, args = _shell_operand(cmd)
        if mode == "none":
            return [], [], []
        label = f"{name} {script}" if mode == "file" else f"{name} < {script}"
    elif name in INTERPRETERS or is_python(name):
        op = _interp_operand(cmd)
        if op is None:
            return [], [], []
        kind, script = op
        lang_hint = INTERPRETERS.get(name, "python")
        args = []
        label = f"{name} {script}" if kind != "stdin" else f"{name} < {script}"
        if kind == "module":
            # `python -m pkg.tool`: a module of the project when its file is there; an installed one otherwise
            base = script.replace(".", "/")
            for cand in (base + ".py", base + "/__main__.py"):
                text = _read(ctx, join(cwd, cand))
                if text is not None:
                    return [Step(label, f"file:{join(cwd, cand)}", text, cwd, "python")], [], []
            return [], [], []
    elif head[:2] == "$(" or head[:1] == "`":
        m = _SUBST_FILE.match(head)
        if m is None:
            return [], [], []
        script, label, args = m.group(1), f"$(cat {m.group(1)})", []
    else:
        script, label = head, head
        args = list(cmd.args)
    m = _SUBST_NAME.match(script) or _SUBST_FILE.match(script)
    if m:
        script = m.group(1)  # `bash $(ls x.sh)`, `bash $(cat list)` is not followed (no name match)
    if script.startswith("$") or "$(" in script or "`" in script:
        return [], [], []
    path = join(cwd, script)
    if _GLOB_CHARS.search(script):
        # `bash scripts/wipe?.sh`: the shell picks the file; guardrail reads no directory listings
        note = f"{path} (a glob pattern: which file runs is not known)"
        if note not in ctx.unread:
            ctx.unread.append(note)
        return [], [f"{path} is a glob"], [label]
    text = _read(ctx, path)
    if text is None:
        downloaded = _written_by(ctx, path)
        if downloaded:  # `curl -o i.sh URL && sh i.sh` runs what was downloaded: as `curl URL | sh` would
            return [Step(label, f"file:{path}", "", posixpath.dirname(path), "download:" + downloaded)], [], []
        return [], [f"{path} could not be read"], [label]
    if "\0" in text[:4096]:
        return [], [f"{path} is a binary"], []
    lang = lang_hint
    first = text.split("\n", 1)[0]
    if first.startswith("#!") and lang_hint == "sh" and name not in SCRIPT_READERS:
        lang = _shebang_lang(first)
    elif lang_hint == "sh" and not (script.endswith((".sh", ".bash", ".zsh")) or name in SCRIPT_READERS):
        if script.endswith(".py"):
            lang = "python"
        elif script.endswith((".js", ".mjs", ".cjs", ".ts")):
            lang = "node"
    if lang == "sh":
        text = _positional(text, args)
    return [Step(label, f"file:{path}", text, posixpath.dirname(path), lang)], [], []


_POS_DEFAULT = re.compile(r"\$\{([1-9])(:?)([-=])([^}]*)\}")


def _positional(text: str, args: list[str]) -> str:
    """Positional parameters: "$1" becomes the literal argument, so `./wipe.sh prod` is judged with prod, and
    `${1:-$HOME}` without an argument is its default (`$HOME`), as the shell reads them."""
    if "${" in text:
        def default(m: re.Match[str]) -> str:
            n = int(m.group(1))
            value = args[n - 1] if n <= len(args) else None
            if value is None or (m.group(2) and value == ""):
                return m.group(4)
            return value
        text = _POS_DEFAULT.sub(default, text)
    for n, v in enumerate(args[:9], start=1):
        text = text.replace(f"${{{n}}}", v).replace(f"${n}", v)
    return text


# ---- workspaces: `npm run x -w api`, `pnpm --filter api x`, `yarn workspace api x`, `pnpm -r x`, turbo/nx/lerna

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
        data = json.loads(_read(ctx, join(root, "package.json")) or "{}")
        ws = data.get("workspaces") if isinstance(data, dict) else None
        ws = ws.get("packages") if isinstance(ws, dict) else ws
        patterns += [p for p in ws or [] if isinstance(p, str)]
    except (ValueError, AttributeError):
        pass
    yaml = _read(ctx, join(root, "pnpm-workspace.yaml")) or ""
    patterns += re.findall(r"(?m)^\s*-\s*[\"']?([^\"'#\s]+)", yaml.split("catalog", 1)[0])
    for name in ("lerna.json",):
        try:
            patterns += [p for p in json.loads(_read(ctx, join(root, name)) or "{}").get("packages") or []
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
        text = _read(ctx, join(d, "package.json"))
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
        s, p, _ = _resolve_pm(inner, d, ctx)
        steps += s
        problems += p
    pos = [a for a in inner.args if not a.startswith("-")]
    label = " ".join([inner.name] + pos[:2])
    if not unresolved:
        return steps, problems, []
    if _DESTRUCTIVE_NAME.search(pos[1] if pos[:1] == ["run"] and len(pos) > 1 else (pos or [""])[0]):
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


# ---- task runners: run-s / run-p / npm-run-all (npm scripts by name or pattern), concurrently (commands)

_RUNNER_VALUE_OPTS = frozenset({"--npm-path", "--max-parallel", "-n", "--names", "-c", "--prefix-colors", "-p",
                                "--prefix", "-l", "--prefix-length", "-t", "--timestamp-format", "-s", "--success",
                                "--restart-tries", "--restart-after", "-m", "--max-processes", "--name-separator",
                                "--kill-signal", "--default-input-target", "--hide", "--pad-prefix"})
_NPM_RUN_ALL_FLAGS = frozenset({"-s", "-p", "-c", "-l", "-r", "-n", "--sequential", "--serial", "--parallel",
                                "--continue-on-error", "--print-label", "--print-name", "--race", "--silent",
                                "--aggregate-output"})


def _resolve_runner(cmd: SimpleCommand, cwd: str, ctx: Any) -> tuple[list[Step], list[str], list[str]]:
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
    text = _read(ctx, path)
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


# --------------------------------------------------------------------------- the line: cd and written files

_UNKNOWN = "\0unknown"  # a file the line writes with content guardrail cannot know (`gen > run.sh`)
# Per evaluation: files written earlier on the line (path -> text, _UNKNOWN, or "\0download:curl"), visible to
# later commands: `echo 'rm -rf ~' > x.sh && bash x.sh` runs the text the line itself wrote.
_LINE: dict[str, Any] = {"ctx": None, "files": {}}


def _line_files(ctx: Any) -> dict[str, str]:
    return _LINE["files"] if _LINE["ctx"] is ctx else {}




def _written_by(ctx: Any, path: str) -> str:
    """The downloader that wrote `path` earlier on the line (`curl -o`), or ""."""
    text = _line_files(ctx).get(posixpath.normpath(path)) or ""
    return text[len("\0download:"):] if text.startswith("\0download:") else ""


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v", '"': '"',
            "'": "'", "e": "\x1b"}


def _unescape(s: str) -> str:
    def one(m: re.Match[str]) -> str:
        e = m.group(1)
        if e[0] == "x" and len(e) > 1:
            return chr(int(e[1:], 16))
        if e[0] in "01234567":
            return chr(int(e, 8) & 0xFF)
        return _ESCAPES.get(e, "\\" + e)
    return re.sub(r"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)", one, s, flags=re.DOTALL)


def _printf(args: list[str]) -> str | None:
    if args and args[0] == "--":
        args = args[1:]
    if not args or args[0].startswith("-v"):
        return None
    fmt, rest = args[0], args[1:]
    out: list[str] = []
    used = [0]

    def conv(m: re.Match[str]) -> str:
        if m.group(0) == "%%":
            return "%"
        used[0] += 1
        v = rest.pop(0) if rest else ""
        return _unescape(v) if m.group(1) == "b" else v

    for _ in range(64):  # the format is reused while arguments remain
        used[0] = 0
        out.append(_unescape(re.sub(r"%[-+ #0-9.]*([sbdiqc])|%%", conv, fmt)))
        if not rest or not used[0]:
            break
    return "".join(out)


def _output_of(cmd: SimpleCommand, cwd: str, ctx: Any) -> str | None:
    """What `echo`, `printf` or `cat` prints, when the line says it literally; None otherwise."""
    if cmd.dynamic:
        return None
    name, args = cmd.name, list(cmd.args)
    if name == "echo":
        newline, escapes = "\n", False
        while args and re.fullmatch(r"-[neE]+", args[0]):
            newline = "" if "n" in args[0] else newline
            escapes = "e" in args[0] or escapes
            args = args[1:]
        text = " ".join(args)
        return (_unescape(text) if escapes else text) + newline
    if name == "printf":
        return _printf(args)
    if name == "cat":
        files = [a for a in args if not a.startswith("-")]
        if not files:
            if cmd.stdin_text is not None:
                return cmd.stdin_text
            return _read(ctx, join(cwd, cmd.stdin_file)) if cmd.stdin_file else None
        texts = [_read(ctx, join(cwd, f)) for f in files[:8]]
        return None if any(t is None for t in texts) or len(files) > 8 else "".join(texts)  # type: ignore[arg-type]
    return None


_WRITE_OPS = frozenset({">", ">|", ">>", "&>", "&>>", "1>", "1>>"})


def _note_writes(cmd: SimpleCommand, cwd: str, ctx: Any) -> None:
    """Record what `cmd` writes into files, for the commands after it on the line."""
    files = _LINE["files"]
    writes: list[tuple[str, str | None, bool]] = []  # (path, text or None for unknown, append)
    name = cmd.name
    for r in cmd.redirects:
        if r.op in _WRITE_OPS and r.target and not r.target.startswith(("/dev/", "$", "&")):
            writes.append((r.target, _output_of(cmd, cwd, ctx), r.op.endswith(">>")))
    if name == "tee":
        targets = [a for a in cmd.args if not a.startswith("-")]
        append = any(a in ("-a", "--append") for a in cmd.args)
        writes += [(t, cmd.stdin_text, append) for t in targets if not t.startswith("$")]
    elif name in ("curl", "wget"):
        for target in _download_targets(cmd):
            files[posixpath.normpath(join(cwd, target))] = "\0download:" + name
    elif name in ("cp", "mv", "install") and not cmd.dynamic:
        pos = [a for a in cmd.args if not a.startswith("-")]
        if len(pos) == 2:
            writes.append((pos[1], _read(ctx, join(cwd, pos[0])), False))
    elif name in ("npm", "pnpm") and len(cmd.args) >= 3:
        _note_package_scripts(cmd, cwd, ctx)
    for target, text, append in writes[:16]:
        path = posixpath.normpath(join(cwd, target))
        if text is not None and append:
            before = _read(ctx, path)
            text = None if before is None and path in files else (before or "") + text
        files[path] = _UNKNOWN if text is None else text


def _download_targets(cmd: SimpleCommand) -> list[str]:
    args = list(cmd.args)
    urls = [a for a in args if "://" in a]
    out: list[str] = []
    for i, a in enumerate(args):
        if a in ("--output", "--output-document") or (a.startswith("-") and not a.startswith("--") and (
                a.endswith("o") if cmd.name == "curl" else a.endswith("O"))):
            if i + 1 < len(args):
                out.append(args[i + 1])
        elif a.startswith(("--output=", "--output-document=")):
            out.append(a.split("=", 1)[1])
        elif cmd.name == "curl" and a in ("-O", "--remote-name") or cmd.name == "wget" and not any(
                x.startswith(("-O", "--output-document")) or x.startswith("-") and x.endswith("O") for x in args):
            out += [u.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] for u in urls[:1]]
    return [o for o in dict.fromkeys(out) if o and o != "-"]


def _note_package_scripts(cmd: SimpleCommand, cwd: str, ctx: Any) -> None:
    """`npm pkg set scripts.x='...'` and `npm set-script x '...'` change package.json for later commands."""
    args = [a for a in cmd.args if not a.startswith("-")]
    sets: list[tuple[str, str]] = []
    if not args:
        return
    if args[:2] == ["pkg", "set"]:
        sets = [(k[len("scripts."):], v) for k, v in (a.split("=", 1) for a in args[2:] if "=" in a)
                if k.startswith("scripts.")]
    elif args[0] == "set-script" and len(args) >= 3:
        sets = [(args[1], args[2])]
    if not sets:
        return
    path = posixpath.normpath(join(cwd, "package.json"))
    try:
        data = json.loads(_read(ctx, path) or "{}")
        if not isinstance(data, dict):
            data = {}
    except ValueError:
        data = {}
    scripts = data.get("scripts") if isinstance(data.get("scripts"), dict) else {}
    scripts.update(sets)
    data["scripts"] = scripts
    _LINE["files"][path] = json.dumps(data)


def _overlay(ctx: Any) -> None:
    """Let every check (`psql -f x.sql`, `sqlite3 db < x.sql`) read the files this line writes."""
    base = getattr(ctx.read_file, "_guardrail_base", ctx.read_file)
    files = dict(_LINE["files"])
    if not files:
        ctx.read_file = base
        return

    def read(path: str) -> str | None:
        text = files.get(posixpath.normpath(join(ctx.cwd or "/", path)))
        if text is not None:
            return None if text.startswith("\0") else text
        return base(path)

    read._guardrail_base = base  # type: ignore[attr-defined]
    ctx.read_file = read


def _label(cmd: SimpleCommand) -> str:
    return " ".join(cmd.argv[:3])


def _expansion_in(cmd: SimpleCommand, ctx: Any, here: str | None, alts: tuple[str, ...], fallback: str) -> Expansion:
    """expand() where the line's cd put the command; an unknown directory makes the script unresolved."""
    if here is None:
        exp = expand(cmd, ctx, cwd=fallback)
        exp = Expansion(exp.commands, ["cd target is not known: cannot locate what " + _label(cmd) + " runs"],
                        [_label(cmd)])
    else:
        exp = expand(cmd, ctx, cwd=here)
    for alt in alts:
        if alt != here and alt != (fallback if here is None else None):
            seen = {(c.argv, c.via) for c in exp.commands}
            exp.commands.extend(c for c in expand(cmd, ctx, cwd=alt).commands if (c.argv, c.via) not in seen)
    return exp


# --------------------------------------------------------------------------- recursion

def expand(cmd: SimpleCommand, ctx: Any, *, depth: int = MAX_DEPTH, cwd: str | None = None) -> Expansion:
    """Every simple command `cmd` runs through scripts, with `via` naming the chain; bounded and cycle-safe.
    `cwd`: where the command runs when a `cd` earlier on the line moved it (default: the call's cwd)."""
    out = Expansion()
    _expand_into(cmd, ctx, cwd or ctx.cwd or "/", depth, (), frozenset(), out)
    return out


def _expand_into(cmd: SimpleCommand, ctx: Any, cwd: str, depth: int, chain: tuple[str, ...],
                 active: frozenset[str], out: Expansion) -> None:
    if not is_trigger(cmd) and not (cmd.name == "git" and _line_files(ctx) and _git_hooks(cmd, cwd, ctx)):
        return
    if cmd.name == "git":
        steps, problems, unresolved = _git_hooks(cmd, cwd, ctx), [], []
    else:
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
        inner_cmds = _commands_of(step)
        dirs = WorkingDirs(step.cwd, getattr(ctx, "home", ""), "(" in step.script or "|" in step.script) \
            if any(c.name in CD_BUILTINS for c in inner_cmds) else None
        for inner in inner_cmds:
            if len(out.commands) >= MAX_COMMANDS:
                out.problems.append(f"more than {MAX_COMMANDS} commands behind {chain[:1] or step.label}")
                return
            here: str | None = step.cwd
            if dirs is not None:
                if inner.name in CD_BUILTINS:
                    dirs.change(inner)
                here = dirs.here(inner)[0]
            # cmd.via already holds the outer chain; add this step once
            tagged = replace(inner, via=cmd.via + (step.label,) + inner.via, env=cmd.env + inner.env, cwd=here)
            out.commands.append(tagged)
            if here is None:
                if is_trigger(tagged):
                    out.unresolved.append(" -> ".join(sub_chain + (_label(inner),)))
                continue
            _expand_into(tagged, ctx, here, depth - 1, sub_chain, active | {step.key}, out)


_GIT_HOOKS = {"commit": ("pre-commit", "prepare-commit-msg", "commit-msg", "post-commit"),
              "push": ("pre-push",), "merge": ("pre-merge-commit", "post-merge"), "pull": ("post-merge",),
              "checkout": ("post-checkout",), "switch": ("post-checkout",), "rebase": ("pre-rebase",),
              "am": ("applypatch-msg", "pre-applypatch", "post-applypatch")}


def _git_hooks(cmd: SimpleCommand, cwd: str, ctx: Any) -> list[Step]:
    """Hooks this line itself wrote into .git/hooks, for the git command that runs them."""
    sub = next((a for a in cmd.args if not a.startswith("-")), "")
    names = _GIT_HOOKS.get(sub, ())
    if not names or any(a in ("--no-verify", "-n") for a in cmd.args) and sub in ("commit", "push"):
        return []
    steps = []
    for path, text in _line_files(ctx).items():
        if "/.git/hooks/" in path and posixpath.basename(path) in names and not text.startswith("\0"):
            first = text.split("\n", 1)[0]
            lang = _shebang_lang(first) if first.startswith("#!") else "sh"
            steps.append(Step(f"git {sub} -> .git/hooks/{posixpath.basename(path)}", f"file:{path}", text,
                              posixpath.dirname(posixpath.dirname(posixpath.dirname(path))), lang))
    return steps


def _commands_of(step: Step) -> list[SimpleCommand]:
    if step.lang == "sh":
        from guardrail.shell import parse_command

        model = parse_command(step.script)
        return list(model.commands)
    if step.lang.startswith("download:"):
        # a file the line downloaded, then runs: what `curl URL | sh` runs
        return [SimpleCommand(argv=("sh",), stdin_from=step.lang.split(":", 1)[1], text=f"sh {step.label}")]
    program = LANGUAGE_PROGRAMS.get(step.lang, step.lang)
    flag = INLINE_CODE_OPTIONS.get(step.lang, ("-e",))[0]
    # Code files become an inline-code command so the same inline-code checks judge them.
    return [SimpleCommand(argv=(program, flag, step.script), text=f"{program} {step.label}")]


def expand_all(commands: list[SimpleCommand], ctx: Any) -> list[SimpleCommand]:
    """Every command reached through indirection from `commands` (for the engine to match like typed ones):
    scripts behind package managers, make, just and script files, and shell commands that inline code starts.
    Each result's `via` names its chain. Reads files only for trigger commands.

    Commands come in line order: a `cd` moves the commands after it, and a file written earlier on the line
    (`echo ... > x.sh`, `cat > x.sh <<EOF`, `npm pkg set scripts.x=...`) is what a later command runs. The
    indirect rules ask for each command's expansion again: it is memoised here, where the line is known."""
    out: list[SimpleCommand] = []
    _LINE["ctx"], _LINE["files"] = ctx, {}
    base = ctx.cwd or "/"
    source = getattr(ctx, "source", "") or ""
    dirs = WorkingDirs(base, getattr(ctx, "home", ""), "(" in source or "|" in source) \
        if any(c.name in CD_BUILTINS for c in commands) else None
    memo: Any = None
    for cmd in commands:
        here: str | None = base
        alts: tuple[str, ...] = ()
        if dirs is not None:
            if cmd.name in CD_BUILTINS:
                dirs.change(cmd)
                continue
            here, alts = dirs.here(cmd)
        if is_trigger(cmd) or (cmd.name == "git" and _LINE["files"]):
            if memo is None:
                from guardrail.checks_data import _per_evaluation

                memo = _per_evaluation(ctx)
            exp = _expansion_in(cmd, ctx, here, alts, base)
            memo[("expansion", id(cmd))] = (cmd, exp)  # checks_data._for_command's entry shape
            out.extend(exp.commands)
        elif cmd.name in INTERPRETERS or is_python(cmd.name) or cmd.name == "uv":
            from guardrail.checks_data import (  # only for interpreters: keeps it lazy
                inline_code,
                memo_shell_outs,
            )

            if inline_code(cmd, ctx) is not None:
                out.extend(memo_shell_outs(cmd, ctx))
        if cmd.redirects or cmd.name in FILE_WRITERS:
            _note_writes(cmd, here or base, ctx)
    if _LINE["files"] or hasattr(ctx.read_file, "_guardrail_base"):
        _overlay(ctx)
    return out[:MAX_COMMANDS]


def writes_then_runs(commands: list[SimpleCommand]) -> bool:
    """Cheap (no I/O): does a command write a file that a later command on the line may run or read
    (`echo ... > x.sql && psql -f x.sql`, `... > .git/hooks/pre-commit && git commit`)? The engine's cue to
    call expand_all, which makes the written text visible to every check, when no script runner is on the line."""
    for i, c in enumerate(commands[:-1]):
        if c.name in FILE_WRITERS or any(r.op in _WRITE_OPS and not r.target.startswith("/dev/") for r in c.redirects):
            return True
    return False
