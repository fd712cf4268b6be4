"""Which environment a command targets (prod / staging / local / unknown), and protected resources.

Evidence, strongest first: the command's own words (DSNs, hosts, `--env production`, `--context prod-eks`,
`--profile prod`), its env assignments, then the hook's environment and the `.env*` files in cwd that the
tool itself would load (read through `ctx.read`, only when a rule already matched: never on the
benign path). Pure apart from that injected reader.
"""

from __future__ import annotations

import fnmatch
import re

from guardrail.base.vocab import KUBECONFIG_READERS
from guardrail.model import SimpleCommand
from guardrail.sql.clients import sql_option_clients
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Iterable, Mapping


_PROD = re.compile(
    r"(?<![a-z0-9])(prod|production|live|prd)(?![a-z0-9])|\.rds\.amazonaws\.com|\.database\.azure\.com|"
    r"\.database\.windows\.net|\.supabase\.co|\.pooler\.supabase\.com|neon\.tech|psdb\.cloud|planetscale|"
    r"\.cloudsql|\.render\.com|railway\.app|rlwy\.net|herokuapp|\.mongodb\.net|\.upstash\.io|\.redis\.cloud|"
    r"\.cache\.amazonaws\.com|\.aivencloud\.com|\.timescale\.com|\.turso\.io|\.cockroachlabs\.cloud|"
    r"\.elephantsql\.com|\.digitaloceanspaces\.com|\.db\.ondigitalocean\.com",
    re.I,
)
_STAGING = re.compile(r"(?<![a-z0-9])(staging|stage|stg|preprod|uat)(?![a-z0-9])", re.I)
_LOCAL = re.compile(
    r"localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0|host\.docker\.internal|(?<![a-z0-9])(dev|development|local|test|"
    r"testing|scratch|sandbox)(?![a-z0-9])|_test\b|_dev\b|^/tmp/|\s/tmp/|:memory:|kind-|minikube|"
    r"docker-desktop|rancher-desktop|k3d-",
    re.I,
)
# Variables whose value names the target environment or database, as ORMs and frameworks read them.
ENV_KEYS = (
    "DATABASE_URL", "DB_URL", "POSTGRES_URL", "PG_URL", "MYSQL_URL", "MONGODB_URI", "MONGO_URL", "REDIS_URL",
    "DB_HOST", "PGHOST", "PGDATABASE", "MYSQL_HOST", "DIRECT_URL", "SUPABASE_URL", "RAILS_ENV", "RACK_ENV",
    "NODE_ENV", "APP_ENV", "MIX_ENV", "FLASK_ENV", "DJANGO_SETTINGS_MODULE", "ENVIRONMENT", "ENV", "STAGE",
    "AWS_PROFILE", "KUBECONFIG", "TF_WORKSPACE", "PULUMI_STACK", "LARAVEL_ENV",
)
_ENV_FILES = (".env", ".env.local")
_FLAG_VALUE = frozenset({"--env", "-e", "--environment", "--context", "--kube-context", "--profile", "--stage",
                         "--stack", "-s", "--project", "--app", "-a", "--workspace", "--target", "--settings",
                         "--database-url", "--db-url", "--url", "-h", "--host", "--cluster", "-d", "--dbname",
                         "--database", "-D", "-n", "--namespace", "--region", "-g", "--resource-group"})


_SQL_E = sql_option_clients("e")  # `-e` is SQL for these clients, not an environment


# A substring of every alternative of _PROD, _STAGING and _LOCAL: a pattern can only match (ASCII) text whose
# lower-case form contains one of its hints. The patterns begin with look-behinds, so the regex engine tries
# every alternative at every position; the substring tests skip that for most text.
_PROD_HINTS = ("prod", "live", "prd", "amazonaws", "azure", "windows", "supabase", "neon", "psdb", "planetscale",
               "cloudsql", "render", "railway", "rlwy", "heroku", "mongodb", "upstash", "redis", "aiven", "timescale",
               "turso", "cockroach", "elephantsql", "digitalocean")
_STAGING_HINTS = ("stag", "stg", "preprod", "uat")
_LOCAL_HINTS = ("local", "0.0", "::1", "docker", "dev", "test", "scratch", "sandbox", "/tmp/", "memory", "kind-",
                "minikube", "rancher", "k3d-")


def _hinted(low: str, hints: tuple[str, ...]) -> bool:
    for h in hints:  # a plain loop: measured faster than any(map(low.__contains__, hints)) here
        if h in low:
            return True
    return False


