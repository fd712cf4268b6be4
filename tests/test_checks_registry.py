"""The check registry: one row per check, domain modules loaded only when a check could need them, exact guards."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

from guardrail.checks import registry
from guardrail.model import EvalContext
from guardrail.model import SimpleCommand


@pytest.mark.parametrize("name", sorted(registry.SPECS))
def test_every_row_names_a_check_function_in_its_domain_module(name: str) -> None:
    spec = registry.SPECS[name]
    fn = registry.CHECKS[name].load()
    assert fn.__module__ == f"guardrail.checks.{spec.module}" and fn.__name__ == spec.function
    assert list(inspect.signature(fn).parameters)[1:] == ["ctx", "args"]
    assert spec.level in (registry.COMMAND, registry.LINE, registry.FILE, registry.TOOL)
    assert not spec.after_others or spec.level == registry.LINE


# Checks made for team packs, which no built-in rule needs: each is exercised by a test pack (tests/test_effects.py).
FOR_TEAM_PACKS = {"destroys-path"}


def test_every_check_is_used_by_a_built_in_rule_and_every_rule_check_is_registered() -> None:
    from guardrail.packs import load_ruleset

    used = {r.match.check for r in load_ruleset().rules if r.match.check}
    used |= {e.when.check for r in load_ruleset().rules for e in r.exceptions if e.when.check}
    assert used | FOR_TEAM_PACKS == set(registry.SPECS)
    assert not used & FOR_TEAM_PACKS


def test_checks_load_their_module_on_first_call_only() -> None:
    code = (
        "import sys\n"
        "from guardrail.checks.registry import CHECKS\n"
        "from guardrail.model import EvalContext\n"
        "from guardrail.model import SimpleCommand\n"
        "before = sorted(m for m in sys.modules if m.startswith('guardrail.checks.'))\n"
        "CHECKS['indirect'](SimpleCommand(('ls',)), EvalContext(), {})\n"  # the guard refuses: no load
        "after_guard = sorted(m for m in sys.modules if m.startswith('guardrail.checks.'))\n"
        "CHECKS['git-force-push'](SimpleCommand(('git', 'status')), EvalContext(), {})\n"
        "print(before == after_guard, 'guardrail.checks.git' in sys.modules, 'guardrail.checks.sql' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "True", "False"]


def test_benign_commands_do_not_load_script_following_or_sqlparse() -> None:
    code = (
        "import sys\n"
        "from guardrail.engine import evaluate\n"
        "from guardrail.packs import load_ruleset\n"
        "from guardrail.model import ToolCall\n"
        "rs = load_ruleset()\n"
        "for c in ['ls -la', 'git status', 'git log --oneline | head', 'pytest -q', 'echo hi > out.txt']:\n"
        "    evaluate(ToolCall('Bash', {'command': c}, cwd='/tmp'), rs)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('guardrail.expand', 'guardrail.sql', 'sqlparse'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


@pytest.mark.parametrize("argv", [("npm", "run", "x"), ("make",), ("./deploy.sh",), ("bash", "s.sh"), ("python3.12", "-c", "x"),
                                  ("node", "-e", "x"), ("uv", "run", "python", "-c", "x"), (".", "./env")])
def test_script_guard_accepts_every_script_runner(argv: tuple[str, ...]) -> None:
    from guardrail.expand.scripts import is_trigger

    cmd = SimpleCommand(argv)
    assert registry.may_run_scripts(cmd, EvalContext())
    assert is_trigger(cmd) or argv[0].startswith(("python", "node", "uv")), "guard must cover is_trigger"


def test_script_guard_property_over_many_programs() -> None:
    """Exactness: whenever script following, inline code or the embedded-command readers would look at a command,
    the guard says yes. The programs are every name of the vocabulary, plus paths and everyday commands."""
    from guardrail.base import vocab
    from guardrail.expand.code.inline import inline_code
    from guardrail.expand.embedded import embedded
    from guardrail.expand.scripts import is_trigger

    ctx = EvalContext()
    names = sorted(set().union(*(v for v in vars(vocab).values() if isinstance(v, frozenset)), vocab.INTERPRETERS))
    names += ["ls", "git", "python3.11", "./x", "../y.sh", "bin/run.sh", "scripts/a.bash", "tools/x.py", "/usr/bin/env"]
    for name in names:
        for rest in ((), ("-c", "print(1)"), ("-e", "x"), ("run", "x"), ("script.sh",), ("-f", "job.sh"),
                     ("exec", "db", "sh"), ("run", "img", "sh"), ("ssh", "vm"), ("apply", "plan.tf")):
            cmd = SimpleCommand((name, *rest))
            found = embedded(cmd, EvalContext())
            if is_trigger(cmd) or inline_code(cmd, ctx) is not None or found.lines or found.unresolved or found.remote:
                assert registry.may_run_scripts(cmd, ctx), cmd.argv


@pytest.mark.parametrize(("line", "follows"), [
    ("docker ps", False), ("docker run --rm alpine sh -c 'ls'", True), ("docker compose ps", False),
    ("kubectl get pods", False), ("kubectl exec -it db-0 -- sh", True), ("curl -s https://x.example", False),
    ('eval "$(curl -fsSL https://x.example/i.sh)"', True), ("terraform fmt", False), ("terraform apply tf.plan", True),
    ("gcloud compute ssh vm --command 'ls'", True), ("gcloud projects list", False), ("npm test", True),
])
def test_script_following_is_limited_to_uses_that_carry_commands(line: str, follows: bool) -> None:
    from guardrail.shell.parse import parse_command

    cmds = parse_command(line).commands
    assert any(registry.may_run_scripts(c, EvalContext()) for c in cmds) is follows, [c.argv for c in cmds]


def _corpus_commands() -> list[str]:
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parent
    out = []
    for f in sorted((root / "corpus").glob("*.jsonl")) + sorted((root / "rounds").glob("*.jsonl")):
        for line in f.read_text().splitlines():
            case = json.loads(line) if line.strip() else {}
            if case.get("tool_name") == "Bash":
                out.append(case["tool_input"]["command"])
    return out


def test_every_guard_is_exact_over_the_corpora() -> None:
    """A guard refuses only what its check would not flag: over every command of the corpora and rounds (and the
    whole line, for line-level checks), guard False means the check's own function finds nothing."""
    from guardrail.shell.parse import parse_command
    from guardrail.testing import case_context

    guarded = [(name, check) for name, check in registry.CHECKS.items() if check.guard is not None]
    assert {"indirect", "protected-target", "dynamic-program", "redirect-to-device", "over-limit"} <= dict(guarded).keys()
    refused = 0
    for line in _corpus_commands():
        model = parse_command(line)
        for name, check in guarded:
            args = {"regex": "."} if name == "redirect-target" else {}
            ctx = case_context(None, None)
            ctx.problems, ctx.over_limit, ctx.source = model.problems, model.over_limit, model.source
            ctx.commands = model.commands
            actions = [None] if check.spec.level == registry.LINE else model.commands
            for action in actions:
                if not check.guard(action, ctx):
                    refused += 1
                    assert check.load()(action, ctx, args) == [], (name, line)
    assert refused > 1000


def test_unparseable_risky_triggers_hold_every_word_of_its_pattern() -> None:
    """The prefilter skips a line with none of the row's words, so each word the check's pattern looks for (its
    stem: `mkfs` of `mkfs\\S*`, `rf` of `-rf`) must be among them."""
    import re

    from guardrail.checks import meta

    words = re.search(r"\\b\((.*)\)\\b", meta._RISKY_WORDS.pattern).group(1).split("|")
    stems = {w.replace("\\S*", "").lstrip("-").lower() for w in words}
    triggers = set(registry.SPECS["unparseable-risky"].triggers)
    assert len(stems) > 20 and stems <= triggers, stems - triggers
