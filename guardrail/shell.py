"""The command model: a Bash command line becomes the simple commands that would run.

Built on tree-sitter-bash. Words get real quote removal; variables assigned earlier on the same
line are substituted; command substitutions, subshells, functions, loops and conditionals are
walked; wrappers (`sudo`, `env`, `xargs`, `find -exec`, `bash -c`, `eval`, `ssh host cmd`,
`docker exec`, ...) are unwrapped recursively. Pure: no I/O, no clock except the work budget.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
from guardrail.base.text import shell_quote
from guardrail.base.record import replace
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any

from guardrail.base import vocab
from guardrail.model import CommandModel, Redirect, SimpleCommand

MAX_SOURCE_CHARS = 100_000
MAX_DEPTH = 8  # nested shells / eval / wrappers
MAX_COMMANDS = 1_000
MAX_SECONDS = 0.5
# A for loop's body is walked once per literal value, up to this many body walks per command line (nested
# loops multiply); past it the call asks. No value is skipped: a dangerous 17th value must not hide.
_MAX_LOOP_WALKS = 512

_PARSER: Any = None


def _parser() -> Any:
    global _PARSER
    if _PARSER is None:
        try:
            ts, bash = _binding("tree_sitter"), _binding("tree_sitter_bash")
        except Exception:  # noqa: BLE001 - unusual layouts: the packages' own imports always work
            import tree_sitter as ts
            import tree_sitter_bash as bash
        _PARSER = ts.Parser(ts.Language(bash.language()))
    return _PARSER


def _binding(package: str) -> Any:
    """Load `<package>._binding`, the C extension, without running the package's __init__.

    Measured with callgrind: `import tree_sitter` pulls in `typing` and `import tree_sitter_bash` pulls in
    importlib.resources (tempfile, shutil, random), together about 1.3x the whole cost of starting Python,
    for nothing the hook uses. The extension modules themselves are self-contained.
    """
    import sys

    name = f"{package}._binding"
    mod = sys.modules.get(name)
    if mod is not None:
        return mod
    import importlib.machinery
    import os

    for entry in sys.path:
        folder = os.path.join(entry or ".", package)
        if not os.path.isdir(folder):
            continue
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(folder, "_binding" + suffix)
            if os.path.isfile(path):
                loader = importlib.machinery.ExtensionFileLoader(name, path)
                spec = importlib.machinery.ModuleSpec(name, loader, origin=path)
                mod = loader.create_module(spec)
                loader.exec_module(mod)
                return mod
    raise ImportError(f"no compiled {name} on sys.path")


class _Budget(Exception):
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
            raise _Budget(f"a variable's value grows past {MAX_VALUE_CHARS:,} characters")
        dict.__setitem__(self, key, value)

    def __getitem__(self, key: str) -> str:
        value = dict.__getitem__(self, key)
        self.expanded += len(value)
        if self.expanded > MAX_EXPANDED_CHARS:
            raise _Budget(f"variable expansions exceed {MAX_EXPANDED_CHARS:,} characters")
        return value


class _Ctx:
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


def parse_command(source: str, *, depth_limit: int = MAX_DEPTH) -> CommandModel:
    """Parse a Bash command line into the simple commands that would run."""
    if len(source) > MAX_SOURCE_CHARS:
        return CommandModel(source=source, over_limit=f"command is {len(source):,} characters (limit {MAX_SOURCE_CHARS:,})")
    ctx = _Ctx(deadline=time.perf_counter() + MAX_SECONDS)
    over_limit = None
    try:
        _parse_into(source, ctx, via=(), depth=0, depth_limit=depth_limit)
    except _Budget as exc:
        over_limit = str(exc)
    except RecursionError:
        over_limit = "command nests too deeply to analyse"
    return CommandModel(source=source, commands=ctx.out, problems=ctx.problems, over_limit=over_limit)


# --------------------------------------------------------------------------- parsing


# An unquoted `$(cat FILE)` or `$(<FILE)` as a for loop's whole word list (a plain file name).
_LOOP_OVER_FILE = r"\$\(\s*(?:cat\s+([\w./~-]+)|<\s*([\w./~-]+))\s*\)\Z"  # compiled on use (re caches it)
_ABOVE_PLANE_2 = re.compile("[\U00030000-\U0010FFFF]")
_BRACE_AT_START = re.compile(r"(?:^|(?<=[\s;&|(]))\{([^{}\s]*,[^{}\s]*)\}(\S*)")


# A line of plain words (these characters only, single spaces, no reserved or declaration word, a program
# name of word characters first) is one simple command whose argv is exactly its words: built directly, it skips
# tree-sitter and the walk (most real command lines are like this). tree-sitter reads some such lines otherwise
# (`a@b`, `==`, a leading `-`), so the rule is narrow: both paths gave identical models for 170,000 such lines
# (corpus, pack tests and random words, wrappers included).
_PLAIN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:,=+- ")
_PLAIN_HEAD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-")
_NOT_PLAIN_WORDS = frozenset({
    "if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until", "do", "done", "in",
    "function", "time", "coproc", "declare", "typeset", "export", "readonly", "local", "unset", "unsetenv", "let",
})


def _plain_words(source: str) -> list[str] | None:
    if not source or source[0] in " -" or source[-1] == " " or "  " in source or "==" in source \
            or " =" in source or not _PLAIN_CHARS.issuperset(source):
        return None
    words = source.split(" ")
    if not _PLAIN_HEAD.issuperset(words[0]) or not _NOT_PLAIN_WORDS.isdisjoint(words):
        return None
    return words


# The second, wider shortcut: plain lines whose words may also be `~`/glob words or whole quoted words
# (`'...'`; `"..."` without `$`, backquote, backslash, `!` or control characters), as simple commands joined by
# ` && `, ` || `, `; ` or ` | `. Whole words only (`a'b'` is a concatenation: left to tree-sitter); a program
# name as in _plain_words. Quote removal there is only stripping the quotes. Verified like _plain_words, on
# the same inputs plus random lines of these pieces and their near misses (tests/test_shell_speedpaths.py).
_SEQ_WORD = r"""(?:[A-Za-z0-9_./:,=+~*?-]+|'[^'\x00-\x08\x0b-\x1f\x7f]*'|"[^"$`\\!\x00-\x1f\x7f]*")"""
_SEQ_PATTERNS = (
    # the line: commands, each followed by a separator and more, or by the end
    (rf"(?:[A-Za-z0-9_./][A-Za-z0-9_./-]*(?: {_SEQ_WORD})*(?:(?: && | \|\| |; | \| )(?=.)|\Z))+", re.DOTALL),
    (r"""'[^']*'|"[^"]*"|&&|\|\||[;|]|[^ '";|&]+""", 0),  # its tokens
    (r" ?(&&|\|\||[;|]) ", 0),  # its separators, when it has no quotes
)
_SEPARATORS = frozenset({"&&", "||", ";", "|"})
_seq_compiled: tuple[re.Pattern[str], ...] = ()  # compiled on first use: plain-word lines never pay for it


def _plain_sequence(source: str) -> list[list[tuple[str, list[str]]]] | None:
    """The pipelines of a line the wider shortcut takes, each a list of (command text, words); else None."""
    global _seq_compiled
    if not _seq_compiled:
        _seq_compiled = tuple(re.compile(p, f) for p, f in _SEQ_PATTERNS)
    line, token, separator = _seq_compiled
    if not line.fullmatch(source) or (not source.isascii() and not _plain_unicode(source)):
        return None
    if "'" in source or '"' in source:
        # (text, words, separator after it) per command, from the tokens: quotes can hold separators
        commands: list[tuple[str, list[str], str]] = []
        raw: list[str] = []
        for tok in token.findall(source):
            if tok in _SEPARATORS:
                commands.append((" ".join(raw), [t[1:-1] if t[0] in "'\"" else t for t in raw], tok))
                raw = []
            elif tok[0] == "=":
                return None  # as below
            else:
                raw.append(tok)
        commands.append((" ".join(raw), [t[1:-1] if t[0] in "'\"" else t for t in raw], ""))
    else:
        if " =" in source:
            return None  # a word starting with `=` (`==` drops out): tree-sitter reads it otherwise
        pieces = separator.split(source)
        pieces.append("")
        commands = [(pieces[i], pieces[i].split(" "), pieces[i + 1]) for i in range(0, len(pieces) - 1, 2)]
    pipelines: list[list[tuple[str, list[str]]]] = []
    stages: list[tuple[str, list[str]]] = []
    for text, words, sep in commands:
        if not _NOT_PLAIN_WORDS.isdisjoint(words):
            return None  # reserved and declaration words (quoted ones too: harmless)
        stages.append((text, words))
        if sep != "|":
            pipelines.append(stages)
            stages = []
    return pipelines


def _plain_unicode(source: str) -> bool:
    """No lone surrogates (the walk sees them as U+FFFD) and nothing _parse_tree replaces."""
    try:
        source.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not _ABOVE_PLANE_2.search(source)


def _parse_into(source: str, ctx: _Ctx, *, via: tuple[str, ...], depth: int, depth_limit: int) -> None:
    if depth > depth_limit:
        raise _Budget(f"nesting deeper than {depth_limit} levels (shells inside shells)")
    words = _plain_words(source)
    if words is not None:
        # what the walk would build for it: no stdin, redirects or expansions; the command node's text
        _Walker(ctx, via, depth, depth_limit).emit(SimpleCommand(argv=tuple(words), via=via, text=source[:500]))
        return
    pipelines = _plain_sequence(source)
    if pipelines is not None:
        walker = _Walker(ctx, via, depth, depth_limit)
        for stages in pipelines:
            if len(stages) == 1:
                text, argv = stages[0]
                walker.emit(SimpleCommand(argv=tuple(argv), via=via, text=text[:500]))
            else:
                walker.pipeline(stages, None, run=walker.plain_stage)
        return
    _parse_tree(source, ctx, via=via, depth=depth, depth_limit=depth_limit)


def _parse_tree(source: str, ctx: _Ctx, *, via: tuple[str, ...], depth: int, depth_limit: int) -> None:
    if not source.isascii() and _ABOVE_PLANE_2.search(source):
        # tree-sitter-bash 0.25 can segfault on `{` followed by code points above U+2FFFF (found by
        # fuzzing), and a crashed hook is no decision. No shell syntax uses them: replace, and say so.
        source = _ABOVE_PLANE_2.sub("\ufffd", source)
        ctx.problems.append("characters above U+2FFFF were replaced before parsing")
    data = source.encode("utf-8", "surrogatepass")
    root = _parser().parse(data).root_node
    if not root.has_error:
        if _may_misread(data):
            root = _repair(root, data)
    else:
        # Brace expansion in command position (`{r,}m -rf /`) is a syntax error to tree-sitter;
        # expand it textually and try once more before giving up on exactness.
        expanded = _BRACE_AT_START.sub(lambda m: " ".join(_expand_braces("{" + m.group(1) + "}" + m.group(2))), source)
        if expanded != source:
            retry = _parse_bytes(expanded.encode("utf-8", "surrogatepass"))
            if not retry.has_error:
                root = retry
        if root.has_error and "<>" in source:
            # `N<>file` opens the file for reading and writing; the grammar does not know the operator. Read it
            # as a write (`>`), which is what the rules must see (`cat 1<>/dev/sdb` writes the disk).
            retry = _parse_bytes(source.replace("<>", ">").encode("utf-8", "surrogatepass"))
            if not retry.has_error:
                root = retry
        if root.has_error:
            ctx.problems.append("shell syntax error: parts of the command could not be parsed")
    _Walker(ctx, via, depth, depth_limit).statements(root, stdin=None)


