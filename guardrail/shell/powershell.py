"""The PowerShell and cmd.exe model: a PowerShell script or a cmd line becomes the simple commands that would run,
spelled as the shell model spells them, so the Bash rules judge them unchanged.

Parsed by tree-sitter-powershell (loaded only here: the PowerShell tool, or `pwsh -c`/`powershell -Command`/
`cmd /c` on a Bash line). The walk reads statements, pipelines, script blocks, sub-expressions, assignments and
.NET calls; each command's words are evaluated (quotes, backticks, `$env:X`, `$HOME`, variables assigned earlier,
`Join-Path`), its parameters bound as PowerShell binds them (guardrail.shell.windows), and cmdlets are mapped
onto the commands the rules know: `Remove-Item -Recurse -Force X` is `rm -r -f X`, `iwr URL | iex` is a
download piped into a shell, `Format-Volume` is `mkfs`. Other programs (git, npm, cmd, bash) are passed on as
they are; the caller's walker unwraps them like any Bash command. Pure: no I/O.
"""

from __future__ import annotations

import re

from guardrail.base.text import LazyRegex

from guardrail.model import Redirect, SimpleCommand
from guardrail.shell.windows import (
    ALIASES,
    ARRAY,
    SPECS,
    bind,
    cmd_builtin,
    cmd_statements,
    cmdlet_name,
    disk_command,
    env_path,
    listing,
    remove_item,
    to_posix,
    web_request,
)
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any


MAX_DEPTH = 8  # Invoke-Expression of Invoke-Expression...


def _powershell_packages() -> tuple[Any, Any]:
    import tree_sitter
    import tree_sitter_powershell

    return tree_sitter, tree_sitter_powershell


def ps_parser() -> Any:
    from guardrail.shell.treesitter import grammar_parser

    return grammar_parser("tree_sitter_powershell", _powershell_packages)


# What runs code it is given: the text (or the download) it reads is walked or judged as a shell reading it.
_DOWNLOAD_WORDS = LazyRegex(r"(?i)\b(iwr|irm|invoke-webrequest|invoke-restmethod|curl|wget|downloadstring|"
                             r"downloaddata|downloadfile|start-bitstransfer|net\.webclient|httpclient)\b")


# Cmdlets recorded as another program (`Remove-Item` as rm): the command's `via` names the cmdlet.
_TRANSLATED = frozenset({"Remove-Item", "Clear-Content", "Move-Item", "Copy-Item", "Invoke-WebRequest",
                         "Invoke-RestMethod", "Format-Volume", "Clear-Disk", "Remove-Partition", "Stop-Computer",
                         "Restart-Computer"})


def script_commands(source: str, via: tuple[str, ...]) -> tuple[list[SimpleCommand], list[str]]:
    """The commands a PowerShell script runs, and what could not be read."""
    walk = _Walk(via)
    walk.script(source, 0)
    return walk.out, walk.problems


def cmd_commands(line: str, via: tuple[str, ...]) -> tuple[list[SimpleCommand], list[str]]:
    """The commands a cmd.exe line runs (`cmd /c LINE`)."""
    out: list[SimpleCommand] = []
    previous: str | None = None
    for words, redirects, piped in cmd_statements(line):
        mapped = cmd_builtin(words)
        argvs = mapped if mapped is not None else [(_program(words[0]), *words[1:])]
        reds = tuple(Redirect(op, to_posix(t)) for op, t in redirects)
        for argv in argvs:
            if argv:
                named = via + (words[0].lower(),) if mapped is not None and argv[0] != words[0].lower() else via
                out.append(SimpleCommand(argv=tuple(argv), redirects=reds, via=named, text=" ".join(words)[:500],
                                         stdin_from=previous if piped else None))
        previous = _program(words[0])
    return out, []


def _program(word: str) -> str:
    """A program word as the rules name it: `C:\\Git\\bin\\git.exe` is git."""
    name = to_posix(word) if ("\\" in word or ":" in word) else word
    return name[:-4] if name.lower().endswith((".exe", ".com")) else name


# Quoting a bareword that starts with a variable (`$env:USERPROFILE\\x`, `$HOME/x`): PowerShell reads it as an
# expandable string; the grammar does not. Only outside quotes, at the start of a word.
_VAR_BAREWORD = LazyRegex(r"(?<=[\s,(=])(\$(?:\{[^}\"'\s]*\}|[\w:?]+)[\\/*.][^\s;|&)'\"`,]*)")


