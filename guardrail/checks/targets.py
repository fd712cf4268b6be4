"""Checks on what a command targets: its environment (production, staging, local) and resources protected in config."""

from __future__ import annotations

import re

from guardrail.base.vocab import KUBE_CLIS
from guardrail.checks.sql import command_env
from guardrail.model import EvalContext, SimpleCommand
from guardrail.rules import has_flag, positionals
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Mapping


def target_env(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """Fires when the command's target environment is in `args.environment` (and not in `args.not_environment`).

    Put it after cheap conditions (program, subcommand, flags): it may read `.env` files in cwd.
    """
    env = command_env(cmd, ctx)
    want = args.get("environment")
    if want and env not in want:
        return []
    if env in (args.get("not_environment") or ()):
        return []
    return [f"{target_names(cmd, ctx)} ({env} environment)"]


_KUBE_VERBS = frozenset({"delete", "uninstall", "del", "un"})


_DSN_KEYS = ("DATABASE_URL", "DB_URL", "POSTGRES_URL", "PG_URL", "MYSQL_URL", "MONGODB_URI", "MONGO_URL", "DIRECT_URL",
             "PGDATABASE")


def target_names(cmd: SimpleCommand, ctx: EvalContext) -> str:
    """What a cluster or migration command acts on, naming objects first (intent matching compares them with the
    names in the user's request): `web in namespace shop`, `the database app_dev`, or a description naming nothing.
    """
    pos = positionals(cmd)
    if cmd.name in KUBE_CLIS or cmd.name == "helm":
        verb = next((i for i, p in enumerate(pos) if p in _KUBE_VERBS), -1)
        rest = pos[verb + 1:] if verb >= 0 else []
        if cmd.name in KUBE_CLIS and rest and "/" not in rest[0]:
            rest = rest[1:]  # `delete deployment web`: the first word is the kind
        names = [r.split("/", 1)[1] if "/" in r else r for r in rest]
        a = cmd.args
        ns = next((a[i + 1] for i, x in enumerate(a[:-1]) if x in ("-n", "--namespace")), "") or\
            next((x.split("=", 1)[1] for x in a if x.startswith("--namespace=")), "")
        where = f" in namespace {ns}" if ns else ""
        if not names:
            return f"the resources in its manifests{where}" if has_flag(cmd.args, "-f") or has_flag(cmd.args, "--filename")\
                else f"the resources it selects{where}"
        return ", ".join(f"{n}{where}" for n in names[:5])
    name = database_name(cmd, ctx)
    return name or "its database"


def database_name(cmd: SimpleCommand, ctx: EvalContext) -> str:
    """The database named by a DSN on the command line, in its env assignments, the hook's env or `.env`."""
    from guardrail.environment import dotenv_values

    def from_value(v: str) -> str:
        if "://" not in v:
            return v if re.fullmatch(r"[\w.-]+", v) and not v.startswith("-") else ""
        path = v.split("://", 1)[1].split("?", 1)[0]
        return path.rsplit("/", 1)[1] if "/" in path else ""

    for x in cmd.args:
        if "://" in x:
            n = from_value(x.split("=", 1)[1] if "=" in x.split("://", 1)[0] else x)
            if n:
                return n
    sources = [dict(cmd.env), dict(getattr(ctx, "env", None) or {})]
    for src in sources:
        for k in _DSN_KEYS:
            if src.get(k) and (n := from_value(src[k])):
                return n
    try:
        values = dotenv_values(ctx)
    except Exception:  # a reader must never break a decision
        values = {}
    for k in _DSN_KEYS:
        if values.get(k) and (n := from_value(values[k])):
            return n
    return ""
