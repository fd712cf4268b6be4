"""Resources protected in config (databases, namespaces, buckets, projects, stacks, clusters): a destructive command,
or one a script runs, whose target names one of them."""

from __future__ import annotations

from guardrail.checks.indirect import inner_hits
from guardrail.checks.sql import all_sql_payloads
from guardrail.model import EvalContext, SimpleCommand
from guardrail.rules import effect_selected
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Mapping


# Tools that find their database in the environment or a .env file rather than on the command line.
DATA_TOOLS = frozenset({"prisma", "drizzle-kit", "rails", "rake", "manage.py", "django-admin", "alembic", "flyway",
                        "liquibase", "sequelize", "sequelize-cli", "knex", "typeorm", "supabase", "mix", "artisan",
                        "php", "mikro-orm", "sqlx", "diesel", "goose", "dbmate", "migrate", "atlas", "psql", "mysql",
                        "dropdb", "mongosh", "mongo", "redis-cli", "python", "python3", "node", "bundle"})


def protected_target(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """A destructive command (any other rule matches it) whose target names a protected resource from config."""
    from guardrail.environment import dotenv_values, protected_names, protected_hits

    kinds = args.get("kinds") or ("databases", "namespaces", "buckets", "projects", "stacks", "clusters")
    names = protected_names(ctx.config, kinds)
    if not names:
        return []
    from guardrail.expand.scripts import is_trigger

    words = " ".join(cmd.argv) + " " + " ".join(v for _, v in cmd.env)
    if not (any(n.strip("*?") in words for n in names) or is_trigger(cmd) or cmd.name in DATA_TOOLS):
        return []  # cheap: nothing names a protected resource and no config/env file can supply one
    hits = [(r, t) for r, t in ctx.nested_hits(cmd) if effect_selected(r.effect, args)]
    for rule, inner, t in inner_hits(cmd, ctx):
        if effect_selected(rule.effect, args):
            hits.append((rule, t + [" ".join(inner.argv)] + [f"{k}={v}" for k, v in inner.env]))
    if not hits:
        return []
    text = " ".join(cmd.argv) + " " + " ".join(f"{k}={v}" for k, v in cmd.env) + " " + " ".join(cmd.via)
    text += " " + " ".join(" ".join(t) for _, t in hits)
    text += " " + " ".join(p for _, p in all_sql_payloads(cmd, ctx))
    found = protected_hits(text, names)
    if not found:
        # ORMs connect to the database named in the environment they load
        envs = {**dotenv_values(ctx), **{k: v for k, v in (ctx.env or {}).items()}, **dict(cmd.env)}
        url = " ".join(v for k, v in envs.items() if k in ("DATABASE_URL", "DB_URL", "POSTGRES_URL", "PGDATABASE",
                                                            "MYSQL_URL", "MONGODB_URI", "DB_NAME", "DB_DATABASE"))
        if any(r.effect.startswith("data.") for r, _ in hits):
            found = protected_hits(url, names)
    return [f"{n} (protected in config; matched {hits[0][0].id})" for n in found]
