"""Commands that Python code starts, read through its syntax tree: aliases, built-up strings, the exec/spawn family,
tree deletions."""

from __future__ import annotations

import re

from guardrail.base.text import LazyRegex, shell_quote
from guardrail.expand.code.langs import RUNTIME_VALUE
from guardrail.model import EvalContext
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any


_PY_SHELL = frozenset({"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput", "commands.getoutput",
                       "commands.getstatusoutput", "asyncio.create_subprocess_shell", "platform.popen", "os.popen2",
                       "os.popen3", "os.popen4"})


_PY_SUBPROC = frozenset({"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
                         "subprocess.Popen"})


# exec-family: (index of the first argv word, 'l' = the rest of the arguments | 'v' = one list argument)
_PY_EXEC = {"os.execl": (1, "l"), "os.execle": (1, "le"), "os.execlp": (1, "l"), "os.execlpe": (1, "le"),
            "os.execv": (1, "v"), "os.execve": (1, "v"), "os.execvp": (1, "v"), "os.execvpe": (1, "v"),
            "os.spawnl": (2, "l"), "os.spawnle": (2, "le"), "os.spawnlp": (2, "l"), "os.spawnlpe": (2, "le"),
            "os.spawnv": (2, "v"), "os.spawnve": (2, "v"), "os.spawnvp": (2, "v"), "os.spawnvpe": (2, "v"),
            "os.posix_spawn": (1, "v"), "os.posix_spawnp": (1, "v"), "asyncio.create_subprocess_exec": (0, "l")}


_PY_TREE = frozenset({"shutil.rmtree"})


_PY_FILE_DELETE = frozenset({"os.remove", "os.unlink", "os.rmdir", "shutil.rmtree"})


_PY_RISKY_MODULES = ("os", "subprocess", "shutil", "pty", "commands", "asyncio", "posix")


_PY_REMOTE = LazyRegex(r"urlopen|urllib|requests\.|httpx|http\.client|urlretrieve|socket\.")