def _parse_bytes(data: bytes) -> Any:
    root = _parser().parse(data).root_node
    return root if root.has_error or not _may_misread(data) else _repair(root, data)


def _may_misread(data: bytes) -> bool:
    """Whether _repair has anything to look for (one regex scan: most lines have none of these)."""
    if _MISREAD_HINT.search(data) is None:
        return False
    return (b"\n" in data and (b"|" in data or b"\\\n" in data)) or b"==" in data or b"=~" in data \
        or _DOLLAR_BLANK.search(data) is not None


_MISREAD_HINT = re.compile(rb"\n|==|=~|\$[ \t]")
_DOLLAR_BLANK = re.compile(rb"\$[ \t\n]")
# Nodes a bare newline cannot be inside (a newline in a gap between their children is not a line continuation).
_NO_NEWLINE_NODES = frozenset({"command", "command_name", "file_redirect", "herestring_redirect", "concatenation",
                               "variable_assignment", "declaration_command", "unset_command"})


def _repair(root: Any, data: bytes) -> Any:
    r"""Fix misreadings of tree-sitter-bash 0.25 by editing the line into one bash reads the same and parsing
    again (trees with syntax errors are left alone: that is already reported).

    - An unquoted newline ends a simple command, but the grammar sometimes reads on past it: in
      `a | b | c<newline>rm -rf ~ >/dev/null` the last stage becomes `c rm -rf ~`, and in `a | b | c > f<newline>d`
      the redirect swallows `d`. Where such a node spans a bare newline, a `;` goes before the newline (before
      the comment, when one ends the line). `a<newline>\<newline>rm -rf ~` (a line continuation opening the next
      line) reads as `a rm -rf ~` too. Only lines with a pipe or a line continuation are checked: 40,000 random
      multi-line lines with neither (lists, redirects, compounds, heredocs, comments) showed no such node.
    - `==` / `=~` in a plain command start a `[[ ]]`-style regex that runs on to the next `]]`, over `;`, `&&`
      and newlines: `ls == x; rm -rf ~ #]]` hides the rm. Outside `[[ ]]` they are ordinary words: quoted.
    - A `$` before a blank is a literal `$`, but the grammar reads `$ $` as a variable named ` $`, so that in
      `"$ $(rm -rf ~)"` the substitution is lost: escaped.
    - bash removes a backslash-newline (a line continuation) before it reads words, except inside single
      quotes, `$'...'`, comments and quoted-delimiter heredocs; the grammar keeps some inside words, so that
      `r\<newline>m -rf ~`, `git reset --h\<newline>ard` and `"$\<newline>(rm -rf ~)"` hid what runs: removed.
    """
    for _ in range(8):  # each pass can reveal more (the parse after an edit differs); 8 is plenty
        edits: list[tuple[int, int, bytes]] = []
        i = data.find(b"\n") if b"|" in data or b"\\\n" in data else -1
        while i >= 0:
            slashes = 0
            while i - slashes > 0 and data[i - slashes - 1] == 0x5C:
                slashes += 1
            if slashes % 2 == 0:  # not a line continuation
                node = root.descendant_for_byte_range(i, i + 1)
                if node is not None and node.type in _NO_NEWLINE_NODES:
                    before = root.descendant_for_byte_range(i - 1, i) if i else None
                    at = before.start_byte if before is not None and before.type == "comment" else i
                    edits.append((at, at, b";"))
            i = data.find(b"\n", i + 1)
        for op in (b"==", b"=~"):
            i = data.find(op)
            while i >= 0:
                node = root.descendant_for_byte_range(i, i + 2)
                if node is not None and not node.is_named and node.type == op.decode() and node.parent is not None \
                        and node.parent.type == "command":
                    edits.append((i, i + 2, b'"' + op + b'"'))
                i = data.find(op, i + 2)
        i = data.find(b"\\\n")
        while i >= 0:
            slashes = 0
            while i - slashes > 0 and data[i - slashes - 1] == 0x5C:
                slashes += 1
            if slashes % 2 == 0 and _continues_line(root.descendant_for_byte_range(i, i + 1)):
                edits.append((i, i + 2, b""))
            i = data.find(b"\\\n", i + 2)
        for m in _DOLLAR_BLANK.finditer(data):
            node = root.descendant_for_byte_range(m.start(), m.start() + 1)
            if node is not None and node.type == "$" and node.parent is not None \
                    and node.parent.type == "simple_expansion":
                edits.append((m.start(), m.start() + 1, b"\\$"))
        if not edits:
            return root
        for start, end, text in sorted(edits, reverse=True):
            data = data[:start] + text + data[end:]
        root = _parser().parse(data).root_node
        if root.has_error:
            return root  # the caller reports the syntax error
    return root


_LITERAL_BACKSLASH_NODES = frozenset({"raw_string", "ansi_c_string", "comment"})


def _continues_line(node: Any) -> bool:
    """Whether bash treats a backslash-newline at `node` as a line continuation (and removes it)."""
    while node is not None:
        if node.type in _LITERAL_BACKSLASH_NODES:
            return False
        if node.type == "heredoc_body":
            start = next((c for c in node.parent.children if c.type == "heredoc_start"), None) \
                if node.parent is not None else None
            return start is None or not any(q in _text(start) for q in ("'", '"', "\\"))
        node = node.parent
    return True


def _text(node: Any) -> str:
    return node.text.decode("utf-8", "replace")


class _Stdin:
    """What flows into a command's stdin."""

    __slots__ = ("file", "producer", "text")

    def __init__(self, text: str | None = None, file: str | None = None, producer: str | None = None) -> None:
        self.text, self.file, self.producer = text, file, producer


