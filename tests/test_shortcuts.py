"""The engine's speed shortcuts must agree exactly with the slow paths they skip.

- shell: a line of plain words skips tree-sitter (`_plain_words`); the model must equal the tree walk's.
- environment: ASCII text is pre-screened by substring hints before the regexes; the class must equal the
  plain regex order (prod, then staging, then local).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from guardrail import environment, shell

WORDS = ["git", "status", "npm", "test", "run", "build", "rm", "-rf", "-r", "/", "~", ".", "..", "node_modules",
         "sudo", "env", "nice", "timeout", "5", "bash", "sh", "-c", "ls", "-la", "make", "clean", "psql", "DROP",
         "TABLE", "x.sql", "-f", "for", "if", "then", "do", "done", "echo", "a@b", "==", "X=1", "--force",
         "reset", "--hard", "origin/main", "dist", "./deploy.sh", "alias", "xargs", "find", "-delete", "kubectl"]


def _walk(fn, source: str) -> tuple[str, list[str]]:  # noqa: ANN001
    ctx = shell._Ctx(deadline=10**12)
    try:
        fn(source, ctx, via=(), depth=0, depth_limit=shell.MAX_DEPTH)
    except shell._Budget as exc:  # both paths must hit the same limits
        return f"budget: {exc}", ctx.problems
    return repr(ctx.out), ctx.problems


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8))
def test_plain_word_shortcut_equals_tree_walk(words: list[str]) -> None:
    source = " ".join(words)
    if shell._plain_words(source) is None:
        return  # not eligible: the tree walk handles it anyway
    assert _walk(shell._parse_into, source) == _walk(shell._parse_tree, source)


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
