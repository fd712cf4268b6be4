"""`guardrail init`: scaffold `.guardrail/` with an example team pack and config."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

# The example team pack: rules a team reviews like code. Kept as data so `init`, the checked-in
# examples/team-pack/ and the tests all come from one place.
TEAM_PACK: dict[str, Any] = {
    "schema": 1,
    "pack": {
        "id": "team",
        "version": "0.1.0",
        "summary": "Our team's rules: production infrastructure and databases stay untouched unless asked.",
    },
    "rule": [
        {
            "id": "terraform-destroy",
            "summary": "terraform/tofu destroy tears down the infrastructure of the current workspace",
            "effect": "infra.destroy",
            "decision": "deny",
            "severity": "critical",
            "if_requested": "ask",
            "message": "`{command}` destroys every resource in this Terraform workspace. Run `terraform plan "
                       "-destroy` and show the user what would go; destroy only when they asked for it.",
            "why": "A destroy in the wrong workspace takes production down; it is never a cleanup step.",
            "match": {"program": ["terraform", "tofu"], "subcommand": ["destroy"]},
            "tests": [
                {"match": "terraform destroy"},
                {"match": "terraform destroy -auto-approve -target=aws_db_instance.main"},
                {"match": "cd infra && tofu destroy"},
                {"ok": "terraform plan -destroy"},
                {"ok": "terraform apply"},
                {"ok": "echo terraform destroy"},
            ],
        },
        {
            "id": "db-reset-prod",
            "summary": "make db-reset against production (fine on dev)",
            "effect": "data.reset",
            "decision": "deny",
            "severity": "critical",
            "if_requested": "ask",
            "message": "`{command}` resets the production database. `make db-reset` is for local and dev "
                       "databases only.",
            "why": "db-reset drops and re-creates the schema; on prod that is an outage and data loss.",
            "match": {"program": ["make"], "args_regex": "\\bdb-reset\\b.*\\bENV=(prod|production)\\b|"
                                                        "\\bENV=(prod|production)\\b.*\\bdb-reset\\b"},
            "tests": [
                {"match": "make db-reset ENV=prod"},
                {"match": "make ENV=production db-reset"},
                {"ok": "make db-reset"},
                {"ok": "make db-reset ENV=dev"},
                {"ok": "make test ENV=prod"},
            ],
        },
        {
            "id": "kubectl-delete-prod",
            "summary": "kubectl delete in the production namespace",
            "effect": "infra.destroy",
            "decision": "deny",
            "severity": "high",
            "if_requested": "ask",
            "message": "`{command}` deletes resources in production. Use the dev namespace, or ask the user.",
            "why": "Deleting prod deployments or pods by hand bypasses the release process.",
            "match": {"program": ["kubectl"], "subcommand": ["delete"],
                      "args_regex": "(-n|--namespace|--context)[= ]acme-prod\\b"},
            "tests": [
                {"match": "kubectl delete deployment api -n acme-prod"},
                {"match": "kubectl --context acme-prod delete pod api-123"},
                {"ok": "kubectl delete pod api-123 -n acme-dev"},
                {"ok": "kubectl get pods -n acme-prod"},
            ],
        },
    ],
    "scenario": [
        {
            "name": "unrequested terraform destroy is blocked",
            "prompts": ["fix the failing unit test in api/handlers.py"],
            "input": "terraform destroy -auto-approve",
            "expect": {"decision": "deny", "rules": ["terraform-destroy"]},
        },
        {
            "name": "plain status commands pass",
            "prompts": ["what is deployed right now?"],
            "input": "kubectl get pods -n acme-prod",
            "expect": {"decision": "none", "rules": []},
        },
    ],
}

TEAM_CONFIG: dict[str, Any] = {
    "on_error": "deny",
    "protected": {
        "branches": ["main", "release/*"],
        "databases": ["acme-prod"],
        "namespaces": ["acme-prod"],
    },
}


def scaffold_files() -> dict[str, str]:
    """Relative path under `.guardrail/` -> file text, serialised with tomli-w."""
    import tomli_w

    head = "# guardrail project config: reviewed like code. The project layer may only tighten policy.\n"
    pack_head = "# Team rule pack: `guardrail rules lint` and `guardrail test .guardrail/rules/` check it.\n"
    return {
        "config.toml": head + tomli_w.dumps(TEAM_CONFIG),
        "rules/team.toml": pack_head + tomli_w.dumps(TEAM_PACK, multiline_strings=False),
    }


@click.command("init", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="Project directory to create .guardrail/ in.")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def command(directory: Path, force: bool) -> None:
    """Create .guardrail/config.toml and an example team pack in .guardrail/rules/team.toml.

    The files lint clean and their tests pass; edit them, then run `guardrail rules lint` and
    `guardrail test .guardrail/rules/`.
    """
    root = directory / ".guardrail"
    files = scaffold_files()
    existing = [root / rel for rel in files if (root / rel).exists()]
    if existing and not force:
        click.echo(f"error: {', '.join(map(str, existing))} already exist(s); use --force to overwrite", err=True)
        sys.exit(1)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        click.echo(f"wrote {path}")
    click.echo("next: guardrail rules lint && guardrail test .guardrail/rules/")