class _Walker:
    def __init__(self, ctx: _Ctx, via: tuple[str, ...], depth: int, depth_limit: int) -> None:
        self.ctx = ctx
        self.via = via
        self.depth = depth
        self.depth_limit = depth_limit

    # ---- statements

    def statements(self, node: Any, stdin: _Stdin | None) -> str | None:
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
                        self.ctx.namerefs[_text(name_node)] = self.ctx.vars.get(_text(name_node), "")
                else:
                    self.words_of(child)  # substitutions in `export X=$(...)` still run
                    nameref = nameref or (child.type == "word" and _text(child)[:1] == "-" and "n" in _text(child))
            return None
        if t == "function_definition":
            name_node = node.child_by_field_name("name")
            body = node.child_by_field_name("body")
            if name_node is not None and body is not None:
                self.ctx.functions[_text(name_node)] = body
                for child in node.named_children:
                    if child.type == "file_redirect":  # `f() {...} 2>$(cmd)`: expanded on every call
                        self.scan_substitutions(child)
                if _text(name_node) == "command_not_found_handle":
                    # bash runs it for any command it cannot find: walked once, as if one were missing
                    _Walker(self.ctx, self.via + ("function command_not_found_handle",), self.depth,
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
        name = _text(var) if var is not None else ""
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
            listed = re.match(_LOOP_OVER_FILE, self.loop_list_text(node, var)) if kind == "for_statement" and name \
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
        if self.ctx.loop_walks > _MAX_LOOP_WALKS:
            # padding with loops must not make a later loop's variable unknown: past the bound, ask
            raise _Budget(f"loops would run their bodies more than {_MAX_LOOP_WALKS} times")
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
        return " ".join(_text(c) for c in words)

    def pipeline(self, stages: list[Any], stdin: _Stdin | None, run: Any = None) -> str | None:
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
                elif producer in ("echo", "printf") and consumer in SHELLS and produced[-1].dynamic \
                        and not any("$(" in a or "`" in a for a in produced[-1].args):
                    # `echo "rm -rf $HOME" | sh`: the shell expands the unknown variables itself
                    out = _literal_output(replace(produced[-1], dynamic=False))
            flow = _Stdin(text=out, file=file, producer=producer)
            if i == len(stages) - 1:
                break
        return out

    def pipeline_then(self, head: list[Any], node: Any, stdin: _Stdin | None) -> str | None:
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

    def plain_stage(self, stage: tuple[str, list[str]], stdin: _Stdin | None) -> str | None:
        """A pipeline stage from _plain_sequence: the command statements() would build for it."""
        self._tick()
        text, argv = stage
        if stdin is None:
            return self.emit(SimpleCommand(argv=tuple(argv), via=self.via, text=text[:500]))
        cmd = SimpleCommand(argv=tuple(argv), stdin_text=stdin.text, stdin_file=stdin.file,
                            stdin_from=stdin.producer if stdin.text is None else None, via=self.via, text=text[:500])
        return self.emit(cmd)

    def redirected(self, node: Any, stdin: _Stdin | None) -> str | None:
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
            return None
        if body.type == "command":
            out = self.command(body, stdin, tuple(redirects), heredoc, tail)
        else:
            before = len(self.ctx.out)
            inner_stdin = _Stdin(text=heredoc) if heredoc is not None else stdin
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
                out = self.pipeline(stages, _Stdin(text=out, producer=self.ctx.out[-1].name if self.ctx.out else None))
            elif piped:
                out = self.statements(item, _Stdin(text=out, producer=self.ctx.out[-1].name if self.ctx.out else None))
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
                quoted = any(q in _text(child) for q in "'\"\\")
            elif t == "heredoc_body":
                body = _text(child) if quoted else self.expand_heredoc(child)
            elif t in ("|", "&&", "||", ";", "&"):
                rest.append(t)
            elif child.is_named and t not in ("heredoc_end", "file_redirect"):
                rest.append(child)
        return body, rest

    def expand_heredoc(self, node: Any) -> str:
        # Unquoted heredocs expand variables and run substitutions.
        raw = _text(node)
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
            _parse_into(_unescape_unquoted(m.group(1)), self.ctx, via=self.via + ("$()",), depth=self.depth + 1,
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
                fd = _text(child)
            elif not child.is_named:
                op += _text(child)
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
            name = _text(name_node.named_children[0]) if name_node.named_children else _text(name_node)
            if value_node is not None:
                self.word(value_node, split=False)
            self.ctx.dynamic_vars.add(name)
            return
        name = _text(name_node)
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

    def command(self, node: Any, stdin: _Stdin | None, redirects: tuple[Redirect, ...], heredoc: str | None,
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
                    env.append((_text(name_node), value))
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
                    fields, dyn = self.rejoin_dollar(argv.pop(), _text(child))
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
            stdin_file=stdin_file, stdin_from=stdin_from, via=self.via, dynamic=dynamic, text=_text(node)[:500],
        )
        out = self.emit(cmd)
        written = out if out is not None or cmd.name != "tee" else cmd.stdin_text  # (`>(...)` makes tee dynamic)
        if self.ctx.writers and written:
            # `echo X > >(sh)`, `tee >(sh) <<< X`: the `>(...)` commands read what this command writes
            for word in (*cmd.args, *(r.target for r in all_redirects)):
                proc = self.ctx.writers.get(word)
                if proc is not None:
                    sub = _Walker(self.ctx, self.via + (">()",), self.depth, self.depth_limit)
                    for child in proc.named_children:
                        sub.statements(child, _Stdin(text=written))
        return out

    def leaf_fields(self, node: Any, t: str) -> list[str]:
        """words() for a `word`, `raw_string` or `number` node, without the generic dispatch."""
        self._tick()
        if t == "raw_string":
            return [_text(node)[1:-1]]
        value = _unescape_unquoted(_text(node))
        return _expand_braces(value) if t == "word" and "{" in value else [value]

    def rejoin_dollar(self, head: str, word: str) -> tuple[list[str], bool]:
        """tree-sitter-bash splits `rm$IFS-rf$IFS/` after the second `$` (argv `rm`, `-rf$`, `IFS/`): glue the
        dangling `$` back to the variable name that starts the next word and expand it."""
        m = re.match(r"[A-Za-z_][A-Za-z0-9_]*", word)
        if not head.endswith("$") or not m:
            return [head, word], False
        name, rest = m.group(0), word[m.end():]
        if name == "IFS":
            value, dynamic, split = self.ctx.vars.get("IFS", " "), False, True
        elif name in self.ctx.vars:
            value, dynamic, split = self.ctx.vars[name], name in self.ctx.dynamic_vars, True
        else:
            value, dynamic, split = f"${name}", True, False
        text = head[:-1] + value + _unescape_unquoted(rest)
        return (self.split_fields(text) if split else [text]), dynamic

    def split_fields(self, value: str) -> list[str]:
        """Field splitting by $IFS: whitespace by default, or the characters of an IFS set on this line."""
        ifs = self.ctx.vars.get("IFS")
        if ifs is None or "IFS" in self.ctx.dynamic_vars:
            return value.split()
        if ifs == "":
            return [value]
        return [f for f in re.split("[" + re.escape(ifs) + "]+", value) if f]

    def emit(self, cmd: SimpleCommand) -> str | None:
        """Record a command after resolving aliases, functions and wrappers; return its literal stdout."""
        self._tick()
        ctx = self.ctx
        if len(ctx.out) >= MAX_COMMANDS:
            raise _Budget(f"more than {MAX_COMMANDS} commands")
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
                sub = _Walker(ctx, self.via + (f"function {name}",), self.depth + 1, self.depth_limit)
                if self.depth + 1 > self.depth_limit:
                    raise _Budget(f"nesting deeper than {self.depth_limit} levels")
                saved = self.bind_positionals(list(cmd.args))  # `f() { rm -rf "$1"; }; f ~`
                try:
                    return sub.statements(ctx.functions[name], None)
                finally:
                    self.restore_positionals(saved)
            finally:
                ctx.calls_in_progress.discard(name)
        if name in _STATE_BUILTINS:
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
        if name in _SCRIPT_READERS and (ctx.procsubs or cmd.stdin_text is not None or ctx.exec_stdin is not None):
            how = self.script_source(cmd)
            if how is not None:
                return self.follow(cmd, how)
        unwrapped = _unwrap(cmd)
        if unwrapped is not None:
            return self.follow(cmd, unwrapped)
        ctx.out.append(cmd)
        return _literal_output(cmd)

    def script_source(self, cmd: SimpleCommand) -> tuple[str, Any] | None:
        """A shell or `source` whose script is its stdin by name (`bash /dev/stdin <<< ...`) or a process
        substitution with known output (`source <(echo ...)`, `bash < <(echo ...)`)."""
        operand = None
        for a in cmd.args:
            if cmd.name in ("source", ".") or not a.startswith(("-", "+")) or a == "-":
                operand = a
                break
            if a in ("-c", "-o", "+o", "-O", "+O", "--rcfile", "--init-file") or (a[1:2] != "-" and "c" in a):
                return None  # `-c SCRIPT` is _unwrap's; option values are not the script
        if operand in ("/dev/stdin", "/dev/fd/0", "/proc/self/fd/0", "-") and cmd.stdin_text is not None:
            return ("shell", (f"{cmd.name} /dev/stdin", cmd.stdin_text))
        if operand is not None and operand in self.ctx.procsubs:
            return ("record_and_shell", (f"{cmd.name} <()", self.ctx.procsubs[operand]))
        if operand is None and cmd.stdin_text is None and cmd.stdin_file in self.ctx.procsubs:
            return ("shell", (f"{cmd.name} <stdin", self.ctx.procsubs[cmd.stdin_file]))
        if operand is None and cmd.stdin_text is None and cmd.stdin_file is None and cmd.stdin_from is None \
                and self.ctx.exec_stdin is not None:
            return ("shell", (f"{cmd.name} <stdin", self.ctx.exec_stdin))
        return None

    def bind_positionals(self, args: list[str], zero: str | None = None) -> dict[str, str | None]:
        """Set $1.., $@, $*, $# (and $0) to args; returns what to restore_positionals afterwards."""
        ctx = self.ctx
        saved = {k: ctx.vars.get(k) for k in _POSITIONAL_KEYS}
        saved.update({"!dyn:" + k: "1" if k in ctx.dynamic_vars else None for k in _POSITIONAL_KEYS})
        for k in _POSITIONAL_KEYS:
            ctx.vars.pop(k, None)
            ctx.dynamic_vars.discard(k)
        for n, a in enumerate(args[:9], 1):
            ctx.vars[str(n)] = a
        ctx.vars["@"] = ctx.vars["*"] = " ".join(args)
        ctx.vars["#"] = str(len(args))
        if zero is not None:
            ctx.vars["0"] = zero
        return saved

    def restore_positionals(self, saved: dict[str, str | None]) -> None:
        ctx = self.ctx
        for k in _POSITIONAL_KEYS:
            old = saved[k]
            if old is None:
                ctx.vars.pop(k, None)
            else:
                ctx.vars[k] = old
            if saved["!dyn:" + k]:
                ctx.dynamic_vars.add(k)
            else:
                ctx.dynamic_vars.discard(k)

    def builtin_state(self, cmd: SimpleCommand) -> None:
        """Builtins that set what later words expand to: `set -- a b`, `read x <<< text`, `printf -v x`,
        `hash -p /bin/rm ls` (ls now runs rm)."""
        name, args, ctx = cmd.name, list(cmd.args), self.ctx
        if name == "exec":
            if not args or (args == ["0"] and cmd.stdin_file):  # (the grammar reads `exec 0< f`'s fd as a word)
                text = cmd.stdin_text if cmd.stdin_text is not None else ctx.procsubs.get(cmd.stdin_file or "")
                ctx.exec_stdin = text if text is not None else ctx.exec_stdin
        elif name == "set":
            if args[:1] == ["--"]:
                self.bind_positionals(args[1:])
        elif name == "hash":
            if len(args) >= 3 and args[0] == "-p":
                ctx.aliases[args[2]] = shell_quote(args[1])
        elif name == "printf":
            if len(args) >= 3 and args[0] == "-v":
                out = _literal_output(replace(cmd, argv=("printf", *args[2:])))
                ctx.vars[args[1]] = out if out is not None else f"$(printf {args[2][:40]})"
                (ctx.dynamic_vars.discard if out is not None else ctx.dynamic_vars.add)(args[1])
        else:  # read [-r] [-a ARRAY] [-d D] [-p P] ... NAME...
            names: list[str] = []
            array = None
            i = 0
            while i < len(args):
                a = args[i]
                if a.startswith("-") and len(a) > 1:
                    for k, ch in enumerate(a[1:], 1):
                        if ch in "adinNptu":
                            value = a[k + 1:] or (args[i + 1] if i + 1 < len(args) else "")
                            i += 0 if a[k + 1:] else 1
                            if ch == "a":
                                array = value
                            break
                    i += 1
                    continue
                names.append(a)
                i += 1
            targets = ([array] if array else []) + (names or ([] if array else ["REPLY"]))
            text = cmd.stdin_text
            if text is None:
                for t in targets:
                    ctx.dynamic_vars.add(t)
                    ctx.vars.pop(t, None)
                return
            line = text.split("\n", 1)[0]
            ifs = dict(cmd.env).get("IFS", ctx.vars.get("IFS", " \t\n"))
            fields = [f for f in re.split("[" + re.escape(ifs or " ") + "]+", line) if f] if ifs else [line]
            if array:
                ctx.vars[array] = " ".join(fields)
                ctx.dynamic_vars.discard(array)
            else:
                for n, t in enumerate(targets):
                    ctx.vars[t] = " ".join(fields[n:]) if n == len(targets) - 1 else (fields[n] if n < len(fields) else "")
                    ctx.dynamic_vars.discard(t)

    def git_alias(self, cmd: SimpleCommand) -> tuple[str, Any] | None:
        """How to run a git alias defined on this line (`git -c alias.x='reset --hard' x`, or `git config alias.x
        '!sh-cmd'` earlier): git runs the expansion, so the model records that instead. None when there is
        nothing to expand (the command is then recorded as it is)."""
        if not self.ctx.git_aliases and "alias." not in " ".join(cmd.args):
            return None  # no alias defined before or in this command (the common case: skip the scan)
        args = list(cmd.args)
        inline: dict[str, str] = {}
        i = 0
        while i < len(args) and args[i].startswith("-"):
            a = args[i]
            if a in ("-c", "-C", "--git-dir", "--work-tree", "--namespace", "--config-env") and i + 1 < len(args):
                if a == "-c" and args[i + 1].startswith("alias.") and "=" in args[i + 1]:
                    key, value = args[i + 1][6:].split("=", 1)
                    inline[key] = value
                i += 2
                continue
            i += 1
        if i >= len(args):
            return None
        sub, rest = args[i], args[i + 1:]
        if sub == "config":
            keys = [a for a in rest if not a.startswith("-")]
            if keys[:1] == ["set"]:
                keys = keys[1:]
            if len(keys) >= 2 and keys[0].startswith("alias.") and not any(
                    a in ("--unset", "--unset-all", "--get", "--get-all", "--remove-section") for a in rest):
                self.ctx.git_aliases[keys[0][6:]] = keys[1]
            return None
        value = inline.get(sub, self.ctx.git_aliases.get(sub))
        label = f"git alias {sub}"
        # git never lets an alias shadow a built-in command, so `-c alias.push=status push` still pushes
        if value is None or sub in _GIT_BUILTINS or label in self.ctx.calls_in_progress:
            return None
        if value.startswith("!"):  # a shell alias: git runs `sh -c '<value> "$@"'`
            return ("shell", (label, value[1:] + "".join(" " + shell_quote(a) for a in rest)))
        import shlex

        try:
            words = shlex.split(value)
        except ValueError:
            words = value.split()
        return ("argv", (label, [cmd.argv[0], *args[:i], *words, *rest], []))

    def follow(self, outer: SimpleCommand, how: tuple[str, Any]) -> str | None:
        kind, value = how
        if kind == "argv":
            label, inner_argv, extra_env = value
            if not inner_argv:
                self.ctx.out.append(outer)
                return None
            if self.depth + 1 > self.depth_limit:
                raise _Budget(f"nesting deeper than {self.depth_limit} levels of wrappers")
            inner = replace(outer, argv=tuple(inner_argv), env=outer.env + tuple(extra_env),
                            via=outer.via + (label,))
            sub = _Walker(self.ctx, inner.via, self.depth + 1, self.depth_limit)
            return sub.emit(inner)
        if kind == "shell":
            label, script = value
            return self.reparse(script, outer, label)
        if kind == "find":
            # find itself is recorded (for -delete); each -exec command runs per file found.
            self.ctx.out.append(outer)
            for label, argv in value:
                inner = replace(outer, argv=tuple(argv), via=outer.via + (label,), stdin_text=None, stdin_file=None)
                _Walker(self.ctx, inner.via, self.depth + 1, self.depth_limit).emit(inner)
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
        if kind == "record_and_shell":
            # ssh host 'cmd', watch 'cmd': keep the outer (for host-aware rules) and walk the inner.
            label, script = value
            self.ctx.out.append(outer)
            return self.reparse(script, outer, label)
        raise AssertionError(kind)

    def reparse(self, script: str, outer: SimpleCommand, label: str) -> str | None:
        before = len(self.ctx.out)
        _parse_into(script, self.ctx, via=outer.via + (label,), depth=self.depth + 1, depth_limit=self.depth_limit)
        if outer.env or outer.redirects:
            self.ctx.out[before:] = [
                replace(c, env=outer.env + c.env, redirects=c.redirects + outer.redirects) for c in self.ctx.out[before:]
            ]
        return None

    # ---- words

    def words(self, node: Any) -> tuple[list[str], bool]:
        if node.type == "command_name" and node.named_children:
            node = node.named_children[0]
        value, dynamic, split = self._word(node, quoted=False)
        fields = self.split_fields(value) if split else [value]
        out: list[str] = []
        for f in fields:
            out.extend(_expand_braces(f) if "{" in f and node.type in ("word", "concatenation") else [f])
        return out, dynamic

    def word(self, node: Any, split: bool = True) -> tuple[str, bool]:
        value, dynamic, _ = self._word(node, quoted=not split)
        return value, dynamic

    def words_of(self, node: Any) -> None:
        self.words(node)

    def scan_substitutions(self, node: Any) -> None:
        for child in node.named_children:
            if child.type in ("command_substitution", "process_substitution"):
                self._word(child, quoted=True)
            else:
                self.scan_substitutions(child)

    def _word(self, node: Any, quoted: bool) -> tuple[str, bool, bool]:
        """Returns (value, dynamic, needs_field_splitting)."""
        self._tick()
        t = node.type
        if t == "word" or t == "number":
            return _unescape_unquoted(_text(node)), False, False
        if t == "raw_string":
            return _text(node)[1:-1], False, False
        if t == "ansi_c_string":  # bash cuts the string at a NUL (`$'\x00'rm` is `rm`)
            return _ansi_c(_text(node)[2:-1]).split("\x00", 1)[0], False, False
        if t in ("string", "translated_string"):
            # The text between the quotes comes from the source: tree-sitter splits string_content at newlines
            # and gives whitespace-only or a lone `$` no string_content at all, so joining those drops text.
            src = node.text
            base = node.start_byte
            pos = 2 if src[:2] == b'$"' else 1 if src[:1] == b'"' else 0
            end = len(src)
            if end > pos and src[-1] == 0x22:  # the closing quote (unless tree-sitter had to assume it: `"a\"`)
                last = node.child(node.child_count - 1) if src[-2] == 0x5C else None
                if last is None or (last.type == '"' and not last.is_missing):
                    end -= 1
            parts: list[str] = []
            dynamic = False
            kids = node.named_children
            if len(kids) == 1 and kids[0].type in ("simple_expansion", "expansion") and src[pos:end] == kids[0].text:
                # `"$@"`, `"${a[@]}"`: one field per element (the expansion says whether to split)
                return self._word(kids[0], quoted=True)
            for child in kids:
                if child.type == "string_content":
                    continue
                start = child.start_byte - base
                if src[start] in b" \t\n\\":  # tokens take in the blanks and line continuations before them
                    start = _LEADING_EXTRAS.match(src, start).end()
                if src[start:start + 2] == b"$`":  # `"$`cmd`"`: a literal `$`, then the substitution
                    start += 1
                parts.append(_unescape_double(src[pos:start].decode("utf-8", "replace")))
                v, d, _ = self._word(child, quoted=True)
                parts.append(v)
                dynamic = dynamic or d
                pos = child.end_byte - base
            parts.append(_unescape_double(src[pos:end].decode("utf-8", "replace")))
            return "".join(parts), dynamic, False
        if t == "concatenation":
            parts = []
            dynamic = split = False
            for child in node.children:
                if not child.is_named:
                    parts.append(_unescape_unquoted(_text(child)))
                    continue
                v, d, s = self._word(child, quoted)
                parts.append(v)
                dynamic = dynamic or d
                split = split or s
            return "".join(parts), dynamic, split
        if t in ("simple_expansion", "expansion"):
            return self._expansion(node, quoted)
        if t in ("command_substitution", "process_substitution"):
            before = len(self.ctx.out)
            sub = _Walker(self.ctx, self.via + ("$()" if t == "command_substitution" else "<()",), self.depth, self.depth_limit)
            out: str | None = None
            for child in node.named_children:
                out = sub.statements(child, None)
            del before
            if t == "command_substitution" and out is not None:
                return out.rstrip("\n"), False, not quoted
            word = "$(" + _text(node)[2:-1][:60] + ")"
            if out is not None and t == "process_substitution" and _text(node)[:1] == "<":
                self.ctx.procsubs[word] = out  # `bash <(echo ...)`, `source <(printf ...)` read it as a script
            elif t == "process_substitution" and _text(node)[:1] == ">":
                self.ctx.writers[word] = node  # walked again with the writer's output (see command())
            return word, True, False
        if t == "arithmetic_expansion":
            self.scan_substitutions(node)
            return _text(node), True, False
        if t == "brace_expression":
            return _text(node), False, False
        if t == "array":  # `a=(rm -rf ~)`: the elements, as "${a[@]}" gives them (substitutions in them run)
            fields: list[str] = []
            dynamic = False
            for child in node.named_children:
                if child.type != "comment":
                    f, d = self.words(child)
                    fields.extend(f)
                    dynamic = dynamic or d
            return " ".join(fields), dynamic, False
        # array, regex, etc.: keep the raw text
        return _text(node), False, False

    def _expansion(self, node: Any, quoted: bool) -> tuple[str, bool, bool]:
        name = ""
        kids = node.named_children
        for child in kids:
            if child.type in ("variable_name", "special_variable_name"):
                name = _text(child)
                break
            if child.type == "subscript":  # `${a[@]}`, `${a[0]}`, `${x[$(cmd)]}`
                name = _text(child.named_children[0]) if child.named_children else ""
                break
        raw = _text(node)
        if raw[:1] != "$":  # in a "...", the node can start with the blanks and line continuations before it
            raw = raw[_LEADING_EXTRAS.match(raw.encode()).end():]
        if name == "IFS":
            return self.ctx.vars.get("IFS", " "), False, not quoted
        if self.ctx.namerefs and name in self.ctx.namerefs and raw in (f"${name}", f"${{{name}}}"):
            name = self.ctx.namerefs[name]
            raw = f"${name}"
        if name and name in self.ctx.vars and raw in (f"${name}", f"${{{name}}}"):
            # `"$@"` is one field per positional parameter: split even when quoted
            return self.ctx.vars[name], name in self.ctx.dynamic_vars, not quoted or name == "@"
        if node.type == "expansion" and raw != f"${{{name}}}":
            return self._expansion_operator(node, name, raw, quoted)
        # Unknown variables stay visible as `$NAME` so rules can see an unset-variable path.
        return (f"${name}" if name else raw), True, False

    def _expansion_operator(self, node: Any, name: str, raw: str, quoted: bool) -> tuple[str, bool, bool]:
        """`${X:-default}`, `${X:=v}`, `${a[@]}`, `${!ref}`, `${x/$(cmd)/}`: substitutions anywhere inside run
        (walked here); an unset variable's default is the likely value; arrays and indirection resolve when known."""
        op = ""
        seen_name = False
        after: list[tuple[str, bool]] = []
        for child in node.children:
            t = child.type
            if not seen_name:
                seen_name = t in ("variable_name", "special_variable_name", "subscript")
                if t == "subscript":
                    self.scan_substitutions(child)
                continue
            if not child.is_named:
                if t != "}" and not op:
                    op = t
                elif t != "}":
                    after.append((_text(child), False))
                continue
            v, d, _ = self._word(child, quoted=True)
            if "`" in v and child.type == "word":
                self.backquotes(v)
                d = True
            after.append((v, d))
        ctx = self.ctx
        if raw.startswith("${!") and name in ctx.vars and not op:
            target = ctx.vars[name]
            if target in ctx.vars and name not in ctx.dynamic_vars:
                return ctx.vars[target], target in ctx.dynamic_vars, not quoted
        if not op and name in ctx.vars and re.fullmatch(r"\$\{[A-Za-z_][A-Za-z0-9_]*\[[@*]\]\}", raw):
            return ctx.vars[name], name in ctx.dynamic_vars, not quoted or raw.endswith("@]}")
        if op in (":-", "-", ":=", "=") and not raw.startswith(("${!", "${#")):
            unset = name not in ctx.vars or (op[0] == ":" and ctx.vars[name] == "")
            if unset and after:
                value = "".join(v for v, _ in after)
                if op in (":=", "=") and name:
                    ctx.vars[name] = value
                    ctx.dynamic_vars.add(name)
                # the variable may be set in the environment: the value is a guess, so it stays dynamic
                return value, True, not quoted
            if not unset:
                return ctx.vars[name], name in ctx.dynamic_vars, not quoted
        return (f"${name}" if name else raw), True, False

    def _tick(self) -> None:
        if time.perf_counter() > self.ctx.deadline:
            raise _Budget(f"analysis took longer than {MAX_SECONDS:.1f} s")


# --------------------------------------------------------------------------- helpers

def _stage_name(stage: Any) -> str:
    """The program word of a pipeline stage (a _plain_sequence tuple or a tree-sitter node), as written."""
    if isinstance(stage, tuple):
        return stage[1][0] if stage[1] else ""
    if stage.type == "redirected_statement":
        stage = stage.child_by_field_name("body") or stage
    name = stage.child_by_field_name("name") if stage.type == "command" else None
    return _text(name) if name is not None else ""


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
_STATE_BUILTINS = frozenset({"set", "read", "printf", "hash", "exec"})
_POSITIONAL_KEYS = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "@", "*", "#")


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
            c.type == "word" for c in word.children))) and _GLOB.search(_text(word).rsplit("/", 1)[-1]):  # unquoted
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


