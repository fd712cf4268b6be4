"""The engine's speed shortcuts must agree exactly with the slow paths they skip.

- shell: a line of plain words skips tree-sitter (`_plain_words`); the model must equal the tree walk's.
- environment: ASCII text is pre-screened by substring hints before the regexes; the class must equal the
  plain regex order (prod, then staging, then local). A command whose whole text has no hint skips classifying
  its words one by one: they must say "unknown".
- rules: argument globs are matched by one compiled regex per pattern list; it must agree with fnmatchcase.
- engine: rule messages are filled by a split template; it must equal the one-pass re.sub it replaced.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fnmatch
import re

from guardrail import environment, rules
from guardrail.engine import format_message
from guardrail.shell import parse, shortcuts
from guardrail.model import SimpleCommand

WORDS = ["git", "status", "npm", "test", "run", "build", "rm", "-rf", "-r", "/", "~", ".", "..", "node_modules",
         "sudo", "env", "nice", "timeout", "5", "bash", "sh", "-c", "ls", "-la", "make", "clean", "psql", "DROP",
         "TABLE", "x.sql", "-f", "for", "if", "then", "do", "done", "echo", "a@b", "==", "X=1", "--force",
         "reset", "--hard", "origin/main", "dist", "./deploy.sh", "alias", "xargs", "find", "-delete", "kubectl"]


def _walk(fn, source: str) -> tuple[str, list[str]]:  # noqa: ANN001
    ctx = parse.WalkState(deadline=10**12)
    try:
        fn(source, ctx, via=(), depth=0, depth_limit=parse.MAX_DEPTH)
    except parse.OverBudget as exc:  # both paths must hit the same limits
        return f"budget: {exc}", ctx.problems
    return repr(ctx.out), ctx.problems


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8))
def test_plain_word_shortcut_equals_tree_walk(words: list[str]) -> None:
    source = " ".join(words)
    if shortcuts.plain_words(source) is None:
        return  # not eligible: the tree walk handles it anyway
    assert _walk(parse.parse_into, source) == _walk(parse.parse_tree, source)


HINT_PARTS = ["prod", "PROD", "production", "live", "prd", "db.prod.example.com", "staging", "stage", "stg", "uat",
              "preprod", "localhost", "127.0.0.1", "::1", "dev", "development", "local", "test", "testing", "scratch",
              "kind-dev", "/tmp/", "x", "-", "_", ".", "/", " ", "psql", "postgres://", "@", "rds.amazonaws.com",
              "ſ", "K", "İ", "produce", "lively", "devil", "attest"]


def _regex_order(text: str) -> str:
    if environment._PROD.search(text):
        return "prod"
    if environment._STAGING.search(text):
        return "staging"
    if environment._LOCAL.search(text):
        return "local"
    return "unknown"


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(HINT_PARTS), min_size=1, max_size=8))
def test_environment_hints_never_change_the_class(parts: list[str]) -> None:
    text = "".join(parts)
    assert environment.classify_text(text) == _regex_order(text)


ENV_WORDS = HINT_PARTS + ["--env", "--env=prod", "-e", "--context", "prod-eks", "DATABASE_URL=postgres://u@h/db",
                          "RAILS_ENV=production", "db:drop", "shop_prod", "notes_prod.md", "-h", "db.internal", "dropdb"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(ENV_WORDS), min_size=1, max_size=6),
       st.lists(st.sampled_from(["ssh db-prod", "kubectl exec", "make test", "sudo"]), max_size=2),
       st.lists(st.tuples(st.sampled_from(["NODE_ENV", "FOO", "DATABASE_URL"]), st.sampled_from(ENV_WORDS)), max_size=2))
def test_commands_without_hints_are_unknown_by_their_words(argv: list[str], via: list[str],
                                                            env: list[tuple[str, str]]) -> None:
    cmd = SimpleCommand(argv=tuple(argv), via=tuple(via), env=tuple(env))
    text = environment.command_text(cmd)
    if text.isascii() and not environment._any_hint(text.lower()):
        assert environment.words_environment(cmd, text) == "unknown"


GLOBS = ["*", "?", "*.sql", "-rf", "--force*", "[abc]*", "[!a]x", "prod*", "a*b?c", "\\", ".*", "**/x", "[", "]"]
GLOB_WORDS = ["", "a", "abc", "x.sql", "X.SQL", "-rf", "--force=yes", "bx", "ax", "production", "a1b2c", "\\", ".env",
              "dir/x", "\n", "a\nb", "["]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(GLOBS), min_size=1, max_size=4), st.lists(st.sampled_from(GLOB_WORDS), max_size=4))
def test_compiled_globs_equal_fnmatchcase(patterns: list[str], words: list[str]) -> None:
    expected = any(fnmatch.fnmatchcase(w, p) for w in words for p in patterns)
    assert rules.any_glob(tuple(patterns), words) is expected


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["Deleting ", "{target}", "{command}", "{other}", "{", "}", "x", " "]), max_size=8),
       st.sampled_from(["/", "{command}", "a{target}b", ""]), st.sampled_from(["rm -rf /", "{target}", ""]))
def test_message_templates_fill_like_one_re_sub(parts: list[str], target: str, command: str) -> None:
    template = "".join(parts)
    values = {"target": target, "command": command}
    expected = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)
    assert format_message(template, **values) == expected


def _has_flag_single_loop(args: list[str], spec: str) -> bool:
    """rules.has_flag as it was written first (one loop testing `spec` per argument): the reference."""
    for a in args:
        if a == "--":
            return False
        if a == spec:
            return True
        if spec.startswith("--"):
            if a.startswith(spec + "="):
                return True
        elif len(spec) == 2 and spec[0] == "-" and len(a) <= 6 and a.startswith("-") and not a.startswith("--"):
            if a[1:].isalpha() and spec[1] in a[1:]:
                return True
        elif spec.startswith("-") and a.startswith(spec + "="):
            return True
    return False


FLAG_ARGS = ["-r", "-rf", "-fr", "-R", "-f", "--force", "--force=yes", "--forced", "-f=x", "-f=xxxxxx", "-rfvxyz",
             "-rfvxyzw", "--", "-", "x", "-r1", "-ab", "--recursive", "-e", "-rr", "r", "-n=1", "-nfoo=1"]
FLAG_SPECS = ["-r", "-f", "--force", "--recursive", "-n", "-rf", "-nfoo", "x", "-", "--", "r", "-e"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(FLAG_ARGS), max_size=5), st.sampled_from(FLAG_SPECS))
def test_has_flag_equals_the_single_loop_form(args: list[str], spec: str) -> None:
    assert rules.has_flag(args, spec) is _has_flag_single_loop(args, spec)


@pytest.mark.parametrize("args, values", [
    (["-x", "make test", "HEAD~1"], ["make test"]),
    (["-xmake test"], ["make test"]),
    (["--exec", "a", "--exec=b", "-xc"], ["a", "b", "c"]),
    (["--exec"], []),  # no value after it
    (["-x"], []),
    (["--execute=a", "--exe", "y"], []),  # other options that only start alike
    (["-v", "HEAD"], []),
])
def test_option_values_reads_every_spelling_in_order(args: list[str], values: list[str]) -> None:
    assert rules.option_values(args, "-x", "--exec") == values
