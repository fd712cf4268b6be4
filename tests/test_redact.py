"""Redaction: a secrets corpus with 0 leaks, benign look-alikes left alone, readable output."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardrail.redact import is_secret_key, redact_text, redact_value

CORPUS = [json.loads(line) for line in (Path(__file__).parent / "data" / "secrets.jsonl").read_text().splitlines() if line.strip()]
SECRETS = [e for e in CORPUS if e["kind"] == "secret"]
BENIGN = [e for e in CORPUS if e["kind"] == "benign"]
WINDOW = 8  # any 8 consecutive characters of a secret surviving counts as a leak


def leaked(out: str, secrets: list[str]) -> list[str]:
    """Secrets of which any WINDOW-long piece is still in `out` (a half-redacted token leaks too)."""
    bad = []
    for s in secrets:
        pieces = [s] if len(s) <= WINDOW else [s[i : i + WINDOW] for i in range(len(s) - WINDOW + 1)]
        if any(p in out for p in pieces):
            bad.append(s)
    return bad


def redacted(entry: dict) -> str:
    if "text" in entry:
        return redact_text(entry["text"])
    return json.dumps(redact_value(entry["value"]))


def test_corpus_is_big_enough_and_well_formed() -> None:
    assert len(SECRETS) >= 60
    assert len(BENIGN) >= 30
    assert len({e["id"] for e in CORPUS}) == len(CORPUS)
    for e in SECRETS:
        assert e["secrets"], e["id"]
        source = e["text"] if "text" in e else json.dumps(e["value"], ensure_ascii=False)
        # the corpus must contain what it claims, or "0 leaks" would mean nothing
        assert leaked(source, e["secrets"]) == e["secrets"], e["id"]


@pytest.mark.parametrize("entry", SECRETS, ids=[e["id"] for e in SECRETS])
def test_corpus_secret_does_not_leak(entry: dict) -> None:
    out = redacted(entry)
    assert leaked(out, entry["secrets"]) == [], out
    assert "[REDACTED:" in out


@pytest.mark.parametrize("entry", BENIGN, ids=[e["id"] for e in BENIGN])
def test_benign_look_alike_is_untouched(entry: dict) -> None:
    if "text" in entry:
        assert redact_text(entry["text"]) == entry["text"]
    else:
        assert redact_value(entry["value"]) == entry["value"]


def test_corpus_total_leaks_is_zero() -> None:
    """The headline figure: secrets that survive anywhere in the corpus."""
    total = sum(len(leaked(redacted(e), e["secrets"])) for e in SECRETS)
    assert total == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "PGPASSWORD=hunter2x psql postgres://app:s3cr3t99@db.prod:5432/app -c 'drop table t'",
            "PGPASSWORD=[REDACTED:secret_assignment] psql postgres://app:[REDACTED:dsn_password]@db.prod:5432/app -c 'drop table t'",
        ),
        ("mysql -uroot -pS3cret! -h db prod", "mysql -uroot -p[REDACTED:mysql_password] -h db prod"),
        ("redis-cli -u redis://:topsecret@cache:6379 ping", "redis-cli -u redis://:[REDACTED:dsn_password]@cache:6379 ping"),
        ("db --password s3cret --host h", "db --password [REDACTED:flag_secret] --host h"),
        ("export API_TOKEN=\"abc123def\"", "export API_TOKEN=\"[REDACTED:secret_assignment]\""),
        ('{"password": "hunter2x", "user": "bob"}', '{"password": "[REDACTED:secret_field]", "user": "bob"}'),
        ("password: hunter2x\nuser: bob", "password: [REDACTED:secret_field]\nuser: bob"),
        ('curl -H "Authorization: Bearer abc.def123" https://x', 'curl -H "Authorization: Bearer [REDACTED:authorization]" https://x'),
    ],
)
def test_redaction_keeps_the_rest_readable(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_variable_references_are_not_secrets() -> None:
    text = 'PGPASSWORD=$PGPASS psql; export TOKEN="${VAULT_TOKEN}"; password: {{ secrets.DB }}'
    assert redact_text(text) == text


def test_unterminated_private_key_is_redacted_to_the_end() -> None:
    text = "cat <<EOF > k\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9u\nZQAAAAAAAAAB"
    out = redact_text(text)
    assert out == "cat <<EOF > k\n[REDACTED:private_key]"


def test_redact_value_is_a_deep_copy_with_sensitive_keys_blanked() -> None:
    value = {"env": {"DB_PASSWORD": "pw-123456", "HOME": "/root"}, "args": ("--token", "abc12345"), "n": 3, "pin": None}
    before = copy.deepcopy(value)
    out = redact_value(value)
    assert value == before  # input untouched
    assert out == {"env": {"DB_PASSWORD": "[REDACTED:secret]", "HOME": "/root"}, "args": ["--token", "abc12345"], "n": 3, "pin": None}


def test_redact_value_cuts_hostile_nesting() -> None:
    deep: object = "leaf"
    for _ in range(500):
        deep = [deep]
    out = redact_value(deep)
    depth = 0
    while isinstance(out, list):
        out = out[0]
        depth += 1
    assert out == "[TRUNCATED:depth]" and depth == 64


@pytest.mark.parametrize(
    ("key", "secret"),
    [("password", True), ("DB_PASSWORD", True), ("api_key", True), ("AWS_SECRET_ACCESS_KEY", True), ("Authorization", True),
     ("client_secret", True), ("primary_key", False), ("max_tokens", False), ("token_count", False), ("PWD", False),
     ("password_hash", False), ("keyboard", False)],
)
def test_is_secret_key(key: str, secret: bool) -> None:
    assert is_secret_key(key) is secret


TOKENS = st.one_of(
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=16, max_size=16).map(lambda s: "AKIA" + s),
    st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=36, max_size=36).map(lambda s: "ghp_" + s),
    st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=30, max_size=90).map(lambda s: "sk-ant-api03-" + s),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=20, max_size=40).map(lambda s: "glpat-" + s),
    st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=36, max_size=36).map(lambda s: "npm_" + s),
)
SEPARATORS = st.sampled_from([" ", "=", '"', "'", ":", "\n", "(", ",", "\t", "/"])
FILLER = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=300, deadline=None)
@given(before=FILLER, sep1=SEPARATORS, token=TOKENS, sep2=SEPARATORS, after=FILLER)
def test_known_token_formats_never_leak_whatever_surrounds_them(before: str, sep1: str, token: str, sep2: str, after: str) -> None:
    out = redact_text(before + sep1 + token + sep2 + after)
    assert token not in out


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_redact_text_never_raises_and_is_stable(text: str) -> None:
    once = redact_text(text)
    assert isinstance(once, str)
    assert redact_text(once) == once


@pytest.mark.xfail(strict=True, reason="known gap: the value of a YAML block scalar sits on the next lines")
def test_todo_yaml_block_scalar_password() -> None:
    assert "BlockPw12345" not in redact_text("db:\n  password: |\n    BlockPw12345\n")


@pytest.mark.xfail(strict=True, reason="known gap: password flags of tools redact.py does not know")
def test_todo_unknown_tool_password_flag() -> None:
    assert "UnknownPw9876" not in redact_text("mytool -k UnknownPw9876 --host db")


@pytest.mark.xfail(strict=True, reason="known gap: a secret split across concatenated strings")
def test_todo_split_secret() -> None:
    token = "ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5"
    assert token[20:] not in redact_text(f'T="{token[:20]}""{token[20:]}"')


def test_corpus_leaks_nothing_through_an_audit_record() -> None:
    # The audit record skips redaction for text without any pattern's hint (audit.REDACT_HINTS): the whole corpus,
    # as a tool input, must still come out with no secret in it.
    from guardrail import audit

    for e in SECRETS:
        value = {"command": e["text"]} if "text" in e else e["value"]
        rec = audit.make_record(event="PreToolUse", payload={"tool_name": "Bash", "tool_input": value},
                                decision=None, rule_ids=[], reason="", elapsed_ms=0.0)
        assert leaked(json.dumps(rec), e["secrets"]) == [], e["id"]
