"""The command model: a Bash command line becomes the simple commands that would run.

`parse_command` is the entry point. Plain lines take verified shortcuts (guardrail/shell/shortcuts.py); the rest
are parsed by tree-sitter-bash (guardrail/shell/treesitter.py, loaded only then) and walked: statements, pipelines,
redirects, loops, words (guardrail/shell/expansion.py) and builtins (guardrail/shell/builtins.py), with wrappers
unwrapped (guardrail/shell/wrappers.py), down to simple commands. Pure: no I/O, no clock except the work budget.
"""

from __future__ import annotations

import posixpath
import re
import time

from guardrail.base.record import replace
from guardrail.base.text import shell_quote
from guardrail.model import CommandModel, Redirect, SimpleCommand
from guardrail.shell.builtins import BuiltinState, STATE_BUILTINS
from guardrail.shell.expansion import WordExpansion
from guardrail.shell.shortcuts import ABOVE_PLANE_2, plain_sequence, plain_words
from guardrail.shell.words import expand_braces, literal_output, node_text, unescape_unquoted
from guardrail.shell.wrappers import SCRIPT_READERS, SHELLS, unwrap
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any


MAX_SOURCE_CHARS = 100_000


MAX_DEPTH = 8  # nested shells / eval / wrappers


MAX_COMMANDS = 1_000


MAX_SECONDS = 0.5


# A for loop's body is walked once per literal value, up to this many body walks per command line (nested
# loops multiply); past it the call asks. No value is skipped: a dangerous 17th value must not hide.
MAX_LOOP_WALKS = 512


class OverBudget(Exception):
    """Raised inside the walk when a limit is hit; turned into CommandModel.over_limit."""


MAX_VALUE_CHARS = 100_000  # one variable's value


MAX_EXPANDED_CHARS = 2_000_000  # all variable values read while walking one line


class _Vars(dict):
    """The line's variables, bounded: `x=$x$x` repeated 18 times in a 4 kB line grew a value to hundreds of MB
    (and the walk past 1 s). A value past MAX_VALUE_CHARS, or reads past MAX_EXPANDED_CHARS in all, end the walk
    with a limit (the call asks) instead."""

    __slots__ = ("expanded",)

    def __init__(self) -> None:
        super().__init__()
        self.expanded = 0

    def __setitem__(self, key: str, value: str) -> None:
        if len(value) > MAX_VALUE_CHARS:
            raise OverBudget(f"a variable's value grows past {MAX_VALUE_CHARS:,} characters")
        dict.__setitem__(self, key, value)

    def __getitem__(self, key: str) -> str:
        value = dict.__getitem__(self, key)
        self.expanded += len(value)
        if self.expanded > MAX_EXPANDED_CHARS:
            raise OverBudget(f"variable expansions exceed {MAX_EXPANDED_CHARS:,} characters")
        return value


class WalkState:
    """The walk's state for one command line (a plain class: built for every parse, a record costs more)."""

    __slots__ = ("aliases", "calls_in_progress", "deadline", "dynamic_vars", "exec_stdin", "functions", "git_aliases",
                 "loop_walks", "namerefs", "out", "problems", "procsubs", "vars", "writers")

    def __init__(self, deadline: float = 0.0) -> None:
        self.vars: dict[str, str] = _Vars()
        self.dynamic_vars: set[str] = set()
        self.functions: dict[str, Any] = {}
        self.aliases: dict[str, str] = {}
        self.out: list[SimpleCommand] = []
        self.problems: list[str] = []
        self.deadline = deadline
        self.calls_in_progress: set[str] = set()
        self.git_aliases: dict[str, str] = {}  # `git config alias.X ...` earlier on the line
        self.loop_walks = 0  # extra loop-body walks so far (bounded: nested loops multiply)
        self.procsubs: dict[str, str] = {}  # known output of a `<(...)`, by the word the model gives it
        self.writers: dict[str, Any] = {}  # `>(...)` nodes, by the word the model gives them
        self.exec_stdin: str | None = None  # `exec <<< text`: what later commands read from stdin
        self.namerefs: dict[str, str] = {}  # `declare -n r=c`: r -> c


class Stdin:
    """What flows into a command's stdin."""

    __slots__ = ("file", "producer", "text")

    def __init__(self, text: str | None = None, file: str | None = None, producer: str | None = None) -> None:
        self.text, self.file, self.producer = text, file, producer


def parse_command(source: str, *, depth_limit: int = MAX_DEPTH) -> CommandModel:
    """Parse a Bash command line into the simple commands that would run."""
    if len(source) > MAX_SOURCE_CHARS:
        return CommandModel(source=source, over_limit=f"command is {len(source):,} characters (limit {MAX_SOURCE_CHARS:,})")
    ctx = WalkState(deadline=time.perf_counter() + MAX_SECONDS)
    over_limit = None
    try:
        parse_into(source, ctx, via=(), depth=0, depth_limit=depth_limit)
    except OverBudget as exc:
        over_limit = str(exc)
    except RecursionError:
        over_limit = "command nests too deeply to analyse"
    return CommandModel(source=source, commands=ctx.out, problems=ctx.problems, over_limit=over_limit)


