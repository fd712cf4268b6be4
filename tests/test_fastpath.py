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
from guardrail.index import build_index, write_index
from guardrail.config import default_values
from guardrail.packs import builtin_sources, load_ruleset
from guardrail.testing import load_pack_cases

ROOT = Path(__file__).resolve().parents[1]
INDEX = build_index(load_ruleset(), default_values())


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
    write_index(key, load_ruleset(), default_values(), env)
    assert fastpath.can_skip("Read", {"file_path": "/x"}, str(tmp_path), env) == (True, key, True)
    assert fastpath.can_skip("Bash", {"command": "ls"}, str(tmp_path), env) == (True, key, True)
    assert fastpath.can_skip("Bash", {"command": "git reset --hard"}, str(tmp_path), env) == (False, key, True)
    assert fastpath.can_skip("Write", {"file_path": "/x", "content": ""}, str(tmp_path), env)[0] is False


def test_ruleset_cache_round_trip_and_corruption(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "GUARDRAIL_CACHE_DIR": str(tmp_path / "cache")}
    assert fastpath.load_cached_ruleset("k", env) is None
    rs = load_ruleset()
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


def _evasion_blocking_cases() -> list[tuple[str, str]]:
    """(id, command) of every blocked case in the evasion suites (tests/test_evasion*.py), gaps left out: the
    engine blocks them, so the hook's prefilter must not skip them (the suites call the engine directly)."""
    import importlib.util

    out = []
    for path in sorted((ROOT / "tests").glob("test_evasion*.py")):
        spec = importlib.util.spec_from_file_location(f"_evasion_{path.stem}", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)  # type: ignore[union-attr]
        gaps = getattr(mod, "KNOWN_GAPS", {})
        out += [(f"{path.stem}:{cid}", cmd) for cid, cmd, *_ in getattr(mod, "BLOCKED", []) if cid not in gaps]
    return out


EVASIONS = _evasion_blocking_cases()


def test_there_are_evasion_cases() -> None:
    assert len(EVASIONS) > 60


@pytest.mark.parametrize("command", [c for _, c in EVASIONS], ids=[i for i, _ in EVASIONS])
def test_no_blocked_evasion_is_skipped(command: str) -> None:
    assert not _skipped(command)


@pytest.mark.parametrize("command", [
    "r\\\nm -r -f ~",  # bash deletes backslash-newline before reading words
    "gi\\\nt re\\\nset --ha\\\nrd",
    "ps\\\nql -c DR\\\nOP\\ TABLE\\ users",
    "/bin/r[m] -r -f ~",  # a glob that expands to a program some rule names
    "/usr/bin/r? -r -f ~",
])
def test_continuations_and_globbed_program_names_take_the_full_path(command: str) -> None:
    assert not _skipped(command)


def test_the_hook_denies_a_continuation_split_program_with_its_index_in_place(tmp_path: Path) -> None:
    """End to end through hookio.handle: the first call writes the prefilter's index, the second is the one
    Claude Code would see on every later call (the prefilter decides whether the parser runs at all)."""
    from guardrail.hookio import handle

    env = {"HOME": str(tmp_path), "GUARDRAIL_CACHE_DIR": str(tmp_path / "cache"),
           "GUARDRAIL_AUDIT_LOG": str(tmp_path / "audit.jsonl"), "GUARDRAIL_STATE_DIR": str(tmp_path / "state")}

    def call(command: str) -> str | None:
        payload = {"session_id": "s", "transcript_path": str(tmp_path / "t.jsonl"), "cwd": str(tmp_path),
                   "hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command},
                   "tool_use_id": "t", "permission_mode": "default"}
        return handle("pre-tool-use", json.dumps(payload).encode(), env)

    assert call("ls") is None  # writes the index
    assert any((tmp_path / "cache").rglob("*")), "the first full-path call leaves the prefilter's index"
    out = call("r\\\nm -r -f ~")
    assert out is not None and json.loads(out)["hookSpecificOutput"]["permissionDecision"] == "deny"


def test_the_cache_key_covers_every_module_that_shapes_the_cache() -> None:
    """An upgrade in place must not keep a cache built by other code: the key stats every module that defines a
    class in the pickled rule set, compiles it, or supplies the index's words (registry triggers, vocabulary,
    wrappers, the index builder)."""
    import pickle
    import pickletools

    rs = load_ruleset()
    blob = pickle.dumps(rs, protocol=pickle.HIGHEST_PROTOCOL)
    modules = {arg for op, arg, _ in pickletools.genops(blob)
               if op.name in ("SHORT_BINUNICODE", "BINUNICODE") and isinstance(arg, str) and arg.startswith("guardrail.")}
    shaping = {"guardrail." + m[:-3].replace("/", ".") for m in fastpath.CACHE_SHAPING_MODULES}
    assert modules and modules <= shaping, modules - shaping
    for needed in ("guardrail.packs", "guardrail.pack_schema", "guardrail.index", "guardrail.base.vocab",
                   "guardrail.checks.registry", "guardrail.shell.wrappers"):
        assert needed in shaping
    root = Path(fastpath.__file__).parent
    assert all((root / m).is_file() for m in fastpath.CACHE_SHAPING_MODULES)
