"""Secret redaction for everything guardrail writes down (the audit trail above all).

`redact_text` replaces credentials with `[REDACTED:<kind>]` and keeps the rest readable, so a logged
`psql postgres://app:hunter2@db/prod -c 'drop table t'` still shows what ran.
`redact_value` does the same through a JSON-like value and also blanks values stored under
sensitive keys (`{"password": ...}`).

Why known formats and not entropy: every pattern names a format, so over-redaction of ordinary
text (git SHAs, `git log --author`, `task-list`) stays rare and testable.

Speed: each pattern starts with a literal (`eyJ`, `ghp_`, `://`, `=`) so `re` can skip ahead with
its fast literal search; word-boundary and name checks run in Python on the few candidates.
Patterns are tried only when one of their hint substrings occurs in the text, every quantifier
that can meet long input is bounded, and patterns compile once, on first use.
"""

from __future__ import annotations

TYPE_CHECKING = False  # keep typing off the hook's import path
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Check = Callable[[str, Any, str], bool]  # (text, match, value) -> redact?

MARK = "[REDACTED:{}]"
_MARK_PREFIX = "[REDACTED"
_MAX_DEPTH = 64
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_IDENT = _WORD | frozenset(".-")

# A name whose assigned value is a secret (`PGPASSWORD`, `api_key`, `client_secret`, `AWS_SECRET_ACCESS_KEY`).
# The bare `_KEY` suffix is upper case only, so `primary_key=True` / `sort_key=...` in code stay
# readable; `PWD`/`OLDPWD` are shell variables, not secrets (`MYSQL_PWD` is).
_SECRET_NAME = (
    r"(?:[A-Za-z0-9_.-]*(?i:password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key"
    r"|secret[_-]?key|private[_-]?key|auth[_-]?key|account[_-]?key|credentials?|_pwd|_pass|storepass|keypass)"
    r"|[A-Z0-9_]*_KEY|PASS)"
)
# Dict keys (redact_value) also cover header-like names.
_SECRET_KEY = r"(?:" + _SECRET_NAME + r"|(?i:authorization|cookie|set-cookie|pass|x-api-key))"
_NOT_SECRET_VALUES = frozenset({"", "true", "false", "null", "none", "nil", "yes", "no", "0", "1", "***", "...", "xxx"})

# A value as written: double-quoted, single-quoted (both bounded), or one unquoted word.
_QVALUE = r"""(?:"(?:[^"\\\n]|\\.){1,2000}"|'[^'\n]{1,2000}'|[^\s'"`;&|<>(){}\[\],=]{1,2000})"""
_FLAG_VALUE = r"""(?:"[^"\n]{1,2000}"|'[^'\n]{1,2000}'|[^\s'"\-;&|][^\s'";&|]{0,2000})"""

# The last letter of every secret name (passworD, secreT, tokeN, api_keY, passphrasE, credentiaL(S)):
# assignment and JSON patterns start with it, so `re` skips most `=` and `":` without a Python call.
_LAST = "[dDtTnNyYeElLsS]"


def _has_mixed(s: str, m: Any, v: str) -> bool:
    """Both letter cases and a digit: real keys have them, prose and package names rarely do."""
    return any(c.isdigit() for c in v) and any(c.isupper() for c in v) and any(c.islower() for c in v)


def _digit_or_long(s: str, m: Any, v: str) -> bool:
    return len(v) >= 20 or any(c.isdigit() for c in v)


def _name_before(s: str, end: int) -> tuple[str, int]:
    """The identifier (letters, digits, `_.-`) ending at `end`, after skipping blanks; and its start."""
    i = end
    while i > 0 and s[i - 1] in " \t":
        i -= 1
    j = i
    lo = max(0, i - 100)
    while j > lo and s[j - 1] in _IDENT:
        j -= 1
    if j == lo and lo > 0:
        return "", j  # a run longer than any real name
    return s[j:i], j


_NAME_WORDS = ("pass", "pwd", "secret", "token", "key", "cred")
_KEY_WORDS = _NAME_WORDS + ("authorization", "cookie")


def _secret_name(name: str) -> bool:
    low = name.lower()
    return any(w in low for w in _NAME_WORDS) and _name_rx().fullmatch(name) is not None


def _assigned_name_is_secret(s: str, m: Any, v: str) -> bool:
    name, _ = _name_before(s, m.start() + 1)
    return bool(name) and _secret_name(name)