_LEADING_EXTRAS = re.compile(rb"(?:[ \t\n]|\\\n)*")
_BACKQUOTED = re.compile(r"`((?:[^`\\]|\\.)+)`", re.DOTALL)
_UNQUOTED_ESCAPE = re.compile(r"\\(.)", re.S)


def _unescape_unquoted(s: str) -> str:
    if "\\" not in s:
        return s
    return _UNQUOTED_ESCAPE.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), s)


_DOUBLE_ESCAPE = re.compile(r'\\([$`"\\\n])')


def _unescape_double(s: str) -> str:
    if "\\" not in s:
        return s
    return _DOUBLE_ESCAPE.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), s)


_ANSI = re.compile(r"\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|c.|.)", re.S)
_ANSI_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b",
                "f": "\f", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


def _ansi_c(s: str) -> str:
    def sub(m: re.Match[str]) -> str:
        e = m.group(1)
        if e[0] in "xuU":
            try:
                return chr(int(e[1:], 16))
            except ValueError:
                return m.group(0)
        if e[0] in "01234567":
            return chr(int(e, 8) & 0xFF)
        return _ANSI_SIMPLE.get(e, "\\" + e)

    return _ANSI.sub(sub, s)


def _expand_braces(word: str, limit: int = 64) -> list[str]:
    """Bash brace expansion for `{a,b}` lists (not sequences), bounded."""
    m = re.search(r"\{([^{}]*,[^{}]*)\}", word)
    if not m:
        return [word]
    head, tail = word[: m.start()], word[m.end():]
    out: list[str] = []
    for alt in m.group(1).split(","):
        for rest in _expand_braces(head + alt + tail, limit):
            out.append(rest)
            if len(out) >= limit:
                return out
    return out




