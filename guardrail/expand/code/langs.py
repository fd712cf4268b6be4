"""Commands that inline code starts, read from its text: shell-out calls and tree deletions in node, ruby, perl, php,
lua, R and AppleScript."""

from __future__ import annotations

import re

from guardrail.base.text import LazyRegex, shell_quote
from guardrail.expand.code.inline import STRING_LITERAL
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Callable


_LIT = r"(?:f|r|b)?(\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`(?:[^`\\\\]|\\\\.)*`)"


# Calls that hand a string to a shell, per language family (Python's exec() runs Python, not a shell).
_SHELL_CALLS = {
    "python": r"os\.system|os\.popen|subprocess\.(?:run|call|check_call|check_output|getoutput|getstatusoutput|Popen)|"
              r"commands\.getoutput|pty\.spawn",
    "node": r"execSync|execFileSync|exec|spawnSync|spawn|execa(?:Sync|Command)?|Deno\.run|Bun\.spawn(?:Sync)?|\$",
    "ruby": r"system|exec|spawn|Open3\.\w+|IO\.popen|%x",
    "perl": r"system|exec|qx",
    "php": r"shell_exec|exec|system|passthru|proc_open|popen",
}


# Calls that delete a directory tree: judged as `rm -rf PATH` by the filesystem rules.
_TREE_DELETE = {
    "python": r"shutil\.rmtree|rmtree",
    "node": r"rmSync|rmdirSync|rimraf(?:\.sync)?|rimrafSync|removeSync|fse\.remove|deleteSync|promises\.rm",
    "ruby": r"FileUtils\.rm_rf|FileUtils\.rm_r|FileUtils\.remove_dir|FileUtils\.remove_entry(?:_secure)?",
    "perl": r"rmtree|remove_tree",
    "php": r"\$?rrmdir",
}


# Path expressions that name well-known places.
_PATH_EXPR = [
    (LazyRegex(r"^(?:os\.path\.expanduser|Path|pathlib\.Path)\(\s*" + _LIT + r"\s*\)(?:\.expanduser\(\))?$"), None),
    (LazyRegex(r"^(?:Path\.home\(\)|pathlib\.Path\.home\(\)|os\.homedir\(\)|os\.environ\[['\"]HOME['\"]\]|"
                r"os\.getenv\(['\"]HOME['\"]\)|process\.env\.HOME|Dir\.home|ENV\[['\"]HOME['\"]\]|\$ENV\{HOME\}|"
                r"require\(['\"]os['\"]\)\.homedir\(\))$"), "~"),
    (LazyRegex(r"^(?:os\.getcwd\(\)|Path\.cwd\(\)|process\.cwd\(\)|Dir\.pwd|getcwd\(\))$"), "."),
]


def _path_arg(expr: str) -> str | None:
    """A literal path or a well-known path expression as the shell would write it; None when unknown."""
    e = expr.strip()
    m = re.fullmatch(_LIT, e)
    if m:
        return m.group(1)[1:-1]
    for rx, fixed in _PATH_EXPR:
        m = rx.match(e)
        if m:
            return fixed if fixed is not None else m.group(1)[1:-1]
    return None


_B64_CALL = LazyRegex(
    r"(?:base64\.)?b64decode\(\s*b?(['\"])([A-Za-z0-9+/=\s]{4,4000})\1\s*\)(?:\.decode\([^)]*\))?"  # python
    r"|atob\(\s*(['\"])([A-Za-z0-9+/=]{4,4000})\3\s*\)"  # node/browser
    r"|Buffer\.from\(\s*(['\"])([A-Za-z0-9+/=]{4,4000})\5\s*,\s*['\"]base64['\"]\s*\)(?:\.toString\([^)]*\))?")


def _inline_base64(code: str) -> str:
    """Replace base64 literals decoded in place (`os.system(base64.b64decode('cm0g...').decode())`) by the
    decoded text as a string literal, so the shell-out is seen for what it runs."""
    import base64
    import binascii

    def sub(m: re.Match[str]) -> str:
        raw = m.group(2) or m.group(4) or m.group(6) or ""
        try:
            text = base64.b64decode("".join(raw.split()), validate=False).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return m.group(0)
        if not text.isprintable() and "\n" not in text:
            return m.group(0)
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"

    return _B64_CALL.sub(sub, code)


