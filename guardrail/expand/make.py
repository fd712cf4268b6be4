"""What make and just run: Makefile and justfile recipes with their variables, includes and dependencies."""

from __future__ import annotations

import re

from guardrail.base.record import record
from guardrail.expand.scripts import shebang_lang
from guardrail.expand.steps import MAX_DEPTH, Step, read_script
from guardrail.model import SimpleCommand
from guardrail.workdir import join
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any


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


def resolve_make(cmd: SimpleCommand, cwd: str, ctx: Any) -> tuple[list[Step], list[str], list[str]]:
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
        text = read_script(ctx, path)
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
            extra = read_script(ctx, join(d, name))
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


def resolve_just(cmd: SimpleCommand, cwd: str, ctx: Any) -> tuple[list[Step], list[str], list[str]]:
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
        text = read_script(ctx, path)
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
        lang = shebang_lang(body[0]) if body and body[0].startswith("#!") else "sh"
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