def parse_powershell(source: str, *, depth_limit: int = MAX_DEPTH) -> CommandModel:
    """A PowerShell tool call's command into the simple commands that would run (guardrail.shell.powershell)."""
    if len(source) > MAX_SOURCE_CHARS:
        return CommandModel(source=source, over_limit=f"command is {len(source):,} characters (limit {MAX_SOURCE_CHARS:,})")
    ctx = WalkState(deadline=time.perf_counter() + MAX_SECONDS)
    over_limit = None
    try:
        Walker(ctx, (), -1, depth_limit).windows(None, "powershell", "", source)
    except OverBudget as exc:
        over_limit = str(exc)
    except RecursionError:
        over_limit = "command nests too deeply to analyse"
    return CommandModel(source=source, commands=ctx.out, problems=ctx.problems, over_limit=over_limit)


# An unquoted `$(cat FILE)` or `$(<FILE)` as a for loop's whole word list (a plain file name).
_LOOP_OVER_FILE = r"\$\(\s*(?:cat\s+([\w./~-]+)|<\s*([\w./~-]+))\s*\)\Z"  # compiled on use (re caches it)


_BRACE_AT_START = re.compile(r"(?:^|(?<=[\s;&|(]))\{([^{}\s]*,[^{}\s]*)\}(\S*)")


def parse_into(source: str, ctx: WalkState, *, via: tuple[str, ...], depth: int, depth_limit: int) -> None:
    if depth > depth_limit:
        raise OverBudget(f"nesting deeper than {depth_limit} levels (shells inside shells)")
    words = plain_words(source)
    if words is not None:
        # what the walk would build for it: no stdin, redirects or expansions; the command node's text
        Walker(ctx, via, depth, depth_limit).emit(SimpleCommand(argv=tuple(words), via=via, text=source[:500]))
        return
    pipelines = plain_sequence(source)
    if pipelines is not None:
        walker = Walker(ctx, via, depth, depth_limit)
        for stages in pipelines:
            if len(stages) == 1:
                text, argv = stages[0]
                walker.emit(SimpleCommand(argv=tuple(argv), via=via, text=text[:500]))
            else:
                walker.pipeline(stages, None, run=walker.plain_stage)
        return
    parse_tree(source, ctx, via=via, depth=depth, depth_limit=depth_limit)


def parse_tree(source: str, ctx: WalkState, *, via: tuple[str, ...], depth: int, depth_limit: int) -> None:
    # tree-sitter only for lines the shortcuts cannot take (plain lines never load it)
    from guardrail.shell.treesitter import may_misread, parse_bytes, repair, ts_parser

    if not source.isascii() and ABOVE_PLANE_2.search(source):
        # tree-sitter-bash 0.25 can segfault on `{` followed by code points above U+2FFFF (found by
        # fuzzing), and a crashed hook is no decision. No shell syntax uses them: replace, and say so.
        source = ABOVE_PLANE_2.sub("\ufffd", source)
        ctx.problems.append("characters above U+2FFFF were replaced before parsing")
    data = source.encode("utf-8", "surrogatepass")
    root = ts_parser().parse(data).root_node
    if not root.has_error:
        if may_misread(data):
            root = repair(root, data)
    else:
        # Brace expansion in command position (`{r,}m -rf /`) is a syntax error to tree-sitter;
        # expand it textually and try once more before giving up on exactness.
        expanded = _BRACE_AT_START.sub(lambda m: " ".join(expand_braces("{" + m.group(1) + "}" + m.group(2))), source)
        if expanded != source:
            retry = parse_bytes(expanded.encode("utf-8", "surrogatepass"))
            if not retry.has_error:
                root = retry
        if root.has_error and "<>" in source:
            # `N<>file` opens the file for reading and writing; the grammar does not know the operator. Read it
            # as a write (`>`), which is what the rules must see (`cat 1<>/dev/sdb` writes the disk).
            retry = parse_bytes(source.replace("<>", ">").encode("utf-8", "surrogatepass"))
            if not retry.has_error:
                root = retry
        if root.has_error:
            ctx.problems.append("shell syntax error: parts of the command could not be parsed")
    Walker(ctx, via, depth, depth_limit).statements(root, stdin=None)