def code_commands(code: str, lang: str, depth: int = 0) -> list[str]:
    """Shell command lines that `code` (in `lang`) would run: shell-outs, tree deletions as `rm -rf PATH`,
    and (Python) code inside exec()/eval() strings, recursively."""
    out: list[str] = []
    if "b64decode" in code or "atob(" in code or "Buffer.from(" in code:
        code = _inline_base64(code)
    # calls written inside string literals are text (`print('os.system(...)')`), not calls
    spans = [m.span() for m in STRING_LITERAL.finditer(code)]

    def in_text(pos: int) -> bool:
        return any(a < pos < b for a, b in spans)

    calls = _SHELL_CALLS.get(lang)
    if calls:
        lead = r"(?<![\w])" if lang == "node" else r"(?<![\w.])"  # node calls hang off modules: cp.execSync(
        for m in re.finditer(lead + r"(?:" + calls + r")\s*\(\s*(\[\s*)?" + _LIT, code, re.S):
            if in_text(m.start()):
                continue
            lit = m.group(2)[1:-1]
            tail = code[m.end():m.end() + 200].lstrip()
            if m.group(1) or (tail.startswith(",") and lang in ("python", "node")):
                # list/argv form: subprocess.run(["rm", "-rf", "/"]), spawn("rm", ["-rf", "/"])
                end = code.find("]", m.end())
                seg = code[m.start(2):end if end > 0 else m.end() + 200]
                words = [x or y for x, y in re.findall(r"\"((?:[^\"\\\\]|\\\\.)*)\"|'((?:[^'\\\\]|\\\\.)*)'", seg)]
                if len(words) > 1:
                    lit = " ".join(shell_quote(w) for w in words)
            out.append(lit)
        if lang in ("ruby", "perl", "php"):
            out += [m.group(1) for m in re.finditer(r"`([^`]+)`", code)]
    tree = _TREE_DELETE.get(lang)
    if tree:
        for m in re.finditer(r"(?<![\w])(?:" + tree + r")\s*(?=\()", code):
            if in_text(m.start()):
                continue
            if lang == "node" and re.match(r"rm(dir)?Sync|promises", m.group(0)) and\
                    not re.search(r"recursive\s*:\s*true", code[m.end():m.end() + 300]):
                continue  # fs.rmSync(file) without recursive removes one file
            path = _path_arg(call_args(code, m.end())[0][0])
            if path is not None:
                out.append(f"rm -rf {shell_quote(path)}")
    if lang == "python" and depth < 2:
        for m in re.finditer(r"(?<![\w.])(?:exec|eval)\s*\(\s*" + _LIT, code, re.S):
            if in_text(m.start()):
                continue
            inner = m.group(1)[1:-1].encode().decode("unicode_escape", "ignore") if "\\" in m.group(1) else m.group(1)[1:-1]
            out += code_commands(inner, lang, depth + 1)
    return list(dict.fromkeys(out))[:50]


RUNTIME_VALUE = "$(python-value)"  # a value known only at run time, as the shell would see a substitution


_CONCAT = {"node": r"\+", "ruby": r"\+", "perl": r"\.", "php": r"\.", "lua": r"\.\.", "applescript": r"&", "r": r",",
           "awk": r"\s+", "vim": r"\.\.?"}


_HOME_EXPR = LazyRegex(r"^(?:(?:require\(['\"](?:node:)?os['\"]\)|os)\.homedir\(\)|process\.env\.HOME|process\.env\[['\"]HOME['\"]\]|"
                   r"Deno\.env\.get\(['\"]HOME['\"]\)|Bun\.env\.HOME|Dir\.home|ENV\[['\"]HOME['\"]\]|ENV\.fetch\(['\"]HOME['\"]\)|"
                   r"\$ENV\{HOME\}|\$ENV\{['\"]HOME['\"]\}|\$_SERVER\[['\"]HOME['\"]\]|getenv\(['\"]HOME['\"]\)|"
                   r"os\.getenv\(['\"]HOME['\"]\)|Sys\.getenv\(['\"]HOME['\"]\)|path\.expand\(['\"]~['\"]\)|"
                   r"ENVIRON\[\"HOME\"\]|expand\(['\"]~['\"]\)|\$HOME|path to home folder)$")


_PERL_Q = LazyRegex(r"^q[qwx]?\s*([{(\[<|/!'\"])")


def _top_split(text: str, sep: str, limit: int = 2000) -> list[str]:
    """Split `text` at `sep` (a regex) outside brackets and quotes."""
    parts, depth, start, i = [], 0, 0, 0
    rx = re.compile(sep)
    n = min(len(text), limit)
    while i < n:
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch in "'\"`":
            end = i + 1
            while end < n and text[end] != ch:
                end += 2 if text[end] == "\\" else 1
            i = end + 1
            continue
        elif depth == 0:
            m = rx.match(text, i)
            if m and m.end() > i:
                parts.append(text[start:i])
                start = i = m.end()
                continue
        i += 1
    parts.append(text[start:n])
    return parts