# the ones _literal_output knows (filters only when their stdin is known text)
_LITERAL_PROGRAMS = frozenset({"echo", "printf", "cat", "base64", "base32", "xxd", "rev", "tee", "head", "tail", "tr",
                               "grep", "openssl", "python", "python3"})


def _literal_output(cmd: SimpleCommand) -> str | None:
    """The stdout of a command whose output is a pure function of its words and stdin."""
    name = cmd.name
    if cmd.dynamic or name not in _LITERAL_PROGRAMS:
        return None
    args = list(cmd.args)
    if name == "echo":
        interpret = False
        newline = True
        while args and re.fullmatch(r"-[neE]+", args[0]):
            interpret = interpret or "e" in args[0]
            newline = newline and "n" not in args[0]
            args.pop(0)
        text = " ".join(args)
        return (_ansi_c(text) if interpret else text) + ("\n" if newline else "")
    if name == "printf" and args:
        if args[0] == "-v":
            return ""  # `printf -v VAR ...` assigns instead of printing
        if args[0] == "--":
            args = args[1:]
        return _printf(args[0], args[1:]) if args else None
    text = cmd.stdin_text
    if text is None:
        return None
    if name == "cat":
        return text if all(a == "-" for a in args) else None
    if name == "tee":  # copies stdin to its files and to stdout
        return text
    if name in ("python", "python3"):  # `python3 -m base64 -d`: the standard library's decoder
        if args[:2] == ["-m", "base64"] and any(a in ("-d", "--decode") for a in args[2:]):
            name, args = "base64", ["-d"]
        else:
            return None
    if name in ("base64", "base32") and any(a in ("--decode", "-D") or (a[:1] == "-" and a[1:2] != "-" and "d" in a)
                                            for a in args):
        try:
            data = "".join(text.split())
            raw = base64.b64decode(data, validate=False) if name == "base64" else base64.b32decode(data)
            return raw.decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return None
    if name == "openssl" and args[:1] in (["base64"], ["enc"]) and "-d" in args and not any(
            a in ("-in", "-out") for a in args) and (args[0] == "base64" or "-base64" in args or "-a" in args):
        try:
            return base64.b64decode("".join(text.split()), validate=False).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return None
    if name in ("head", "tail", "tr", "grep"):
        return _filter_output(name, args, text)
    if name == "xxd" and "-r" in args:
        try:
            return bytes.fromhex("".join(cmd.stdin_text.split())).decode("utf-8", "replace")
        except ValueError:
            return None
    if name == "rev":
        return "\n".join(line[::-1] for line in text.split("\n"))
    return None


_OCTAL_ZERO = re.compile(r"\\0([0-7]{1,3})")


def _printf_escapes(s: str) -> str:
    """printf's backslash escapes (`\\0NNN` octal too, as `%b` and bash's printf read it)."""
    return _ansi_c(_OCTAL_ZERO.sub(lambda m: "\\x%02x" % (int(m.group(1), 8) & 0xFF), s))


def _printf(fmt: str, args: list[str]) -> str | None:
    """printf FORMAT ARGS for `%s`/`%b`/`%%` formats (the format is reused while arguments remain)."""
    fmt = _printf_escapes(fmt)
    specs = re.findall(r"%[^%sb]|%%|%[sb]", fmt)
    if any(sp not in ("%s", "%b", "%%") for sp in specs):
        return None
    n = sum(1 for sp in specs if sp != "%%")
    if not n:
        return fmt.replace("%%", "%")
    out: list[str] = []
    rounds = [args[i:i + n] for i in range(0, len(args), n)] or [[]]
    for chunk in rounds[:64]:
        it = iter(chunk)

        def fill(m: re.Match[str], it: Any = it) -> str:
            if m.group(0) == "%%":
                return "%"
            value = next(it, "")
            return _printf_escapes(value) if m.group(0) == "%b" else value

        out.append(re.sub(r"%%|%[sb]", fill, fmt))
    return "".join(out)


def _filter_output(name: str, args: list[str], text: str) -> str | None:
    """head/tail -n N, tr SET1 SET2 / tr -d SET, grep [-v] [-E|-F] PATTERN over known text (else None)."""
    lines = text.split("\n")
    trailing = lines[-1] == ""
    if trailing:
        lines.pop()
    if name in ("head", "tail"):
        count = "10"
        files = []
        i = 0
        while i < len(args):
            a = args[i]
            if a in ("-n", "--lines") and i + 1 < len(args):
                count, i = args[i + 1], i + 2
                continue
            if a.startswith("--lines="):
                count = a.split("=", 1)[1]
            elif re.fullmatch(r"-n?\+?\d+", a):
                count = a.lstrip("-n")
            elif a.startswith("-"):
                return None  # -c bytes, -f ...
            else:
                files.append(a)
            i += 1
        if files or not re.fullmatch(r"\+?\d+", count):
            return None
        k = int(count.lstrip("+"))
        kept = lines[:k] if name == "head" else lines[k - 1:] if count.startswith("+") else lines[-k:] if k else []
    elif name == "tr":
        flags = [a for a in args if a.startswith("-") and len(a) > 1]
        sets = [_tr_set(a) for a in args if not (a.startswith("-") and len(a) > 1)]
        if any(x is None for x in sets):
            return None
        if flags == ["-d"] and len(sets) == 1:
            return "".join(ch for ch in text if ch not in sets[0])
        if flags or len(sets) != 2 or not sets[0]:
            return None
        src, dst = sets[0], sets[1] or sets[0][-1:]
        dst = dst + dst[-1] * (len(src) - len(dst))
        return text.translate({ord(a): b for a, b in zip(src, dst)})
    else:  # grep
        invert, fixed, patterns = False, False, []
        i = 0
        while i < len(args):
            a = args[i]
            if a == "-e" and i + 1 < len(args):
                patterns.append(args[i + 1])
                i += 2
                continue
            if a.startswith("-") and len(a) > 1:
                if not set(a[1:]) <= set("vEFi"):
                    return None
                invert = invert or "v" in a
                fixed = fixed or "F" in a
            elif not patterns:
                patterns.append(a)
            else:
                return None  # a file operand: output unknown
            i += 1
        if len(patterns) != 1:
            return None
        try:
            rx = re.compile(re.escape(patterns[0]) if fixed else patterns[0], re.IGNORECASE if "-i" in args else 0)
        except re.error:
            return None
        kept = [ln for ln in lines if bool(rx.search(ln)) != invert]
    return "\n".join(kept) + ("\n" if kept and trailing else "")


def _tr_set(spec: str) -> str | None:
    """A tr SET: escapes and a-z ranges (classes like [:upper:] are not modelled: None)."""
    if "[:" in spec or "[=" in spec:
        return None
    chars = _ansi_c(spec)
    out: list[str] = []
    i = 0
    while i < len(chars):
        if i + 2 < len(chars) and chars[i + 1] == "-" and ord(chars[i]) <= ord(chars[i + 2]):
            out.extend(chr(c) for c in range(ord(chars[i]), ord(chars[i + 2]) + 1))
            i += 3
        else:
            out.append(chars[i])
            i += 1
    return "".join(out) if len(out) <= 512 else None


# --------------------------------------------------------------------------- wrappers

# Shells, and busybox (`busybox sh -c ...`, `busybox rm ...`: _unwrap_shell reads both)
SHELLS = vocab.SHELLS | frozenset({"busybox"})
_SCRIPT_READERS = SHELLS | vocab.SOURCE_BUILTINS  # read a script file or stdin (see _Walker.script_source)

