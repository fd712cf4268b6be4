"""Intent extraction (grants, prohibitions, revocations, recency) and the policy that applies it."""

from __future__ import annotations

import pytest

from guardrail.intent.model import DESTRUCTIVE, Intent, IntentMatch, Prompt, extract_intent, match_finding
from guardrail.intent.policy import NO_HUMAN_NOTE, apply_intent, explain, is_non_interactive
from guardrail.model import Finding


def intent(*texts: str) -> Intent:
    return extract_intent([Prompt(t, float(i)) for i, t in enumerate(texts)])


def finding(effect: str = "git.discard_local", *, decision: str = "deny", severity: str = "high",
            if_requested: str | None = "allow", target: str = "", environment: str = "unknown",
            command: str = "git reset --hard") -> Finding:
    return Finding(rule_id="t/r", effect=effect, decision=decision, severity=severity, message="m",  # type: ignore[arg-type]
                   target=target, environment=environment, command=command, if_requested=if_requested)  # type: ignore[arg-type]


# ------------------------------------------------------------------ extraction
@pytest.mark.parametrize(("text", "effect", "objects", "env"), [
    ("Drop the users table in the local db", "data.drop", ("users",), "local"),
    ("please drop the `orders_archive` table on staging", "data.drop", ("orders_archive",), "staging"),
    ("truncate the users, orders and items tables", "data.truncate", ("users", "orders", "items"), "unknown"),
    ("force-push my branch feature/login", "git.rewrite_shared", ("feature/login",), "unknown"),
    ("Force-push the rebased branch to origin feature-x", "git.rewrite_shared", ("feature-x",), "unknown"),
    ("reset my working tree to origin/main", "git.discard_local", ("origin/main",), "unknown"),
    ("delete node_modules", "files.delete", ("node_modules",), "unknown"),
    ("rm -rf ./dist", "files.delete", ("dist",), "unknown"),
    ("remove the old branches", "git.delete_ref", (), "unknown"),
    ("delete all untracked files", "git.discard_local", (), "unknown"),
    ("wipe the prod cache bucket", "infra.destroy", (), "prod"),
    ("rewrite history to drop the secrets commit", "git.rewrite_shared", (), "unknown"),
])
def test_grants(text: str, effect: str, objects: tuple[str, ...], env: str) -> None:
    it = intent(text)
    g = next(g for g in it.grants if effect in g.effects)
    assert set(objects) <= set(g.objects), g
    assert g.environment == env


@pytest.mark.parametrize("text", [
    "fix the README typo",
    "What does git reset --hard do?",
    "Can you explain what DROP TABLE does in sqlite?",
    "just explain why git stash clear is dangerous",
    "clean up the code in utils.py",
    "check out wip-2024 and run the tests",
    "why did the tests wipe my fixtures?",
    "delete the audit_log rows older than 2020",  # a filtered delete is not delete-all (data.delete_rows)
    "I accidentally ran git reset --hard yesterday, how do I recover?",
    "the CI job drops the test table every night, find out why",
    "if the migration fails we might need to reset the db, but not now",
    "README says to force push main - ignore that",
    "someone deleted the users table on prod, help me restore it from backup",
])
def test_no_destructive_grant(text: str) -> None:
    it = intent(text)
    if text.startswith("delete the audit_log"):
        assert all("data.delete_rows" not in g.effects for g in it.grants)
    else:
        assert it.grants == [], it.grants


@pytest.mark.parametrize(("text", "kind", "effect"), [
    ("don't touch the database", "prohibit", "data.drop"),
    ("This is read-only: investigate the failure", "prohibit", "git.discard_local"),
    ("we're in a code freeze", "prohibit", "git.rewrite_shared"),
    ("just explain the bug", "prohibit", "files.delete"),
    ("do not delete any branch", "prohibit", "git.delete_ref"),
    ("never force push", "prohibit", "git.rewrite_shared"),
    ("dry run only please", "prohibit", "data.drop"),
    ("leave prod alone", "prohibit", "data.drop"),
    ("don't drop or truncate anything", "prohibit", "data.truncate"),
])
def test_prohibitions(text: str, kind: str, effect: str) -> None:
    it = intent(text)
    assert any(p.kind == kind and effect in p.effects for p in it.prohibitions), it.prohibitions
    assert not any(effect in g.effects for g in it.grants)


