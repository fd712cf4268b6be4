"""Windows words for the command model: paths and environment variables as the checks read them, cmdlet
parameters bound as PowerShell binds them, cmdlets and cmd.exe builtins mapped onto the commands the rules
already know (`Remove-Item -Recurse -Force X` is `rm -rf X`, `rd /s /q X` is `rm -rf X`, `Format-Volume` is
`mkfs`), and cmd.exe lines split into commands. Pure, standard library only: guardrail.shell.powershell walks
PowerShell's syntax tree and calls these; the Bash path never loads this module.

Paths become POSIX paths: `C:\\Users\\x` is `/Users/x`, a drive root is `/`, `$env:USERPROFILE` and `$HOME` are
`~`, `$env:SystemRoot` is `/Windows`, `$env:TEMP` is `$TMPDIR` (scratch). The checks' list of system
directories holds the Windows ones (`/Windows`, `/Program Files`, `/ProgramData`), so one rule judges both.
"""

from __future__ import annotations

import re

from guardrail.base.text import LazyRegex
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Iterable


# Environment variables as POSIX paths (upper-case names; Windows compares them without case). Others stay
# `$NAME`: unset on the command line, which the checks read as "may be empty".
ENV_PATHS: dict[str, str] = {
    "USERPROFILE": "~", "HOME": "~", "HOMEPATH": "~", "HOMEDRIVE": "", "SYSTEMDRIVE": "",
    "SYSTEMROOT": "/Windows", "WINDIR": "/Windows", "COMSPEC": "/Windows/System32/cmd.exe",
    "PROGRAMFILES": "/Program Files", "PROGRAMW6432": "/Program Files", "PROGRAMFILES(X86)": "/Program Files (x86)",
    "COMMONPROGRAMFILES": "/Program Files/Common Files", "PROGRAMDATA": "/ProgramData",
    "ALLUSERSPROFILE": "/ProgramData", "PUBLIC": "/Users/Public", "APPDATA": "~/AppData/Roaming",
    "LOCALAPPDATA": "~/AppData/Local", "ONEDRIVE": "~/OneDrive", "TEMP": "$TMPDIR", "TMP": "$TMPDIR",
}


# First path components as Windows spells them (paths compare without case; the checks compare exactly).
_CANONICAL_TOP = {"windows": "Windows", "users": "Users", "program files": "Program Files",
                  "program files (x86)": "Program Files (x86)", "programdata": "ProgramData"}


_DRIVE = LazyRegex(r"^([A-Za-z]):(?=[\\/]|$)")


_PROVIDER = LazyRegex(r"^(?:Microsoft\.PowerShell\.Core\\)?FileSystem::", re.I)


_PHYSICAL = LazyRegex(r"^[\\/]{2}[.?][\\/](?:PhysicalDrive(\d+)|([A-Za-z]):?)[\\/]?$", re.I)


def env_path(name: str) -> str:
    """`$env:NAME` / `%NAME%` as the checks read it."""
    upper = name.upper()
    return ENV_PATHS.get(upper, "$" + upper)


def to_posix(path: str) -> str:
    """A Windows path as a POSIX path the checks understand (POSIX paths pass through)."""
    p = _PROVIDER.sub("", path.strip())
    device = _PHYSICAL.match(p)
    if device:
        return f"/dev/disk{device.group(1)}" if device.group(1) else volume_device(device.group(2))
    if p.startswith(("\\\\?\\", "//?/")):
        p = p[4:]
    p = p.replace("\\", "/")
    drive = _DRIVE.match(p)
    if drive:
        p = p[2:] or "/"
    elif len(p) > 2 and p[1] == ":" and p[0].isalpha() and p[2] != "/":
        p = p[2:]  # `C:foo`: relative to the drive's current directory
    if p.startswith("/") and not p.startswith("//"):
        parts = p.split("/")
        if len(parts) > 1 and parts[1].lower() in _CANONICAL_TOP:
            parts[1] = _CANONICAL_TOP[parts[1].lower()]
            if len(parts) > 2 and parts[1] == "Windows" and parts[2].lower() == "system32":
                parts[2] = "System32"
            p = "/".join(parts)
    return p


def volume_device(letter: str) -> str:
    """A drive letter's volume as a block device path (what `mkfs` of that volume would name)."""
    return f"/dev/disk/by-id/volume-{letter.upper()}"


# --------------------------------------------------------------------------- cmdlet parameters