class _PyScan:
    """What Python code runs: shell lines, and the calls whose command or path cannot be known."""

    def __init__(self, code: str, argv: list[str], stdin: str | None, ctx: EvalContext | None, depth: int) -> None:
        self.argv, self.ctx, self.depth = argv, ctx, depth
        self.stdin_lines = (stdin or "").splitlines()
        self.stdin = stdin
        self.lines: list[str] = []
        self.unresolved: list[str] = []
        self.remote: list[str] = []
        self.aliases: dict[str, str] = {}
        self.consts: dict[str, Any] = {}
        self.params: dict[str, list[tuple[str, int]]] = {}  # parameter name -> (function, position)
        self.calls_to: dict[str, list[Any]] = {}
        self.folding: set[str] = set()
        self.named: dict[str, str | None] = {}
        self.code = code

    def run(self, tree: Any) -> None:
        import _ast

        self.A = _ast
        nodes = list(self._walk(tree))
        for n in nodes:  # bindings first: an alias is used after its import, wherever the walk meets it
            if isinstance(n, _ast.Import):
                for a in n.names:
                    self.aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            elif isinstance(n, _ast.ImportFrom) and n.module:
                for a in n.names:
                    if a.name != "*":
                        self.aliases[a.asname or a.name] = f"{n.module}.{a.name}"
                    else:
                        self.aliases.setdefault("*" + n.module, n.module)
            elif isinstance(n, _ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], _ast.Name):
                q = self.qual(n.value)
                target = n.targets[0].id
                if q and q.split(".")[0] in _PY_RISKY_MODULES + ("importlib",):
                    self.aliases[target] = q
                else:  # assigned twice (in whatever order the walk meets them): not a known value
                    self.consts[target] = None if target in self.consts else n.value
            elif isinstance(n, (_ast.AugAssign, _ast.For, _ast.AnnAssign)) and isinstance(n.target, _ast.Name):
                self.consts[n.target.id] = None
            elif isinstance(n, _ast.FunctionDef):
                for i, arg in enumerate(n.args.args):
                    self.params.setdefault(arg.arg, []).append((n.name, i))
        walks = [n for n in nodes if isinstance(n, _ast.Call) and self.qual(n.func) in ("os.walk", "os.scandir",
                                                                                         "glob.glob", "glob.iglob")]
        self.conditional: set[int] = set()
        if walks:  # a delete under `if` or a filtered comprehension removes some files, not the tree
            for n in nodes:
                if isinstance(n, (_ast.If, _ast.IfExp)) or (
                        isinstance(n, (_ast.ListComp, _ast.SetComp, _ast.GeneratorExp, _ast.DictComp))
                        and any(g.ifs for g in n.generators)):
                    self.conditional.update(id(x) for x in self._walk(n) if isinstance(x, _ast.Call))
        for n in nodes:
            if isinstance(n, _ast.Call) and isinstance(n.func, _ast.Name):
                self.calls_to.setdefault(n.func.id, []).append(n)
        for n in nodes:
            if isinstance(n, _ast.Call):
                self.call(n, walks)

    def _walk(self, node: Any) -> Any:
        stack = [node]
        seen = 0
        while stack:
            if seen >= 20000:  # padding must not hide a later call: what is not read is not a pass
                if "code too large to read in full" not in self.unresolved:
                    self.unresolved.append("code too large to read in full")
                return
            n = stack.pop()
            seen += 1
            yield n
            for f in getattr(n, "_fields", ()):
                v = getattr(n, f, None)
                if isinstance(v, list):
                    stack.extend(x for x in v if hasattr(x, "_fields"))
                elif hasattr(v, "_fields"):
                    stack.append(v)

    # -- names

    def qual(self, e: Any) -> str | None:
        A = self.A
        if isinstance(e, A.Name):
            if e.id in self.aliases:
                return self.aliases[e.id]
            for key, mod in self.aliases.items():
                if key.startswith("*") and e.id in _STAR_NAMES.get(mod, ()):
                    return f"{mod}.{e.id}"
            return e.id
        if isinstance(e, A.Attribute):
            base = self.qual(e.value)
            return f"{base}.{e.attr}" if base else None
        if isinstance(e, A.Call):
            f = self.qual(e.func)
            if f in ("__import__", "importlib.import_module", "importlib.__import__") and e.args:
                mod = self.fold(e.args[0])
                return mod if mod and RUNTIME_VALUE not in mod else "?"
            if f in ("getattr", "builtins.getattr") and len(e.args) >= 2:
                base = self.qual(e.args[0])
                attr = self.fold(e.args[1])
                if base:
                    return f"{base}.{attr}" if attr and RUNTIME_VALUE not in attr else f"{base}.?"
            if f in ("vars",) and e.args:
                return self.qual(e.args[0])
        if isinstance(e, A.Subscript):  # os.__dict__["system"], vars(os)["system"]
            base = self.qual(e.value)
            if base and base.endswith(".__dict__"):
                base = base[:-9]
            key = self.fold(_slice(e))
            if base and base.split(".")[0] in _PY_RISKY_MODULES:
                return f"{base}.{key}" if key and RUNTIME_VALUE not in key else f"{base}.?"
        return None

    # -- values

    def fold(self, e: Any, depth: int = 0) -> str | None:
        """The string `e` evaluates to; unknown parts are RUNTIME_VALUE; None when nothing of it is known."""
        A = self.A
        if e is None or depth > 30:
            return None
        if isinstance(e, A.Constant):
            v = e.value
            if isinstance(v, bytes):
                v = v.decode("utf-8", "replace")
            return v if isinstance(v, str) else (str(v) if isinstance(v, int) and not isinstance(v, bool) else None)
        if isinstance(e, A.JoinedStr):
            return "".join(self.fold(v, depth + 1) or RUNTIME_VALUE for v in e.values)
        if isinstance(e, A.FormattedValue):
            return self.fold(e.value, depth + 1) or RUNTIME_VALUE
        if isinstance(e, A.BinOp) and isinstance(e.op, A.Add):
            left, right = self.fold(e.left, depth + 1), self.fold(e.right, depth + 1)
            if left is None and right is None:
                return None
            joined = (left if left is not None else RUNTIME_VALUE) + (right if right is not None else RUNTIME_VALUE)
            return joined if len(joined) <= 100_000 else None
        if isinstance(e, A.Name):
            v = self.consts.get(e.id)
            if v is None or e.id in self.folding:
                return None
            if e.id in self.named:
                return self.named[e.id]
            self.folding.add(e.id)  # `x = x + x`: no cycles; each name is folded once (no doubling)
            try:
                value = self.named[e.id] = self.fold(v, depth + 1)
                return value
            finally:
                self.folding.discard(e.id)
        if isinstance(e, A.Subscript):
            base = self.qual(e.value)
            key = self.fold(_slice(e), depth + 1)
            if base in ("os.environ",) and key:
                return "~" if key == "HOME" else "$" + key
            if base in ("sys.argv",) and key and key.isdigit():
                i = int(key)
                return self.argv[i - 1] if 0 < i <= len(self.argv) else None
            s = _slice(e)
            if isinstance(s, A.Slice) and s.lower is None and s.upper is None and s.step is not None:
                inner = self.fold(e.value, depth + 1)
                step = self.fold(s.step, depth + 1)
                if inner is not None and step == "-1" or (inner is not None and isinstance(s.step, A.UnaryOp)):
                    return inner[::-1]
            return None
        if isinstance(e, A.Attribute):
            q = self.qual(e)
            if q in ("os.sep", "os.path.sep"):
                return "/"
            return None
        if isinstance(e, A.Call):
            return self.fold_call(e, depth)
        return None

    def fold_call(self, e: Any, depth: int) -> str | None:
        A = self.A
        f = self.qual(e.func)
        args = e.args
        a0 = self.fold(args[0], depth + 1) if args else None
        if f in ("os.path.expanduser", "os.path.expandvars", "str", "os.path.abspath", "os.path.realpath",
                 "os.path.normpath", "os.fspath", "pathlib.Path", "Path", "pathlib.PurePath", "pathlib.PosixPath",
                 "os.fsdecode", "os.fsencode"):
            return a0 if args else None
        if f in ("pathlib.Path.home", "Path.home", "os.path.expanduser") or (f or "").endswith("Path.home"):
            return "~"
        if f in ("os.getcwd", "pathlib.Path.cwd", "Path.cwd", "os.getcwdb"):
            return "."
        if f in ("tempfile.mkdtemp", "mkdtemp", "tempfile.gettempdir", "gettempdir", "tempfile.mktemp"):
            return "$(mktemp -d)"  # a fresh temporary directory, as the shell's mktemp makes one
        if f in ("os.getenv", "os.environ.get") and a0:
            return "~" if a0 == "HOME" else "$" + a0
        if f == "os.path.join" and args:
            parts = [self.fold(x, depth + 1) or RUNTIME_VALUE for x in args]
            out = ""
            for p in parts:
                out = p if p.startswith("/") or not out else out.rstrip("/") + "/" + p
            return out
        if f == "chr" and a0 and a0.isdigit():
            try:
                return chr(int(a0))
            except (ValueError, OverflowError):
                return None
        if f == "input":
            return self.stdin_lines.pop(0) if self.stdin_lines else None
        if f in ("sys.stdin.read", "sys.stdin.readline"):
            return self.stdin
        if f in ("bytes.fromhex", "bytearray.fromhex") and a0:
            try:
                return bytes.fromhex(a0).decode("utf-8", "replace")
            except ValueError:
                return None
        if f in ("base64.b64decode", "base64.standard_b64decode", "base64.urlsafe_b64decode", "base64.b32decode",
                 "base64.b16decode") and a0:
            import base64
            try:
                fn = getattr(base64, f.split(".")[1])
                return fn(a0).decode("utf-8", "replace")
            except Exception:  # not valid encoded text: unknown
                return None
        if f in ("codecs.decode", "codecs.encode") and a0 and len(args) > 1 and\
                (self.fold(args[1]) or "").replace("_", "") == "rot13":
            import codecs
            return codecs.decode(a0, "rot13")
        if f == "reversed" and a0 is not None:
            return a0[::-1]
        if f == "os.path.dirname" and a0:
            return a0.rsplit("/", 1)[0] if "/" in a0 else "."
        if isinstance(e.func, A.Attribute):
            method = e.func.attr
            base = self.fold(e.func.value, depth + 1)
            if method == "join" and base is not None and args:
                seq = args[0]
                items = self.fold_list(seq, depth + 1)
                if items is not None:
                    return base.join(items)
                return None
            if base is None:
                return None
            if method in ("decode", "encode", "expanduser", "resolve", "absolute", "__str__", "as_posix"):
                return base
            if method in ("strip", "lower", "upper"):
                return getattr(base, method)()
            if method == "format":
                return re.sub(r"\{[^{}]*\}", RUNTIME_VALUE, base)
            if method == "replace" and len(args) >= 2:
                old, new = self.fold(args[0], depth + 1), self.fold(args[1], depth + 1)
                if old is not None and new is not None:
                    return base.replace(old, new)
            if method == "joinpath" and args:
                return base.rstrip("/") + "/" + (a0 or RUNTIME_VALUE)
            return None
        return None

    def fold_list(self, e: Any, depth: int = 0) -> list[str] | None:
        A = self.A
        if isinstance(e, (A.List, A.Tuple)):
            out = []
            for x in e.elts:
                if isinstance(x, A.Starred):
                    return None
                v = self.fold(x, depth + 1)
                out.append(v if v is not None else RUNTIME_VALUE)
            return out
        if isinstance(e, A.Name) and e.id in self.consts:
            return self.fold_list(self.consts[e.id], depth + 1)
        if isinstance(e, A.Call):
            f = self.qual(e.func)
            if f == "reversed" and e.args:
                inner = self.fold(e.args[0], depth + 1)
                if inner is not None:
                    return list(inner[::-1])
                lst = self.fold_list(e.args[0], depth + 1)
                return lst[::-1] if lst is not None else None
            if f in ("list", "tuple") and e.args:
                inner = self.fold(e.args[0], depth + 1)
                return list(inner) if inner is not None else self.fold_list(e.args[0], depth + 1)
            if f == "shlex.split" and e.args:
                s = self.fold(e.args[0], depth + 1)
                return _split_words(s) if s is not None else None
            if isinstance(e.func, A.Attribute) and e.func.attr == "split":
                s = self.fold(e.func.value, depth + 1)
                return s.split() if s is not None else None
        return None

    # -- calls

    def argv_line(self, words: list[str] | None, what: str) -> None:
        if not words:
            self.unresolved.append(f"{what} with a command only known at run time")
            return
        if words[0] == RUNTIME_VALUE or words[0] is None:
            self.unresolved.append(f"{what} of a program only known at run time")
            return
        self.lines.append(" ".join(w if w == RUNTIME_VALUE else shell_quote(w) for w in words))

    def values(self, e: Any) -> list[str | None]:
        """What `e` may be: its folded value, or for a function parameter the value passed at each call
        (`def run(cmd): subprocess.run(cmd, shell=True)` ... `run("git status")`)."""
        if isinstance(e, self.A.Name) and e.id not in self.consts and e.id in self.params:
            out: list[str | None] = []
            for fn, pos in self.params[e.id]:
                for call in self.calls_to.get(fn, [])[:20]:
                    out.append(self.fold(call.args[pos]) if pos < len(call.args) else None)
            if out:
                return out
        return [self.fold(e)]

    def shell_line(self, e: Any, what: str) -> None:
        for s in (self.values(e) if e is not None else [None]):
            if s is None or not s.replace(RUNTIME_VALUE, "").strip():
                self.unresolved.append(f"{what}(...) with a command only known at run time")
            else:
                self.lines.append(s)

    def call(self, n: Any, walks: list[Any]) -> None:
        A = self.A
        f = self.qual(n.func)
        if not f:
            return
        args = n.args
        kw = {k.arg: k.value for k in n.keywords if k.arg}
        if f in _PY_SHELL:
            self.shell_line(args[0] if args else kw.get("cmd") or kw.get("command"), f)
        elif f in _PY_SUBPROC or f == "pty.spawn":
            first = args[0] if args else kw.get("args")
            if first is None:
                return
            words = self.fold_list(first) if isinstance(first, (A.List, A.Tuple, A.Call, A.Name)) else None
            if words is not None and not isinstance(first, A.Constant) and (isinstance(first, (A.List, A.Tuple)) or
                                                                              self.fold(first) is None):
                self.argv_line(words, f)
            else:
                self.shell_line(first, f)
        elif f in _PY_EXEC:
            start, kind = _PY_EXEC[f]
            if kind == "v":
                words = self.fold_list(args[start]) if len(args) > start else None
            else:
                rest = args[start:-1] if kind == "le" else args[start:]
                words = [self.fold(x) or RUNTIME_VALUE for x in rest] if rest else None
            self.argv_line(words, f)
        elif f in _PY_TREE:
            for p in (self.values(args[0]) if args else [None]):
                if p is None or p == RUNTIME_VALUE:
                    self.unresolved.append(f"{f}() of a path only known at run time")
                else:
                    self.lines.append(f"rm -rf {p if p.startswith(RUNTIME_VALUE) else shell_quote(p)}")
        elif f in _PY_FILE_DELETE and walks and id(n) not in self.conditional:
            for w in walks:
                p = self.fold(w.args[0]) if w.args else "."
                if p:
                    self.lines.append(f"rm -rf {shell_quote(p.split('*')[0].rstrip('/') or '/')}")
        elif f in ("exec", "eval", "builtins.exec", "builtins.eval", "compile") and args:
            if f == "compile":
                return
            src = args[0]
            if isinstance(src, A.Call) and self.qual(src.func) == "compile" and src.args:
                src = src.args[0]
            text = self.fold(src)
            seg = _segment(self.code, src)
            if text is not None and RUNTIME_VALUE not in text:
                if self.depth < 3:
                    sub = py_scan(text, self.argv, None, self.ctx, self.depth + 1)
                    self.lines += sub.lines
                    self.unresolved += sub.unresolved
                    self.remote += sub.remote
                return
            if _PY_REMOTE.search(seg):
                self.remote.append(f"{f}() of code downloaded by `{seg[:80]}`")
                return
            m = re.search(r"open\(\s*(['\"])([^'\"]+)\1", seg)
            if m and self.ctx is not None and self.depth < 3:
                body = self.ctx.read_text(m.group(2))
                if body is not None:
                    sub = py_scan(body, self.argv, None, self.ctx, self.depth + 1)
                    self.lines += sub.lines
                    self.unresolved += sub.unresolved
                    self.remote += sub.remote
                    return
            self.unresolved.append(f"{f}() of code only known at run time (`{seg[:60]}`)")
        elif "." in f and f.split(".")[0] in _PY_RISKY_MODULES and f.endswith(".?"):
            self.unresolved.append(f"a call to {f[:-2]}.<name computed at run time>")


