"""Which modules one hook call loads, per kind of call.

Every tool call pays for the modules its hook process imports, so each kind of call has a fixed set of
guardrail modules it may load and third-party packages it must not. The hook runs in a fresh process
exactly as Claude Code starts it (payload on stdin, caches warmed by an earlier call), and prints what
`sys.modules` holds at the end. A change to these sets is a deliberate decision, made here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = r"""
import json, os, sys
from guardrail.hookio import handle
out = handle(sys.argv[1], sys.stdin.buffer.read(), os.environ)
print(json.dumps({"out": out, "modules": sorted(sys.modules)}))
"""

# Third-party and heavy standard modules no hook call of these kinds may load (`typing` only with sqlparse, which
# imports it itself).
NEVER = ("pydantic", "click", "rich", "tomllib", "dataclasses", "tree_sitter", "tree_sitter_bash")


def _modules(*names: str) -> set[str]:
    return {"guardrail." + n for n in names}


# The prefilter's whole world (docs/performance.md, "Fast path"), and the audit record every call gets (issue 17:
# the trail records every tool call; text holding no redaction hint, as in these calls, skips importing redaction).
FAST = {"guardrail", "guardrail.hookio", "guardrail.fastpath", "guardrail.audit"}
# The one decision path: the service, the engine, the rules, the check registry and its guards, the records.
CORE = FAST | _modules("service", "engine", "rules", "model", "checks", "checks.registry",
                       "base", "base.record", "base.text", "base.vocab")
# The command model (tree-sitter only for lines its shortcuts cannot take).
SHELL = _modules("shell", "shell.parse", "shell.shortcuts", "shell.expansion", "shell.builtins", "shell.words",
                 "shell.wrappers")
# A Bash call that no rule stops: parse, match, no opinion. The checks of program-less rules (devices,
# redirects, dynamic programs, the line's limits) have guards, so their modules do not load.
FULL = CORE | SHELL
GIT = _modules("checks.git", "checks.runs", "checks.options")
# What a decision adds: the verdict, the finding's environment, intent (store, transcript, model, policy), the
# audit trail.
DECIDED = _modules("decide", "audit", "environment", "sql", "sql.clients", "intent", "intent.model",
                   "intent.policy", "intent.store", "intent.transcript")
# Redaction, for records whose text holds a hint of a secret's format (`docker` may carry `login -p`, `mysql` a -p).
REDACT = _modules("redact")
# Script following, as `npm test` needs it: the package-script reader, not the readers of make, code or remotes.
EXPANSION = _modules("checks.indirect", "expand", "expand.steps", "expand.scripts", "expand.packages",
                     "expand.line", "expand.embedded", "expand.code", "expand.code.inline", "workdir")
# A git discard asks the machine what it would lose (guardrail.world: git status), judged by the effect model.
STATE = _modules("checks.gitstate", "checks.recover", "checks.fs", "world", "base.paths")
# The PowerShell and cmd model, and its parser: only for the PowerShell tool and `pwsh -c`/`cmd /c` on a Bash line.
POWERSHELL = _modules("shell.powershell", "shell.windows", "shell.treesitter")
# The compiled tree-sitter bindings such a call loads (their packages' __init__ files are not run).
PARSER_BINDINGS = {"tree_sitter._binding", "tree_sitter_powershell._binding"}
SQL = _modules("checks.sql", "sql", "sql.analyze", "sql.clients", "expand", "expand.code", "expand.code.inline")

KINDS = {
    # kind: (event, payload fields, decision, guardrail modules loaded, may load sqlparse)
    "bash-prefiltered": ("pre-tool-use", {"tool_name": "Bash", "tool_input": {"command": "ls -la"}}, None, FAST, False),
    "read-prefiltered": ("pre-tool-use", {"tool_name": "Read", "tool_input": {"file_path": "/tmp/x"}}, None, FAST, False),
    "bash-benign-full": ("pre-tool-use", {"tool_name": "Bash", "tool_input": {"command": "git status"}}, None,
                         FULL | GIT, False),
    "bash-container-no-run": ("pre-tool-use", {"tool_name": "Bash", "tool_input": {"command": "docker ps"}}, None,
                              FULL | REDACT, False),
    "bash-downloader-alone": ("pre-tool-use", {"tool_name": "Bash", "tool_input": {"command": "nc example.com 80"}},
                              None, FULL, False),
    "bash-script-runner": ("pre-tool-use", {"tool_name": "Bash", "tool_input": {"command": "npm test"}}, None,
                           FULL | EXPANSION, False),
    "bash-deny": ("pre-tool-use", {"tool_name": "Bash", "tool_input": {"command": "git reset --hard"}}, "deny",
                  FULL | GIT | STATE | DECIDED, False),
    "bash-sql-deny": ("pre-tool-use", {"tool_name": "Bash", "tool_input": {"command": "psql -c 'DROP TABLE users'"}},
                      "deny", FULL | DECIDED | SQL | REDACT | _modules("checks.runs", "checks.git"), True),
    "powershell-benign": ("pre-tool-use", {"tool_name": "PowerShell", "tool_input": {"command": "Get-ChildItem"}},
                          None, FULL | POWERSHELL, False),
    "powershell-deny": ("pre-tool-use", {"tool_name": "PowerShell",
                                         "tool_input": {"command": "Remove-Item -Recurse -Force $HOME"}},
                        "deny", FULL | POWERSHELL | DECIDED | _modules("checks.fs", "checks.options", "checks.recover", "base.paths",
                                                                  "checks.guard"),
                        False),
    "bash-pwsh": ("pre-tool-use", {"tool_name": "Bash", "tool_input": {"command": "pwsh -c 'Get-ChildItem'"}}, None,
                  FULL | POWERSHELL, False),
    "edit": ("pre-tool-use", {"tool_name": "Edit", "tool_input": {"file_path": "/tmp/x/app.py", "old_string": "a",
                                                                   "new_string": "b"}},
             None, CORE | _modules("checks.files"), False),
    "mcp": ("pre-tool-use", {"tool_name": "mcp__db__query", "tool_input": {"sql": "select 1"}}, None,
            CORE | _modules("checks.mcp") | SQL, False),
    "user-prompt": ("user-prompt-submit", {"prompt": "fix the typo in the README"}, None,
                    {"guardrail", "guardrail.hookio"} | _modules("intent", "intent.model", "intent.store",
                                                                 "intent.transcript", "redact", "model", "base",
                                                                 "base.text", "base.record"), False),
}
# Known gaps, kept visible: remove a kind from here when it holds.
TODO: dict[str, str] = {}
EVENTS = {"pre-tool-use": "PreToolUse", "user-prompt-submit": "UserPromptSubmit"}


def _run(event: str, fields: dict, tmp: Path) -> dict:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp), "GUARDRAIL_CACHE_DIR": str(tmp / "cache"),
           "GUARDRAIL_STATE_DIR": str(tmp / "state"), "GUARDRAIL_AUDIT_LOG": str(tmp / "audit.jsonl")}
    payload = json.dumps({"session_id": "s1", "transcript_path": "/dev/null", "cwd": str(tmp), "tool_use_id": "t1",
                          "permission_mode": "default", "hook_event_name": EVENTS[event], **fields}).encode()
    for _ in range(2):  # the first call builds the caches and the prefilter's index; the second is measured
        proc = subprocess.run([sys.executable, "-I", "-c", PROBE, event], input=payload, env=env, capture_output=True,
                              check=True)
    return json.loads(proc.stdout)


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_hook_call_loads_only_its_kinds_modules(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if kind in TODO:
        request.applymarker(pytest.mark.xfail(reason=TODO[kind], strict=True))
    event, fields, decision, allowed, sql = KINDS[kind]
    got = _run(event, fields, tmp_path)
    answer = json.loads(got["out"])["hookSpecificOutput"]["permissionDecision"] if got["out"] else None
    assert answer == decision
    ours = {m for m in got["modules"] if m == "guardrail" or m.startswith("guardrail.")}
    assert (sorted(ours - allowed), sorted(allowed - ours)) == ([], []), "(unexpected, missing)"
    parsers = PARSER_BINDINGS if "guardrail.shell.powershell" in allowed else set()
    heavy = [m for m in got["modules"] if (m.split(".")[0] in NEVER and m not in parsers) or (m == "typing" and not sql)]
    assert heavy == []
    assert ("sqlparse" in got["modules"]) is sql