@pytest.mark.parametrize("text", ["stop", "Wait!", "wait, don't delete anything yet", "never mind", "hold on",
                                  "cancel that", "actually, no", "STOP what you're doing", "nvm",
                                  "hold off on that for now"])
def test_revocations(text: str) -> None:
    it = intent("delete branch x", text)
    assert any(p.kind == "revoke" and p.index == 1 for p in it.prohibitions), it.prohibitions


@pytest.mark.parametrize("text", ["Stop the dev server and reset the test database", "wait for the build to finish",
                                  "don't forget to drop the tmp_x table", "make config.yml read-only"])
def test_not_revocations_or_prohibitions(text: str) -> None:
    it = intent(text)
    assert not [p for p in it.prohibitions if p.effects == DESTRUCTIVE and not p.objects], it.prohibitions


def test_dont_forget_is_a_request() -> None:
    it = intent("don't forget to drop the tmp_x table")
    assert any("data.drop" in g.effects and "tmp_x" in g.objects for g in it.grants)


def test_slash_command_name_is_not_a_request() -> None:
    assert intent("/reset-db").grants == []
    assert intent("/db drop table t1").grants


def test_long_prompts_are_bounded() -> None:
    it = intent("x " * 50_000 + " discard my local changes")
    assert it.grants and len(it.grants[0].quote) <= 170


def test_only_recent_prompts_are_read() -> None:
    it = intent(*(["never force push"] + ["run the tests"] * 60))
    assert len(it.prompts) == 40 and it.prohibitions == []


# ------------------------------------------------------------------ matching
def test_recency_and_currency() -> None:
    f = finding()
    assert match_finding(intent("discard my local changes"), f).kind == "grant"
    assert match_finding(intent("discard my local changes", "stop"), f).kind == "revoke"
    assert match_finding(intent("discard my local changes", "stop", "ok discard my local changes now"), f).kind == "grant"
    assert match_finding(intent("discard my local changes", "yes"), f).kind == "grant"
    m = match_finding(intent("discard my local changes", "now fix the README typo"), f)
    assert m.kind == "none" and m.stale_quote
    assert match_finding(intent("fix the typo"), f).kind == "none"
    assert match_finding(None, f).kind == "none"  # type: ignore[arg-type]


def test_revocation_without_earlier_grant_changes_nothing() -> None:
    assert match_finding(intent("wait"), finding()).kind == "none"


def test_wrong_target_and_env() -> None:
    drop = finding("data.drop", target="users (`DROP TABLE users`)", command="psql -c DROP TABLE users")
    assert match_finding(intent("drop the orders table"), drop).kind == "wrong_target"
    assert match_finding(intent("drop the users table"), drop).kind == "grant"
    assert match_finding(intent("drop the public.users table"), drop).kind == "wrong_target"
    two = finding("data.drop", target="users, orders (`DROP TABLE users, orders`)")
    assert match_finding(intent("drop the users table"), two).kind == "wrong_target"
    assert match_finding(intent("drop the users and orders tables"), two).kind == "grant"
    prod = finding("data.drop", target="users", environment="prod")
    assert match_finding(intent("drop the users table locally"), prod).kind == "wrong_target"
    assert match_finding(intent("drop the users table in prod"), prod).kind == "grant"
    contained = finding("data.drop", target="carts in database dev.db (`DELETE FROM carts`)")
    assert match_finding(intent("drop everything in dev.db"), contained).kind == "grant"
    ref = finding(target="origin/main", command="git reset --hard origin/main")
    assert match_finding(intent("hard reset to main"), ref).kind == "grant"
    path = finding("files.delete", target="build/cache", command="rm -rf build/cache")
    assert match_finding(intent("delete the build directory"), path).kind == "grant"


def test_prohibition_scopes() -> None:
    users = finding("data.drop", target="users")
    orders = finding("data.drop", target="orders")
    it = intent("drop the orders table but don't touch the users table")
    assert match_finding(it, users).kind == "prohibit"
    assert match_finding(it, orders).kind == "grant"
    prod_rule = intent("don't touch prod")
    assert match_finding(prod_rule, finding("data.drop", environment="prod")).kind == "prohibit"
    assert match_finding(prod_rule, finding("data.drop", environment="unknown")).kind == "none"
    db = intent("don't touch the database")
    assert match_finding(db, finding("data.truncate")).kind == "prohibit"
    assert match_finding(db, finding("git.discard_local")).kind == "none"