# wrapper -> options that take a value (so the value is not mistaken for the command)
_WRAPPER_VALUE_OPTS: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-R", "-t", "-U", "-T", "--user", "--group", "--chroot",
                       "--chdir", "--host", "--prompt", "--role", "--type", "--other-user", "--close-from"}),
    "doas": frozenset({"-u", "-C"}),
    "env": frozenset({"-u", "--unset", "-C", "--chdir", "-S", "--split-string"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "ionice": frozenset({"-c", "-n", "-p", "--class", "--classdata"}),
    "timeout": frozenset({"-s", "--signal", "-k", "--kill-after"}),
    "stdbuf": frozenset({"-i", "-o", "-e", "--input", "--output", "--error"}),
    "exec": frozenset({"-a"}),
    "nohup": frozenset(),
    "time": frozenset({"-f", "--format", "-o", "--output"}),
    "command": frozenset(),
    "builtin": frozenset(),
    "setsid": frozenset(),
    "unbuffer": frozenset(),
    "caffeinate": frozenset({"-t", "-w"}),
    "chronic": frozenset(),
    "taskset": frozenset(),
    "flock": frozenset({"-w", "--timeout", "-E", "--conflict-exit-code"}),
    "xargs": frozenset({"-a", "--arg-file", "-d", "--delimiter", "-E", "-I", "-L", "-n",
                        "--max-args", "-P", "--max-procs", "-s", "--max-chars", "--process-slot-var"}),
    "watch": frozenset({"-n", "--interval", "-d", "--differences", "-q", "--equexit"}),
    "parallel": frozenset({"-j", "--jobs", "-S", "--sshlogin", "--joblog", "-a", "--arg-file", "--delay",
                           "--timeout", "-I", "--tagstring", "--results", "--env"}),
    "chroot": frozenset({"--userspec", "--groups"}),
    "runuser": frozenset({"-u", "-g", "-G", "--user", "--group"}),
    "su": frozenset({"-s", "--shell", "-g", "--group"}),
    "npx": frozenset({"-p", "--package"}),
    "bunx": frozenset(),
    "pnpx": frozenset(),
    "uvx": frozenset({"--from", "--with", "-p", "--python"}),
    "pipx": frozenset(),
    "dotenv": frozenset({"-e", "-v", "-c"}),
}

# Launchers that run their operands as a command: name -> (short options taking a value, long options taking a
# value, positionals before the command). Option bundles are read as getopt does (`screen -dmS name cmd`).
_ARGV_WRAPPERS: dict[str, tuple[str, frozenset[str], int]] = {
    "pkexec": ("", frozenset({"--user"}), 0),
    "run0": ("ugD", frozenset({"--user", "--group", "--nice", "--chdir", "--setenv", "--property", "--description",
                               "--slice", "--unit", "--background", "--machine", "--shell-prompt-prefix"}), 0),
    "chrt": ("TPD", frozenset({"--sched-runtime", "--sched-period", "--sched-deadline"}), 1),
    "strace": ("abeEIoOpPsSuUX", frozenset({"--output", "--trace", "--signal", "--attach", "--string-limit", "--user",
                                           "--env", "--columns", "--trace-path", "--summary-sort-by", "--detach-on"}), 0),
    "ltrace": ("aAdDeFlnopsuwx", frozenset({"--output", "--library", "--align", "--config", "--indent"}), 0),
    "unshare": ("SGRw", frozenset({"--map-user", "--map-group", "--map-users", "--map-groups", "--setuid", "--setgid",
                                   "--root", "--wd", "--propagation", "--setgroups", "--load-interp"}), 0),
    "nsenter": ("tSG", frozenset({"--target", "--setuid", "--setgid"}), 0),
    "systemd-run": ("upEMH", frozenset({"--unit", "--property", "--description", "--slice", "--setenv", "--uid", "--gid",
                                        "--nice", "--machine", "--host", "--working-directory", "--on-active",
                                        "--on-boot", "--on-startup", "--on-unit-active", "--on-unit-inactive",
                                        "--on-calendar", "--timer-property", "--path-property", "--socket-property",
                                        "--service-type", "--capsule"}), 0),
    "fakeroot": ("lsib", frozenset({"--lib", "--faked"}), 0),
    "firejail": ("", frozenset(), 0),
    "toybox": ("", frozenset(), 0),
    "coproc": ("", frozenset(), 0),  # `coproc rm -rf ~` (a NAME only comes before a compound command)
    "screen": ("cehpSsTt", frozenset(), 0),
    "env-cmd": ("fer", frozenset({"--file", "--environments", "--rc-file"}), 0),
    "direnv": ("", frozenset(), 1),  # direnv exec DIR cmd (the subcommand is checked in _unwrap)
    "entr": ("", frozenset(), 0),
    "corepack": ("", frozenset(), 0),  # corepack pnpm|yarn|npm ... (checked in _unwrap_launcher)
    "nvm": ("", frozenset(), 0),  # nvm exec [VERSION] cmd (checked in _unwrap_launcher)
}
# `<tool> <subcommand> [options] cmd...`: project runners. The runner itself is recorded too (rules name some).
_SUBCOMMAND_WRAPPERS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    ("uv", "run"): ("pw", frozenset({"--with", "--with-editable", "--with-requirements", "--python", "--package",
                                     "--extra", "--group", "--only-group", "--no-group", "--env-file", "--directory",
                                     "--project", "--index", "--default-index", "--index-url", "--extra-index-url",
                                     "--find-links", "--config-file", "--cache-dir", "--python-preference"})),
    ("poetry", "run"): ("CP", frozenset({"--directory", "--project"})),
    ("pipenv", "run"): ("", frozenset()),
    ("pdm", "run"): ("pe", frozenset({"--project", "--venv"})),
    ("rye", "run"): ("", frozenset({"--pyproject"})),
    ("hatch", "run"): ("", frozenset()),
    ("conda", "run"): ("np", frozenset({"--name", "--prefix", "--cwd"})),
    ("mamba", "run"): ("np", frozenset({"--name", "--prefix", "--cwd"})),
    ("micromamba", "run"): ("np", frozenset({"--name", "--prefix", "--cwd"})),
    ("bundle", "exec"): ("", frozenset()),
    ("asdf", "exec"): ("", frozenset()),
    ("devbox", "run"): ("ce", frozenset({"--config", "--env", "--env-file"})),
    ("dotenvx", "run"): ("f", frozenset({"--env-file", "--env"})),
    ("pixi", "run"): ("e", frozenset({"--manifest-path", "--environment"})),
    ("volta", "run"): ("", frozenset({"--node", "--npm", "--yarn", "--pnpm", "--env"})),
    ("fnm", "exec"): ("", frozenset({"--using"})),
}
# Runners whose command comes after `--` (before it: tool names, services, profiles). Secret injectors and
# platform runners are here: they carry production credentials into the command.
_DASHDASH_WRAPPERS = frozenset({("mise", "exec"), ("mise", "x"), ("rtx", "exec"), ("rtx", "x"), ("doppler", "run"),
                                ("op", "run"), ("infisical", "run"), ("teller", "run"), ("chamber", "exec"),
                                ("aws-vault", "exec"), ("heroku", "run"), ("railway", "run"), ("nix", "run")})
# Of those, the ones whose command may also follow without `--`: (short options taking a value, long ones taking
# a value, positionals before the command).
_DASHDASH_OPTIONAL: dict[tuple[str, str], tuple[str, frozenset[str], int]] = {
    ("aws-vault", "exec"): ("d", frozenset({"--duration", "--region", "--mfa-token", "--prompt", "--backend"}), 1),
    ("heroku", "run"): ("aesr", frozenset({"--app", "--env", "--size", "--remote", "--type"}), 0),
    ("railway", "run"): ("se", frozenset({"--service", "--environment"}), 0),
}
_TERMINALS = frozenset({"xterm", "uxterm", "urxvt", "rxvt", "alacritty", "konsole", "st"})


def _getopt(args: list[str], short_values: str, long_values: frozenset[str], skip: int = 0) -> tuple[list[str], list[str]] | None:
    """(options, command argv) read as getopt does: `-abc` bundles, a value-taking letter takes the rest of
    its word or the next word, `--opt=v`, `--`; then `skip` positionals are dropped. None when none is left."""
    opts: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            i += 1
            break
        if a.startswith("--"):
            opts.append(a)
            i += 2 if a in long_values else 1
            continue
        if a.startswith("-") and len(a) > 1:
            opts.append(a)
            i += 1
            for k, ch in enumerate(a[1:], 1):
                if ch in short_values:
                    if k == len(a) - 1:
                        i += 1  # the value is the next word
                    break
            continue
        break
    rest = args[i + skip:]
    return (opts, rest) if rest else None


def _npx_call(args: list[str]) -> str | None:
    """The `-c CMD` / `--call CMD` of npx / npm exec, among its own options (before the package's words)."""
    for i, a in enumerate(args):
        if a.startswith("--call="):
            return a.split("=", 1)[1]
        if (a == "--call" or re.fullmatch(r"-[yq]*c", a)) and i + 1 < len(args):  # (`-yc`: with --yes)
            return args[i + 1]
        if a in ("-p", "--package", "-w", "--workspace"):
            continue
        if not a.startswith("-") and (i == 0 or args[i - 1] not in ("-p", "--package", "-w", "--workspace")):
            return None  # the package's own words start here
    return None


def _short_value(args: list[str], letter: str, long_name: str) -> str | None:
    """The value of `-X v`, `-abX v`, `-Xv`, `--long v` or `--long=v` (first occurrence), else None."""
    for i, a in enumerate(args):
        if a == long_name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(long_name + "="):
            return a.split("=", 1)[1]
        if a.startswith("-") and not a.startswith("--") and letter in a[1:] and a[1:a.index(letter, 1)].isalpha() | \
                (a.index(letter, 1) == 1):
            k = a.index(letter, 1)
            if k < len(a) - 1:
                return a[k + 1:]
            if i + 1 < len(args):
                return args[i + 1]
    return None


_GIT_BUILTINS = frozenset(
    "add am apply archive bisect blame branch bundle checkout cherry-pick citool clean clone commit config describe "
    "diff difftool fetch filter-branch format-patch fsck gc grep gui init log maintenance merge mv notes prune pull "
    "push range-diff rebase reflog remote repack replace reset restore revert rm shortlog show sparse-checkout stash "
    "status submodule switch tag update-ref worktree".split())

_SSH_VALUE_OPTS = frozenset("-b -c -D -E -e -F -I -i -J -L -l -m -O -o -p -Q -R -S -W -w -B".split())


def _split_opts(args: list[str], value_opts: frozenset[str], *, stop_at_positional: bool = True) -> tuple[list[str], list[str]]:
    """Split wrapper options from the wrapped command line."""
    i = 0
    opts: list[str] = []
    while i < len(args):
        a = args[i]
        if a == "--":
            return opts, args[i + 1:]
        if a.startswith("-") and len(a) > 1:
            if a in value_opts and "=" not in a:
                opts.append(a)
                if i + 1 < len(args):
                    opts.append(args[i + 1])
                i += 2
                continue
            if len(a) > 2 and a[1] != "-":
                # a getopt bundle: `-iu postgres`, `-tI %`, `-vk 5`: a value letter after flag letters takes the
                # rest of the word or the next word (recorded as `-FLAGS`, `-X`, value); `-n5` stays as it is
                k = next((k for k in range(2, len(a)) if "-" + a[k] in value_opts), 0)
                if k:
                    opts += [a[:k], "-" + a[k]]
                    if k < len(a) - 1:
                        opts.append(a[k + 1:])
                        i += 1
                    else:
                        if i + 1 < len(args):
                            opts.append(args[i + 1])
                        i += 2
                    continue
            # `-n5` / `--user=x` carry their value inline
            opts.append(a)
            i += 1
            continue
        if stop_at_positional:
            return opts, args[i:]
        i += 1
    return opts, []


