"""The pack format: validation with located errors, lint conventions, the compiled cache, layers."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from guardrail.pack_schema import lint_pack
from guardrail.packs import PackError, builtin_sources, compile_sources, load_ruleset, read_sources
from guardrail.testing import load_pack_cases, run_pack_tests

ROOT = Path(__file__).resolve().parents[1]

GOOD = textwrap.dedent('''
    schema = 1
    [pack]
    id = "team"
    version = "1.0.0"
    summary = "Team rules."
    [lists]
    tools = ["terraform", "tofu"]
    [[rule]]
    id = "tf-destroy"
    summary = "terraform destroy"
    effect = "infra.destroy"
    decision = "deny"
    severity = "high"
    message = "`{command}` destroys infrastructure."
    why = "Outages."
    match = { program = ["@tools"], subcommand = ["destroy"] }
    tests = [{ match = "terraform destroy" }, { ok = "terraform plan" }]
''')


def write(tmp_path: Path, text: str, name: str = "team.toml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def parse(path: Path) -> object:
    return load_pack_cases([(path, "extra")])[0].model


@pytest.mark.parametrize("pc", load_pack_cases(builtin_sources()), ids=lambda pc: pc.model.pack.id)
def test_builtin_pack_lints_clean(pc: object) -> None:
    assert lint_pack(pc.model, str(pc.path), known_rule_ids=None) == []  # type: ignore[attr-defined]


def test_builtin_pack_ids_match_file_names() -> None:
    for pc in load_pack_cases(builtin_sources()):
        assert pc.model.pack.id == pc.path.stem


def test_good_pack_compiles_with_lists_expanded(tmp_path: Path) -> None:
    rs = compile_sources(read_sources([(write(tmp_path, GOOD), "extra")]))
    (rule,) = rs.rules
    assert rule.id == "team/tf-destroy" and rule.match.program == frozenset({"terraform", "tofu"})


@pytest.mark.parametrize("mutation, located", [
    (('decision = "deny"', 'decision = "block"'), "tf-destroy:decision"),
    (('severity = "high"', 'severity = 3'), "tf-destroy:severity"),
    (('why = "Outages."', 'why = "Outages."\ncolour = "red"'), "tf-destroy:colour"),
    (('effect = "infra.destroy"', 'effect = "infra.explode"'), "tf-destroy:effect"),
    (('subcommand = ["destroy"]', 'subcommand = ["destroy"], check = "no-such-check"'), "tf-destroy:match.check"),
    (('subcommand = ["destroy"]', 'args_regex = "(unclosed"'), "tf-destroy:match.args_regex"),
    (('{ ok = "terraform plan" }', '{ ok = "terraform plan", match = "x" }'), "tf-destroy:tests.1"),
    (('id = "tf-destroy"', 'id = "TF Destroy"'), "TF Destroy:id"),
    (('program = ["@tools"]', 'program = ["@nope"]'), "unknown list '@nope'"),
    (('schema = 1', 'schema = 2'), ":schema: expected schema = 1"),
])
def test_broken_pack_errors_name_file_rule_and_field(tmp_path: Path, mutation: tuple[str, str], located: str) -> None:
    old, new = mutation
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(PackError) as err:
        parse(path)
    assert str(path) in str(err.value)
    assert located in str(err.value)


def test_duplicate_rule_id_is_an_error(tmp_path: Path) -> None:
    dup = GOOD + GOOD[GOOD.index("[[rule]]"):]
    with pytest.raises(PackError, match="duplicate rule id 'tf-destroy'"):
        parse(write(tmp_path, dup))


def test_duplicate_pack_id_across_files_is_an_error(tmp_path: Path) -> None:
    a = write(tmp_path, GOOD, "a.toml")
    b = write(tmp_path, GOOD, "b.toml")
    with pytest.raises(PackError, match="pack id 'team' is already defined"):
        compile_sources(read_sources([(a, "extra"), (b, "extra")]))


def test_team_pack_cannot_reuse_a_builtin_pack_id(tmp_path: Path) -> None:
    p = write(tmp_path, GOOD.replace('id = "team"', 'id = "git"'))
    with pytest.raises(PackError, match="pack id 'git'"):
        load_ruleset([(p, "project")])


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    p = write(tmp_path, GOOD + "\n[[rule]\n")
    with pytest.raises(PackError, match=f"{p}: invalid TOML"):
        parse(p)


def test_lint_wants_a_match_and_an_ok_case(tmp_path: Path) -> None:
    p = write(tmp_path, GOOD.replace(', { ok = "terraform plan" }', ""))
    problems = lint_pack(parse(p), str(p))
    assert problems == [f"{p}:tf-destroy:tests: no `ok` case: add a near miss this rule must leave alone"]


def test_lint_flags_unknown_placeholders_and_wrong_tools(tmp_path: Path) -> None:
    p = write(tmp_path, GOOD.replace("`{command}`", "{program}").replace(
        '{ ok = "terraform plan" }', '{ ok = "terraform plan" }, { ok = "x.tf", tool = "Write" }'))
    problems = "\n".join(lint_pack(parse(p), str(p)))
    assert "unknown placeholder {program}" in problems
    assert "tests[2].tool: 'Write' is not in the rule's tools" in problems


def test_repeat_builds_large_inputs(tmp_path: Path) -> None:
    p = write(tmp_path, GOOD.replace('{ ok = "terraform plan" }', '{ ok = "terraform plan; ", repeat = 3 }'))
    case = parse(p).rule[0].tests[1]  # type: ignore[attr-defined]
    assert case.value == "terraform plan; " * 3


def test_untrusted_project_pack_cannot_allow(tmp_path: Path) -> None:
    allow = GOOD.replace('decision = "deny"', 'decision = "allow"')
    p = write(tmp_path, allow.replace('severity = "high"', 'severity = "high"\nif_requested = "allow"'))
    project = {r.id: r for r in load_ruleset([(p, "project")]).rules}["team/tf-destroy"]
    user = {r.id: r for r in load_ruleset([(p, "user")]).rules}["team/tf-destroy"]
    assert (project.decision, project.if_requested) == ("log", "ask")
    assert (user.decision, user.if_requested) == ("allow", "allow")


def test_project_pack_deny_still_applies(tmp_path: Path) -> None:
    p = write(tmp_path, GOOD)
    rule = {r.id: r for r in load_ruleset([(p, "project")]).rules}["team/tf-destroy"]
    assert rule.decision == "deny"


def test_disabled_rules_are_dropped() -> None:
    rs = load_ruleset(disabled=["git/reset-hard", "database/*"])
    ids = {r.id for r in rs.rules}
    assert "git/reset-hard" not in ids and not any(i.startswith("database/") for i in ids)
    assert "git/clean-force" in ids
    assert all(r.id != "git/reset-hard" for r in rs.for_tool("Bash"))


def test_cache_hit_skips_pydantic_and_corrupt_cache_rebuilds(tmp_path: Path) -> None:
    """The one rule cache (guardrail.service.load_setup, keyed by the stat of every file that shapes the rules):
    a hit imports neither pydantic nor the config loader; a corrupt entry is rebuilt, never trusted."""
    env = {**os.environ, "GUARDRAIL_CACHE_DIR": str(tmp_path / "cache"), "HOME": str(tmp_path)}
    code = ("import os, sys; from guardrail.service import load_setup; s = load_setup(os.getcwd(), os.environ); "
            "print(len(s.ruleset.rules), 'pydantic' in sys.modules)")
    run = lambda: subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,  # noqa: E731
                                 cwd=tmp_path, check=True).stdout.split()
    cold = run()
    assert cold[1] == "True"  # the miss validated with pydantic
    (cache,) = (tmp_path / "cache").glob("rules-stat-*.pickle")
    warm = run()
    assert warm == [cold[0], "False"]  # the hit did not import pydantic
    cache.write_bytes(b"not a pickle")
    assert run() == [cold[0], "True"]  # rebuilt
    assert cache.read_bytes()[:1] == b"\x80"  # and rewritten as a pickle


def test_cache_key_follows_content(tmp_path: Path) -> None:
    from guardrail.service import load_setup

    env = {"HOME": str(tmp_path / "home"), "GUARDRAIL_CACHE_DIR": str(tmp_path / "cache")}
    project = tmp_path / "proj"
    (project / ".git").mkdir(parents=True)
    (project / ".guardrail" / "rules").mkdir(parents=True)
    p = write(project / ".guardrail" / "rules", GOOD)
    assert any(r.id == "team/tf-destroy" for r in load_setup(str(project), env).ruleset.rules)
    p.write_text(GOOD.replace("tf-destroy", "tf-destroy-2"))
    ids = {r.id for r in load_setup(str(project), env).ruleset.rules}
    assert "team/tf-destroy-2" in ids and "team/tf-destroy" not in ids


def test_rule_cases_run_against_their_rule_alone(tmp_path: Path) -> None:
    # Both rules fire on `terraform destroy`; each case must only see its own rule.
    two = GOOD + GOOD[GOOD.index("[[rule]]"):].replace("tf-destroy", "tf-any").replace(
        'subcommand = ["destroy"]', 'args_regex = "."').replace('{ ok = "terraform plan" }', '{ ok = "ls" }')
    results = {r.id: r for r in run_pack_tests([(write(tmp_path, two), "extra")])}
    assert results["team/tf-destroy/match/0"].rule_ids == ["team/tf-destroy"]
    assert results["team/tf-destroy/ok/1"].status == "PASS"


def test_failing_and_todo_cases_are_reported(tmp_path: Path) -> None:
    text = GOOD.replace('{ ok = "terraform plan" }',
                        '{ ok = "terraform destroy -target=x" }, { todo_match = "terraform apply -destroy" }, '
                        '{ todo_ok = "terraform destroy --help" }, { match = "terraform plan" }')
    got = {r.id: r.status for r in run_pack_tests([(write(tmp_path, text), "extra")])}
    assert got == {"team/tf-destroy/match/0": "PASS", "team/tf-destroy/ok/1": "FAIL",
                   "team/tf-destroy/todo_match/2": "XFAIL", "team/tf-destroy/todo_ok/3": "XFAIL",
                   "team/tf-destroy/match/4": "FAIL"}


def test_scenarios_check_decision_and_rules(tmp_path: Path) -> None:
    text = GOOD + textwrap.dedent('''
        [[scenario]]
        name = "destroy unasked"
        input = "terraform destroy"
        expect = { decision = "deny", rules = ["tf-destroy"] }
        [[scenario]]
        name = "wrong expectation"
        input = "terraform destroy"
        expect = { decision = "none" }
        [[scenario]]
        name = "known gap"
        input = "terraform destroy"
        expect = { decision = "allow" }
        todo = true
        [[scenario]]
        name = "git through the whole engine"
        input = "git reset --hard"
        expect = { decision = "deny", rules = ["git/reset-hard"] }
    ''')
    got = {r.id: r for r in run_pack_tests([(write(tmp_path, text), "extra")], k="scenario")}
    assert got["team/scenario/destroy-unasked"].status == "PASS"
    assert got["team/scenario/wrong-expectation"].status == "FAIL"
    assert "expected decision none, got deny" in got["team/scenario/wrong-expectation"].detail
    assert got["team/scenario/git-through-the-whole-engine"].status == "PASS"
    assert got["team/scenario/known-gap"].status == "XFAIL"


def test_k_filter(tmp_path: Path) -> None:
    got = [r.id for r in run_pack_tests(k="git/reset-hard/ok")]
    assert got and all(i.startswith("git/reset-hard/ok/") for i in got)
    assert not any("reset-hard" in r.id for r in run_pack_tests([(write(tmp_path, GOOD), "extra")], k="not tf-"))


def test_case_config_reaches_checks(tmp_path: Path) -> None:
    text = GOOD.replace('{ ok = "terraform plan" }',
                        '{ ok = "git push -f origin ops" }, '
                        '{ match = "git push -f origin ops", config = { protected = { branches = ["ops"] } } }')
    text = text.replace('match = { program = ["@tools"], subcommand = ["destroy"] }',
                        'match = { program = ["@tools", "git"], check = "git-force-push" }')
    got = {r.id: r.status for r in run_pack_tests([(write(tmp_path, text), "extra")])}
    assert got["team/tf-destroy/ok/1"] == "PASS" and got["team/tf-destroy/match/2"] == "PASS"


def test_case_config_is_validated(tmp_path: Path) -> None:
    p = write(tmp_path, GOOD.replace('{ ok = "terraform plan" }', '{ ok = "ls", config = { on_error = "never" } }'))
    with pytest.raises(PackError, match="tf-destroy:tests.1.config: .*on_error: expected one of deny, ask"):
        parse(p)


def test_checked_in_rule_docs_match_generation() -> None:
    from guardrail.docsgen import stale

    assert stale() == [], "run `python -m guardrail.docsgen` and commit docs/rules/"


def test_docs_examples_come_from_the_tests() -> None:
    from guardrail.docsgen import generate

    page = generate()["git.md"]
    assert "### Avoid (flagged)" in page and "git reset --hard HEAD~1" in page and "git stash list" in page


def test_scenario_reads_prompts_from_a_transcript(tmp_path: Path) -> None:
    from guardrail.replay import replay_file

    session = ROOT / "tests" / "golden" / "synthetic_session.jsonl"
    text = GOOD + textwrap.dedent(f'''
        [[scenario]]
        name = "from transcript"
        transcript = "{session}"
        input = "git reset --hard && git push --force"
        expect = {{ decision = "deny" }}
    ''')
    (got,) = run_pack_tests([(write(tmp_path, text), "extra")], k="scenario")
    replayed = {r.tool_use_id: r for r in replay_file(session, load_ruleset())}["toolu_07"]
    assert got.status in ("PASS", "FAIL") and got.decision == replayed.decision
    assert got.rule_ids == replayed.rule_ids
    missing = GOOD + '\n[[scenario]]\nname = "gone"\ntranscript = "nope.jsonl"\ninput = "ls"\nexpect = { decision = "none" }\n'
    (skipped,) = run_pack_tests([(write(tmp_path, missing, "m.toml"), "extra")], k="scenario")
    assert skipped.status == "SKIP" and "nope.jsonl" in skipped.detail
