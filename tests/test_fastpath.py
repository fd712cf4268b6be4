"""The prefilter may only skip calls no rule can fire on.

Checked against every firing case of every built-in pack and every blocking case of the corpus:
none of them may be skipped. Benign everyday commands are skipped, and any edit to a pack file
changes the index key so a stale index is never used.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guardrail import fastpath
from guardrail.config import default_values
from guardrail.packs import builtin_sources, load_ruleset
from guardrail.testing import load_pack_cases

ROOT = Path(__file__).resolve().parents[1]
INDEX = fastpath.build_index(load_ruleset(use_cache=False), default_values())


def _skipped(command: str) -> bool:
    if len(command) > fastpath.MAX_FAST_COMMAND_CHARS or fastpath._OPAQUE.search(command):
        return False
    return not fastpath.bash_may_match(command, INDEX)


def _firing_bash_cases() -> list[str]:
    out = []
    for pc in load_pack_cases(builtin_sources()):
        for rule in pc.model.rule:
            if "Bash" not in rule.tools:
                continue
            for case in rule.tests:
                if case.kind in ("match", "todo_match") and case.tool == "Bash" and isinstance(case.value, str):
                    out.append(case.value)
    return out


def _corpus_blocking_cases() -> list[str]:
    out = []
    for path in sorted((ROOT / "tests" / "corpus").glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            if case.get("tool_name") == "Bash" and case.get("expect") in ("deny", "block", "ask"):
                out.append(case["tool_input"]["command"])
    return out


FIRING = _firing_bash_cases()


def test_there_are_firing_cases() -> None:
    assert len(FIRING) > 100


@pytest.mark.parametrize("command", FIRING)
def test_no_firing_pack_case_is_skipped(command: str) -> None:
    assert not _skipped(command)


def test_no_blocking_corpus_case_is_skipped() -> None:
    wrong = [c for c in _corpus_blocking_cases() if _skipped(c)]
    assert wrong == []


@pytest.mark.parametrize("command", ["ls -la", "pytest -q tests/", "cat README.md", "grep -n TODO src/app.py",
                                     "ruff check .", "echo hello > out.txt", "cargo build --release", "pwd", "sudo nice ls"])
def test_everyday_commands_are_skipped(command: str) -> None:
    assert _skipped(command)


@pytest.mark.parametrize("command", ["echo $(rm -rf /)", "`x`", "{rm,-rf,/}", "a" * 5000, "R=rm; $R -rf /",
                                     "r''m -rf /", "\\rm -rf /", "/usr/bin/rm -rf /", "mkfs.ext4 /dev/sda1", ". venv/bin/activate && pytest",
                                     "cd x; . ./env", "./deploy.sh", "make clean"])
def test_opaque_or_hidden_forms_take_the_full_path(command: str) -> None:
    assert not _skipped(command)


def test_tools_without_rules_are_skipped_and_with_rules_not(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "GUARDRAIL_CACHE_DIR": str(tmp_path / "cache")}
    skip, key, indexed = fastpath.can_skip("Read", {"file_path": "/x"}, str(tmp_path), env)
    assert (skip, indexed) == (False, False), "no index yet: full path, and it must write one"
    fastpath.write_index(key, load_ruleset(use_cache=False), default_values(), env)
    assert fastpath.can_skip("Read", {"file_path": "/x"}, str(tmp_path), env) == (True, key, True)
    assert fastpath.can_skip("Bash", {"command": "ls"}, str(tmp_path), env) == (True, key, True)
    assert fastpath.can_skip("Bash", {"command": "git reset --hard"}, str(tmp_path), env) == (False, key, True)
    assert fastpath.can_skip("Write", {"file_path": "/x", "content": ""}, str(tmp_path), env)[0] is False


def test_ruleset_cache_round_trip_and_corruption(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "GUARDRAIL_CACHE_DIR": str(tmp_path / "cache")}
    assert fastpath.load_cached_ruleset("k", env) is None
    rs = load_ruleset(use_cache=False)
    fastpath.store_ruleset("k", rs, env)
    assert [r.id for r in fastpath.load_cached_ruleset("k", env).rules] == [r.id for r in rs.rules]
    (tmp_path / "cache" / "rules-stat-k.pickle").write_bytes(b"corrupt")
    assert fastpath.load_cached_ruleset("k", env) is None, "a corrupt cache is rebuilt, never trusted"


def test_project_pack_changes_the_key(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path / "home")}
    project = tmp_path / "proj"
    (project / ".git").mkdir(parents=True)
    before = fastpath.index_key(str(project), env)
    rules = project / ".guardrail" / "rules"
    rules.mkdir(parents=True)
    (rules / "team.toml").write_text("schema = 1\n")
    after = fastpath.index_key(str(project), env)
    assert before != after
    (rules / "team.toml").write_text("schema = 1\n# edited\n")
    assert fastpath.index_key(str(project), env) != after
    assert fastpath.index_key(str(project), {**env, "GUARDRAIL_PROTECTED_DATABASES": "prod"}) != fastpath.index_key(
        str(project), env)