# Every program name _unwrap acts on (most commands are none of these: one set lookup instead of the chain).
# tests/test_shell_speedpaths.py checks that each name _unwrap compares against is listed here.
UNWRAPPED = SHELLS | frozenset({
    "eval", "sudo", "doas", "nohup", "nice", "ionice", "stdbuf", "exec", "time", "builtin", "setsid", "unbuffer",
    "caffeinate", "chronic", "chroot", "runuser", "su", "command", "env", "timeout", "taskset", "flock", "xargs",
    "find", "watch", "parallel", "ssh", "docker", "podman", "nerdctl", "kubectl", "npx", "bunx", "pnpx", "uvx",
    "pipx", "dotenv", "pnpm", "yarn", "bun", "npm", "sg", "script", "tmux", "at", "batch", "expect", "dotenv-cli",
    "cross-env", "cross-env-shell", "nix-shell", "nix", "mise", "rtx", "trap", "sops", "flyctl", "fly",
}) | frozenset(_ARGV_WRAPPERS) | frozenset(_TERMINALS) | frozenset(k for k, _ in _SUBCOMMAND_WRAPPERS) \
    | frozenset(k for k, _ in _DASHDASH_WRAPPERS)


def _unwrap(cmd: SimpleCommand) -> tuple[str, Any] | None:
    name = cmd.name
    if name not in UNWRAPPED:
        return None
    args = list(cmd.args)
    if name in SHELLS:
        return _unwrap_shell(cmd, args)
    if name == "eval":
        return ("shell", ("eval", " ".join(args[1:] if args[:1] == ["--"] else args)))
    if name in _ARGV_WRAPPERS:
        return _unwrap_launcher(cmd, name, args)
    if args and (name, args[0]) in _SUBCOMMAND_WRAPPERS:
        short, long = _SUBCOMMAND_WRAPPERS[(name, args[0])]
        split = _getopt(args[1:], short, long)
        return ("record_and_argv", (f"{name} {args[0]}", split[1], [])) if split else None
    if args and (name, args[0]) in _DASHDASH_WRAPPERS:
        if name == "nix":  # nix run nixpkgs#terraform -- destroy: the package's program with the arguments
            package = next((a for a in args[1:] if not a.startswith("-")), "")
            program = package.rsplit("#", 1)[-1].rsplit(".", 1)[-1] if "#" in package else ""
            rest = args[args.index("--") + 1:] if "--" in args else []
            return ("argv", ("nix run", [program, *rest], [])) if program else None
        if "--" in args:
            rest = args[args.index("--") + 1:]
            return ("argv", (f"{name} {args[0]}", rest, [])) if rest else None
        optional = _DASHDASH_OPTIONAL.get((name, args[0]))
        if optional is not None:
            split = _getopt(args[1:], optional[0], optional[1], optional[2])
            return ("argv", (f"{name} {args[0]}", split[1], [])) if split else None
        script = _short_value(args[1:], "c", "--command")
        return ("shell", (f"{name} {args[0]} -c", script)) if script is not None else None
    if name in _TERMINALS:
        for flag in ("-e", "-x", "--command"):
            if flag in args and args.index(flag) + 1 < len(args):
                return ("argv", (f"{name} {flag}", args[args.index(flag) + 1:], []))
        return None
    if name == "sops":  # sops exec-env secrets.enc.yaml 'cmd': the last word is a shell command, with the secrets
        return ("shell", ("sops exec-env", args[-1])) if args[:1] == ["exec-env"] and len(args) >= 3 else None
    if name in ("flyctl", "fly"):  # flyctl ssh console --command 'cmd' runs cmd on the app's machine
        script = _short_value(args[2:], "C", "--command") if args[:2] == ["ssh", "console"] else None
        return ("record_and_shell", (f"{name} ssh console", script)) if script is not None else None
    if name in ("trap", "sg", "script", "tmux", "at", "batch", "expect", "nix-shell", "nix", "cross-env", "cross-env-shell",
                "dotenv-cli"):
        return _unwrap_runner(cmd, name, args)
    if name in ("sudo", "doas", "nohup", "nice", "ionice", "stdbuf", "exec", "time", "builtin", "setsid",
                "unbuffer", "caffeinate", "chronic", "chroot", "runuser"):
        if name == "runuser" and not any(a in ("-u", "--user") or a.startswith("--user=") for a in args):
            script = _short_value(args, "c", "--command")
            return ("shell", ("runuser -c", script)) if script is not None else None
        opts, rest = _split_opts(args, _WRAPPER_VALUE_OPTS.get(name, frozenset()))
        if name == "chroot" and rest:
            rest = rest[1:]
        if name == "sudo" and any(o in ("-e", "--edit", "-l", "--list", "-v", "-k", "-K") for o in opts):
            return None
        return ("argv", (name, rest, []))
    if name == "su":
        # `su -lc CMD`, `su - root -c CMD`: the command is a shell script
        script = _short_value(args, "c", "--command")
        return ("shell", ("su -c", script)) if script is not None else None
    if name == "command":
        if args and args[0] in ("-v", "-V"):
            return None
        opts, rest = _split_opts(args, frozenset())
        return ("argv", (name, rest, []))
    if name == "env":
        return _unwrap_env(args)
    if name == "timeout":
        _, rest = _split_opts(args, _WRAPPER_VALUE_OPTS["timeout"])
        return ("argv", (name, rest[1:], []))  # first positional is the duration
    if name in ("taskset",):
        _, rest = _split_opts(args, frozenset())
        return ("argv", (name, rest[1:], []))
    if name == "flock":
        _, rest = _split_opts(args, _WRAPPER_VALUE_OPTS["flock"])
        rest = rest[1:]
        if len(rest) >= 2 and rest[0] in ("-c", "--command"):
            return ("shell", ("flock -c", rest[1]))
        return ("argv", (name, rest, []))
    if name == "xargs":
        return _unwrap_xargs(cmd, args)
    if name == "find":
        return _unwrap_find(args)
    if name == "watch":
        _, rest = _split_opts(args, _WRAPPER_VALUE_OPTS["watch"])
        return ("shell", ("watch", " ".join(rest))) if rest else None
    if name == "parallel":
        _, rest = _split_opts(args, _WRAPPER_VALUE_OPTS["parallel"])
        if ":::" in rest:
            i = rest.index(":::")
            template, values = rest[:i], [v for v in rest[i + 1:] if v not in (":::", "::::")]
            script = " ".join(template)
            if not template:  # `parallel ::: 'cmd1' 'cmd2'`: each value is a command line
                return ("shell", ("parallel", "; ".join(values[:16]))) if values else None
            if "{}" in script:
                return ("shell", ("parallel", "; ".join(script.replace("{}", shell_quote(v)) for v in values[:16])))
            return ("shell", ("parallel", "; ".join(f"{script} {shell_quote(v)}" for v in values[:16])))
        lines = [ln for ln in (cmd.stdin_text or "").split("\n") if ln.strip()][:16]
        if not rest:  # `... | parallel`: each input line is a command line
            return ("shell", ("parallel", "; ".join(lines))) if lines else None
        script = " ".join(rest)
        if lines:  # `echo ~ | parallel rm -rf`: the template once per input line
            return ("shell", ("parallel", "; ".join(script.replace("{}", shell_quote(v)) if "{}" in script
                                                    else f"{script} {shell_quote(v)}" for v in lines)))
        return ("shell", ("parallel", script))
    if name == "ssh":
        opts, rest = _split_opts(args, _SSH_VALUE_OPTS)
        if len(rest) >= 2:
            return ("record_and_shell", (f"ssh {rest[0]}", " ".join(rest[1:])))
        return None
    if name in ("docker", "podman", "nerdctl") and args:
        return _unwrap_container(name, args)
    if name == "kubectl" and "exec" in args:
        if "--" in args:
            rest = args[args.index("--") + 1:]
            return ("argv", ("kubectl exec", rest, [])) if rest else None
        # the deprecated `kubectl exec POD CMD ARGS` (no `--`): the words after the pod are the command
        split = _getopt(args[args.index("exec") + 1:], "cnf", frozenset({
            "--container", "--namespace", "--filename", "--pod-running-timeout", "--context", "--kubeconfig"}))
        if split is not None and len(split[1]) >= 2:
            return ("argv", ("kubectl exec", split[1][1:], []))
        return None
    if name in ("npx", "npm") and (args[:1] == ["exec"] or name == "npx"):
        # `npx -c 'cmd'`, `npm exec --call='cmd'`: a shell command line run with the package bins on PATH
        script = _npx_call(args[1:] if name == "npm" else args)
        if script is not None:
            return ("shell", (f"{name} -c", script))
    if name in ("npx", "bunx", "pnpx", "uvx", "pipx", "dotenv"):
        opts, rest = _split_opts(args, _WRAPPER_VALUE_OPTS[name])
        if name == "pipx" and rest[:1] == ["run"]:
            rest = rest[1:]
        if name == "dotenv" and rest[:1] == ["--"]:
            rest = rest[1:]
        if rest:
            # `npx prisma@5 migrate reset` runs the prisma binary
            if "@" in rest[0]:
                rest = [re.sub(r"(?<=.)@[^/]*$", "", rest[0])] + rest[1:]
            return ("argv", (name, rest, []))
        return None
    if name in ("pnpm", "yarn", "bun") and args[:1] in (["exec"], ["dlx"], ["x"]):
        return ("argv", (f"{name} {args[0]}", args[1:], []))
    if name == "npm" and args[:1] in (["exec"], ["x"]):
        _, rest = _split_opts(args[1:], frozenset({"-p", "--package", "-w", "--workspace"}))
        return ("argv", ("npm exec", rest, [])) if rest else None
    return None


def _unwrap_launcher(cmd: SimpleCommand, name: str, args: list[str]) -> tuple[str, Any] | None:
    """A launcher from _ARGV_WRAPPERS: its operands after the options are the command."""
    short, long, skip = _ARGV_WRAPPERS[name]
    if name in ("direnv", "nvm"):
        if args[:1] != ["exec"]:
            return None
        args = args[1:]
        if name == "nvm":
            args = [a for a in args if a != "--silent"]
            if args and re.fullmatch(r"v?\d[\w.]*|node|stable|lts/\S+|--lts(=\S+)?", args[0]):
                args = args[1:]
    split = _getopt(args, short, long, skip)
    if split is None:
        return None
    opts, rest = split
    if name == "corepack" and rest[0] not in ("pnpm", "pnpx", "yarn", "yarnpkg", "npm", "npx"):
        return None  # `corepack enable`, `corepack prepare ...`
    if name == "chrt" and any(o in ("-p", "--pid") for o in opts):
        return None  # `chrt -p PRIO PID`: changes a running process
    if name == "screen" and any(o.startswith(("-r", "-R", "-x", "-X", "-Q", "-ls", "-list", "-wipe")) or
                                (not o.startswith("--") and any(ch in o[1:] for ch in "rRxXQ")) for o in opts):
        return None  # reattach / send a screen command: the words are session names
    if name == "entr" and any(not o.startswith("--") and "s" in o[1:] for o in opts):
        return ("shell", ("entr -s", rest[0]))
    return ("argv", (name, rest, []))