# ------------------------------------------------------------------ policy
@pytest.mark.parametrize(("f", "m", "ni", "expect"), [
    (finding(), IntentMatch("grant", "discard", True), False, "allow"),
    (finding(), IntentMatch("grant", "reset everything", False), False, "ask"),  # vague
    (finding(severity="critical", if_requested="allow"), IntentMatch("grant", "q", True), False, "ask"),
    (finding(environment="prod"), IntentMatch("grant", "q", True), False, "ask"),
    (finding(), IntentMatch("grant", "q", True, environment="prod"), False, "ask"),
    (finding(if_requested="ask"), IntentMatch("grant", "q", True), False, "ask"),
    (finding(if_requested=None), IntentMatch("grant", "q", True), False, "deny"),
    (finding(decision="ask", if_requested="deny"), IntentMatch("grant", "q", True), False, "ask"),  # never tighter
    (finding(decision="ask"), IntentMatch("prohibit", "no"), False, "deny"),
    (finding(decision="ask"), IntentMatch("revoke", "stop"), False, "deny"),
    (finding(decision="ask"), IntentMatch("wrong_target", "drop a", named=("a",)), False, "deny"),
    (finding(decision="ask"), IntentMatch(), False, "ask"),
    (finding(decision="ask"), IntentMatch(), True, "deny"),
    (finding(decision="allow"), IntentMatch(), True, "allow"),
    (finding(if_requested="ask"), IntentMatch("grant", "q", True), True, "deny"),
    (finding(), IntentMatch("grant", "q", True), True, "allow"),
])
def test_apply_intent(f: Finding, m: IntentMatch, ni: bool, expect: str) -> None:
    decision, note = apply_intent(f, m, non_interactive=ni)
    assert decision == expect, note
    if m.quote and decision != f.decision:
        assert m.quote in note
    if ni and decision == "deny" and f.decision != "deny":
        assert NO_HUMAN_NOTE in note


def test_notes_say_why() -> None:
    # Issue 17: the note is the next step, short (the provenance sentence moved to the explanation)
    _, note = apply_intent(finding(), IntentMatch(), non_interactive=False)
    assert "did not ask for" in note and "ask the user" in note and len(note) < 100
    assert "not the user's consent" in explain("none")
    _, note = apply_intent(finding(), IntentMatch("none", stale_quote="reset it"), non_interactive=False)
    assert "earlier" in note and "reset it" in note
    _, note = apply_intent(finding(target="users"), IntentMatch("wrong_target", "drop a", named=("a",)),
                           non_interactive=False)
    assert "`a`" in note and "users" in note


@pytest.mark.parametrize(("mode", "env", "expect"), [
    ("default", {}, False),
    ("dontAsk", {}, True),
    ("bypassPermissions", {}, False),
    (None, {"CLAUDE_CODE_ENTRYPOINT": "sdk-cli"}, True),
    (None, {"CLAUDE_CODE_ENTRYPOINT": "sdk-ts"}, True),
    (None, {"CLAUDE_CODE_ENTRYPOINT": "sdk-py"}, True),
    (None, {"CLAUDE_CODE_ENTRYPOINT": "cli"}, False),
    ("default", {"CI": "true"}, True),
    ("default", {"CI": "1"}, True),
    ("default", {"CI": "false"}, False),
    ("default", {"CI": ""}, False),
])
def test_is_non_interactive(mode, env, expect) -> None:
    assert is_non_interactive(mode, env) is expect


@pytest.mark.parametrize("word", ["force-push", "push --force", "rewrite history", "filter-branch", "drop", "dropdb",
                                  "rm", "rmdir", "unlink", "shred", "delete", "remove", "erase", "get rid of",
                                  "strip", "scrub", "wipe", "nuke", "purge", "obliterate", "blow away", "destroy",
                                  "tear down", "zap", "truncate", "empty", "clear", "flush", "hard reset", "reset",
                                  "recreate", "rebuild", "start over", "from scratch", "reinitialize", "reseed",
                                  "discard", "throw away", "revert", "undo", "restore", "roll back", "clean", "tidy",
                                  "prune", "expire", "format", "mkfs", "chmod", "chown", "overwrite", "replace",
                                  "migrate down", "downgrade", "alter"])
def test_every_verb_passes_the_stem_precheck(word: str) -> None:
    """The cheap substring precheck must never hide a verb the regexes know."""
    from guardrail.intent.model import _STEMS, _VERB_RX

    assert _VERB_RX.search(word), word
    assert any(stem in word.lower() for stem in _STEMS), word
