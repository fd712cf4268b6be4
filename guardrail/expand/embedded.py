"""Everything a command runs from text guardrail can read (inline code, tool options, node package entries), and
downloads that reach a shell."""

from __future__ import annotations

import posixpath
import re

from guardrail.base.text import LazyRegex, shell_quote
from guardrail.base.vocab import (AWKS, CODE_RUNNERS, CONTAINER_ENGINES, DOWNLOADERS, INLINE_FLAGS, INTERPRETERS,
                                  KUBE_CLIS, MAKES, PACKAGE_MANAGERS, REMOTE_SHELLS, SEDS, TARS, TERRAFORMS, VIMS,
                                  is_python)
from guardrail.expand.code.inline import inline_code, inline_flag
from guardrail.model import EvalContext, SimpleCommand
from guardrail.rules import positionals
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any


_LANG = {**INTERPRETERS, "uv": "python"}  # `uv run python -c CODE`


_REMOTE_TOOLS = CONTAINER_ENGINES | REMOTE_SHELLS | KUBE_CLIS | frozenset({"gcloud"})


_EMBED_TOOLS = AWKS | SEDS | VIMS | TARS | _REMOTE_TOOLS | PACKAGE_MANAGERS | MAKES | frozenset({"rsync", "zip", "node"})


def _pm_lines(cmd: SimpleCommand, ctx: EvalContext) -> list[str]:
    """Binaries a package manager runs by spellings script-following does not read: `npm exec --call='...'`,
    `npm exec -c '...'`, and `yarn run BIN` / `bun run BIN` / `pnpm run BIN` where no script has that name."""
    a = list(cmd.args)
    if not a:
        return []
    if cmd.name == "npm" and a[0] in ("exec", "x"):
        for i, x in enumerate(a):
            if x in ("--call", "-c") and i + 1 < len(a):
                return [a[i + 1]]
            if x.startswith("--call="):
                return [x.split("=", 1)[1]]
        return []
    if cmd.name in ("yarn", "bun") and a[0] == "run" and len(a) >= 2 and not a[1].startswith("-"):
        import json

        text = ctx.read_text("package.json")
        try:
            scripts = (json.loads(text).get("scripts") or {}) if text else {}
        except (ValueError, AttributeError):
            scripts = {}
        if isinstance(scripts, dict) and a[1] in scripts:
            return []  # a script: indirection follows it
        if re.search(r"\.(m?[jt]sx?|cjs|cts)$", a[1]):
            return []  # a file bun runs: not a binary
        return [" ".join(shell_quote(w) for w in a[1:])]
    return []


_NODE_ENTRY = LazyRegex(r"^(?:\./)?(?:.*/)?node_modules/(?:\.bin/([^/]+)|((?:@[^/]+/)?[^/]+)/.+)$")


def may_embed(cmd: SimpleCommand) -> bool:
    """Cheap: could `cmd` carry commands in its own words or stdin (inline code, awk/sed/vim/tar/... options)?"""
    name = cmd.name
    return name in INLINE_FLAGS or name in _EMBED_TOOLS or is_python(name)


class Embedded:
    __slots__ = ("lines", "unresolved", "remote")

    def __init__(self) -> None:
        self.lines: list[tuple[str, str, Any]] = []  # (how it is reached, shell line, mapper for each command or None)
        self.unresolved: list[str] = []
        self.remote: list[str] = []


def _inline_rest(cmd: SimpleCommand, code: str) -> list[str]:
    a = list(cmd.args)
    for i, x in enumerate(a):
        if x == code and i > 0:
            return a[i + 1:]
    return []


def embedded(cmd: SimpleCommand, ctx: EvalContext) -> Embedded:
    return ctx.memo_for("embedded", cmd, _embedded)


def _embedded(cmd: SimpleCommand, ctx: EvalContext) -> Embedded:
    out = Embedded()
    name = cmd.name
    if not may_embed(cmd):
        return out
    label = name
    lines: list[str] = []
    code = inline_code(cmd, ctx)
    # The readers load for the commands that need them: `npm test` (package scripts) needs none.
    if code:
        from guardrail.expand.code.langs import code_commands, lang_commands
        from guardrail.expand.code.python import py_scan

        label = f"{name} {inline_flag(cmd)}"
        lang = _LANG.get(name, "python" if is_python(name) else "")
        if lang == "python":
            from_stdin = code is cmd.stdin_text
            scan = py_scan(code, _inline_rest(cmd, code), None if from_stdin else cmd.stdin_text, ctx)
            if scan is None:
                lines += code_commands(code, lang)
            else:
                lines += scan.lines
                out.unresolved += scan.unresolved
                out.remote += scan.remote
        elif lang:
            if lang == "applescript":
                code = "\n".join(a for i, a in enumerate(cmd.args) if i and cmd.args[i - 1] == "-e") or code
                code = re.sub(r"\s+(?:with|without|as|user name|password)\s+[^\n\"]*$", "", code, flags=re.M)
            found, unknown = lang_commands(code, lang)
            lines += found
            out.unresolved += unknown
    elif name in _TOOL_READERS:
        lines += _tool_lines(cmd, ctx, out)
    if name in PACKAGE_MANAGERS and not code:
        found_pm = _pm_lines(cmd, ctx)
        if found_pm:
            lines += found_pm
            label = f"{name} {cmd.args[0]}"
    if name == "node" and not code:
        pos = positionals(cmd)
        m = _NODE_ENTRY.match(pos[0]) if pos else None
        if m:
            prog = m.group(1) or m.group(2).rsplit("/", 1)[-1]
            rest = list(cmd.args)[list(cmd.args).index(pos[0]) + 1:]
            lines.append(" ".join(shell_quote(w) for w in [prog] + rest))
            label = f"node {pos[0]}"
    out.lines = [(label, ln, None) for ln in dict.fromkeys(lines)][:50]
    if name in _REMOTE_TOOLS:
        from guardrail.expand.remote import remote_lines

        out.lines += remote_lines(cmd)[:10]
    out.unresolved = list(dict.fromkeys(out.unresolved))[:5]
    return out