def _prepare(source: str) -> str:
    """What the grammar reads better, with the same meaning: `$var\\rest` barewords quoted, `a, b` arrays
    joined (outside quotes)."""
    out: list[str] = []
    i, n = 0, len(source)
    start = 0
    while i < n:
        c = source[i]
        if c in "'\"":
            out.append(_fix_text(source[start:i]))
            end = _string_end(source, i)
            out.append(source[i:end])
            i = start = end
            continue
        if c == "#" and (i == 0 or source[i - 1] in " \t\n;"):
            out.append(_fix_text(source[start:i]))
            end = source.find("\n", i)
            end = n if end < 0 else end
            out.append(source[i:end])
            i = start = end
            continue
        i += 1
    out.append(_fix_text(source[start:]))
    return "".join(out)


# A bareword starting with `--` (`--`, `--force`, `--base64`): PowerShell passes it on as text; the grammar reads
# `--` as an error and `--base64` as a redirection. Quoted, it is the same text. `--%` (stop parsing) stays.
_DOUBLE_DASH = LazyRegex(r"(?<=[\s(])(--(?!%)[^\s;|&)'\"`,]*)")


def _fix_text(text: str) -> str:
    if "--" in text:
        text = _DOUBLE_DASH.sub(lambda m: "'" + m.group(1) + "'", " " + text)[1:]
    if "$" in text:
        text = _VAR_BAREWORD.sub(lambda m: '"' + m.group(1) + '"', " " + text)[1:]
    if ", " in text:
        text = re.sub(r",[ \t]+", ",", text)
    return text


def _string_end(source: str, i: int) -> int:
    q = source[i]
    j = i + 1
    while j < len(source):
        c = source[j]
        if c == "`" and q == '"':
            j += 2
            continue
        if c == q:
            if source[j + 1:j + 2] == q:
                j += 2
                continue
            return j + 1
        j += 1
    return len(source)


