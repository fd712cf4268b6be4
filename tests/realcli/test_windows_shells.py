"""Issue 18 under the real Claude Code CLI (pinned 2.1.330, Linux): a Bash line that runs PowerShell is judged by
the PowerShell model inside the real hook, and a command holding a control or invisible character never runs
unjudged: the CLI refuses some before any hook, guardrail asks about the rest (under `claude -p`, an ask is a deny). The PowerShell tool itself exists only in the Windows CLI: its
calls are tested through the hook adapter (tests/rounds/powershell.jsonl), not here.
"""

from __future__ import annotations

import pytest

from .fake_api import ToolUse, tool_use_id
from .harness import Sandbox

pytestmark = pytest.mark.realcli

HOOK_ERROR = "PreToolUse:Bash hook error: "


def bash(command: str) -> ToolUse:
    return ToolUse("Bash", {"command": command, "description": "Run a command"})


def test_pwsh_inside_bash_meets_the_bash_rules(sandbox: Sandbox) -> None:
    keep = sandbox.home / "Documents" / "thesis.txt"
    keep.parent.mkdir(parents=True)
    keep.write_text("three years of work\n")
    run = sandbox.run("fix the typo on the 404 page",
                      [bash("pwsh -NoProfile -Command 'Remove-Item -Recurse -Force $env:USERPROFILE\\Documents'")])
    info = run.describe()
    tr = run.tool_result(tool_use_id(0))
    assert tr is not None and tr.is_error and tr.text.startswith(HOOK_ERROR), info
    assert "[filesystem/rm-recursive-critical-path]" in tr.text and "(via pwsh -Command -> Remove-Item)" in tr.text, info
    recs = [r for r in run.audit_for(tool_use_id(0), "PreToolUse") if r.get("decision")]
    assert len(recs) == 1 and recs[0]["decision"] == "deny", info
    assert keep.exists(), info


CLI_REFUSES = "command contains control characters that would be hidden in the approval dialog"


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x08", "\x0b", "\x7f", "\r", "\u202e"],
                         ids=["nul", "escape", "backspace", "vtab", "del", "bare-cr", "bidi-override"])
def test_a_control_character_never_runs_unjudged(sandbox: Sandbox, char: str) -> None:
    """Either the CLI refuses the input before any hook (2.1.330 does for C0 and C1 controls and DEL, "hidden in
    the approval dialog") or the hook asks with a reason (claude -p makes the ask a refusal): never silence. A
    right-to-left override passes 2.1.330's check and ran `echo` before this rule existed."""
    run = sandbox.run("list the files", [bash(f"echo ok{char}ls")])
    info = run.describe()
    tr = run.tool_result(tool_use_id(0))
    assert tr is not None and tr.is_error, info
    recs = [r for r in run.audit_for(tool_use_id(0), "PreToolUse") if r.get("decision")]
    if CLI_REFUSES in tr.text:
        assert not recs and not run.hook_responses("PreToolUse"), info  # refused before the hook
        return
    spelled = f"0x{ord(char):02x}" if ord(char) < 0x100 else f"U+{ord(char):04X}"
    assert "[shell/control-characters]" in tr.text, info
    # the rule asks; with nobody to answer (claude -p) the hook's answer is a deny, as recorded; the reason Claude
    # sees fits the terminal, and the audit record keeps the whole story (which character, where)
    assert len(recs) == 1 and recs[0]["decision"] == "deny" and recs[0]["rule_ids"] == ["shell/control-characters"], info
    assert f"({spelled}) at character 8" in (recs[0].get("explanation") or recs[0]["reason"]), info
