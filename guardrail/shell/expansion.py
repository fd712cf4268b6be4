"""Word expansion for the walk: quote removal, parameter expansion with the line's variables, command and process
substitutions, field splitting and brace expansion, as bash does them (Walker's word methods)."""

from __future__ import annotations

import re

from guardrail.shell.words import ansi_c, expand_braces, node_text, unescape_double, unescape_unquoted
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any


_LEADING_EXTRAS = re.compile(rb"(?:[ \t\n]|\\\n)*")


class WordExpansion:
    """The walker's word methods (mixed into guardrail.shell.parse.Walker, which provides ctx, via, depth and
    the walk itself)."""

    def leaf_fields(self, node: Any, t: str) -> list[str]:
        """words() for a `word`, `raw_string` or `number` node, without the generic dispatch."""
        self._tick()
        if t == "raw_string":
            return [node_text(node)[1:-1]]
        value = unescape_unquoted(node_text(node))
        return expand_braces(value) if t == "word" and "{" in value else [value]

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
        text = head[:-1] + value + unescape_unquoted(rest)
        return (self.split_fields(text) if split else [text]), dynamic

    def split_fields(self, value: str) -> list[str]:
        """Field splitting by $IFS: whitespace by default, or the characters of an IFS set on this line."""
        ifs = self.ctx.vars.get("IFS")
        if ifs is None or "IFS" in self.ctx.dynamic_vars:
            return value.split()
        if ifs == "":
            return [value]
        return [f for f in re.split("[" + re.escape(ifs) + "]+", value) if f]

    def words(self, node: Any) -> tuple[list[str], bool]:
        if node.type == "command_name" and node.named_children:
            node = node.named_children[0]
        value, dynamic, split = self._word(node, quoted=False)
        fields = self.split_fields(value) if split else [value]
        out: list[str] = []
        for f in fields:
            out.extend(expand_braces(f) if "{" in f and node.type in ("word", "concatenation") else [f])
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
            return unescape_unquoted(node_text(node)), False, False
        if t == "raw_string":
            return node_text(node)[1:-1], False, False
        if t == "ansi_c_string":  # bash cuts the string at a NUL (`$'\x00'rm` is `rm`)
            return ansi_c(node_text(node)[2:-1]).split("\x00", 1)[0], False, False
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
                parts.append(unescape_double(src[pos:start].decode("utf-8", "replace")))
                v, d, _ = self._word(child, quoted=True)
                parts.append(v)
                dynamic = dynamic or d
                pos = child.end_byte - base
            parts.append(unescape_double(src[pos:end].decode("utf-8", "replace")))
            return "".join(parts), dynamic, False
        if t == "concatenation":
            parts = []
            dynamic = split = False
            for child in node.children:
                if not child.is_named:
                    parts.append(unescape_unquoted(node_text(child)))
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
            sub = type(self)(self.ctx, self.via + ("$()" if t == "command_substitution" else "<()",), self.depth, self.depth_limit)
            out: str | None = None
            for child in node.named_children:
                out = sub.statements(child, None)
            del before
            if t == "command_substitution" and out is not None:
                return out.rstrip("\n"), False, not quoted
            word = "$(" + node_text(node)[2:-1][:60] + ")"
            if out is not None and t == "process_substitution" and node_text(node)[:1] == "<":
                self.ctx.procsubs[word] = out  # `bash <(echo ...)`, `source <(printf ...)` read it as a script
            elif t == "process_substitution" and node_text(node)[:1] == ">":
                self.ctx.writers[word] = node  # walked again with the writer's output (see command())
            return word, True, False
        if t == "arithmetic_expansion":
            self.scan_substitutions(node)
            return node_text(node), True, False
        if t == "brace_expression":
            return node_text(node), False, False
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
        return node_text(node), False, False

    def _expansion(self, node: Any, quoted: bool) -> tuple[str, bool, bool]:
        name = ""
        kids = node.named_children
        for child in kids:
            if child.type in ("variable_name", "special_variable_name"):
                name = node_text(child)
                break
            if child.type == "subscript":  # `${a[@]}`, `${a[0]}`, `${x[$(cmd)]}`
                name = node_text(child.named_children[0]) if child.named_children else ""
                break
        raw = node_text(node)
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
                    after.append((node_text(child), False))
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
