"""Commands that tools run from their own options or scripts: awk system(), sed's e, vim's :!, tar --to-command,
rsync -e, zip -TT, make --eval."""

from __future__ import annotations

import posixpath
import re

from guardrail.base.vocab import SHELLS
from guardrail.expand.code.langs import RUNTIME_VALUE, call_args, fold_text
from guardrail.model import EvalContext, SimpleCommand
from guardrail.rules import option_values


_AWK_VALUE_OPTS = frozenset({"-F", "-v", "-f", "-e", "--source", "-i", "--include", "-l", "--load", "-E", "--exec",
                             "--file", "--assign", "--field-separator"})


def awk_program(cmd: SimpleCommand, ctx: EvalContext) -> str | None:
    a, i, progs = list(cmd.args), 0, []
    while i < len(a):
        x = a[i]
        if x == "--":
            i += 1
            break
        if x in ("-f", "--file", "-E", "--exec") and i + 1 < len(a):
            progs.append(ctx.read_text(a[i + 1]) or "")
            i += 2
            continue
        if x in ("-e", "--source") and i + 1 < len(a):
            progs.append(a[i + 1])
            i += 2
            continue
        if x in _AWK_VALUE_OPTS:
            i += 2
            continue
        if x.startswith("-") and len(x) > 1:
            i += 1
            continue
        break
    if not progs and i < len(a):
        progs.append(a[i])
    return "\n".join(progs) if progs else None


def awk_commands(prog: str) -> tuple[list[str], list[str]]:
    lines, unresolved = [], []
    for m in re.finditer(r"(?<![\w])system\s*\(", prog):
        args = call_args(prog, m.end() - 1)[0]
        text = fold_text(args[0], "awk") if args else None
        if text is None or not text.replace(RUNTIME_VALUE, "").strip():
            unresolved.append("awk system() of a command only known at run time")
        else:
            lines.append(text)
    # print ... | "cmd"   and   "cmd" | getline
    for m in re.finditer(r"(?<![\w])printf?\b([^;{}\n|]*)\|\s*(\"(?:[^\"\\]|\\.)*\"|\w+)", prog):
        target = fold_text(m.group(2), "awk")
        if target is None:
            unresolved.append("awk output piped to a command only known at run time")
            continue
        lines.append(target)
        words = target.split()
        if words[:1] and (posixpath.basename(words[0]) in SHELLS
                          or words[0] == "/usr/bin/env" and words[1:2] and words[1] in SHELLS):
            body = fold_text(m.group(1), "awk")
            if body is None or not body.replace(RUNTIME_VALUE, "").strip():
                unresolved.append(f"awk output fed to `{target}` as its script")
            else:
                lines.append(body)
    for m in re.finditer(r"(\"(?:[^\"\\]|\\.)*\"|\w+)\s*\|\s*getline", prog):
        target = fold_text(m.group(1), "awk")
        if target is None:
            unresolved.append("awk getline from a command only known at run time")
        else:
            lines.append(target)
    return lines, unresolved


def sed_scripts(cmd: SimpleCommand, ctx: EvalContext) -> list[str]:
    a, scripts, i, explicit = list(cmd.args), [], 0, False
    while i < len(a):
        x = a[i]
        if x in ("-e", "--expression") and i + 1 < len(a):
            scripts.append(a[i + 1]); explicit = True; i += 2; continue
        if x.startswith("--expression="):
            scripts.append(x.split("=", 1)[1]); explicit = True; i += 1; continue
        if x in ("-f", "--file") and i + 1 < len(a):
            scripts.append(ctx.read_text(a[i + 1]) or ""); explicit = True; i += 2; continue
        if x.startswith("-") and not x.startswith("--") and len(x) > 2 and "e" in x[1:] and x[-1] == "e"\
                and i + 1 < len(a):
            scripts.append(a[i + 1]); explicit = True; i += 2; continue  # -ne 'script'
        if x in ("-l", "--line-length"):
            i += 2; continue
        if x.startswith("-") and len(x) > 1:
            i += 1; continue
        if not explicit:
            scripts.append(x)
            explicit = True
        i += 1
    return scripts