def _quoted_key_is_secret(s: str, m: Any, v: str) -> bool:
    """`"password": "x"`: the match starts at the key's closing quote (or at `\\"` inside a string)."""
    end = m.start() + 1
    j = end
    lo = max(0, end - 100)
    while j > lo and s[j - 1] in _IDENT:
        j -= 1
    name = s[j:end]
    return bool(name) and s[j - 1 : j] in ("\"", "'") and _secret_name(name)


def _yaml_key_is_secret(s: str, m: Any, v: str) -> bool:
    return _secret_name(m.group("n"))


def _mysql_context(s: str, m: Any, v: str) -> bool:
    """`-pSECRET` is a password only for the mysql family (elsewhere `-p` is a port, a flag, ...)."""
    start = m.start()
    if start == 0 or not s[start - 1].isspace():
        return False
    seg = s[max(0, start - 300) : start]
    seg = seg[max(seg.rfind(c) for c in "\n;|&") + 1 :]
    for word in ("mysql", "mariadb"):
        i = seg.rfind(word)
        while i >= 0:
            if i == 0 or seg[i - 1] in " \t/\"'":
                return True
            i = seg.rfind(word, 0, i)
    return False


_CLI_PASSWORD_FLAGS = {
    "-p": frozenset({"mongo", "mongosh", "mongodump", "mongorestore", "mongoexport", "mongoimport", "mongostat"}),
    "-P": frozenset({"sqlcmd", "bcp"}),
    "-a": frozenset({"redis-cli", "valkey-cli", "keydb-cli"}),
}


def _cli_password_context(s: str, m: Any, v: str) -> bool:
    """`redis-cli -a PW`, `sqlcmd -P PW`, `mongosh -p PW`, `docker login -p PW`: the flag means a
    password only for these programs (`docker run -p 8080:80` is a port)."""
    start = m.start()
    if start == 0 or not s[start - 1].isspace():
        return False
    seg = s[max(0, start - 300) : start]
    seg = seg[max(seg.rfind(c) for c in "\n;|&") + 1 :]
    words = {w.rsplit("/", 1)[-1].strip("\"'") for w in seg.split()}
    flag = m.group("f")
    if flag == "-p" and "login" in words:
        from guardrail.base.vocab import REGISTRY_CLIENTS  # only here: the audit of a benign call never loads it

        if words & REGISTRY_CLIENTS:
            return True
    return bool(words & _CLI_PASSWORD_FLAGS.get(flag, frozenset()))


def _not_uid(s: str, m: Any, v: str) -> bool:
    # `docker run -u 1000:1000` is a uid:gid, `-u redis://...` a URL: neither holds a password.
    start = m.start()
    return (start == 0 or s[start - 1].isspace()) and not v.replace(":", "").isdigit() and not v.startswith("//")