_STAR_NAMES = {"os": ("system", "popen", "execl", "execlp", "execv", "execvp", "execve", "execvpe", "spawnl", "spawnlp",
                      "spawnv", "spawnvp", "remove", "unlink", "rmdir", "walk", "environ", "getcwd", "getenv"),
               "subprocess": ("run", "call", "check_call", "check_output", "Popen", "getoutput", "getstatusoutput"),
               "shutil": ("rmtree",), "pty": ("spawn",)}


def _slice(e: Any) -> Any:
    s = e.slice
    return getattr(s, "value", s) if type(s).__name__ == "Index" else s


def _segment(code: str, node: Any) -> str:
    try:
        lines = code.splitlines()
        if node.lineno == node.end_lineno:
            return lines[node.lineno - 1][node.col_offset:node.end_col_offset]
        return lines[node.lineno - 1][node.col_offset:]
    except (AttributeError, IndexError):
        return ""


def _split_words(s: str) -> list[str]:
    import shlex

    try:
        return shlex.split(s)
    except ValueError:
        return s.split()


def py_scan(code: str, argv: list[str], stdin: str | None, ctx: EvalContext | None, depth: int = 0) -> _PyScan | None:
    """The syntax-tree reading of Python `code`, or None when it does not parse (the pattern scan then runs)."""
    import _ast

    scan = _PyScan(code, argv, stdin, ctx, depth)
    import warnings

    try:
        with warnings.catch_warnings():  # `1e` or `"\d"` warn on stderr: never in a hook's output
            warnings.simplefilter("ignore")
            tree = compile(code, "<inline>", "exec", _ast.PyCF_ONLY_AST)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None if depth == 0 else scan
    try:
        scan.run(tree)
    except RecursionError:
        scan.unresolved.append("code too deeply nested to read")
    return scan