class _Walk:
    """One walk over a PowerShell script: the commands found, the variables assigned, what was unreadable."""

    def __init__(self, via: tuple[str, ...]) -> None:
        self.via = via
        self.out: list[SimpleCommand] = []
        self.problems: list[str] = []
        self.vars: dict[str, str] = {}
        self.dynamic: set[str] = set()
        self.data = b""

    # ---- structure

    def script(self, source: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            self.problems.append("PowerShell: Invoke-Expression nests too deeply to analyse")
            return
        saved = self.data
        self.data = _prepare(source).encode("utf-8", "surrogatepass")
        root = ps_parser().parse(self.data).root_node
        if root.has_error and _real_error(root, self.data):
            self.problems.append("PowerShell syntax error: parts of the command could not be parsed")
        self.depth = depth
        try:
            self.node(root)
        finally:
            self.data = saved

    def text(self, node: Any) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "surrogatepass")

    def node(self, node: Any) -> None:
        t = node.type
        if t == "pipeline_chain":
            self.chain(node)
        elif t == "command":
            self.command(node, None)
        elif t == "assignment_expression":
            self.assign(node)
        elif t == "invokation_expression":
            self.dotnet(node)
            for c in node.named_children:
                self.node(c)
        elif t in ("comment", "string_literal", "variable", "generic_token"):
            if t == "string_literal":
                self.nested_in(node)
        else:
            for c in node.named_children:
                self.node(c)

    def nested_in(self, node: Any) -> None:
        """Commands inside a word: `$(...)` sub-expressions, `(...)`, script blocks."""
        for c in node.named_children:
            if c.type in ("sub_expression", "parenthesized_expression", "script_block_expression",
                          "invokation_expression", "command", "pipeline", "statement_list"):
                self.node(c)
            elif c.child_count:
                self.nested_in(c)

    def chain(self, node: Any) -> None:
        piped: Any = None
        for stage in node.named_children:
            if stage.type == "command":
                piped = self.command(stage, piped)
            else:
                self.node(stage)
                piped = self.expression_output(stage)

    def expression_output(self, node: Any) -> Any:
        """What an expression stage sends down a pipeline: literal text, or a download."""
        text = self.text(node).strip()
        if _DOWNLOAD_WORDS.search(text):
            return ("download", "Invoke-WebRequest")
        values, dynamic = self.word([node])
        return ("text", " ".join(values)) if values and not dynamic else None

    def assign(self, node: Any) -> None:
        left = node.child_by_field_name("left") or (node.named_children[0] if node.named_children else None)
        right = node.named_children[-1] if node.named_child_count >= 2 else None
        name = self.text(left).strip().lstrip("$").strip("{}").lower() if left is not None else ""
        if right is None:
            return
        self.node(right)
        value = self.value_of(right)
        if value is None or not re.fullmatch(r"[\w:?]+", name):
            self.dynamic.add(name)
            self.vars.pop(name, None)
        else:
            self.vars[name] = value
            self.dynamic.discard(name)

    def value_of(self, node: Any) -> str | None:
        """The string an assignment's right side holds, when it is knowable."""
        commands = [n for n in _descendants(node, "command")]
        if commands:
            return self.command_value(commands[0]) if len(commands) == 1 else None
        values, dynamic = self.word([node])
        return ARRAY.join(values) if values and not dynamic else None

    def command_value(self, node: Any) -> str | None:
        """What Join-Path, Resolve-Path, Get-Item and Convert-Path return, as a path; None for other commands."""
        name_node = node.child_by_field_name("command_name") or _child(node, "command_name")
        cmdlet = cmdlet_name(self.text(name_node)) if name_node is not None else None
        if cmdlet not in ("Join-Path", "Resolve-Path", "Get-Item", "Convert-Path"):
            return None
        words, _reds, dynamic = self.elements(node)
        if cmdlet == "Join-Path":
            b = bind(SPECS["Join-Path"], words)
            parts = b.values("Path")[:1] + b.values("ChildPath", "AdditionalChildPath") + b.positional
            return "\\".join(p.rstrip("\\/") for p in parts) if parts and not dynamic else None
        plain = [v for w, is_param in words if not is_param for v in w.split(ARRAY)]
        return plain[0] if plain and not dynamic else None

    # ---- commands

    def elements(self, node: Any, blocks: bool = True) -> tuple[list[tuple[str, bool]], list[Redirect], bool]:
        """A command's words as (text, is_parameter), its redirects, and whether some word is unknown. The
        commands inside its words are walked (script blocks only when `blocks`: ForEach-Object binds `$_` first)."""
        words: list[tuple[str, bool]] = []
        redirects: list[Redirect] = []
        dynamic = False
        elems = _child(node, "command_elements")
        if elems is None:
            return words, redirects, dynamic
        group: list[Any] = []
        attach = False

        def flush() -> None:
            nonlocal group, dynamic, attach
            if not group:
                return
            if len(group) == 1 and group[0].type == "command_parameter":
                words.append((self.text(group[0]), True))
            else:
                values, dyn = self.word(group)
                dynamic = dynamic or dyn
                if attach and words and words[-1][1]:
                    words[-1] = (words[-1][0] + ":" + (values[0] if values else ""), True)
                elif values:
                    words.append((ARRAY.join(values), False))  # one argument, however many elements
            group, attach = [], False

        for c in elems.children:
            if c.type == "command_argument_sep":
                sep = self.text(c)
                if sep.strip() == ":":
                    flush()
                    attach = True
                elif sep:
                    if not attach:
                        flush()
                continue
            if c.type == "redirection":
                flush()
                op_node = c.named_children[0] if c.named_children else None
                target = _child(c, "redirected_file_name")
                if op_node is not None and target is not None:
                    values, _dyn = self.word([x for x in target.named_children if x.type != "command_argument_sep"])
                    redirects.append(Redirect(self.text(op_node).strip(), to_posix(values[0] if values else "")))
                continue
            if c.type == "command_parameter":
                flush()
            if c.child_count and (blocks or not _descendants(c, "script_block_expression")):
                self.nested_in(c)
            group.append(c)
        flush()
        return words, redirects, dynamic

    def command(self, node: Any, piped: Any) -> Any:
        """Record what one command runs; return what it sends down the pipeline (a listing, a download, text)."""
        name_node = _child(node, "command_name")
        operator = _child(node, "command_invokation_operator")
        name_expr = _child(node, "command_name_expr")
        if name_expr is not None:
            block = _child(name_expr, "script_block_expression")
            if block is not None:  # `& { ... }`, `. { ... }`
                self.node(block)
                return None
            name_node = _child(name_expr, "command_name") or name_expr
        if name_node is None:
            for c in node.named_children:
                self.node(c)
            return None
        head_values, head_dynamic = self.word([name_node])
        head = head_values[0] if head_values else self.text(name_node)
        cmdlet = None if head_dynamic else cmdlet_name(head)
        words, redirects, dynamic = self.elements(node, blocks=cmdlet != "ForEach-Object")
        text = self.text(node)[:500]
        if head_dynamic or head.startswith("$"):
            return self.emit((head if head.startswith("$") else "$" + head, *_flat(words)), redirects,
                             text, True)
        if cmdlet is None:
            if head.lower().endswith(".ps1") or operator is not None and head.lower().endswith(".ps1"):
                return self.emit(("pwsh", "-File", to_posix(head), *_flat(words)), redirects, text, dynamic)
            program = _program(head)
            stdin_from = piped[1] if isinstance(piped, tuple) and piped[0] == "download" else None
            self.emit((program, *_flat(words)), redirects, text, dynamic, stdin_from=stdin_from)
            return None
        return self.cmdlet(cmdlet, head, words, redirects, text, dynamic, piped, node)

    def cmdlet(self, cmdlet: str, head: str, words: list[tuple[str, bool]], redirects: list[Redirect], text: str,
               dynamic: bool, piped: Any, node: Any) -> Any:
        spec = SPECS.get(cmdlet)
        b = bind(spec, words) if spec is not None else None
        if b is not None and b.unbound and head.lower() in ALIASES:
            # `rm -rf ~` where rm is not Remove-Item (PowerShell on Linux/macOS has no such alias): the program
            self.emit((head, *_flat(words)), redirects, text, dynamic)
        saved = self.via
        if cmdlet in _TRANSLATED:
            self.via = saved + (cmdlet,)  # the reason says which cmdlet the rule's program stands for
        try:
            return self.mapped(cmdlet, b, words, redirects, text, dynamic, piped, node)
        finally:
            self.via = saved

    def mapped(self, cmdlet: str, b: Any, words: list[tuple[str, bool]], redirects: list[Redirect], text: str,
               dynamic: bool, piped: Any, node: Any) -> Any:
        """A cmdlet as the commands the rules know; returns what it sends down the pipeline."""
        paths = piped[1] if isinstance(piped, tuple) and piped[0] == "paths" else []
        if cmdlet == "Remove-Item" and b is not None:
            for argv in remove_item(b, paths):
                self.emit(argv, redirects, text, dynamic)
            return None
        if cmdlet == "Get-ChildItem" and b is not None:
            self.emit(("Get-ChildItem", *_flat(words)), redirects, text, dynamic)
            return ("paths", listing(b)) if not dynamic else None
        if cmdlet in ("Set-Location", "Push-Location") and b is not None:
            target = (b.values("Path", "LiteralPath") or b.positional or ["~"])[0]
            self.emit(("cd", to_posix(target)), redirects, text, dynamic)
            return None
        if cmdlet in ("Set-Content", "Add-Content", "Clear-Content", "Out-File") and b is not None:
            files = [to_posix(p) for p in b.values("Path", "LiteralPath", "FilePath")]
            op = ">>" if cmdlet == "Add-Content" or b.switches.get("Append") else ">"
            if cmdlet == "Clear-Content":
                for f in files:
                    self.emit(("truncate", "-s", "0", f), redirects, text, dynamic)
                return None
            self.emit((cmdlet,), [*redirects, *(Redirect(op, f) for f in files)], text, dynamic)
            return None
        if cmdlet in ("Move-Item", "Copy-Item") and b is not None:
            sources = [to_posix(p) for p in b.values("Path", "LiteralPath")] or paths
            dest = [to_posix(p) for p in b.values("Destination")]
            flags = ("-r",) if b.switches.get("Recurse") else ()
            self.emit(("mv" if cmdlet == "Move-Item" else "cp", *flags, "--", *sources, *dest), redirects, text,
                      dynamic)
            return None
        if cmdlet in ("Invoke-WebRequest", "Invoke-RestMethod") and b is not None:
            self.emit(web_request(b), redirects, text, dynamic)
            return ("download", cmdlet) if not b.first("OutFile") else None
        if cmdlet == "Invoke-Expression":
            self.invoke_expression(words, node, piped, text)
            return None
        if cmdlet in ("Format-Volume", "Clear-Disk", "Remove-Partition") and b is not None:
            for argv in disk_command(cmdlet, b):
                self.emit(argv, redirects, text, dynamic)
            return None
        if cmdlet == "Start-Process" and b is not None:
            target = (b.values("FilePath") or [""])[0]
            args = " ".join(b.values("ArgumentList"))
            if target:
                self.emit((_program(target), *_split_args(args)), redirects, text, dynamic)
            return None
        if cmdlet in ("Stop-Computer", "Restart-Computer"):
            if not any(w.lower().startswith("-wh") for w, p in words if p):
                self.emit(("shutdown", "-h", "now") if cmdlet == "Stop-Computer" else ("reboot",), redirects, text,
                          dynamic)
            return None
        if cmdlet == "ForEach-Object":
            self.for_each(node, paths)
            return None
        self.emit((cmdlet, *_flat(words)), redirects, text, dynamic)
        return None

    def for_each(self, node: Any, paths: list[str]) -> None:
        """`... | ForEach-Object { Remove-Item $_ }`: the block runs once per item, `$_` bound to the listing."""
        saved = {k: self.vars.get(k) for k in ("_", "psitem")}
        for k in ("_", "psitem"):
            if paths:
                self.vars[k] = paths[0]
            else:
                self.vars.pop(k, None)
        try:
            for c in _descendants(node, "script_block"):
                self.node(c)
                break
        finally:
            for k, v in saved.items():
                if v is None:
                    self.vars.pop(k, None)
                else:
                    self.vars[k] = v

    def invoke_expression(self, words: list[tuple[str, bool]], node: Any, piped: Any, text: str) -> None:
        """Invoke-Expression runs text: a download runs unseen (as `curl URL | sh`); literal text is walked."""
        argument = " ".join(self.text(c) for c in (_child(node, "command_elements") or node).named_children
                            if c.type != "command_argument_sep")
        if (isinstance(piped, tuple) and piped[0] == "download") or _DOWNLOAD_WORDS.search(argument):
            producer = piped[1] if isinstance(piped, tuple) and piped[0] == "download" else "Invoke-WebRequest"
            self.out.append(SimpleCommand(argv=("pwsh", "-Command", "-"), via=self.via + ("Invoke-Expression",),
                                          stdin_from=producer, text=text))
            return
        code = [v for w, is_param in words if not is_param for v in w.split(ARRAY)]
        if not code and isinstance(piped, tuple) and piped[0] == "text":
            code = [piped[1]]
        if code and "$(" not in " ".join(code):
            saved_via = self.via
            self.via = self.via + ("Invoke-Expression",)
            try:
                self.script(" ".join(code), self.depth + 1)
            finally:
                self.via = saved_via

    def dotnet(self, node: Any) -> None:
        """.NET calls that delete or download: [IO.Directory]::Delete(p, $true), [IO.File]::Delete(p),
        (New-Object Net.WebClient).DownloadFile(u, f)."""
        text = self.text(node)
        m = re.match(r"(?is)\[\s*(?:system\.)?io\.(directory|file)\s*\]\s*::\s*delete\b", text)
        args = _child(node, "argument_list")
        if not m or args is None:
            return
        values: list[str] = []
        for arg in _descendants(args, "argument_expression"):
            got, _dyn = self.word([arg])
            values.extend(got)
        if not values:
            return
        recursive = m.group(1).lower() == "directory" and len(values) > 1 and values[1].lower() in ("true", "$true")
        self.emit(("rm", *(("-r", "-f") if recursive else ("-f",)), "--", to_posix(values[0])), [], text[:500],
                  False)

    def emit(self, argv: tuple[str, ...], redirects: list[Redirect], text: str, dynamic: bool,
             stdin_from: str | None = None) -> None:
        self.out.append(SimpleCommand(argv=tuple(argv), redirects=tuple(redirects), via=self.via, dynamic=dynamic,
                                      text=text, stdin_from=stdin_from))

    # ---- words

    def word(self, nodes: list[Any]) -> tuple[list[str], bool]:
        """The values one argument stands for (an array gives several) and whether some part is unknown."""
        text = "".join(self.text(n) for n in nodes).strip()
        if not text:
            return [], False
        if text.startswith("@(") and text.endswith(")") and "$(" not in text and "(" not in text[2:-1]:
            text = text[2:-1].strip()  # `@('a', 'b')`: an array of its elements
            if not text:
                return [], False
        elif len(nodes) == 1 and nodes[0].type in ("parenthesized_expression",) or text.startswith("(") and\
                text.endswith(")"):
            inner = [n for n in _descendants(nodes[0], "command")] if len(nodes) == 1 else []
            value = self.command_value(inner[0]) if len(inner) == 1 else None
            return ([value], False) if value is not None else (["$(" + text[1:-1][:60] + ")"], True)
        values, dynamic = [], False
        for part in _split_commas(text):
            v, d = self.expand(part)
            values.append(v)
            dynamic = dynamic or d
        return values, dynamic

    def expand(self, text: str) -> tuple[str, bool]:
        """One word's value: quotes removed, backtick escapes, variables and `$env:X` substituted."""
        if len(text) >= 2 and text[0] == "'" and text[-1] == "'":
            return text[1:-1].replace("''", "'"), False
        expandable = len(text) >= 2 and text[0] == '"' and text[-1] == '"'
        body = text[1:-1] if expandable else text
        out: list[str] = []
        dynamic = False
        i = 0
        while i < len(body):
            c = body[i]
            if c == "`" and i + 1 < len(body):
                out.append({"n": "\n", "t": "\t", "0": "\0"}.get(body[i + 1], body[i + 1]))
                i += 2
                continue
            if c == "'" and not expandable:
                end = body.find("'", i + 1)
                end = len(body) if end < 0 else end
                out.append(body[i + 1:end])
                i = end + 1
                continue
            if c == '"' and not expandable:
                i += 1
                continue
            if c == "$" and i + 1 < len(body):
                m = _VAR.match(body, i)
                if m:
                    value, known = self.variable(m.group(1) or m.group(2))
                    out.append(value)
                    dynamic = dynamic or not known
                    i = m.end()
                    continue
                if body[i + 1] == "(":
                    end = _matching(body, i + 1)
                    out.append("$(" + body[i + 2:end][:60] + ")")
                    dynamic = True
                    i = end + 1
                    continue
            out.append(c)
            i += 1
        return "".join(out), dynamic

    def variable(self, name: str) -> tuple[str, bool]:
        """(value, known) of `$name` / `${name}` / `$env:NAME`."""
        low = name.lower()
        if low.startswith("env:"):
            value = env_path(name[4:])
            return value, not value.startswith("$")
        if low in self.vars:
            return self.vars[low], True
        if low == "home":
            return "~", True
        if low in ("pwd", "psscriptroot"):
            return ".", True  # a script's own directory: where script following reads it from
        if low in ("true", "false"):
            return low.capitalize(), True
        if low == "null":
            return "", True
        return "$" + name.upper().replace(":", "_"), False