def _unwrap_runner(cmd: SimpleCommand, name: str, args: list[str]) -> tuple[str, Any] | None:
    """Programs that take a command as a script string (or as stdin) in their own way."""
    if name == "trap":  # trap [--] 'cmd' SIGNAL...: the handler runs (EXIT: when the shell ends)
        rest = args[1:] if args[:1] == ["--"] else args
        if len(rest) >= 2 and not rest[0].startswith("-") and rest[0]:
            return ("shell", ("trap", rest[0]))
        return None
    if name == "sg":  # sg [-] GROUP [-c] COMMAND: the command is passed to /bin/sh -c
        rest = args[1:] if args[:1] == ["-"] else args
        if len(rest) >= 2:
            rest = rest[1:]
            if rest[0] == "-c":
                rest = rest[1:]
            return ("shell", ("sg", " ".join(rest))) if rest else None
        return None
    if name == "script":  # script [-q] -c CMD [file]
        value = _short_value(args, "c", "--command")
        return ("shell", ("script -c", value)) if value is not None else None
    if name == "tmux":
        return _unwrap_tmux(args)
    if name in vocab.JOB_QUEUES:  # the job is read from stdin (or -f FILE: script following reads it)
        if cmd.stdin_text is not None and not any(a == "-f" or a.startswith("-f") for a in args) and \
                not any(a in ("-l", "-r", "-d", "-c") for a in args):
            return ("shell", (name, cmd.stdin_text))
        return None
    if name == "expect":  # expect -c 'spawn rm -rf ~; expect eof': the spawned and exec'd programs run
        script = _short_value(args, "c", "-c") or ""
        runs = [m.group(1) for m in re.finditer(r"(?:^|[;\n{\[])\s*(?:spawn|exec)\s+(?:-\w+\s+)*([^;\n\]}]+)", script)]
        return ("shell", ("expect spawn", "; ".join(runs))) if runs else None
    if name == "nix-shell":
        for flag in ("--run", "--command"):
            value = _short_value(args, "\0", flag)
            if value is not None:
                return ("shell", (f"nix-shell {flag}", value))
        return None
    if name == "nix":  # nix develop / nix shell ... -c|--command CMD ARGS
        if args[:1] in (["develop"], ["shell"]):
            for i, a in enumerate(args):
                if a in ("-c", "--command") and i + 1 < len(args):
                    return ("argv", (f"nix {args[0]} -c", args[i + 1:], []))
        return None
    if name == "dotenv-cli":
        _, rest = _split_opts(args, _WRAPPER_VALUE_OPTS["dotenv"])
        return ("argv", (name, rest, [])) if rest else None
    # cross-env NAME=value ... cmd args (cross-env-shell: the rest is a shell script)
    i = 0
    env: list[tuple[str, str]] = []
    while i < len(args) and re.match(r"[A-Za-z_][A-Za-z0-9_]*=", args[i]):
        k, v = args[i].split("=", 1)
        env.append((k, v))
        i += 1
    if i >= len(args):
        return None
    if name == "cross-env-shell":
        return ("shell", (name, " ".join(args[i:])))
    return ("argv", (name, args[i:], env))


_TMUX_RUNS = frozenset({"new-session", "new", "new-window", "neww", "split-window", "splitw", "respawn-pane",
                        "respawnp", "respawn-window", "respawnw", "run-shell", "run", "display-popup", "popup"})


def _unwrap_tmux(args: list[str]) -> tuple[str, Any] | None:
    """tmux [-L s] new-session [-d] [-s name] 'cmd ...': the trailing words are a shell command."""
    split = _getopt(args, "LSfcT", frozenset())
    if split is None:
        return None
    opts, rest = split
    top = _short_value(opts, "c", "\0")
    if top is not None:
        return ("shell", ("tmux -c", top))
    if rest[0] not in _TMUX_RUNS:
        return None
    inner = _getopt(rest[1:], "cteFnsxyflTSwhbd" if rest[0] in ("display-popup", "popup") else "ceFnstxyflT",
                    frozenset())
    return ("shell", (f"tmux {rest[0]}", " ".join(inner[1]))) if inner else None


def _unwrap_shell(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    name = cmd.name
    if name == "busybox":
        return ("argv", ("busybox", args, [])) if args else None
    i = 0
    script_from_c: str | None = None
    positional: list[str] = []
    while i < len(args):
        a = args[i]
        if a == "-c" or (a.startswith("-") and not a.startswith("--") and "c" in a[1:] and len(a) <= 6):
            if i + 1 < len(args) and args[i + 1] == "--":
                i += 1  # `bash -c -- SCRIPT`
            if i + 1 < len(args):
                script_from_c = args[i + 1]
                positional = args[i + 2:]
            break
        if a in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"):
            i += 2
            continue
        if a.startswith(("-", "+")):
            if a in ("-n", "--noexec"):
                return None  # syntax check only: nothing runs
            i += 1
            continue
        # `bash script.sh args`: a script file; recorded as is (indirection follows it later)
        return None
    if script_from_c is not None:
        if script_from_c.startswith("$("):
            # `bash -c "$(curl ...)"`: the script is output nobody can see; keep the shell for the rules too
            return ("record_and_shell", (f"{name} -c", script_from_c))
        if positional:  # `bash -c 'rm -rf "$1"' _ ~`: $0, $1... are the words after the script
            return ("shell_args", (f"{name} -c", script_from_c, positional))
        return ("shell", (f"{name} -c", script_from_c))
    if cmd.stdin_text is not None:
        return ("shell", (f"{name} <stdin", cmd.stdin_text))
    return None


def _unwrap_env(args: list[str]) -> tuple[str, Any] | None:
    i = 0
    env: list[tuple[str, str]] = []
    while i < len(args):
        a = args[i]
        if a in ("-S", "--split-string") and i + 1 < len(args):
            return ("shell", ("env -S", " ".join(args[i + 1:])))
        if a.startswith("--split-string="):
            return ("shell", ("env -S", a.split("=", 1)[1]))
        if a.startswith("-") and not a.startswith("--") and "S" in a:
            # `-S...`, `-iS 'cmd'`, `-vS'cmd'`: getopt bundles; S takes the rest of the word or the next words
            k = a.index("S")
            if not any(ch in "uC" for ch in a[1:k]):
                if k < len(a) - 1:
                    return ("shell", ("env -S", a[k + 1:] + "".join(" " + w for w in args[i + 1:])))
                if i + 1 < len(args):
                    return ("shell", ("env -S", " ".join(args[i + 1:])))
        if a in ("-u", "--unset", "-C", "--chdir") or (len(a) > 2 and a[0] == "-" and a[1] != "-" and a[-1] in "uC"
                                                         and "S" not in a):
            i += 2  # (`-iC /`: a bundle ending in a value letter takes the next word)
            continue
        if a == "--":
            i += 1
            break
        if a.startswith("-"):
            i += 1
            continue
        if "=" in a and re.match(r"[A-Za-z_][A-Za-z0-9_]*=", a):
            k, v = a.split("=", 1)
            env.append((k, v))
            i += 1
            continue
        break
    return ("argv", ("env", args[i:], env))


def _unwrap_xargs(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    opts, rest = _split_opts(args, _WRAPPER_VALUE_OPTS["xargs"])
    if not rest:
        rest = ["echo"]
    replace_str = None
    delimiter = None
    for i, o in enumerate(opts):
        if o == "-I" and i + 1 < len(opts):
            replace_str = opts[i + 1]
        elif o.startswith("-I") and len(o) > 2:
            replace_str = o[2:]
        elif o.startswith(("-i", "--replace")):  # GNU: optional attached value, `{}` by default
            replace_str = o[2:] if o.startswith("-i") and len(o) > 2 else o.split("=", 1)[1] if "=" in o else "{}"
        elif o in ("-0", "--null"):
            delimiter = "\0"
        elif o in ("-d", "--delimiter") and i + 1 < len(opts):
            delimiter = _ansi_c(opts[i + 1])[:1] or None
        elif o.startswith("--delimiter="):
            delimiter = _ansi_c(o.split("=", 1)[1])[:1] or None
    items: list[str] = []
    if cmd.stdin_text:
        text = cmd.stdin_text
        if delimiter is not None:
            items = [it for it in text.split(delimiter) if it][:16]
        elif replace_str is not None:  # -I: one item per input line
            items = [line.strip() for line in text.split("\n") if line.strip()][:16]
        else:
            items = text.split()[:16]
    if replace_str and items:
        return ("shell", ("xargs", "; ".join(" ".join(shell_quote(w.replace(replace_str, it)) for w in rest) for it in items)))
    if items:
        return ("argv", ("xargs", rest + items, []))
    # Arguments come from input we cannot see: mark them as such, naming the file when there is one
    # (`xargs -a list.txt`, `xargs < list.txt`, `cat list.txt | xargs`) so checks can read it.
    source = cmd.stdin_file
    for i, o in enumerate(opts):
        if o in ("-a", "--arg-file") and i + 1 < len(opts):
            source = opts[i + 1]
        elif o.startswith("--arg-file="):
            source = o.split("=", 1)[1]
        elif o.startswith("-a") and len(o) > 2 and not o.startswith("--"):
            source = o[2:]
    placeholder = f"$(xargs-input <{source})" if source and source not in ("-", "/dev/stdin") else "$(xargs-input)"
    return ("argv", ("xargs", rest + [placeholder], []))


def _unwrap_find(args: list[str]) -> tuple[str, Any] | None:
    execs: list[tuple[str, list[str]]] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-exec", "-execdir", "-ok", "-okdir"):
            j = i + 1
            inner: list[str] = []
            while j < len(args) and args[j] not in (";", "+", "\\;"):
                inner.append(args[j])
                j += 1
            if inner:
                execs.append((f"find {a}", inner))
            i = j + 1
            continue
        i += 1
    return ("find", execs) if execs else None


def _unwrap_container(name: str, args: list[str]) -> tuple[str, Any] | None:
    value_opts = frozenset({"-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file", "--detach-keys",
                            "-f", "--file", "-p", "--project-name", "--profile", "--index", "--context", "-H", "--host"})
    _, rest = _split_opts(args, value_opts)
    if rest[:1] == ["compose"] or name == "docker-compose":
        _, rest = _split_opts(rest[1:], value_opts)
        if rest[:1] in (["exec"], ["run"]):
            _, rest2 = _split_opts(rest[1:], value_opts | frozenset({"--name", "--entrypoint", "-v", "--volume"}))
            if len(rest2) >= 2:
                return ("argv", (f"{name} compose {rest[0]} {rest2[0]}", rest2[1:], []))
        return None
    if rest[:1] == ["exec"] or rest[:2] == ["container", "exec"]:
        rest = rest[1:] if rest[0] == "exec" else rest[2:]
        _, rest2 = _split_opts(rest, value_opts)
        if len(rest2) >= 2:
            return ("argv", (f"{name} exec {rest2[0]}", rest2[1:], []))
    return None
