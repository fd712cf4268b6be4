"""tree-sitter-bash: the parser (its compiled bindings loaded directly) and the repairs for what it misreads."""

from __future__ import annotations

import re

from guardrail.shell.words import node_text
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Callable


_PARSERS: dict[str, Any] = {}


def grammar_parser(grammar: str, packages: Callable[[], tuple[Any, Any]]) -> Any:
    """A tree-sitter parser for `grammar` (a package such as tree_sitter_bash), made once per process from the
    compiled bindings; `packages` imports (tree_sitter, the grammar) the ordinary way for unusual layouts."""
    parser = _PARSERS.get(grammar)
    if parser is None:
        try:
            ts, lang = load_binding("tree_sitter"), load_binding(grammar)
        except Exception:  # noqa: BLE001 - unusual layouts: the packages' own imports always work
            ts, lang = packages()
        parser = _PARSERS[grammar] = ts.Parser(ts.Language(lang.language()))
    return parser


def _bash_packages() -> tuple[Any, Any]:
    import tree_sitter
    import tree_sitter_bash

    return tree_sitter, tree_sitter_bash


def ts_parser() -> Any:
    return grammar_parser("tree_sitter_bash", _bash_packages)


def load_binding(package: str) -> Any:
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


def parse_bytes(data: bytes) -> Any:
    root = ts_parser().parse(data).root_node
    return root if root.has_error or not may_misread(data) else repair(root, data)


def may_misread(data: bytes) -> bool:
    """Whether repair has anything to look for (one regex scan: most lines have none of these)."""
    if _MISREAD_HINT.search(data) is None:
        return False
    return (b"\n" in data and (b"|" in data or b"\\\n" in data)) or b"==" in data or b"=~" in data\
        or _DOLLAR_BLANK.search(data) is not None


_MISREAD_HINT = re.compile(rb"\n|==|=~|\$[ \t]")


_DOLLAR_BLANK = re.compile(rb"\$[ \t\n]")


# Nodes a bare newline cannot be inside (a newline in a gap between their children is not a line continuation).
_NO_NEWLINE_NODES = frozenset({"command", "command_name", "file_redirect", "herestring_redirect", "concatenation",
                               "variable_assignment", "declaration_command", "unset_command"})


def repair(root: Any, data: bytes) -> Any:
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
                if node is not None and not node.is_named and node.type == op.decode() and node.parent is not None\
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
            if node is not None and node.type == "$" and node.parent is not None\
                    and node.parent.type == "simple_expansion":
                edits.append((m.start(), m.start() + 1, b"\\$"))
        if not edits:
            return root
        for start, end, text in sorted(edits, reverse=True):
            data = data[:start] + text + data[end:]
        root = ts_parser().parse(data).root_node
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
            start = next((c for c in node.parent.children if c.type == "heredoc_start"), None)\
                if node.parent is not None else None
            return start is None or not any(q in node_text(start) for q in ("'", '"', "\\"))
        node = node.parent
    return True