class Walker(WordExpansion, BuiltinState):
    """One walk over a command line's syntax tree, appending the simple commands that would run to ctx.out."""

    def __init__(self, ctx: WalkState, via: tuple[str, ...], depth: int, depth_limit: int) -> None:
        self.ctx = ctx
        self.via = via
        self.depth = depth
        self.depth_limit = depth_limit

    # ---- statements

    def statements(self, node: Any, stdin: Stdin | None) -> str | None:
        """Walk a statement node; returns its literal stdout when it is knowable (for pipes)."""
        self._tick()
        t = node.type
        if t == "command":
            return self.command(node, stdin, redirects=(), heredoc=None)
        if t == "redirected_statement":
            return self.redirected(node, stdin)
        if t == "pipeline":
            return self.pipeline([c for c in node.named_children if c.type != "comment"], stdin)
        if t == "variable_assignment":
            self.assign(node)
            return None
        if t == "declaration_command":
            nameref = False
            for child in node.named_children:
                if child.type == "variable_assignment":
                    self.assign(child)
                    name_node = child.child_by_field_name("name")
                    if nameref and name_node is not None and name_node.type == "variable_name":
                        # `declare -n r=c`: $r is whatever c holds when it is expanded
                        self.ctx.namerefs[node_text(name_node)] = self.ctx.vars.get(node_text(name_node), "")
                else:
                    self.words_of(child)  # substitutions in `export X=$(...)` still run
                    nameref = nameref or (child.type == "word" and node_text(child)[:1] == "-" and "n" in node_text(child))
            return None
        if t == "function_definition":
            name_node = node.child_by_field_name("name")
            body = node.child_by_field_name("body")
            if name_node is not None and body is not None:
                self.ctx.functions[node_text(name_node)] = body
                for child in node.named_children:
                    if child.type == "file_redirect":  # `f() {...} 2>$(cmd)`: expanded on every call
                        self.scan_substitutions(child)
                if node_text(name_node) == "command_not_found_handle":
                    # bash runs it for any command it cannot find: walked once, as if one were missing
                    Walker(self.ctx, self.via + ("function command_not_found_handle",), self.depth,
                            self.depth_limit).statements(body, None)
            return None
        if t in ("comment", "heredoc_body", "heredoc_start", "heredoc_end"):
            return None
        if t in ("test_command", "arithmetic_expansion", "c_style_for_statement"):
            self.scan_substitutions(node)
            if t == "c_style_for_statement":
                for child in node.named_children:
                    if child.type == "do_group":
                        self.statements(child, None)
            return None
        if t in ("for_statement", "select_statement"):
            return self.loop(node, t)
        if t in ("while_statement", "until_statement") and stdin is not None:
            # the condition's `read` takes the loop's input (`while read d; do ...; done <<< ~`, `cat f | while ...`)
            condition = node.child_by_field_name("condition")
            for child in node.children:
                if child.is_named:
                    self.statements(child, stdin if child == condition else None)
            return None
        if t == "ERROR":
            for child in node.children:
                if child.is_named:
                    self.statements(child, stdin)
            return None
        if t in ("word", "string", "raw_string", "concatenation", "simple_expansion", "expansion",
                 "command_substitution", "number"):
            self.words_of(node)
            return None
        # program, list, subshell, compound_statement, if/elif/else, while, case, do_group, negated_command...
        out: str | None = None
        for child in node.children:
            if child.is_named:
                out = self.statements(child, stdin if t in ("subshell", "compound_statement") else None)
        return out

    def loop(self, node: Any, kind: str) -> None:
        """`for d in ~ /tmp; do rm -rf "$d"; done`: over a literal word list the body runs once per value
        with the variable bound; over anything else (`$(ls)`, `"$@"`) the variable stays dynamic."""
        var = node.child_by_field_name("variable")
        name = node_text(var) if var is not None else ""
        body = [c for c in node.named_children if c.type == "do_group"]
        values: list[str] = []
        unknown: set[str] = set()
        literal = kind == "for_statement" and bool(name)
        has_list = False
        for child in node.named_children:
            if child == var or child.type in ("do_group", "comment"):  # `==`: each access makes a new Node object
                continue
            has_list = True
            fields, dynamic = self.words(child)
            values.extend(fields)
            if dynamic and fields and all(_UNSET_VAR.fullmatch(f) for f in fields):
                unknown.update(fields)  # `for d in "$HOME"`: the value is that variable, as `rm -rf "$HOME"` reads
                continue
            literal = literal and not dynamic
        if not (literal and has_list and values):
            listed = re.match(_LOOP_OVER_FILE, self.loop_list_text(node, var)) if kind == "for_statement" and name\
                else None
            if listed:
                # `for d in $(cat list.txt)`: the values are the file's words, as `xargs -a list.txt` reads them;
                # the same placeholder lets checks read the file (or ask when they cannot)
                self.ctx.vars[name] = f"$(xargs-input <{listed.group(1) or listed.group(2)})"
                self.ctx.dynamic_vars.discard(name)
            elif name:
                self.ctx.dynamic_vars.add(name)
            for b in body:
                self.statements(b, None)
            return None
        self.ctx.loop_walks += len(values)
        if self.ctx.loop_walks > MAX_LOOP_WALKS:
            # padding with loops must not make a later loop's variable unknown: past the bound, ask
            raise OverBudget(f"loops would run their bodies more than {MAX_LOOP_WALKS} times")
        for value in values:
            self.ctx.vars[name] = value
            (self.ctx.dynamic_vars.add if value in unknown else self.ctx.dynamic_vars.discard)(name)
            for b in body:
                self.statements(b, None)
        return None

    @staticmethod
    def loop_list_text(node: Any, var: Any) -> str:
        """The source text of a for loop's word list ('' when it has none)."""
        words = [c for c in node.named_children if c != var and c.type not in ("do_group", "comment")]
        return " ".join(node_text(c) for c in words)

    def pipeline(self, stages: list[Any], stdin: Stdin | None, run: Any = None) -> str | None:
        if run is None and stages[-1].type == "list":
            return self.pipeline_then(stages[:-1], stages[-1], stdin)
        flow = stdin
        out: str | None = None
        run = run or self.statements
        for i, stage in enumerate(stages):
            before = len(self.ctx.out)
            out = run(stage, flow)
            produced = self.ctx.out[before:]
            producer = produced[-1].name if produced else None
            file = None
            if produced and produced[-1].name == "cat" and len(produced[-1].args) == 1 and not produced[-1].args[0].startswith("-"):
                file = produced[-1].args[0]
            if out is None and producer in ("ls", "find", "echo", "printf") and i + 1 < len(stages):
                consumer = _stage_name(stages[i + 1])
                if producer in ("ls", "find") and consumer in ("xargs", "parallel"):
                    out = _listing(produced[-1])  # `ls -A | xargs rm -rf`: the paths it lists, as path words
                elif producer in ("echo", "printf") and consumer in SHELLS and produced[-1].dynamic\
                        and not any("$(" in a or "`" in a for a in produced[-1].args):
                    # `echo "rm -rf $HOME" | sh`: the shell expands the unknown variables itself
                    out = literal_output(replace(produced[-1], dynamic=False))
            flow = Stdin(text=out, file=file, producer=producer)
            if i == len(stages) - 1:
                break
        return out

    def pipeline_then(self, head: list[Any], node: Any, stdin: Stdin | None) -> str | None:
        """tree-sitter-bash reads `a | b | c && d` as `a | (b | c && d)`, but `&&`, `||` bind looser than `|`: bash
        runs `(a | b | c) && d`. So the list's first pipeline gets `head` in front; the rest is walked as a list."""
        self._tick()
        kids = node.named_children
        first = kids[0]
        if first.type == "list":  # `a | b | c && d || e`: lists nest to the left
            out = self.pipeline_then(head, first, stdin)
        elif first.type == "pipeline":
            out = self.pipeline(head + [c for c in first.named_children if c.type != "comment"], stdin)
        else:
            out = self.pipeline(head + [first], stdin)
        for child in kids[1:]:
            out = self.statements(child, None)
        return out

    def plain_stage(self, stage: tuple[str, list[str]], stdin: Stdin | None) -> str | None:
        """A pipeline stage from plain_sequence: the command statements() would build for it."""
        self._tick()
        text, argv = stage
        if stdin is None:
            return self.emit(SimpleCommand(argv=tuple(argv), via=self.via, text=text[:500]))
        cmd = SimpleCommand(argv=tuple(argv), stdin_text=stdin.text, stdin_file=stdin.file,
                            stdin_from=stdin.producer if stdin.text is None else None, via=self.via, text=text[:500])
        return self.emit(cmd)

    def redirected(self, node: Any, stdin: Stdin | None) -> str | None:
        body = node.child_by_field_name("body")
        redirects: list[Redirect] = []
        heredoc: str | None = None
        continuation: list[Any] = []
        herestring: str | None = None
        tail: list[Any] = []  # words after a redirect's target: arguments of the command (`rm -rf >/dev/null ~`)
        for child in node.named_children:
            if child is body:
                continue
            if child.type == "file_redirect":
                redirect, more = self.redirect_parts(child)
                redirects.append(redirect)
                tail.extend(more)
            elif child.type == "herestring_redirect":
                words = [c for c in child.named_children]
                herestring = " ".join(self.word(w)[0] for w in words) + "\n" if words else ""
            elif child.type == "heredoc_redirect":
                heredoc, more = self.heredoc(child)
                continuation.extend(more)
        if heredoc is None and herestring is not None:
            heredoc = herestring
        if body is None:
            # `> file` alone: bash opens (and so empties) the file and runs nothing, as `: > file` would
            return self.emit(SimpleCommand(argv=(":",), redirects=tuple(redirects), via=self.via,
                                           text=node_text(node)[:500])) if redirects else None
        if body.type == "command":
            out = self.command(body, stdin, tuple(redirects), heredoc, tail)
        else:
            before = len(self.ctx.out)
            inner_stdin = Stdin(text=heredoc) if heredoc is not None else stdin
            stages = [c for c in body.named_children if c.type != "comment"] if tail and body.type == "pipeline" else []
            if stages and stages[-1].type == "command":
                # `a | rm > /dev/null -rf ~`: the words belong to the last stage
                last = stages[-1]
                out = self.pipeline(stages, inner_stdin, run=lambda stage, flow: self.command(stage, flow, (), None, tail)
                                    if stage is last else self.statements(stage, flow))
            else:
                if tail:  # `{ a; } > f x`: bash refuses the line, so nothing runs; the words still expand here
                    self.ctx.problems.append("shell syntax error: parts of the command could not be parsed")
                    for word in tail:
                        self.words_of(word)
                out = self.statements(body, inner_stdin)
            if redirects:
                self.ctx.out[before:] = [
                    replace(c, redirects=c.redirects + tuple(redirects),
                            stdin_file=c.stdin_file or _input_file(redirects)) for c in self.ctx.out[before:]
                ]
        # `cat <<EOF | psql` and `psql <<EOF && ls`: tree-sitter nests the rest inside the heredoc.
        piped = False
        for item in continuation:
            if item == "|":
                piped = True
                continue
            if item in ("&&", "||", ";", "&"):
                piped = False
                continue
            if item.type == "pipeline" and item.children and item.children[0].type in ("|", "|&"):
                piped = True  # `cat <<EOF | bash`: tree-sitter puts the `|` inside the pipeline node
            if piped and item.type == "pipeline":
                stages = [c for c in item.named_children if c.type != "comment"]
                out = self.pipeline(stages, Stdin(text=out, producer=self.ctx.out[-1].name if self.ctx.out else None))
            elif piped:
                out = self.statements(item, Stdin(text=out, producer=self.ctx.out[-1].name if self.ctx.out else None))
            else:
                out = self.statements(item, None)
            piped = False
        return out

    def heredoc(self, node: Any) -> tuple[str, list[Any]]:
        body = ""
        rest: list[Any] = []
        quoted = False
        for child in node.children:
            t = child.type
            if t == "heredoc_start":
                quoted = any(q in node_text(child) for q in "'\"\\")
            elif t == "heredoc_body":
                body = node_text(child) if quoted else self.expand_heredoc(child)
            elif t in ("|", "&&", "||", ";", "&"):
                rest.append(t)
            elif child.is_named and t not in ("heredoc_end", "file_redirect"):
                rest.append(child)
        return body, rest

    def expand_heredoc(self, node: Any) -> str:
        # Unquoted heredocs expand variables and run substitutions.
        raw = node_text(node)
        parts: list[str] = []
        pos = node.start_byte
        src = node.text
        base = node.start_byte
        for child in node.named_children:
            if child.type in ("simple_expansion", "expansion", "command_substitution"):
                parts.append(src[pos - base: child.start_byte - base].decode("utf-8", "replace"))
                parts.append(self.word(child)[0])
                pos = child.end_byte
        parts.append(src[pos - base:].decode("utf-8", "replace"))
        if "`" in raw:
            self.backquotes(raw)
        return "".join(parts) if parts else raw

    def backquotes(self, text: str) -> None:
        """Walk the `...` substitutions in text tree-sitter left unparsed (heredoc bodies, `${x:-`cmd`}`)."""
        for m in _BACKQUOTED.finditer(text):
            parse_into(unescape_unquoted(m.group(1)), self.ctx, via=self.via + ("$()",), depth=self.depth + 1,
                        depth_limit=self.depth_limit)

    def redirect_parts(self, node: Any) -> tuple[Redirect, list[Any]]:
        """The redirect, and the words tree-sitter-bash hangs on it after the target (`> f x`: bash's target is `f`,
        `x` an argument of the command)."""
        fd = ""
        op = ""
        target: str | None = None
        more: list[Any] = []
        for child in node.children:
            if child.type == "file_descriptor":
                fd = node_text(child)
            elif not child.is_named:
                op += node_text(child)
            elif target is None:
                target = self.word(child)[0]
            elif child.type != "comment":
                more.append(child)
        return Redirect(op=fd + op, target=target or ""), more

    def assign(self, node: Any) -> None:
        name_node = node.child_by_field_name("name")
        value_node = node.child_by_field_name("value")
        if name_node is None:
            return
        if name_node.type == "subscript":  # `a[$(cmd)]=1`: the index is expanded (and run)
            self.scan_substitutions(name_node)
            name = node_text(name_node.named_children[0]) if name_node.named_children else node_text(name_node)
            if value_node is not None:
                self.word(value_node, split=False)
            self.ctx.dynamic_vars.add(name)
            return
        name = node_text(name_node)
        if value_node is None:
            self.ctx.vars[name] = ""
            return
        value, dynamic = self.word(value_node, split=False)
        self.ctx.vars[name] = value
        if dynamic:
            self.ctx.dynamic_vars.add(name)
        else:
            self.ctx.dynamic_vars.discard(name)

    # ---- simple commands

    def command(self, node: Any, stdin: Stdin | None, redirects: tuple[Redirect, ...], heredoc: str | None,
                tail: list[Any] | None = None) -> str | None:
        env: list[tuple[str, str]] = []
        argv: list[str] = []
        dynamic = False
        extra_redirects: list[Redirect] = []
        herestring: str | None = None
        dangling_at = -1  # end of a command name that tree-sitter cut after a bare `$`
        head_dynamic = False
        for child in node.named_children:
            t = child.type
            if t == "word" or t == "raw_string" or t == "number":
                # the common case, inline: what words() gives for a leaf (right after a command name cut at
                # a bare `$`, the generic branch below glues the two back together)
                if dangling_at < 0:
                    argv.extend(self.leaf_fields(child, t))
                    continue
            elif t == "command_name":
                kids = child.children
                if len(kids) == 1 and kids[0].type == "word":
                    # a plain program name: a leaf word cannot end with a bare `$` node
                    argv.extend(self.leaf_fields(kids[0], "word"))
                    dangling_at = -1
                    continue
            if t == "variable_assignment":
                name_node = child.child_by_field_name("name")
                value_node = child.child_by_field_name("value")
                value = self.word(value_node, split=False)[0] if value_node is not None else ""
                if name_node is not None:
                    env.append((node_text(name_node), value))
            elif t == "file_redirect":
                redirect, more = self.redirect_parts(child)
                extra_redirects.append(redirect)
                for word in more:
                    fields, dyn = self.words(word)
                    argv.extend(fields)
                    dynamic = dynamic or dyn
            elif t == "herestring_redirect":
                herestring = " ".join(self.word(w)[0] for w in child.named_children) + "\n"
            elif t == "comment":
                continue
            elif t in ("subshell", "compound_statement") and argv[:1] == ["time"]:
                # `time (rm -rf ~)`: the grammar makes the compound command an argument of `time`
                self.statements(child, stdin)
                continue
            else:
                fields, dyn = self.words(child)
                if dangling_at >= 0 and argv and t == "word" and child.start_byte == dangling_at:
                    fields, dyn = self.rejoin_dollar(argv.pop(), node_text(child))
                dangling_at = child.end_byte if t == "command_name" and _ends_with_bare_dollar(child) else -1
                if t == "command_name":
                    head_dynamic = dyn
                argv.extend(fields)
                dynamic = dynamic or dyn
        for word in tail or ():
            fields, dyn = self.words(word)
            argv.extend(fields)
            dynamic = dynamic or dyn
        if argv and ("$" in argv[0] or "?" in argv[0] or "*" in argv[0] or "[" in argv[0]):
            marked = _unknown_program(argv[0], head_dynamic, node.child_by_field_name("name"))
            if marked is not None:
                argv[0] = marked
                dynamic = True
        if not argv:
            # `FOO=bar` alone with redirects: assignments persist for the rest of the line.
            for k, v in env:
                self.ctx.vars[k] = v
            return None
        all_redirects = tuple(extra_redirects) + redirects if extra_redirects else redirects
        stdin_text = heredoc if heredoc is not None else herestring
        if stdin_text is not None:
            stdin_file, stdin_from = None, None
        elif stdin is not None:
            stdin_text, stdin_file = stdin.text, stdin.file
            stdin_from = stdin.producer if stdin_text is None else None
        else:
            stdin_file = stdin_from = None
        if all_redirects:
            stdin_file = _input_file(all_redirects) or stdin_file
        cmd = SimpleCommand(
            argv=tuple(argv), env=tuple(env), redirects=all_redirects, stdin_text=stdin_text,
            stdin_file=stdin_file, stdin_from=stdin_from, via=self.via, dynamic=dynamic, text=node_text(node)[:500],
        )
        out = self.emit(cmd)
        written = out if out is not None or cmd.name != "tee" else cmd.stdin_text  # (`>(...)` makes tee dynamic)
        if self.ctx.writers and written:
            # `echo X > >(sh)`, `tee >(sh) <<< X`: the `>(...)` commands read what this command writes
            for word in (*cmd.args, *(r.target for r in all_redirects)):
                proc = self.ctx.writers.get(word)
                if proc is not None:
                    sub = Walker(self.ctx, self.via + (">()",), self.depth, self.depth_limit)
                    for child in proc.named_children:
                        sub.statements(child, Stdin(text=written))
        return out

    def emit(self, cmd: SimpleCommand) -> str | None:
        """Record a command after resolving aliases, functions and wrappers; return its literal stdout."""
        self._tick()
        ctx = self.ctx
        if len(ctx.out) >= MAX_COMMANDS:
            raise OverBudget(f"more than {MAX_COMMANDS} commands")
        name = cmd.name
        if name in ctx.aliases and name not in ctx.calls_in_progress:
            ctx.calls_in_progress.add(name)
            try:
                return self.reparse(ctx.aliases[name] + " " + " ".join(shell_quote(a) for a in cmd.args), cmd, f"alias {name}")
            finally:
                ctx.calls_in_progress.discard(name)
        if name in ctx.functions and name not in ctx.calls_in_progress:
            ctx.calls_in_progress.add(name)
            try:
                sub = Walker(ctx, self.via + (f"function {name}",), self.depth + 1, self.depth_limit)
                if self.depth + 1 > self.depth_limit:
                    raise OverBudget(f"nesting deeper than {self.depth_limit} levels")
                saved = self.bind_positionals(list(cmd.args))  # `f() { rm -rf "$1"; }; f ~`
                try:
                    return sub.statements(ctx.functions[name], None)
                finally:
                    self.restore_positionals(saved)
            finally:
                ctx.calls_in_progress.discard(name)
        if name in STATE_BUILTINS:
            self.builtin_state(cmd)
        if name == "alias":
            for arg in cmd.args:
                if "=" in arg:
                    k, v = arg.split("=", 1)
                    ctx.aliases[k] = v
            return None
        how = self.git_alias(cmd) if name == "git" else None
        if how is not None:
            label = how[1][0]
            ctx.calls_in_progress.add(label)  # `git -c alias.a='!git a' a` must not loop
            try:
                return self.follow(cmd, how)
            finally:
                ctx.calls_in_progress.discard(label)
        if name in SCRIPT_READERS and (ctx.procsubs or cmd.stdin_text is not None or ctx.exec_stdin is not None):
            how = self.script_source(cmd)
            if how is not None:
                return self.follow(cmd, how)
        unwrapped = unwrap(cmd)
        if unwrapped is not None:
            return self.follow(cmd, unwrapped)
        ctx.out.append(cmd)
        return literal_output(cmd)

    def follow(self, outer: SimpleCommand, how: tuple[str, Any]) -> str | None:
        kind, value = how
        if kind == "argv":
            label, inner_argv, extra_env, *chdir = value  # chdir: the wrapper's own directory (`env -C DIR`)
            if not inner_argv:
                self.ctx.out.append(outer)
                return None
            if self.depth + 1 > self.depth_limit:
                raise OverBudget(f"nesting deeper than {self.depth_limit} levels of wrappers")
            inner = replace(outer, argv=tuple(inner_argv), env=outer.env + tuple(extra_env),
                            via=outer.via + (label,))
            if chdir:
                inner = replace(inner, cwd=chdir[0] if chdir[0].startswith(("/", "~")) or not outer.cwd
                                else posixpath.join(outer.cwd, chdir[0]))
            sub = Walker(self.ctx, inner.via, self.depth + 1, self.depth_limit)
            return sub.emit(inner)
        if kind == "shell":
            label, script = value
            return self.reparse(script, outer, label)
        if kind == "find":
            # find itself is recorded (for -delete); each -exec command runs per file found.
            self.ctx.out.append(outer)
            for label, argv in value:
                inner = replace(outer, argv=tuple(argv), via=outer.via + (label,), stdin_text=None, stdin_file=None)
                Walker(self.ctx, inner.via, self.depth + 1, self.depth_limit).emit(inner)
            return None
        if kind == "shell_args":
            label, script, positional = value
            saved = self.bind_positionals(positional[1:], zero=positional[0])
            try:
                return self.reparse(script, outer, label)
            finally:
                self.restore_positionals(saved)
        if kind == "record_and_argv":
            # `uv run CMD`, `bundle exec CMD`: keep the runner (rules name some) and follow the command
            self.ctx.out.append(outer)
            return self.follow(outer, ("argv", value))
        if kind in ("powershell", "cmd"):
            return self.windows(outer, kind, *value)
        if kind == "record_and_shell":
            # ssh host 'cmd', watch 'cmd': keep the outer (for host-aware rules) and walk the inner.
            label, script = value
            self.ctx.out.append(outer)
            return self.reparse(script, outer, label)
        raise AssertionError(kind)

    def windows(self, outer: SimpleCommand | None, kind: str, label: str, script: str) -> None:
        """PowerShell text or a cmd.exe line: its commands, from the PowerShell model (loaded only now), walked
        like typed ones (wrappers unwrapped: `cmd /c powershell -c ...`, `pwsh -c "bash -c '...'"`)."""
        if self.depth + 1 > self.depth_limit:
            raise OverBudget(f"nesting deeper than {self.depth_limit} levels (shells inside shells)")
        from guardrail.shell import powershell

        via = self.via + ((label,) if label else ())
        reader = powershell.script_commands if kind == "powershell" else powershell.cmd_commands
        commands, problems = reader(script, via)
        self.ctx.problems.extend(problems)
        sub = Walker(self.ctx, via, self.depth + 1, self.depth_limit)
        for cmd in commands:
            if outer is not None and (outer.env or outer.redirects):
                cmd = replace(cmd, env=outer.env + cmd.env, redirects=cmd.redirects + outer.redirects)
            sub.emit(cmd)
        return None

    def reparse(self, script: str, outer: SimpleCommand, label: str) -> str | None:
        before = len(self.ctx.out)
        parse_into(script, self.ctx, via=outer.via + (label,), depth=self.depth + 1, depth_limit=self.depth_limit)
        if outer.env or outer.redirects:
            self.ctx.out[before:] = [
                replace(c, env=outer.env + c.env, redirects=c.redirects + outer.redirects) for c in self.ctx.out[before:]
            ]
        return None

    # ---- words

    def _tick(self) -> None:
        if time.perf_counter() > self.ctx.deadline:
            raise OverBudget(f"analysis took longer than {MAX_SECONDS:.1f} s")