def sed_exec(script: str) -> tuple[list[str], bool]:
    """(commands `e CMD` runs, whether an `e` runs the pattern space itself) in a GNU sed script."""
    cmds, pattern, i, n = [], False, 0, len(script)
    while i < n:
        ch = script[i]
        if ch in " \t\n;{}!":
            i += 1
            continue
        # addresses: numbers, $, /re/, \cREc, first~step, addr,+N
        while i < n and (script[i] in "0123456789$,~+ " or script[i] in "/\\"):
            if script[i] in "/\\":
                d = script[i] if script[i] == "/" else (script[i + 1] if i + 1 < n else "/")
                j = i + (1 if script[i] == "/" else 2)
                while j < n and script[j] != d:
                    j += 2 if script[j] == "\\" else 1
                i = j + 1
                if i < n and script[i] in "IM":
                    i += 1
            else:
                i += 1
        while i < n and script[i] in "!\t ":
            i += 1
        if i >= n:
            break
        c = script[i]
        i += 1
        if c in "sy":
            if i >= n:
                break
            d = script[i]
            parts, j = 0, i + 1
            while j < n and parts < 2:
                if script[j] == "\\":
                    j += 2
                    continue
                if script[j] == d:
                    parts += 1
                j += 1
            flags = re.match(r"[^;\n}]*", script[j:]).group(0)
            if c == "s" and re.match(r"[gpiImMe0-9]*e", flags.split()[0] if flags.split() else ""):
                cmds.append("")  # s///e: the substituted pattern space runs, unknown here
            i = j + len(flags)
        elif c in "aic:btTrRwWlLqQvF=":
            end = script.find("\n", i)
            if c in ":btT" and ";" in script[i:end if end >= 0 else n]:
                end = script.find(";", i)
            i = n if end < 0 else end
        elif c == "e":
            end = script.find("\n", i)
            text = script[i:end if end >= 0 else n].strip()
            if text:
                cmds.append(text)
            else:
                pattern = True
            i = n if end < 0 else end
        elif c == "#":
            end = script.find("\n", i)
            i = n if end < 0 else end
    return cmds, pattern


def vim_commands(cmd: SimpleCommand, ctx: EvalContext) -> tuple[list[str], list[str]]:
    a, exs = list(cmd.args), []
    for i, x in enumerate(a):
        if x in ("-c", "--cmd") and i + 1 < len(a):
            exs.append(a[i + 1])
        elif x.startswith("+") and len(x) > 1 and not x[1:].isdigit():
            exs.append(x[1:])
        elif x == "-S" and i + 1 < len(a):
            exs.extend((ctx.read_text(a[i + 1]) or "").splitlines())
    lines, unresolved = [], []
    for ex in exs:
        for part in ex.split("\n"):
            e = part.strip().lstrip(":").strip()
            e = re.sub(r"^(?:silent!?|sil!?|exe(?:cute)?)\s+", "", e)
            m = re.match(r"^(?:[%.$,\d'<>]*\s*)(?:r(?:ead)?\s*|w(?:rite)?\s*|)!(.*)$", e)
            if m and m.group(1).strip():
                lines.append(m.group(1))
            for c in re.finditer(r"\b(?:system|systemlist|jobstart|termopen)\s*\(", e):
                args = call_args(e, c.end() - 1)[0]
                text = fold_text(args[0], "vim") if args else None
                if text is None:
                    unresolved.append("vim system() of a command only known at run time")
                else:
                    lines.append(text)
    return lines, unresolved


_TAR_CMD_OPTS = ("--to-command", "--use-compress-program", "--rsh-command", "--info-script", "--new-volume-script")


def tar_commands(cmd: SimpleCommand) -> list[str]:
    a, out = list(cmd.args), []
    for i, x in enumerate(a):
        nxt = a[i + 1] if i + 1 < len(a) else ""
        if x.startswith("--") and len(x) > 5:
            name, eq, val = x.partition("=")
            if name.startswith("--checkpoint-a") and "--checkpoint-action".startswith(name):
                v = val if eq else nxt
                if v.startswith("exec="):
                    out.append(v[5:])
                continue
            if any(o.startswith(name) for o in _TAR_CMD_OPTS) and len(name) >= 6 and not "--checkpoint".startswith(name):
                out.append(val if eq else nxt)
        elif x.startswith("-") and not x.startswith("--"):
            for flag in ("I", "F"):
                if flag in x[1:]:
                    j = x.index(flag, 1)
                    rest = x[j + 1:]
                    if not x[1:j] or x[1:j].isalpha():
                        out.append(rest if rest else nxt)
                    break
    return [c for c in out if c]


def rsync_commands(cmd: SimpleCommand) -> list[str]:
    a, out = list(cmd.args), []
    for i, x in enumerate(a):
        nxt = a[i + 1] if i + 1 < len(a) else ""
        if x.startswith("--rsh="):
            out.append(x[6:])
        elif x == "--rsh" or re.fullmatch(r"-[a-zA-Z]*e", x):
            out.append(nxt)
        elif re.match(r"-e.", x):
            out.append(x[2:])
    return [c for c in out if c]


def zip_commands(cmd: SimpleCommand) -> list[str]:
    a, out = list(cmd.args), []
    for i, x in enumerate(a):
        nxt = a[i + 1] if i + 1 < len(a) else ""
        if x in ("-TT", "--unzip-command"):
            out.append(nxt)
        elif x.startswith(("--unzip-command=", "-TT=")):
            out.append(x.split("=", 1)[1])
    return [c for c in out if c]


def make_eval_commands(cmd: SimpleCommand) -> list[str]:
    out = []
    for t in option_values(cmd.args, "-E", "--eval"):
        for ln in t.split("\n"):
            if ln.startswith("\t"):
                out.append(ln[1:].lstrip("@-+ "))
            else:
                m = re.match(r"^[^:=#\t]+:(?!=)[^;=]*;(.*)$", ln)
                if m:
                    out.append(m.group(1).lstrip("@-+ "))
    return [c for c in out if c.strip()]
