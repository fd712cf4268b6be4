"""`guardrail rules|test|init|config` through click's runner and the installed console script."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from guardrail.commands import config as config_cmd
from guardrail.commands import init as init_cmd
from guardrail.commands import rules as rules_cmd
from guardrail.commands import test as test_cmd
from guardrail.packs import load_ruleset

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
BIN = ROOT / ".venv" / "bin" / "guardrail"
TEAM = '''schema = 1
[pack]
id = "team"
version = "1.0.0"
summary = "Team rules."
[[rule]]
id = "tf-destroy"
summary = "terraform destroy"
effect = "infra.destroy"
decision = "deny"
severity = "high"
message = "`{command}` destroys infrastructure."
why = "Outages."
match = { program = ["terraform"], subcommand = ["destroy"] }
tests = [{ match = "terraform destroy" }, { ok = "terraform plan" }]
'''


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh repository as cwd, with HOME and caches in tmp so no real config leaks in."""
    home = tmp_path / "home"
    repo = home / "repo"
    (repo / ".git").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("GUARDRAIL_CONFIG", raising=False)
    monkeypatch.setenv("GUARDRAIL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(repo)
    return repo


def run(cmd: object, *args: str) -> object:
    return CliRunner().invoke(cmd, list(args))  # type: ignore[arg-type]


def test_rules_list_json_is_an_array_of_rules(project: Path) -> None:
    r = run(rules_cmd.command, "list", "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert isinstance(rows, list) and {row["id"] for row in rows} == {x.id for x in load_ruleset().rules}
    reset = next(row for row in rows if row["id"] == "git/reset-hard")
    assert reset["decision"] == "deny" and reset["origin"] == "builtin" and reset["test_counts"]["match"] >= 1


def test_rules_list_table_without_colour(project: Path) -> None:
    r = run(rules_cmd.command, "list")
    assert r.exit_code == 0 and "git/reset-hard" in r.stdout and "\x1b[" not in r.stdout


@pytest.mark.parametrize("ident", ["git/reset-hard", "reset-hard"])
def test_rules_show(project: Path, ident: str) -> None:
    r = run(rules_cmd.command, "show", ident, "--format", "json")
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    assert doc["id"] == "git/reset-hard" and doc["tests"] and doc["why"]
    text = run(rules_cmd.command, "show", ident)
    assert "Why" in text.stdout and "git reset --hard" in text.stdout


def test_rules_show_unknown_exits_2(project: Path) -> None:
    r = run(rules_cmd.command, "show", "reset-hardd")
    assert r.exit_code == 2 and "not a known rule" in r.stderr and "git/reset-hard" in r.stderr


def test_rules_lint_builtin_clean(project: Path) -> None:
    r = run(rules_cmd.command, "lint")
    assert r.exit_code == 0, r.output
    assert "clean" in r.stdout


@pytest.mark.parametrize("old, new, located", [
    ('severity = "high"', "severity = 3", "tf-destroy:severity"),
    ('why = "Outages."', 'why = "Outages."\nreason = "x"', "tf-destroy:reason"),
    ('tests = [', 'tests = []\n[[rule]]\nid = "tf-destroy"\nsummary = "s"\neffect = "infra.destroy"\ndecision = "deny"\n'
                  'severity = "high"\nmessage = "m"\nwhy = "w"\nmatch = { program = ["x"] }\ntests = [', "duplicate rule id"),
])
def test_broken_team_pack_exits_2_naming_the_file(project: Path, old: str, new: str, located: str) -> None:
    pack = project / "team.toml"
    pack.write_text(TEAM.replace(old, new, 1))
    for cmd, args in ((rules_cmd.command, ["lint", str(pack)]), (test_cmd.command, [str(pack)])):
        r = run(cmd, *args)
        assert r.exit_code == 2, r.output
        assert str(pack) in r.stderr and located in r.stderr


def test_lint_problem_exits_1(project: Path) -> None:
    pack = project / "team.toml"
    pack.write_text(TEAM.replace(', { ok = "terraform plan" }', ""))
    r = run(rules_cmd.command, "lint", str(pack), "--format", "json")
    assert r.exit_code == 1
    assert json.loads(r.stdout)["problems"] == [f"{pack}:tf-destroy:tests: no `ok` case: add a near miss this rule "
                                                "must leave alone"]


def test_init_scaffolds_a_pack_that_lints_and_passes(project: Path) -> None:
    r = run(init_cmd.command)
    assert r.exit_code == 0, r.output
    pack = project / ".guardrail" / "rules" / "team.toml"
    assert (project / ".guardrail" / "config.toml").is_file() and pack.is_file()
    lint = run(rules_cmd.command, "lint", str(pack.parent))
    assert lint.exit_code == 0, lint.output
    assert "1 pack(s), 3 rules: clean" in lint.stdout
    listed = json.loads(run(rules_cmd.command, "list", "--format", "json").stdout)
    assert {r["origin"] for r in listed if r["pack"] == "team"} == {"project"}
    t = run(test_cmd.command, str(pack.parent), "--format", "json")
    assert t.exit_code == 0, t.output
    doc = json.loads(t.stdout)
    assert doc["summary"]["FAIL"] == 0 and doc["summary"]["PASS"] == doc["summary"]["total"] > 10
    session = run(test_cmd.command, "-k", "team/", "--format", "json")  # no paths: the packs that apply here
    assert session.exit_code == 0, session.output
    assert json.loads(session.stdout)["summary"]["PASS"] == doc["summary"]["total"]
    again = run(init_cmd.command)
    assert again.exit_code == 1 and "already exist" in again.stderr
    assert run(init_cmd.command, "--force").exit_code == 0


def test_init_matches_checked_in_example() -> None:
    files = init_cmd.scaffold_files()
    for rel, text in files.items():
        assert (ROOT / "examples" / "team-pack" / rel).read_text() == text, rel


def test_test_runs_one_rule_with_k(project: Path) -> None:
    r = run(test_cmd.command, "-k", "git/reset-hard", "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["results"] and all(x["id"].startswith("git/reset-hard/") for x in doc["results"])
    assert {x["status"] for x in doc["results"]} == {"PASS"}


def test_test_all_builtin_exit_code_follows_results(project: Path) -> None:
    r = run(test_cmd.command, "--format", "json")
    doc = json.loads(r.stdout)
    failed = doc["summary"]["FAIL"] + doc["summary"]["ERROR"] + doc["summary"]["XPASS"]
    assert r.exit_code == (1 if failed else 0)
    assert doc["summary"]["total"] > 150


def test_test_failing_team_pack_exits_1(project: Path) -> None:
    pack = project / "team.toml"
    pack.write_text(TEAM.replace('{ ok = "terraform plan" }', '{ ok = "terraform destroy -target=x" }'))
    r = run(test_cmd.command, str(pack))
    assert r.exit_code == 1
    assert "FAIL" in r.stdout and "team/tf-destroy/ok/1" in r.stdout


def test_test_rejects_other_files(project: Path) -> None:
    (project / "notes.txt").write_text("x")
    r = run(test_cmd.command, "notes.txt")
    assert r.exit_code == 2 and "not a pack" in r.output


def test_replay_json_and_expect(project: Path, tmp_path: Path) -> None:
    session = str(GOLDEN / "synthetic_session.jsonl")
    r = run(test_cmd.command, session, "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert set(doc) == {"results", "summary"} and doc["summary"]["tool_uses"] == len(doc["results"]) == 9
    ok = run(test_cmd.command, session, "--expect", str(GOLDEN / "replay_synthetic.json"))
    assert ok.exit_code == 0, ok.output
    assert "matches" in ok.stdout
    golden = json.loads((GOLDEN / "replay_synthetic.json").read_text())
    golden["results"][0]["decision"] = "allow"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(golden))
    bad = run(test_cmd.command, session, "--expect", str(changed))
    assert bad.exit_code == 1 and "expected allow, got deny" in bad.stdout


def test_config_show(project: Path) -> None:
    (project / ".guardrail").mkdir()
    (project / ".guardrail" / "config.toml").write_text('disabled_rules = ["git/*"]\n[protected]\nbranches = ["prod"]\n')
    r = run(config_cmd.command, "show", "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["values"]["protected"]["branches"] == ["prod"]
    assert doc["sources"]["protected.branches"].endswith(".guardrail/config.toml")
    assert doc["values"]["disabled_rules"] == [] and "disabled_rules: ignored" in doc["notes"][0]
    table = run(config_cmd.command, "show")
    assert "protected.branches" in table.stdout and "untrusted" in table.stdout


def test_config_show_bad_file_exits_2(project: Path) -> None:
    (project / ".guardrail").mkdir()
    (project / ".guardrail" / "config.toml").write_text("colour = 1\n")
    r = run(config_cmd.command, "show")
    assert r.exit_code == 2 and "config.toml:colour: unknown key" in r.stderr


@pytest.mark.skipif(not BIN.exists(), reason="console script not installed")
def test_console_script_end_to_end(tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1", "GUARDRAIL_CACHE_DIR": str(tmp_path / "cache"), "HOME": str(tmp_path)}
    out = subprocess.run([str(BIN), "rules", "list", "--format", "json"], capture_output=True, text=True, env=env,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert any(r["id"] == "guard/write-hook-settings" for r in json.loads(out.stdout))
    rep = subprocess.run([str(BIN), "test", str(GOLDEN / "synthetic_session.jsonl"), "--expect",
                          str(GOLDEN / "replay_synthetic.json")], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert rep.returncode == 0, rep.stdout + rep.stderr


@pytest.mark.parametrize(("disabled", "expected"), [([], "deny"), (["git/reset-hard"], None)])
def test_check_and_the_hook_give_the_same_answer_under_the_users_config(
        project: Path, disabled: list[str], expected: str | None) -> None:
    """`guardrail check` and the hook go through one decision path (guardrail.service): the user's disabled_rules,
    packs and config count for both (check once ignored disabled_rules and said deny where the hook said nothing)."""
    from guardrail.commands import check as check_cmd
    from guardrail.hookio import handle

    cfg = Path(os.environ["HOME"]) / ".config" / "guardrail"
    cfg.mkdir(parents=True)
    (cfg / "config.toml").write_text(f"disabled_rules = {json.dumps(disabled)}\n")
    r = run(check_cmd.command, "git reset --hard", "--format", "json")
    assert json.loads(r.stdout)["decision"] == expected, r.output
    assert r.exit_code == (1 if expected else 0)
    payload = {"session_id": "s", "transcript_path": "/dev/null", "cwd": str(project), "hook_event_name": "PreToolUse",
               "tool_name": "Bash", "tool_input": {"command": "git reset --hard"}, "tool_use_id": "t1",
               "permission_mode": "default"}
    out = handle("pre-tool-use", json.dumps(payload).encode(), {**os.environ, "GUARDRAIL_STATE_DIR": str(project)})
    got = json.loads(out)["hookSpecificOutput"]["permissionDecision"] if out else None
    assert got == expected


BROKEN = "schema = 1\n[pack]\nid = 'team'\n[[rule]]\nid = 'x'\nbogus_key = 1\n"


def test_broken_project_pack_is_reported_everywhere_and_blocks_nothing(project: Path) -> None:
    # Issue 17: the hook leaves a broken project pack out; check, rules list, rules lint and doctor say so.
    from guardrail.commands import check as check_cmd
    from guardrail.commands import doctor as doctor_cmd

    rules = project / ".guardrail" / "rules"
    rules.mkdir(parents=True)
    (rules / "team.toml").write_text(BROKEN)
    ls = run(check_cmd.command, "ls")
    assert ls.exit_code == 0 and "team.toml" in ls.stderr and "left out" in ls.stderr
    reset = run(check_cmd.command, "git reset --hard")
    assert reset.exit_code == 1 and reset.stdout.startswith("deny")
    listed = run(rules_cmd.command, "list", "--format", "json")
    assert listed.exit_code == 0 and "team.toml" in listed.stderr
    assert any(r["id"] == "git/reset-hard" for r in json.loads(listed.stdout))
    lint = run(rules_cmd.command, "lint")
    assert lint.exit_code == 2 and "team.toml:x:bogus_key" in lint.stderr
    packs = doctor_cmd.check_packs(project, os.environ)
    assert packs.status == "warn" and "team.toml" in packs.details[0] and "rules lint" in (packs.fix or "")