# Common parameters every cmdlet takes: name -> takes a value; aliases.
_COMMON_VALUES = ("ErrorAction", "WarningAction", "InformationAction", "ErrorVariable", "WarningVariable",
                  "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "ProgressAction")
_COMMON_SWITCHES = ("Verbose", "Debug", "WhatIf", "Confirm")
_COMMON_ALIASES = {"ea": "ErrorAction", "wa": "WarningAction", "infa": "InformationAction", "ev": "ErrorVariable",
                   "wv": "WarningVariable", "iv": "InformationVariable", "ov": "OutVariable", "ob": "OutBuffer",
                   "pv": "PipelineVariable", "proga": "ProgressAction", "vb": "Verbose", "db": "Debug",
                   "wi": "WhatIf", "cf": "Confirm"}


class Spec:
    """A cmdlet's parameters: positional order, value parameters, switches, aliases."""

    __slots__ = ("aliases", "positional", "switches", "values")

    def __init__(self, positional: str = "", values: str = "", switches: str = "", aliases: str = "") -> None:
        self.positional = tuple(positional.split())
        self.values = frozenset(values.split()) | frozenset(self.positional) | frozenset(_COMMON_VALUES)
        self.switches = frozenset(switches.split()) | frozenset(_COMMON_SWITCHES)
        self.aliases = dict(_COMMON_ALIASES, **dict(a.split("=") for a in aliases.split()))


_PATHS = "Path LiteralPath Filter Include Exclude Credential Stream"
SPECS: dict[str, Spec] = {
    "Remove-Item": Spec("Path Filter", _PATHS, "Recurse Force", "PSPath=LiteralPath LP=LiteralPath"),
    "Get-ChildItem": Spec("Path Filter", _PATHS + " Depth Attributes", "Recurse Force Name Directory File Hidden "
                          "ReadOnly System FollowSymlink", "PSPath=LiteralPath LP=LiteralPath s=Recurse ad=Directory "
                          "d=Directory af=File ah=Hidden h=Hidden ar=ReadOnly as=System"),
    "Set-Location": Spec("Path", "Path LiteralPath StackName", "PassThru", "PSPath=LiteralPath LP=LiteralPath"),
    "Push-Location": Spec("Path", "Path LiteralPath StackName", "PassThru", "PSPath=LiteralPath LP=LiteralPath"),
    "Clear-Content": Spec("Path", _PATHS, "Force", "PSPath=LiteralPath LP=LiteralPath"),
    "Set-Content": Spec("Path Value", _PATHS + " Value Encoding", "Force NoNewline PassThru AsByteStream",
                        "PSPath=LiteralPath LP=LiteralPath"),
    "Add-Content": Spec("Path Value", _PATHS + " Value Encoding", "Force NoNewline PassThru AsByteStream",
                        "PSPath=LiteralPath LP=LiteralPath"),
    "Out-File": Spec("FilePath Encoding", "FilePath LiteralPath Encoding Width InputObject",
                     "Append Force NoClobber NoNewline", "Path=FilePath PSPath=LiteralPath LP=LiteralPath"),
    "Move-Item": Spec("Path Destination", _PATHS + " Destination", "Force PassThru", "PSPath=LiteralPath LP=LiteralPath"),
    "Copy-Item": Spec("Path Destination", _PATHS + " Destination ToSession FromSession", "Force PassThru Recurse "
                      "Container", "PSPath=LiteralPath LP=LiteralPath"),
    "Invoke-Expression": Spec("Command", "Command"),
    "Invoke-WebRequest": Spec("Uri", "Uri Method CustomMethod Body InFile OutFile Headers ContentType Form UserAgent "
                              "Proxy ProxyCredential Credential TimeoutSec MaximumRedirection MaximumRetryCount "
                              "RetryIntervalSec WebSession SessionVariable Authentication Token TransferEncoding "
                              "Certificate CertificateThumbprint ConnectionTimeoutSeconds OperationTimeoutSeconds "
                              "HttpVersion SslProtocol", "UseBasicParsing UseDefaultCredentials SkipCertificateCheck "
                              "PassThru Resume DisableKeepAlive AllowUnencryptedAuthentication NoProxy "
                              "SkipHeaderValidation SkipHttpErrorCheck PreserveAuthorizationOnRedirect "
                              "AllowInsecureRedirect", "SV=SessionVariable"),
    "Format-Volume": Spec("DriveLetter", "DriveLetter Path FileSystemLabel FileSystem NewFileSystemLabel "
                          "AllocationUnitSize Partition InputObject ObjectId CimSession ThrottleLimit",
                          "Force Full Compress ShortFileNameSupport SetIntegrityStreams UseLargeFRS "
                          "DisableHeatGathering IsDAX AsJob"),
    "Clear-Disk": Spec("Number", "Number UniqueId FriendlyName Path InputObject CimSession ThrottleLimit",
                       "RemoveData RemoveOEM Zap AsJob PassThru"),
    "Remove-Partition": Spec("DriveLetter", "DriveLetter DiskNumber PartitionNumber DiskId DiskPath Offset "
                             "InputObject CimSession ThrottleLimit", "AsJob PassThru"),
    "Start-Process": Spec("FilePath ArgumentList", "FilePath ArgumentList WorkingDirectory Verb WindowStyle Credential "
                          "RedirectStandardOutput RedirectStandardError RedirectStandardInput Environment",
                          "Wait NoNewWindow PassThru UseNewEnvironment LoadUserProfile",
                          "Args=ArgumentList PSPath=FilePath Lup=LoadUserProfile nnw=NoNewWindow"),
    "Join-Path": Spec("Path ChildPath", "Path ChildPath AdditionalChildPath", "Resolve"),
}
# Invoke-RestMethod takes Invoke-WebRequest's parameters (and a few more of no interest here).
SPECS["Invoke-RestMethod"] = SPECS["Invoke-WebRequest"]


# Aliases (Windows PowerShell 5.1 and PowerShell 7; lower-case) -> cmdlet.
ALIASES: dict[str, str] = {
    **dict.fromkeys(("rm", "del", "erase", "rd", "ri", "rmdir"), "Remove-Item"),
    **dict.fromkeys(("gci", "ls", "dir"), "Get-ChildItem"),
    **dict.fromkeys(("cd", "sl", "chdir"), "Set-Location"), "pushd": "Push-Location",
    "clc": "Clear-Content", "sc": "Set-Content", "ac": "Add-Content",
    **dict.fromkeys(("mv", "move", "mi"), "Move-Item"), **dict.fromkeys(("cp", "copy", "cpi"), "Copy-Item"),
    "iex": "Invoke-Expression", **dict.fromkeys(("iwr", "wget", "curl"), "Invoke-WebRequest"),
    "irm": "Invoke-RestMethod", **dict.fromkeys(("start", "saps"), "Start-Process"),
    "%": "ForEach-Object", "foreach": "ForEach-Object", "icm": "Invoke-Command",
}
_CMDLETS = {name.lower(): name for name in (*SPECS, "Stop-Computer", "Restart-Computer", "ForEach-Object",
                                            "Invoke-Command", "Get-Item", "Resolve-Path", "Convert-Path")}


def cmdlet_name(word: str) -> str | None:
    """The cmdlet a command word names (an alias, any case, module-qualified), or None for other programs."""
    w = word.lower()
    if "\\" in w and not w.startswith((".", "\\")) and ":" not in w:
        w = w.rsplit("\\", 1)[1]  # Microsoft.PowerShell.Management\Remove-Item
    return _CMDLETS.get(w) or ALIASES.get(w)


ARRAY = "\x1f"  # joins the elements of one array argument (`Remove-Item a,b`): one parameter's value, several paths


class Bound:
    """A cmdlet call's arguments as PowerShell binds them: named values (lists), switches, and what did not
    bind (a dash word no parameter of the cmdlet takes: a native program's option, as `rm -rf` on Linux)."""

    __slots__ = ("named", "positional", "switches", "unbound")

    def __init__(self) -> None:
        self.named: dict[str, list[str]] = {}
        self.switches: dict[str, bool] = {}
        self.positional: list[str] = []
        self.unbound: list[str] = []

    def values(self, *names: str) -> list[str]:
        return [e for n in names for v in self.named.get(n, ()) for e in v.split(ARRAY)]

    def first(self, name: str) -> str | None:
        got = self.values(name)
        return got[0] if got else None


def parameter(spec: Spec, word: str) -> str | None:
    """The parameter a `-Word` names: exact name or alias, else the one parameter it is a prefix of."""
    w = word.lower()
    for name in (*spec.values, *spec.switches):
        if name.lower() == w:
            return name
    for alias, name in spec.aliases.items():
        if alias.lower() == w:
            return name
    hits = {n for n in (*spec.values, *spec.switches) if n.lower().startswith(w)}
    return hits.pop() if len(hits) == 1 else None


def bind(spec: Spec, words: list[tuple[str, bool]]) -> Bound:
    """Bind (text, is_parameter) words; a parameter word may carry `:value` (`-Confirm:$false`)."""
    out = Bound()
    i = 0
    while i < len(words):
        text, is_param = words[i]
        i += 1
        if not is_param:
            out.positional.append(text)
            continue
        name, _, attached = text[1:].partition(":")
        param = parameter(spec, name)
        if param is None:
            out.unbound.append(text)
            continue
        if param in spec.switches:
            out.switches[param] = attached.lower() not in ("$false", "false", "0") if attached else True
            continue
        if attached:
            out.named.setdefault(param, []).append(attached)
        elif i < len(words):
            out.named.setdefault(param, []).append(words[i][0])
            i += 1
    for name, value in zip((p for p in spec.positional if p not in out.named), list(out.positional)):
        out.named[name] = [value]
        out.positional.remove(value)
    return out


# --------------------------------------------------------------------------- cmdlets as commands

def remove_item(b: Bound, piped: list[str]) -> list[tuple[str, ...]]:
    """Remove-Item as rm: -Recurse is -r, -Force is -f; -Filter/-Include narrow each path to what matches."""
    if b.switches.get("WhatIf"):
        return []  # only says what would happen
    paths = [to_posix(p) for p in b.values("Path", "LiteralPath")] or piped
    narrow = b.values("Filter", "Include")
    if narrow:
        paths = [p.rstrip("/") + "/" + to_posix(n) for p in paths or ["."] for n in narrow]
    flags = (("-r",) if b.switches.get("Recurse") else ()) + (("-f",) if b.switches.get("Force") else ())
    return [("rm", *flags, "--", *paths)] if paths else []


def listing(b: Bound) -> list[str]:
    """What Get-ChildItem passes down a pipeline, as path words: the entries below each path (or the ones its
    -Filter/-Include select)."""
    paths = [to_posix(p) for p in b.values("Path", "LiteralPath")] or ["."]
    narrow = [to_posix(n) for n in b.values("Filter", "Include")] or ["*"]
    return [p.rstrip("/") + "/" + n for p in paths for n in narrow]


def web_request(b: Bound) -> tuple[str, ...]:
    """Invoke-WebRequest/Invoke-RestMethod as the curl command that does the same (the rules know curl)."""
    argv = ["curl"]
    method = b.first("Method") or b.first("CustomMethod")
    if method:
        argv += ["-X", method.upper()]
    if b.first("InFile"):
        argv += ["-T", to_posix(b.first("InFile") or "")]
    for body in b.values("Body", "Form"):
        argv += ["--data", body]
    if b.first("OutFile"):
        argv += ["-o", to_posix(b.first("OutFile") or "")]
    return (*argv, *b.values("Uri"), *(e for p in b.positional for e in p.split(ARRAY)))


def disk_command(cmdlet: str, b: Bound) -> list[tuple[str, ...]]:
    """Format-Volume, Clear-Disk, Remove-Partition as the wipers the disk rules know, on the device they name."""
    if b.switches.get("WhatIf"):
        return []
    if cmdlet == "Clear-Disk":
        disks = [f"/dev/disk{n}" for n in b.values("Number") if n.isdigit()]
        disks += [to_posix(p) for p in b.values("Path")] or (["/dev/disk/by-id/" + n for n in b.values(
            "FriendlyName", "UniqueId")] if not disks else [])
        return [("wipefs", "-a", d) for d in disks or ["/dev/disk/by-id/piped-disk"]]
    letters = [v.rstrip(":") for v in b.values("DriveLetter") if v.rstrip(":").isalpha()]
    devices = [volume_device(x) for x in letters] + [to_posix(p) for p in b.values("Path")]
    devices = devices or ["/dev/disk/by-id/piped-volume"]  # `Get-Partition ... | Format-Volume`
    if cmdlet == "Format-Volume":
        return [("mkfs.ntfs", d) for d in devices]
    return [("wipefs", "-a", d) for d in devices]


# --------------------------------------------------------------------------- cmd.exe

def cmd_script(args: Iterable[str]) -> str | None:
    """The command line `cmd [/s] [/q] [/d] [/v:on] /c LINE` runs (/k too), or None (an interactive cmd)."""
    words = list(args)
    for i, w in enumerate(words):
        lw = w.lower()
        if lw in ("/c", "/k", "/r"):
            line = " ".join(words[i + 1:])
            if len(line) >= 2 and line[0] == '"' and line[-1] == '"' and line.count('"') == 2:
                line = line[1:-1]  # /s rules: the outer quotes go
            return line
        if lw.startswith(("/c", "/k")) and len(w) > 2 and not lw.startswith("/c:"):
            return w[2:] + (" " + " ".join(words[i + 1:]) if words[i + 1:] else "")  # `cmd /crd /s x`
        if not w.startswith("/"):
            return None
    return None


_CMD_VAR = LazyRegex(r"%([A-Za-z_][\w()]*)%")


_SWITCHES = LazyRegex(r"(?:/[A-Za-z?](?::[^/\s]*)?)+")  # `/s`, `/q`, `/a:h`, `/s/q`


def _cmd_expand(text: str) -> str:
    def value(m: re.Match[str]) -> str:
        name = m.group(1).upper()
        if name == "CD":
            return "."
        if name in ("SYSTEMDRIVE", "HOMEDRIVE"):
            return "C:"
        value = ENV_PATHS.get(name, m.group(0))  # cmd leaves an undefined %X% as written
        return "C:" + value if value.startswith("/") else value  # a path, never taken for a /switch

    return _CMD_VAR.sub(value, text)


def cmd_statements(line: str) -> list[tuple[list[str], list[tuple[str, str]], bool]]:
    """A cmd.exe line as statements: (words, redirects as (op, target), piped from the previous one). `^` escapes
    the next character; `&`, `&&`, `||` and `|` separate outside double quotes."""
    line = _cmd_expand(line)
    out: list[tuple[list[str], list[tuple[str, str]], bool]] = []
    words: list[str] = []
    redirects: list[tuple[str, str]] = []
    word, quoted, piped, pending = "", False, False, ""
    in_word = False
    i = 0

    def end_word() -> None:
        nonlocal word, in_word, pending
        if in_word:
            if pending:
                redirects.append((pending, word))
                pending = ""
            else:
                words.append(word)
        word, in_word = "", False

    def end_statement(next_piped: bool) -> None:
        nonlocal words, redirects, piped
        end_word()
        if words:
            out.append((words, redirects, piped))
        words, redirects, piped = [], [], next_piped

    while i < len(line):
        c = line[i]
        if c == "^" and not quoted and i + 1 < len(line):
            word += line[i + 1]
            in_word = True
            i += 2
            continue
        if c == '"':
            quoted = not quoted
            in_word = True
            i += 1
            continue
        if not quoted and c in "&|":
            double = line[i:i + 2] in ("&&", "||")
            end_statement(c == "|" and not double)
            i += 2 if double else 1
            continue
        if not quoted and c in "<>":
            end_word()
            op = ">>" if line[i:i + 2] == ">>" else c
            if i > 0 and line[i - 1] in "12" and (i < 2 or line[i - 2] in " \t"):
                op = line[i - 1] + op
                if words and words[-1] == line[i - 1]:
                    words.pop()
            if line[i + len(op.lstrip("12")):].startswith("&"):
                i += len(op.lstrip("12")) + 2  # 2>&1
                continue
            pending = op
            i += len(op.lstrip("12"))
            continue
        if not quoted and c in " \t,;=":
            end_word()
            i += 1
            continue
        word += c
        in_word = True
        i += 1
    end_statement(False)
    return out


def cmd_builtin(words: list[str]) -> list[tuple[str, ...]] | None:
    """A cmd.exe builtin as the commands the rules know (rd/del/format/cd/start), or None for a program."""
    name = words[0].lower()
    if name.endswith(".exe"):
        name = name[:-4]
    switches = [w for w in words[1:] if _SWITCHES.fullmatch(w)]
    flags = {"/" + f.split(":", 1)[0].lower() for w in switches for f in w.split("/") if f}  # `/s/q` is /s and /q
    rest = [w for w in words[1:] if not _SWITCHES.fullmatch(w)]
    if name in ("rd", "rmdir"):
        if "/s" not in flags:
            return [("rmdir", *[to_posix(p) for p in rest])]
        return [("rm", "-r", *(("-f",) if "/q" in flags else ()), "--", *[to_posix(p) for p in rest])]
    if name in ("del", "erase"):
        opts = ("-r",) if "/s" in flags else ()
        opts += ("-f",) if flags & {"/q", "/f"} else ()
        return [("rm", *opts, "--", *[to_posix(p) for p in rest])]
    if name == "format" and rest:
        return [("mkfs.ntfs", volume_device(rest[0][0])) if rest[0][:1].isalpha() else ("mkfs.ntfs", rest[0])]
    if name in ("cd", "chdir", "pushd"):
        return [("cd", to_posix(" ".join(rest)) if rest else "~")] if name != "cd" or rest else []
    if name == "start":
        rest = words[1:]
        while rest and (rest[0].startswith("/") or rest[0] == ""):
            rest = rest[1:]
        return [tuple(rest)] if rest else []
    return None