_VAR = LazyRegex(r"\$\{([^}]+)\}|\$((?:env:)?[A-Za-z_?][\w]*(?:\([Xx]86\))?)", re.ASCII)


def _flat(words: list[tuple[str, bool]]) -> tuple[str, ...]:
    """Words as a program's argv: an array argument passes each element as its own argument."""
    return tuple(v for w, _ in words for v in w.split(ARRAY))


def _real_error(root: Any, data: bytes) -> bool:
    """Whether the tree has an error other than the grammar's one known miss: a bareword array in command mode
    (`Remove-Item a,b`), read as two words with a missing separator before `,b`."""
    stack = [root]
    while stack:
        n = stack.pop()
        if n.type == "ERROR":
            return True
        if n.is_missing:
            sep = n if n.type == "command_argument_sep" else n.parent
            nxt = sep.next_sibling if sep is not None and sep.type == "command_argument_sep" else None
            if nxt is None or data[nxt.start_byte:nxt.start_byte + 1] != b",":
                return True
        if n.has_error:
            stack.extend(n.children)
    return False


def _matching(text: str, open_at: int) -> int:
    depth = 0
    for j in range(open_at, len(text)):
        if text[j] == "(":
            depth += 1
        elif text[j] == ")":
            depth -= 1
            if depth == 0:
                return j
    return len(text) - 1


def _split_commas(text: str) -> list[str]:
    """An array argument's elements (`a,b`, `'x','y'`): commas outside quotes and brackets."""
    if "," not in text:
        return [text]
    parts, depth, quote, start = [], 0, "", 0
    for j, c in enumerate(text):
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:j])
            start = j + 1
    parts.append(text[start:])
    return [p for p in parts if p.strip()]


def _split_args(text: str) -> list[str]:
    """Start-Process -ArgumentList text as words (Windows command-line quoting, simplified)."""
    return [w.strip('"') for w in re.findall(r'"[^"]*"|\S+', text)]


def _child(node: Any, kind: str) -> Any:
    for c in node.children:
        if c.type == kind:
            return c
    return None


def _descendants(node: Any, kind: str) -> list[Any]:
    """Nodes of a kind below `node`, outermost first, not looking inside the ones found."""
    found, stack = [], list(reversed(node.children))
    while stack:
        n = stack.pop()
        if n.type == kind:
            found.append(n)
            continue
        stack.extend(reversed(n.children))
    return found
