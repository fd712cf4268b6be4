"""Word text: quote removal, escapes, ANSI-C strings, brace expansion; and the output of commands whose output is
known text (echo, printf, cat of a here-string, base64 -d, tr, ...), for what is piped into a shell."""

from __future__ import annotations

import base64
import binascii
import re

from guardrail.model import SimpleCommand
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any


_UNQUOTED_ESCAPE = re.compile(r"\\(.)", re.S)


def unescape_unquoted(s: str) -> str:
    if "\\" not in s:
        return s
    return _UNQUOTED_ESCAPE.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), s)


_DOUBLE_ESCAPE = re.compile(r'\\([$`"\\\n])')


def unescape_double(s: str) -> str:
    if "\\" not in s:
        return s
    return _DOUBLE_ESCAPE.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), s)


_ANSI = re.compile(r"\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|c.|.)", re.S)


_ANSI_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b",
                "f": "\f", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


def ansi_c(s: str) -> str:
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


def expand_braces(word: str, limit: int = 64) -> list[str]:
    """Bash brace expansion for `{a,b}` lists (not sequences), bounded."""
    m = re.search(r"\{([^{}]*,[^{}]*)\}", word)
    if not m:
        return [word]
    head, tail = word[: m.start()], word[m.end():]
    out: list[str] = []
    for alt in m.group(1).split(","):
        for rest in expand_braces(head + alt + tail, limit):
            out.append(rest)
            if len(out) >= limit:
                return out
    return out


def node_text(node: Any) -> str:
    """A syntax tree node's source text."""
    return node.text.decode("utf-8", "replace")


# ---- the output of literal commands

# the ones literal_output knows (filters only when their stdin is known text)
_LITERAL_PROGRAMS = frozenset({"echo", "printf", "cat", "base64", "base32", "xxd", "rev", "tee", "head", "tail", "tr",
                               "grep", "openssl", "python", "python3"})


def literal_output(cmd: SimpleCommand) -> str | None:
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
        return (ansi_c(text) if interpret else text) + ("\n" if newline else "")
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
    return ansi_c(_OCTAL_ZERO.sub(lambda m: "\\x%02x" % (int(m.group(1), 8) & 0xFF), s))


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
    chars = ansi_c(spec)
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