# (kind, pattern, hints, value group or None for the whole match, check, word boundary before)
# hints: lower-case substrings one of which must occur for the pattern to be tried at all.
_Spec = tuple[str, str, tuple[str, ...], "str | None", "Check | None", bool]
_SPECS: list[_Spec] = [
    # Private key blocks first, so their bodies never feed the token patterns. An unterminated
    # block (a truncated file) is redacted to the end of the text.
    (
        "private_key",
        r"-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----"
        r"[\s\S]*?(?:-----END[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----|\Z)",
        ("private key",), None, None, False,
    ),
    ("jwt", r"eyJ[A-Za-z0-9_-]{4,4000}\.eyJ[A-Za-z0-9_-]{4,8000}\.[A-Za-z0-9_-]{0,4000}", ("eyj",), None, None, True),
    ("aws_access_key", r"A(?:KIA|SIA|BIA|CCA)[A-Z0-9]{16}(?![A-Za-z0-9])", ("akia", "asia", "abia", "acca"), None, None, True),
    ("github_token", r"gh[pousr]_[A-Za-z0-9]{30,255}(?![A-Za-z0-9])", ("gh",), None, None, True),
    ("github_token", r"github_pat_[A-Za-z0-9_]{22,255}", ("github_pat_",), None, None, True),
    ("gitlab_token", r"gl(?:pat|dt|ptt|rt|cbt|oas)-[A-Za-z0-9_-]{20,255}", ("gl",), None, None, True),
    ("slack_token", r"xox[abposre]-[A-Za-z0-9-]{10,255}", ("xox",), None, None, True),
    ("slack_webhook", r"https://hooks\.slack\.com/services/[A-Za-z0-9/]{20,200}", ("hooks.slack.com",), None, None, False),
    ("stripe_key", r"[spr]k_(?:live|test)_[A-Za-z0-9]{16,255}(?![A-Za-z0-9])", ("_live_", "_test_"), None, None, True),
    ("stripe_key", r"whsec_[A-Za-z0-9]{24,255}(?![A-Za-z0-9])", ("whsec_",), None, None, True),
    ("anthropic_key", r"sk-ant-[A-Za-z0-9_-]{20,255}", ("sk-ant-",), None, None, True),
    # OpenAI: `sk-` then a long mixed-case body (keeps `sk-learn-tutorial` readable; the word
    # boundary keeps `task-...`/`desk-...` out).
    ("openai_key", r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,255}", ("sk-",), None, _has_mixed, True),
    ("google_api_key", r"AIza[0-9A-Za-z_-]{35}", ("aiza",), None, None, True),
    ("google_oauth", r"ya29\.[0-9A-Za-z_-]{20,2000}", ("ya29.",), None, None, True),
    ("vault_token", r"hv[sbr]\.[A-Za-z0-9_-]{24,400}", ("hvs.", "hvb.", "hvr."), None, None, True),
    # base64 of a PEM block (`LS0tLS1CRUdJTi` = "-----BEGIN"): kubeconfig `client-key-data`, CI variables.
    ("pem_base64", r"LS0tLS1CRUdJTi[A-Za-z0-9+/=]{20,20000}", ("ls0tls1crudjti",), None, None, False),
    ("npm_token", r"npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])", ("npm_",), None, None, True),
    ("pypi_token", r"pypi-AgE[A-Za-z0-9_-]{50,2000}", ("pypi-",), None, None, True),
    ("sendgrid_key", r"SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{20,64}", ("sg.",), None, None, True),
    ("huggingface_token", r"hf_[A-Za-z0-9]{30,64}(?![A-Za-z0-9])", ("hf_",), None, None, True),
    ("digitalocean_token", r"do[por]_v1_[a-f0-9]{64}", ("_v1_",), None, None, True),
    # Headers: `Authorization: Bearer x`, `-H 'Authorization: token x'`, `"authorization": "Basic x"`.
    (
        "authorization",
        r"(?i:authorization)[\"']?[ \t]*[:=][ \t]*[\"']?"
        r"(?:(?i:bearer|basic|token|bot|digest|negotiate|apikey)[ \t]+)?(?P<v>[^\s\"',;]{1,4000})",
        ("authorization",), "v", None, True,
    ),
    ("bearer", r"(?i:bearer)[ \t]+(?P<v>[A-Za-z0-9._~+/=-]{8,4000})", ("bearer",), "v", _digit_or_long, True),
    (
        "api_key_header",
        r"(?i:x-api-key|api-key|x-auth-token|private-token|x-goog-api-key|x-vault-token)[ \t]*:[ \t]*(?P<v>[^\s\"']{1,4000})",
        ("api-key", "auth-token", "private-token", "vault-token"), "v", None, True,
    ),
    ("cookie", r"(?i:cookie)[ \t]*:[ \t]*(?P<v>[^\r\n\"']{1,4000})", ("cookie",), "v", None, True),
    # user:password@ in any URL: postgres, mysql, mongodb+srv, redis://:pw@, amqp, https basic auth.
    ("dsn_password", r"://[^\s:/@'\"]{0,256}:(?P<v>[^\s@'\"/]{1,256})@", ("://",), "v", None, False),
    # Query strings and connection strings: `?password=`, `&access_token=`, `;Pwd=` (JDBC/ODBC).
    (
        "query_secret",
        r"[?&;](?i:password|passwd|pwd|token|access_token|api_key|apikey|secret|client_secret|sig|signature|key)="
        r"(?P<v>[^&\s'\";#]{1,2000})",
        ("pass", "pwd", "token", "secret", "key", "sig"), "v", None, False,
    ),
    # mysql's glued password: `mysql -uroot -phunter2 db` (a bare `-p` prompts, so it is left alone).
    ("mysql_password", r"-p(?P<v>\"[^\"\n]{1,400}\"|'[^'\n]{1,400}'|[^\s'\";&|-][^\s'\";&|]{0,400})", ("mysql", "mariadb"), "v", _mysql_context, False),
    (
        "cli_password",
        r"(?P<f>-[pPa])[ \t]+(?P<v>\"[^\"\n]{1,400}\"|'[^'\n]{1,400}'|[^\s'\";&|-][^\s'\";&|]{0,400})",
        ("docker", "podman", "buildah", "skopeo", "helm", "oras", "nerdctl", "crane", "mongo", "sqlcmd", "bcp",
         "redis-cli", "valkey-cli", "keydb-cli"),
        "v", _cli_password_context, False,
    ),
    ("sshpass", r"sshpass[ \t]+-p[ \t]*(?P<v>\"[^\"\n]{1,400}\"|'[^'\n]{1,400}'|[^\s'\";&|]{1,400})", ("sshpass",), "v", None, True),
    ("openssl_pass", r"pass:(?P<v>[^\s'\"]{1,400})", ("pass:",), "v", None, True),
    ("netrc_password", r"machine\s{1,40}\S{1,256}\s{1,40}login\s{1,40}\S{1,256}\s{1,40}password\s{1,40}(?P<v>\S{1,400})", ("machine",), "v", None, True),
    # `--password=x`, `--password x`, `--api-key x`, `-storepass x` (a value starting with `-` is the
    # next flag, so it is left alone).
    (
        "flag_secret",
        r"--?(?i:(?:[a-z0-9]+-)*(?:password|passwd|passphrase|token|secret|api-?key|access-?key|secret-?key"
        r"|auth-?token|client-secret|storepass|keypass|srcstorepass|deststorepass))(?:=|[ \t]+)(?P<v>" + _FLAG_VALUE + r")",
        ("pass", "token", "secret", "key"), "v", None, True,
    ),
    # `curl -u user:pass`, `--user=user:pass`.
    ("basic_auth", r"-(?:u|-user)(?:=|[ \t]+)['\"]?[^\s:'\"/]{1,256}:(?P<v>[^\s'\"]{1,256})", ("-u",), "v", _not_uid, False),
    # Assignments: `PGPASSWORD=x`, `export API_TOKEN="x"`, `password = 'x'` (shell, .env, ini, code).
    # Anchored on `=`; the name before it is checked in Python.
    ("secret_assignment", _LAST + r"[ \t]*=[ \t]*(?P<v>" + _QVALUE + r")", _NAME_WORDS, "v", _assigned_name_is_secret, False),
    # JSON / Python dict entries: `"password": "x"`, `'api_key': 'x'`, and JSON inside a shell string (`\"`).
    (
        "secret_field",
        _LAST + r"\\?[\"'][ \t]*:[ \t]*(?P<v>\\\"(?:[^\"\\\n]|\\[^\"\n]){1,4000}\\\"|\"(?:[^\"\\\n]|\\.){1,4000}\"|'[^'\n]{1,4000}')",
        _NAME_WORDS, "v", _quoted_key_is_secret, False,
    ),
    # YAML and config lines: `  password: x`, `- token: x`.
    ("secret_field", r"(?m:^)[ \t-]{0,40}(?P<n>[A-Za-z0-9_.-]{1,100})[ \t]*:[ \t]+(?P<v>[^\s#][^\n]{0,2000})", _NAME_WORDS, "v", _yaml_key_is_secret, False),
    # An AWS secret access key on its own (40 base64 characters with both cases and a digit, so
    # never a git SHA), only when the text talks about AWS at all.
    ("aws_secret_key", r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])", ("aws", "akia", "asia"), None, _has_mixed, False),
]