def _stage_name(stage: Any) -> str:
    """The program word of a pipeline stage (a plain_sequence tuple or a tree-sitter node), as written."""
    if isinstance(stage, tuple):
        return stage[1][0] if stage[1] else ""
    if stage.type == "redirected_statement":
        stage = stage.child_by_field_name("body") or stage
    name = stage.child_by_field_name("name") if stage.type == "command" else None
    return node_text(name) if name is not None else ""


_FIND_PLAIN = frozenset({"-print", "-print0", "-depth", "-xdev", "-mount", "-follow"})


def _listing(cmd: SimpleCommand) -> str | None:
    """What `ls`/`find` print, as path words, when their options make it a pure function of the operands
    (`ls -d ~` prints ~; `ls` prints the directory's entries, `*`; `find P -maxdepth 0` prints P; `find P
    -mindepth 1` and `find P -type f` print what is below P, P/*). None when a filter that selects (-name,
    -path, -newer, ...) makes it unknown."""
    if cmd.dynamic:
        return None
    args = list(cmd.args)
    if cmd.name == "ls":
        flags = [a for a in args if a.startswith("-") and a != "-"]
        paths = [a for a in args if not (a.startswith("-") and a != "-")]
        if any(a == "--directory" or (not a.startswith("--") and "d" in a) for a in flags):
            return "\n".join(paths or ["."]) + "\n"
        if any(_GLOB.search(p) for p in paths):
            return None
        return "\n".join(p.rstrip("/") + "/*" for p in paths) + "\n" if paths else "*\n"
    i = 0
    while i < len(args) and args[i] in ("-L", "-H", "-P"):
        i += 1
    paths = []
    while i < len(args) and not args[i].startswith(("-", "(", "!")):
        paths.append(args[i])
        i += 1
    mindepth, nul = 0, False
    while i < len(args):
        a = args[i]
        if a in ("-maxdepth", "-mindepth") and i + 1 < len(args) and args[i + 1].isdigit():
            if a == "-mindepth":
                mindepth = int(args[i + 1])
            i += 2
            continue
        if a == "-type" and i + 1 < len(args):  # `-type f` keeps (nearly) everything below P, not P itself
            mindepth = max(mindepth, 1)
            i += 2
            continue
        if a not in _FIND_PLAIN:
            return None
        nul = nul or a == "-print0"
        i += 1
    if mindepth > 1:
        return None
    sep = "\0" if nul else "\n"
    return "".join((p if mindepth == 0 else p.rstrip("/") + "/*") + sep for p in paths or ["."])