def _unescape(body: str, quote: str) -> str:
    if "\\" not in body:
        return body
    if quote == "'":
        return body.replace("\\'", "'").replace("\\\\", "\\")
    try:
        return body.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return body


def _wrapped(e: str) -> bool:
    """`(...)` is one parenthesised expression (not `(a)+(b)`)."""
    depth = 0
    for i, ch in enumerate(e):
        depth += 1 if ch == "(" else -1 if ch == ")" else 0
        if depth == 0 and i < len(e) - 1:
            return False
    return True


def fold_text(expr: str, lang: str, depth: int = 0) -> str | None:
    """The string a simple expression in `lang` evaluates to (literals, concatenation, home/cwd expressions);
    unknown parts become RUNTIME_VALUE; None when nothing of it is known."""
    e = expr.strip().rstrip(";").strip()
    if not e or depth > 6:
        return None
    while e.startswith("(") and e.endswith(")") and _wrapped(e):
        e = e[1:-1].strip()
    if len(e) >= 2 and e[0] in "'\"`" and e[-1] == e[0] and e.count(e[0]) - e.count("\\" + e[0]) == 2:
        body = _unescape(e[1:-1], e[0])
        if e[0] == "`" or (e[0] == '"' and lang in ("perl", "ruby", "php")):
            body = re.sub(r"\$\{[^}]*\}|#\{[^}]*\}|\$ENV\{HOME\}", lambda m: "~" if "HOME" in m.group(0) else RUNTIME_VALUE, body)
        return body
    m = _PERL_Q.match(e) if lang in ("perl", "ruby") else None
    if m:
        close = {"{": "}", "(": ")", "[": "]", "<": ">"}.get(m.group(1), m.group(1))
        if e.endswith(close):
            return e[m.end():-1]
    if _HOME_EXPR.match(e):
        return "~"
    if re.fullmatch(r"(?:process\.cwd\(\)|Dir\.pwd|getcwd\(\)|Deno\.cwd\(\))", e):
        return "."
    m = re.fullmatch(r"(?:String\.fromCharCode|chr|utf8ToInt|intToUtf8)\(\s*(\d+)\s*\)", e)
    if m:
        return chr(int(m.group(1))) if int(m.group(1)) < 0x110000 else None
    m = re.fullmatch(r"(?:paste0?|file\.path|path\.join|join|path\.resolve)\((.*)\)", e, re.S)
    if m:
        parts = [fold_text(p, lang, depth + 1) for p in _top_split(m.group(1), r",")]
        if all(p is None for p in parts):
            return None
        sep = "/" if not e.startswith("paste") else ("" if e.startswith("paste0") else " ")
        return sep.join(p if p is not None else RUNTIME_VALUE for p in parts)
    pieces = _top_split(e, _CONCAT.get(lang, r"\+"))
    if len(pieces) > 1:
        vals = [fold_text(p, lang, depth + 1) for p in pieces if p.strip()]
        if all(v is None for v in vals):
            return None
        return "".join(v if v is not None else RUNTIME_VALUE for v in vals)
    return None