# A character the pattern cannot match without (checked before compiling it).
# Substrings (any of; in the lower-cased text) a pattern cannot match without, on top of its hints:
# a command with `postgres://` and the word "password" does not pay to compile the YAML pattern.
_FLAG_NEEDS = ("-pass", "-token", "-secret", "-api", "-access", "-auth", "-storepass", "-keypass", "-srcstore", "-deststore")


def _need(kind: str, pattern: str) -> tuple[str, ...]:
    if kind == "secret_field":
        return (": ", ":\t") if pattern.startswith("(?m:^)") else ('":', "':", '" :', "' :")
    return {
        "secret_assignment": ("=",),
        "query_secret": ("?", "&", ";"),
        "flag_secret": _FLAG_NEEDS,
        "basic_auth": (":",),
    }.get(kind, ())


_NEEDS = [_need(k, p) for k, p, *_ in _SPECS]
_HINTS = tuple(sorted({h for _, _, hints, *_ in _SPECS for h in hints}))  # every pattern has at least one hint

_compiled: list[Any] = [None] * len(_SPECS)  # filled per pattern on first use: a hook process pays
_name_re: Any = None                           # only for the patterns its text can trigger
_key_re: Any = None


def _rx(i: int) -> Any:
    rx = _compiled[i]
    if rx is None:
        import re

        rx = _compiled[i] = re.compile(_SPECS[i][1])
    return rx


def _name_rx() -> Any:
    global _name_re
    if _name_re is None:
        import re

        _name_re = re.compile(_SECRET_NAME)
    return _name_re


