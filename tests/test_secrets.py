"""Secrets (issue 15): the prefilter never skips a Read the secret-file rule needs, and no secret value from the
secrets rounds reaches the audit trail."""

from __future__ import annotations

import json
import re
from pathlib import Path

from corpus_runner import run_in_process

from guardrail.checks.registry import SPECS
from guardrail.checks.secrets import secret_path
from guardrail.fastpath import _path_may_match

ROUNDS = Path(__file__).resolve().parent / "rounds"
PATHS = [
    ".env", ".env.local", ".env.production", "prod.env", ".envrc", "id_rsa", "id_ed25519", "id_ecdsa_sk", "server.key",
    "tls/private.pem", "store.p12", "cert.pfx", "app.jks", "release.keystore", ".netrc", "_netrc", ".npmrc",
    ".pypirc", ".git-credentials", ".pgpass", ".my.cnf", "gcp-service-account.json", "my_service_account_key.json",
    "credentials.json", "client_secret_123.apps.json", "secrets.yml", "secrets.yaml", "secrets.json", "secrets.toml",
    ".secrets", "prod.tfvars", ".vault-token", ".aws/credentials", ".kube/config", ".docker/config.json",
    ".config/gh/hosts.yml", ".config/gcloud/credentials.db", ".config/gcloud/access_tokens.db",
    ".config/gcloud/application_default_credentials.json", ".azure/accessTokens.json", ".azure/msal_token_cache.json",
    ".terraform.d/credentials.tfrc.json", ".cargo/credentials.toml", ".cargo/credentials", ".gem/credentials",
    ".config/hub", ".composer/auth.json", ".ssh/id_rsa_work", ".ssh/id_deploy",
]


def test_the_read_prefilter_lets_every_secret_file_through() -> None:
    triggers = SPECS["secret-file-read"].triggers
    assert isinstance(triggers, tuple)
    for rel in PATHS:
        for path in (rel, f"/home/u/{rel}", f"/work/proj/{rel.upper() if rel.startswith('.env') else rel}"):
            if secret_path(path):
                assert _path_may_match({"file_path": path}, triggers), path
    assert sum(secret_path(f"/home/u/{p}") for p in PATHS) == len(PATHS)
    assert not _path_may_match({"file_path": "/work/proj/src/app.py"}, triggers)
    assert not secret_path("/work/proj/.env.example") and not secret_path("/home/u/.ssh/id_rsa.pub")


def _values(files: dict[str, str]) -> set[str]:
    """The secret values a case's files hold: every assigned value and every key body of eight characters or more."""
    out = set()
    for name, text in files.items():
        if not secret_path(name):
            continue
        for line in text.splitlines():
            value = line.split("=", 1)[1].strip() if "=" in line else line.strip()
            out.update(w for w in re.split(r"[\s:@/]", value) if len(w) >= 8 and not w.startswith("-----"))
    return out


def test_no_secret_value_reaches_the_audit_trail(tmp_path: Path) -> None:
    cases = [json.loads(line) for f in ("secrets.jsonl", "secrets_holdout.jsonl")
             for line in (ROUNDS / f).read_text().splitlines() if line.strip()]
    cases = [c for c in cases if c.get("files")]
    results = run_in_process(cases, tmp_path)
    values = set().union(*(_values(c["files"]) for c in cases)) - {"password", "localhost", "postgres"}
    assert len(values) > 5 and sum(r["decision"] in ("deny", "ask") for r in results) > 30
    audit = (tmp_path / "audit.jsonl").read_text()
    assert [v for v in values if v in audit] == []