def call_args(code: str, start: int) -> tuple[list[str], int]:
    """The top-level arguments of a call whose `(` is at `start`, and the index after its `)`."""
    depth, i, n = 0, start, min(len(code), start + 4000)
    while i < n:
        ch = code[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return [a for a in _top_split(code[start + 1:i], r",")], i + 1
        elif ch in "'\"`":
            end = i + 1
            while end < n and code[end] != ch:
                end += 2 if code[end] == "\\" else 1
            i = end
        i += 1
    return _top_split(code[start + 1:n], r","), n


def _statement_args(code: str, start: int) -> list[str]:
    """Arguments of a parenthesis-less call (`system "rm -rf ~"` in Perl/Ruby): up to `;`, a newline or `}`."""
    seg = _top_split(code[start:start + 2000], r"[;\n]|\bor\b|\band\b|\bif\b|\bunless\b")[0]
    seg = seg.split("}")[0] if seg.count("}") > seg.count("{") else seg
    return _top_split(seg, r",")


def _array_words(expr: str, lang: str) -> list[str] | None:
    e = expr.strip()
    m = re.fullmatch(r"(?:\[|c\(|list\(|qw\s*[(\[{/])(.*)[\])}/]", e, re.S)
    if not m:
        return None
    if e.startswith("qw"):
        return m.group(1).split()
    return [fold_text(x, lang) or RUNTIME_VALUE for x in _top_split(m.group(1), r",") if x.strip()]


# Calls that hand a command to a shell or exec it, per language (argv form when given several words).
_RUN_CALLS = {
    "node": r"(?:child_process\.|cp\.|\b)(?:execSync|execFileSync|exec|execFile|spawnSync|spawn|fork)|execa(?:Sync|Command(?:Sync)?)?|"
            r"Deno\.run|Bun\.spawn(?:Sync)?|new\s+Deno\.Command",
    "ruby": r"(?:Kernel\.|Process\.)?(?:system|exec|spawn)|Open3\.\w+|IO\.popen|PTY\.spawn",
    "perl": r"(?:CORE::)?(?:system|exec)",
    "php": r"shell_exec|exec|system|passthru|proc_open|popen|pcntl_exec",
    "lua": r"os\.execute|io\.popen",
    "r": r"system2?|shell|processx::run|sys::exec_wait",
    "applescript": r"do\s+shell\s+script",
}


_RUN_BARE = {"perl": True, "ruby": True, "applescript": True}  # calls without parentheses


_TREE_CALLS = {
    "node": r"(?:fs\.|fsp\.|promises\.|fse\.|\)\.)(?:rm|rmdir|rmSync|rmdirSync|remove|removeSync|emptyDir|emptyDirSync)|"
            r"\brmSync|\brmdirSync|rimraf(?:\.sync|\.rimraf)?|rimrafSync|deleteSync|\bdel|Deno\.remove(?:Sync)?|Bun\.\$rm",
    "ruby": r"FileUtils\.(?:rm_rf|rm_r|remove_dir|remove_entry(?:_secure)?|rmtree)",
    "perl": r"(?:File::Path::)?(?:rmtree|remove_tree)",
    "php": r"\$?rrmdir",
    "r": r"unlink",
}


# Calls that delete or empty one file: judged as the `rm -f PATH` / `truncate -s 0 PATH` they amount to (the effect
# model decides whether the file can be got back). Paths only known at run time are not reported from these: a
# script's computed file deletions are ordinary work, its computed tree deletions are not.
_FILE_CALLS = {
    "node": r"\b(?:unlinkSync|fs\.unlink|fsp\.unlink|promises\.unlink|Deno\.remove(?:Sync)?)",
    "ruby": r"\b(?:File\.(?:delete|unlink)|FileUtils\.(?:rm|rm_f|remove_file))",
    "perl": r"(?<![\w$@%>.])unlink",
    "php": r"(?<![\w$>])unlink",
}
_TRUNCATE_CALLS = {
    "node": r"\b(?:truncateSync|fs\.truncate|promises\.truncate)",
    "ruby": r"\bFile\.truncate",
    "perl": r"(?<![\w$@%>.])truncate",
    "php": r"(?<![\w$>])(?:ftruncate|truncate)",
}


def _file_calls(code: str, lang: str, in_text: Callable[[int], bool]) -> list[str]:
    """`rm -f P` / `truncate -s 0 P` lines for literal single-file deletions and truncations in `code`."""
    out = []
    for pattern, verb in ((_FILE_CALLS.get(lang), "rm -f"), (_TRUNCATE_CALLS.get(lang), "truncate -s 0")):
        if not pattern:
            continue
        for m in re.finditer(r"(?:" + pattern + r")\s*\(", code):
            if in_text(m.start()):
                continue
            args, _end = call_args(code, m.end() - 1)
            if verb.startswith("truncate") and len(args) > 1 and args[1].strip() not in ("0", "0n"):
                continue  # cut to a size: not an emptying
            for arg in args[:1] if verb.startswith("truncate") else args:
                path = fold_text(arg, lang)
                if path is None or path == RUNTIME_VALUE:
                    path = _path_arg(arg)
                if path is not None and RUNTIME_VALUE not in path:
                    out.append(f"{verb} {shell_quote(path)}")
    return out


def lang_commands(code: str, lang: str) -> tuple[list[str], list[str]]:
    """(shell lines, unresolved notes) for inline code in a language read by patterns (not Python)."""
    lines: list[str] = []
    unresolved: list[str] = []
    if lang == "python":
        return code_commands(code, lang), []
    if "atob(" in code or "Buffer.from(" in code or "b64decode" in code:
        code = _inline_base64(code)
    spans = [m.span() for m in STRING_LITERAL.finditer(code)] if lang not in ("applescript",) else []

    def in_text(pos: int) -> bool:
        return any(a < pos < b for a, b in spans)

    calls = _RUN_CALLS.get(lang)
    if calls:
        lead = r"(?<![\w$@%>.])" if lang in ("perl", "ruby", "php", "lua", "r") else r"(?<![\w$])"
        for m in re.finditer(lead + r"(?:" + calls + r")(\s*\(|\s+(?=[\"'`%qQ\[\w$]))", code):
            if in_text(m.start()):
                continue
            if lang == "node" and code[max(0, m.start() - 1):m.start()] == "." and\
                    re.match(r"(?:exec|spawn|fork)\b", code[m.start():m.start() + 6]) and\
                    "child_process" not in code and not re.search(
                    r"(child_process|\bcp|childProcess|['\"]\)|\$)\.$", code[max(0, m.start() - 40):m.start()]):
                continue  # `re.exec(s)`, `db.exec(sql)`: a method of something else, not a process
            paren = m.group(1).strip() == "("
            if not paren and not (_RUN_BARE.get(lang) or lang == "perl"):
                continue
            args = call_args(code, m.end() - 1)[0] if paren else _statement_args(code, m.end())
            args = [a for a in args if a.strip()]
            if lang == "ruby" and args and args[0].strip().startswith("{"):
                args = args[1:]  # an env hash first
            if not args:
                continue
            name = m.group(0)
            if lang in ("node", "r") and len(args) > 1:
                words = _array_words(args[1], lang) if lang == "node" else None
                if lang == "r" and "system2" in name:
                    words = _array_words(re.sub(r"^\s*args\s*=", "", args[1]), lang)
                first = fold_text(args[0], lang)
                if words is not None and first:
                    lines.append(" ".join(w if RUNTIME_VALUE in w else shell_quote(w) for w in [first] + words))
                    continue
            if lang in ("perl", "ruby", "php") and len(args) > 1:
                words = [fold_text(a, lang) or RUNTIME_VALUE for a in args]
                if words[0] != RUNTIME_VALUE:
                    lines.append(" ".join(w if RUNTIME_VALUE in w else shell_quote(w) for w in words))
                else:
                    unresolved.append(f"{name.strip()}(...) of a program only known at run time")
                continue
            words = _array_words(args[0], lang)
            if words:
                if words[0] == RUNTIME_VALUE:
                    unresolved.append(f"{name.strip()}(...) of a program only known at run time")
                else:
                    lines.append(" ".join(w if RUNTIME_VALUE in w else shell_quote(w) for w in words))
                continue
            text = fold_text(args[0], lang)
            if text is None or not text.replace(RUNTIME_VALUE, "").strip():
                unresolved.append(f"{name.strip()}(...) with a command only known at run time")
            else:
                lines.append(text)
    if lang in ("ruby", "perl", "php"):
        lines += [m.group(1) for m in re.finditer(r"`([^`]+)`", code)]
        for m in re.finditer(r"(?<![\w$@%])(?:%x|qx)\s*([{(\[<|/!'])", code):
            close = {"{": "}", "(": ")", "[": "]", "<": ">"}.get(m.group(1), m.group(1))
            end = code.find(close, m.end())
            if end > 0:
                lines.append(re.sub(r"\$ENV\{HOME\}|#\{Dir\.home\}|#\{ENV\[['\"]HOME['\"]\]\}", "~", code[m.end():end]))
    if lang == "node":
        lines += [m.group(1) for m in re.finditer(r"(?<![\w])\$`([^`]+)`", code)]  # zx / Bun shell
    tree = _TREE_CALLS.get(lang)
    if tree:
        for m in re.finditer(r"(?:" + tree + r")\s*\(", code):
            if in_text(m.start()):
                continue
            args, end = call_args(code, m.end() - 1)
            rest = code[m.end():end + 300]
            name = m.group(0)
            if lang == "node" and re.search(r"(?:^|[.)])(?:rm|rmdir|rmSync|rmdirSync|Deno\.remove(?:Sync)?)\s*\($|Deno\.remove",
                                            name) and not re.search(r"recursive\s*:\s*true", rest):
                continue  # a single file
            if lang == "r" and not re.search(r"recursive\s*=\s*T(RUE)?", rest):
                continue
            path = fold_text(args[0], lang) if args else None
            if path is None or path == RUNTIME_VALUE:
                path = _path_arg(args[0]) if args else None
            if path is None:
                unresolved.append(f"{name.rstrip('(').strip()}() of a path only known at run time")
            else:
                lines.append(f"rm -rf {path if RUNTIME_VALUE in path else shell_quote(path)}")
    lines += _file_calls(code, lang, in_text)
    return list(dict.fromkeys(lines))[:50], unresolved[:5]