def _key_rx() -> Any:
    global _key_re
    if _key_re is None:
        import re

        _key_re = re.compile(_SECRET_KEY)
    return _key_re


def _is_placeholder(v: str) -> bool:
    """Values that are clearly not secrets: variable references, booleans, earlier markers."""
    inner = v.strip("\\\"'")
    return (
        inner.lower() in _NOT_SECRET_VALUES
        or inner.startswith(("$", "%(", "{{", "<"))
        or _MARK_PREFIX in inner
    )


def _quote_of(v: str) -> str:
    for q in ('\\"', '"', "'"):
        if len(v) >= 2 * len(q) and v.startswith(q) and v.endswith(q):
            return q
    return ""


def redact_text(s: str) -> str:
    """Return `s` with every recognised secret replaced by `[REDACTED:<kind>]`."""
    if not s or len(s) < 8:
        return s
    lowered = s.lower()
    if not any(h in lowered for h in _HINTS):
        return s  # no pattern can match without one of its hints: most text (ids, paths, `ls -la`) stops here
    seen: dict[str, bool] = {}  # hint -> present, reset when the text changes
    for i, (kind, _, hints, group, check, bound) in enumerate(_SPECS):
        for h in hints:
            hit = seen.get(h)
            if hit is None:
                hit = seen[h] = h in lowered
            if hit:
                break
        else:
            continue
        needs = _NEEDS[i]
        if needs and not any(x in lowered for x in needs):
            continue
        new = _redact_one(s, _rx(i), MARK.format(kind), group, check, bound)
        if new is not s:
            s = new
            lowered = s.lower()
            seen.clear()
    return s


def _redact_one(s: str, rx: Any, mark: str, group: str | None, check: Check | None, bound: bool) -> str:
    """One pattern over `s`. A rejected candidate does not swallow its value: the scan resumes where
    the value starts, so `--from-literal=user=app --from-literal=password=x` or JSON inside a JSON
    string still have their inner secrets seen."""
    parts: list[str] = []
    last = pos = 0
    n = len(s)
    while pos < n:
        m = rx.search(s, pos)
        if m is None:
            break
        start = m.start()
        v = m.group(0) if group is None else m.group(group)
        if (
            (bound and start > 0 and s[start - 1] in _WORD)
            or _is_placeholder(v)
            or (check is not None and not check(s, m, v))
        ):
            pos = max(m.start(group), start + 1) if group is not None else start + 1
            continue
        a, b = m.span(group) if group is not None else m.span()
        q = _quote_of(v) if group is not None else ""
        parts.append(s[last:a])
        parts.append(q + mark + q)
        last = b
        pos = max(b, start + 1)
    if not parts:
        return s
    parts.append(s[last:])
    return "".join(parts)


def is_secret_key(key: str) -> bool:
    """True when a mapping key names a credential (`password`, `api_key`, `AWS_SECRET_ACCESS_KEY`)."""
    low = key.lower()
    if not any(w in low for w in _KEY_WORDS) or len(key) > 200:
        return False
    return _key_rx().fullmatch(key) is not None


def is_secret_item(key: Any, value: Any) -> bool:
    """A scalar value stored under a sensitive key (`password`, `api_token`, ...) that is not a placeholder:
    it is replaced whole, whatever it looks like."""
    return (
        isinstance(key, str)
        and isinstance(value, (str, int, float))
        and not isinstance(value, bool)
        and is_secret_key(key)
        and not _is_placeholder(str(value))
    )


def redact_value(obj: Any, _depth: int = 0) -> Any:
    """A deep copy of a JSON-like value with every string redacted.

    A string or number under a sensitive key is replaced whole; nesting deeper than 64 levels is cut
    (`[TRUNCATED:depth]`) so hostile input cannot exhaust the stack. Tuples become lists (JSON shape).
    """
    if isinstance(obj, str):
        return redact_text(obj)
    if obj is None or isinstance(obj, (bool, int, float)):
        return obj
    if _depth >= _MAX_DEPTH:
        return "[TRUNCATED:depth]"
    if isinstance(obj, dict):
        out: dict[Any, Any] = {}
        for k, v in obj.items():
            key = redact_text(k) if isinstance(k, str) else k
            if is_secret_item(k, v):
                out[key] = MARK.format("secret")
            else:
                out[key] = redact_value(v, _depth + 1)
        return out
    if isinstance(obj, (list, tuple)):
        return [redact_value(v, _depth + 1) for v in obj]
    return redact_text(repr(obj))