def classify_text(text: str) -> str:
    """prod | staging | local | unknown, from hosts, DSNs, names and flags in `text`."""
    if not text:
        return "unknown"
    if text.isascii():  # re.I on ASCII text is ASCII case folding, so lower() decides the hints exactly
        low = text.lower()
        if _hinted(low, _PROD_HINTS) and _PROD.search(text):
            return "prod"
        if _hinted(low, _STAGING_HINTS) and _STAGING.search(text):
            return "staging"
        if _hinted(low, _LOCAL_HINTS) and _LOCAL.search(text):
            return "local"
        return "unknown"
    if _PROD.search(text):
        return "prod"
    if _STAGING.search(text):
        return "staging"
    if _LOCAL.search(text):
        return "local"
    return "unknown"


def command_text(cmd: SimpleCommand) -> str:
    """The words of a command that can name its target (argv, env assignments, wrappers such as ssh host)."""
    return " ".join(cmd.argv) + " " + " ".join(f"{k}={v}" for k, v in cmd.env) + " " + " ".join(cmd.via)


def parse_dotenv(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#") or "=" not in s:
            continue
        s = s.removeprefix("export ").strip()
        k, v = s.split("=", 1)
        v = v.strip()
        if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
            v = v[1:-1]
        out[k.strip()] = v
    return out


def _read(ctx: Any, path: str) -> str | None:
    try:
        return ctx.read(ctx.resolve(path))  # what the line wrote there earlier, else the file
    except Exception:  # a reader must never break a decision
        return None


def dotenv_values(ctx: Any, names: Iterable[str] = _ENV_FILES) -> dict[str, str]:
    """Values from `.env` then `.env.local` in cwd (later files win, as dotenv loaders do). Read once per
    evaluation context (several rules and findings of one call ask); callers get a copy."""
    names = tuple(names)
    memo = getattr(ctx, "memo", None)  # the evaluation's memo (an EvalContext); other contexts read every time
    key = ("dotenv", ctx.cwd, names)
    if memo is not None and key in memo:
        return dict(memo[key])
    out: dict[str, str] = {}
    for name in names:
        text = _read(ctx, name)
        if text:
            out.update(parse_dotenv(text[:200_000]))
    if memo is not None:
        memo[key] = out
    return dict(out)


def command_environment(cmd: SimpleCommand, ctx: Any, *, files: bool = True) -> str:
    """The environment `cmd` most likely targets; only the command's words are used when they decide it."""
    env = getattr(cmd, "_words_environment", None)  # several rules and the finding ask about one command
    if env is None:
        text = command_text(cmd)
        # When no hint of any class occurs in `text` (of which every word below is a part, and hints have no
        # spaces) the command's own words say nothing: they are not classified one by one.
        env = words_environment(cmd, text) if not text.isascii() or _any_hint(text.lower()) else "unknown"
        if hasattr(cmd, "_words_environment"):
            object.__setattr__(cmd, "_words_environment", env)
    if env != "unknown":
        return env
    return _inherited_environment(cmd, ctx, files)


def words_environment(cmd: SimpleCommand, text: str) -> str:
    """What the command's own words say (`text` is command_text(cmd)): prod, staging, local or unknown."""
    flagged, bare = _target_words(cmd)
    # wrappers that name a host or container count (`ssh db-prod`); script labels (`make test`) do not
    hosts = " ".join(v for v in cmd.via if v.startswith(("ssh ", "kubectl", "docker", "podman", "heroku", "fly"))) \
        if cmd.via else ""
    assigned = " ".join(f"{k}={v}" for k, v in cmd.env if k in ENV_KEYS) if cmd.env else ""
    env = classify_text(flagged + " " + assigned + " " + hosts)
    if env != "unknown":
        return env
    # bare words (`dropdb shop_prod`) may say prod or staging, but never local: `migrate dev`, `npm test`
    env = classify_text(bare)
    if env in ("prod", "staging"):
        return env
    return "prod" if classify_text(text) == "prod" else "unknown"


_ALL_HINTS = _PROD_HINTS + _STAGING_HINTS + _LOCAL_HINTS


def _any_hint(low: str) -> bool:
    return _hinted(low, _ALL_HINTS)


def _inherited_environment(cmd: SimpleCommand, ctx: Any, files: bool) -> str:
    """The environment the hook's variables (and, with `files`, `.env` files in cwd) name for `cmd`."""
    variables = getattr(ctx, "env", None)
    inherited = {k: v for k, v in variables.items() if k in ENV_KEYS} if variables else {}
    if files:
        for k, v in dotenv_values(ctx).items():
            if k in ENV_KEYS:
                inherited.setdefault(k, v)  # the real environment wins over .env, as dotenv does
    env = classify_text(" ".join(f"{k}={v}" for k, v in inherited.items())) if inherited else "unknown"
    if env == "unknown" and files and cmd.name in _KUBE_TOOLS:
        env = classify_text(kube_current_context(ctx, inherited.get("KUBECONFIG")))
    return env


_KUBE_TOOLS = KUBECONFIG_READERS


def kube_current_context(ctx: Any, kubeconfig: str | None = None) -> str:
    """`current-context` from the kubeconfig (first file of $KUBECONFIG, else ~/.kube/config); '' if unknown."""
    home = getattr(ctx, "home", "") or ""
    path = (kubeconfig or "").split(":")[0] or (f"{home}/.kube/config" if home else "")
    if not path:
        return ""
    try:
        text = ctx.read(path)
    except Exception:
        return ""
    m = re.search(r"(?m)^current-context:\s*['\"]?([^'\"\s]+)", (text or "")[:500_000])
    return m.group(1) if m else ""


_TARGET_RX: list[re.Pattern[str]] = []


def _target_rx() -> list[re.Pattern[str]]:
    """_target_words' patterns, compiled on first use (not at import: the hook rarely needs them)."""
    _TARGET_RX[:] = [re.compile(r"\.(com|net|io|cloud|co|app)\b"), re.compile(r"(?i)(host|dbname)="),
                     re.compile(r"[\w.-]+"), re.compile(r"\.(md|txt|py|js|ts|sql|json|ya?ml|log)$")]
    return _TARGET_RX


def _target_words(cmd: SimpleCommand) -> tuple[str, str]:
    """(values of target-naming flags and DSN-like arguments, bare name arguments); a file `prod_notes.md` is neither."""
    out: list[str] = []
    bare: list[str] = []
    args = cmd.args
    domain, dsn_key, word, doc_ext = _TARGET_RX or _target_rx()
    for i, a in enumerate(args):
        if "=" in a and a.split("=", 1)[0] in ENV_KEYS:
            out.append(a)  # `rails db:drop RAILS_ENV=production`
            continue
        if "=" in a and a.startswith("--"):
            k, v = a.split("=", 1)
            if k in _FLAG_VALUE:
                out.append(v)
            continue
        if a in _FLAG_VALUE and i + 1 < len(args) and not (a == "-e" and cmd.name in _SQL_E):
            out.append(args[i + 1])
            continue
        if "://" in a or "@" in a or domain.search(a) or dsn_key.match(a):
            out.append(a)
        elif a.startswith("/tmp/") or a == ":memory:":
            out.append(a)
        elif word.fullmatch(a) and not a.startswith("-") and not doc_ext.search(a):
            bare.append(a)  # bare names: database, namespace, stack, app
    return " ".join(out), " ".join(bare)


# --------------------------------------------------------------------------- protected resources

PROTECTED_KINDS = ("databases", "namespaces", "buckets", "branches", "paths", "projects", "stacks", "clusters")


def protected_names(config: Mapping[str, Any] | None, kinds: Iterable[str] = PROTECTED_KINDS) -> list[str]:
    """Configured protected names (globs allowed), from `protected.<kind>` nested or flat keys."""
    if not config:
        return []
    out: list[str] = []
    nested = config.get("protected")
    for kind in kinds:
        vals: Any = None
        if hasattr(nested, "get"):
            vals = nested.get(kind)
        if vals is None:
            vals = config.get(f"protected.{kind}") or config.get(f"protected_{kind}")
        if isinstance(vals, str):
            vals = [vals]
        if isinstance(vals, (list, tuple)):
            out.extend(str(v) for v in vals if v)
    return out


_TOKEN = re.compile(r"[\w.$*?-]+")


def protected_hits(text: str, names: list[str]) -> list[str]:
    """Protected names that occur in `text` as whole tokens (a DSN path, `-n prod-ns`, `s3://bucket/...`)."""
    if not names or not text:
        return []
    tokens = set(_TOKEN.findall(text.replace("/", " ").replace(":", " ").replace("@", " ").replace("=", " ")))
    hits = []
    for n in names:
        if any(ch in n for ch in "*?["):
            if any(fnmatch.fnmatchcase(t, n) for t in tokens):
                hits.append(n)
        elif n in tokens or n.strip("/") in tokens:
            hits.append(n)
        elif "/" in n and n in text:
            hits.append(n)
    return hits