_TOOL_READERS = AWKS | SEDS | VIMS | TARS | MAKES | frozenset({"rsync", "zip"})


def _tool_lines(cmd: SimpleCommand, ctx: EvalContext, out: Embedded) -> list[str]:
    """The commands awk, sed, vim, tar, rsync, zip and make run from their own options or scripts."""
    from guardrail.expand.code.tools import (awk_commands, awk_program, make_eval_commands, rsync_commands, sed_exec,
                                             sed_scripts, tar_commands, vim_commands, zip_commands)

    name = cmd.name
    lines: list[str] = []
    if name in AWKS:
        prog = awk_program(cmd, ctx)
        if prog and re.search(r"system|getline|\|", prog):
            found, unknown = awk_commands(prog)
            lines += found
            out.unresolved += unknown
    elif name in SEDS:
        for script in sed_scripts(cmd, ctx):
            if "e" not in script:
                continue
            found, pattern = sed_exec(script)
            lines += [f for f in found if f]
            if "" in found:
                out.unresolved.append("sed `s///e` runs the substituted text as a command")
            if pattern:
                if cmd.stdin_text:
                    lines += [ln for ln in cmd.stdin_text.splitlines() if ln.strip()]
                else:
                    out.unresolved.append("sed `e` runs its input lines as commands")
    elif name in VIMS:
        found, unknown = vim_commands(cmd, ctx)
        lines += found
        out.unresolved += unknown
    elif name in TARS:
        lines += tar_commands(cmd)
    elif name == "rsync":
        lines += rsync_commands(cmd)
    elif name == "zip":
        lines += zip_commands(cmd)
    elif name in MAKES:
        lines += make_eval_commands(cmd)
    return lines


_PIPE_FILTERS = frozenset({"tee", "cat", "sed", "tr", "head", "tail", "grep", "egrep", "awk", "gawk", "dos2unix",
                           "iconv", "sort", "uniq", "cut", "perl", "base64", "gunzip", "zcat", "gzip", "xz", "bzip2",
                           "unxz", "bunzip2", "zstd", "openssl", "rev", "fold", "expand", "stdbuf", "pv", "col"})


def _model_of(ctx: EvalContext) -> Any:
    """The command model of the whole line (checks see one command; these questions need its neighbours)."""
    memo = ctx.memo
    hit = memo.get(("model",))
    if hit is None:
        from guardrail.shell.parse import parse_command

        hit = memo[("model",)] = parse_command(ctx.source or "")
    return hit


def _download_outputs(c: SimpleCommand) -> list[str]:
    """Files a downloader command writes (`curl -o F`, `curl -fsSLo F`, `wget -O F`, `> F`)."""
    a, out = list(c.args), []
    for i, x in enumerate(a):
        nxt = a[i + 1] if i + 1 < len(a) else ""
        if c.name in ("curl", "curlie"):
            if x in ("-o", "--output") or re.fullmatch(r"-[a-zA-Z]*o", x):
                out.append(nxt)
            elif x.startswith("--output="):
                out.append(x.split("=", 1)[1])
            elif x in ("-O", "--remote-name") or re.fullmatch(r"-[a-zA-Z]*O[a-zA-Z]*", x):
                urls = [u for u in a if "://" in u]
                if urls:
                    out.append(urls[0].split("?")[0].rstrip("/").rsplit("/", 1)[-1])
        elif c.name in ("wget", "wget2"):
            if x in ("-O", "--output-document") or re.fullmatch(r"-[a-zA-Z]*O", x):
                out.append(nxt)
            elif x.startswith("--output-document="):
                out.append(x.split("=", 1)[1])
            elif x.startswith("-O") and len(x) > 2:
                out.append(x[2:])
        elif c.name == "aria2c" and (x in ("-o", "--out") or x.startswith("--out=")):
            name = nxt if "=" not in x else x.split("=", 1)[1]
            folder = next((a[j + 1] for j, y in enumerate(a[:-1]) if y in ("-d", "--dir")), None) or\
                next((y.split("=", 1)[1] for y in a if y.startswith("--dir=")), None)
            out.append(posixpath.join(folder, name) if folder else name)
    if c.name in ("wget", "wget2") and not out:
        urls = [u for u in a if "://" in u]
        if urls:
            out.append(urls[0].split("?")[0].rstrip("/").rsplit("/", 1)[-1])
    out += [r.target for r in c.redirects if r.op in (">", ">>", ">|", "&>")]
    return [o for o in out if o and o != "-"]