_UNSET_VAR = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*")


_GLOB = re.compile(r"(?<!\\)(?:[*?]|\[[^\]/]+\])")


def _unknown_program(head: str, dynamic: bool, name_node: Any) -> str | None:
    """A program name bash only knows at run time, written so the dynamic-program rule sees it (its head starts
    with `$`): an unresolved expansion inside the name (`r${u}m`, `rm$u`, `/bin/r$(true)m`) or an unquoted glob
    (`/bin/r[m]`, `/bin/r?`). None when the name is ordinary (or already starts with `$`)."""
    if head.startswith("$"):
        return None
    base = head.rsplit("/", 1)[-1]
    if dynamic and "$" in base:
        return f"$(unresolved {head})"
    word = name_node.named_children[0] if name_node is not None and name_node.named_child_count == 1 else None
    if word is not None and (word.type == "word" or (word.type == "concatenation" and all(
            c.type == "word" for c in word.children))) and _GLOB.search(node_text(word).rsplit("/", 1)[-1]):  # unquoted
        return f"$(glob {head})"
    return None


def _ends_with_bare_dollar(node: Any) -> bool:
    last = node
    while last.children:
        last = last.children[-1]
    return last.type == "$" and not last.is_named


def _input_file(redirects: tuple[Redirect, ...] | list[Redirect]) -> str | None:
    for r in redirects:
        if r.op in ("<", "0<"):
            return r.target
    return None


_BACKQUOTED = re.compile(r"`((?:[^`\\]|\\.)+)`", re.DOTALL)
