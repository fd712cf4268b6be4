"""Finding targets name what an action acts on, so a request naming it matches (and a request naming something
else does not). Real rules and real engine; the prompts go through the real extractor.
"""

from __future__ import annotations

import pytest

from guardrail.model import EvalContext
from guardrail.engine import evaluate
from guardrail.intent.model import Prompt, _is_ident, _is_operation, extract_intent
from guardrail.model import ToolCall
from guardrail.packs import load_ruleset

RULESET = load_ruleset()


def _verdict(command: str, *prompts: str, env: dict[str, str] | None = None, files: dict[str, str] | None = None):
    intent = extract_intent([Prompt(p, float(i)) for i, p in enumerate(prompts)]) if prompts else None
    files = files or {}
    ctx = EvalContext(cwd="/home/dev/project", project_dir="/home/dev/project", home="/home/dev", env=env or {},
                      read_file=lambda path: files.get(path.rsplit("/", 1)[-1]))
    return evaluate(ToolCall("Bash", {"command": command}, cwd="/home/dev/project"), RULESET, ctx, intent=intent)


def _targets(command: str, **kw) -> dict[str, str]:
    return {f.rule_id: f.target for f in _verdict(command, **kw).findings}


@pytest.mark.parametrize(("command", "rule", "target"), [
    ("kubectl --context kind-dev delete namespace preview-123", "infra/kubectl-delete", "preview-123 (local environment)"),
    ("kubectl delete deployment web -n shop", "infra/kubectl-delete", "web in namespace shop (unknown environment)"),
    ("kubectl delete deploy/web svc/web", "infra/kubectl-delete", "web, web (unknown environment)"),
    ("kubectl delete -f k8s/", "infra/kubectl-delete", "the resources in its manifests (unknown environment)"),
    ("helm uninstall grafana -n monitoring", "infra/helm-uninstall", "grafana in namespace monitoring (unknown environment)"),
    ("npx prisma migrate reset --force", "orm/prisma-migrate-reset", "its database (unknown environment)"),
    ("DATABASE_URL=postgres://u@localhost:5432/app_dev npx prisma migrate reset --force",
     "orm/prisma-migrate-reset-local", "app_dev (local environment)"),
    ("mongosh shop --eval 'db.carts.drop()'", "database/mongo-drop", "carts in database shop (`db.carts.drop()`)"),
    ("mongosh --eval 'db.getCollection(\"users\").drop()'", "database/mongo-drop",
     "users (`db.getCollection(\"users\").drop(`)"),
])
def test_targets_name_the_object(command: str, rule: str, target: str) -> None:
    assert _targets(command)[rule] == target


def test_database_name_from_dotenv() -> None:
    got = _targets("npx prisma migrate reset --force",
                   files={".env": "DATABASE_URL=postgresql://postgres@localhost:5432/shop_dev\n"})
    assert got == {"orm/prisma-migrate-reset-local": "shop_dev (local environment)"}


@pytest.mark.parametrize(("word", "ident"), [
    ("re-run", False), ("re-clone", False), ("world-writable", False), ("pre-existing", False), ("company-wide", False),
    ("old-ui", True), ("web-canary", True), ("exp-a", True), ("preview-123", True), ("kind-dev", True),
])
def test_hyphenated_english_is_not_a_name(word: str, ident: bool) -> None:
    assert _is_ident(word) is ident


@pytest.mark.parametrize(("word", "op"), [
    ("migrate:rollback", True), ("db:migrate:undo:all", True), ("flush", True), ("destroy", True),
    ("base", False), ("users", False), ("reset.sql", False), ("feature/reset", False),
])
def test_operation_targets_name_nothing(word: str, op: bool) -> None:
    assert _is_operation(word) is op


# (prompt, command, decision): requests naming the object relax; naming another object, or less than the action
# does, deny. Each row was a miss or a risk found while fixing intent-013/014 and held-out round 3.
@pytest.mark.parametrize(("prompt", "command", "decision"), [
    ("Delete the preview-123 namespace in my kind-dev cluster.", "kubectl --context kind-dev delete namespace preview-123",
     "ask"),
    ("Delete the preview-123 namespace in my kind-dev cluster.", "kubectl --context kind-dev delete namespace preview-456",
     "deny"),
    ("Roll back all knex migrations on my local database, I want to re-run them.", "npx knex migrate:rollback --all",
     "ask"),
    ("roll back the last knex migration", "npx knex migrate:rollback --all", "deny"),
    ("roll back the last migration", "alembic downgrade base", "deny"),
    ("roll back the last migration", "alembic downgrade -1", "allow"),
    ("drop the users table", "python manage.py flush --noinput", "deny"),
    ("delete the web deployment", "kubectl delete -f k8s/", "deny"),
    ("uninstall the grafana helm release", "helm uninstall grafana", "allow"),
    ("uninstall the grafana helm release", "helm uninstall prometheus", "deny"),
    ("drop the carts collection in the shop db", "mongosh shop --eval 'db.carts.drop()'", "ask"),
    ("drop the orders collection in the shop db", "mongosh shop --eval 'db.carts.drop()'", "deny"),
    ("zero out the USB stick at /dev/sdb", "dd if=/dev/zero of=/dev/sdb bs=1M", "ask"),
    ("zero out the USB stick at /dev/sdb", "dd if=/dev/zero of=/dev/sda bs=1M", "deny"),
    ("this VM is throwaway: chmod -R 777 my whole home directory so it is world-writable", "chmod -R 777 ~", "ask"),
    ("this VM is throwaway: chmod -R 777 my whole home directory so it is world-writable", "chmod -R 777 /", "deny"),
])
def test_requests_match_named_objects(prompt: str, command: str, decision: str) -> None:
    v = _verdict(command, prompt)
    assert v.decision == decision, (v.reason, v.intent)


def test_database_named_in_dotenv_matches_the_request() -> None:
    env_file = {".env": "DATABASE_URL=postgresql://postgres@localhost:5432/app_dev\n"}
    assert _verdict("npx prisma migrate reset --force", "reset my app_dev database with prisma",
                    files=env_file).decision == "allow"
    assert _verdict("npx prisma migrate reset --force", "reset my shop_dev database with prisma",
                    files=env_file).decision == "deny"