def downloaded_code(cmd: SimpleCommand, ctx: EvalContext) -> list[str]:
    """A download that reaches a shell or interpreter: through filters (`curl URL | tr -d '\\r' | sh`), via a file
    (`curl -o i.sh URL && sh i.sh`), as eval's or a shell's here-string text (`eval "$(curl URL)"`), or from
    another network reader through filters (`nc host 80 | tr -d '\\r' | sh`)."""
    name = cmd.name
    if name in DOWNLOADERS:
        via = cmd.via
        for i in range(len(via) - 1):
            if via[i + 1] == "$()" and (via[i] == "eval" or via[i].endswith(" <stdin") or via[i] in ("source", ".")):
                return [f"output of {name} run by {via[i].replace(' <stdin', '')}"]
        return []
    if name not in CODE_RUNNERS and not cmd.argv[0].startswith(("./", "../", "/")):
        return []
    if name in CODE_RUNNERS and cmd.stdin_from:
        # a downloader piped straight in is the `remote-code` check's (shell/pipe-download-to-shell)
        if cmd.stdin_from in _PIPE_FILTERS and ctx.source:
            cmds = list(_model_of(ctx).commands)
            idx = next((i for i, c in enumerate(cmds) if c.argv == cmd.argv and c.stdin_from == cmd.stdin_from), -1)
            j, hops = idx, 0
            while j > 0 and hops < 8 and cmds[j].stdin_from == cmds[j - 1].name:
                j -= 1
                hops += 1
                if cmds[j].name in DOWNLOADERS:
                    return [f"output of {cmds[j].name} through {' | '.join(c.name for c in cmds[j + 1:idx])}"]
                if cmds[j].name not in _PIPE_FILTERS:
                    break
        return []
    # a script file written by a download earlier on the line
    if name in CODE_RUNNERS:
        pos = [p for p in positionals(cmd) if not p.startswith("-")]
        script = pos[0] if pos else ""
    else:
        script = cmd.argv[0]
    if not script or not ctx.source or not any(d in ctx.source for d in ("curl", "wget", "aria2c", "fetch", "http")):
        return []
    target = ctx.resolve(script)
    for c in _model_of(ctx).commands:
        if c.name in DOWNLOADERS and any(ctx.resolve(o) == target for o in _download_outputs(c)):
            return [f"{script}, downloaded by {c.name} on the same line"]
    return []


_TF_DESTROY = LazyRegex(r"^--?destroy(=(true|1|t|T|TRUE|True))?$")


def fresh_destroy_plan(cmd: SimpleCommand, ctx: EvalContext) -> list[str]:
    """`terraform apply F` where F is a destroy plan written earlier on the same line (`plan -destroy -out=F`)."""
    if cmd.name not in TERRAFORMS or "plan" not in (ctx.source or ""):
        return []
    pos = positionals(cmd)
    if pos[:1] != ["apply"] or len(pos) < 2:
        return []
    plan_file = pos[-1]
    for c in _model_of(ctx).commands:
        if c.name not in TERRAFORMS or "plan" not in c.args:
            continue
        a = list(c.args)
        if not any(_TF_DESTROY.match(x) for x in a):
            continue
        outs = [a[i + 1] for i, x in enumerate(a[:-1]) if x in ("-out", "--out")]
        outs += [x.split("=", 1)[1] for x in a if x.startswith(("-out=", "--out="))]
        if any(ctx.resolve(o) == ctx.resolve(plan_file) for o in outs):
            return [f"the destroy plan {plan_file} made on the same line"]
    return []


def shell_outs(cmd: SimpleCommand, ctx: EvalContext) -> list[SimpleCommand]:
    """Shell commands that inline interpreter code starts (`os.system("...")`, `execSync("...")`, Ruby backticks),
    tree deletions (`shutil.rmtree(os.path.expanduser('~'))`) as the `rm -rf` they amount to, and the commands
    tools run from their options or scripts (awk system(), sed `e`, vim `:!`, tar --to-command, rsync -e, ...)."""
    found = embedded(cmd, ctx)
    if not found.lines:
        return []
    from guardrail.base.record import replace
    from guardrail.shell.parse import parse_command

    out = []
    for label, line, mapper in found.lines:
        for inner in parse_command(line).commands[:20]:
            if mapper is not None:
                inner = mapper(inner)
            out.append(replace(inner, via=cmd.via + (label,) + inner.via))
    return out
