"""The `guardrail` command line.

`guardrail hook EVENT` is dispatched before click is even imported: it is the hot path, and click's
usage errors exit 2, which Claude Code reads as "block" with the usage text sent to the model.
Every other subcommand is a lazily imported click object in guardrail/commands/<name>.py.
"""

from __future__ import annotations

import sys
from typing import Any

# name -> (module, attribute, one-line help shown in `guardrail --help` without importing the module)
SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "check": ("guardrail.commands.check", "command", "Show what guardrail would decide for a command or tool call."),
    "test": ("guardrail.commands.test", "command", "Run rule-pack tests, or replay Claude Code session transcripts."),
    "rules": ("guardrail.commands.rules", "command", "List, show and lint rules."),
    "init": ("guardrail.commands.init", "command", "Scaffold a team rule pack and config in .guardrail/."),
    "config": ("guardrail.commands.config", "command", "Show the merged configuration and where each value came from."),
    "audit": ("guardrail.commands.audit", "command", "Read the audit trail: tail, filter, stats."),
    "install": ("guardrail.commands.install", "command", "Register guardrail's hooks in Claude Code settings."),
    "uninstall": ("guardrail.commands.install", "uninstall_command", "Remove exactly the hooks `install` added."),
    "doctor": ("guardrail.commands.doctor", "command", "Check that guardrail is installed, registered and working."),
    "statusline": ("guardrail.commands.statusline", "command",
                   "One line for Claude Code's status line: protection on/off, broken packs, this session's decisions."),
}


def main(argv: list[str] | None = None) -> Any:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "hook" and not (len(args) == 2 and args[1] in ("-h", "--help")):
        from guardrail.hookio import main as hook_main

        hook_main(args[1:])
        return None
    return _group()(args=args, prog_name="guardrail")


def _command_module(module: str) -> Any:
    """A subcommand's module, imported when it runs (explicit imports: the layering contract sees each one)."""
    if module == "guardrail.commands.check":
        from guardrail.commands import check as m
    elif module == "guardrail.commands.test":
        from guardrail.commands import test as m
    elif module == "guardrail.commands.rules":
        from guardrail.commands import rules as m
    elif module == "guardrail.commands.init":
        from guardrail.commands import init as m
    elif module == "guardrail.commands.config":
        from guardrail.commands import config as m
    elif module == "guardrail.commands.audit":
        from guardrail.commands import audit as m
    elif module == "guardrail.commands.install":
        from guardrail.commands import install as m
    elif module == "guardrail.commands.doctor":
        from guardrail.commands import doctor as m
    elif module == "guardrail.commands.statusline":
        from guardrail.commands import statusline as m
    else:
        raise KeyError(module)
    return m


def _group() -> Any:
    import click

    from guardrail import __version__

    class LazyGroup(click.Group):
        def list_commands(self, ctx: click.Context) -> list[str]:
            return ["hook", *SUBCOMMANDS]

        def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
            if name == "hook":
                return _hook_help_command()
            spec = SUBCOMMANDS.get(name)
            if spec is None:
                return None
            return getattr(_command_module(spec[0]), spec[1])

        def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
            rows = [("hook", "Run as a Claude Code hook (reads the payload on stdin).")]
            rows += [(name, spec[2]) for name, spec in SUBCOMMANDS.items()]
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    @click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(__version__, "-V", "--version", prog_name="guardrail")
    def cli() -> None:
        """guardrail: stops destructive tool calls the user did not ask for.

        A Claude Code hook compares each proposed tool call with what the user asked for in the session and
        answers allow, deny or ask (or nothing, when no rule applies), logging every decision to a JSONL
        audit trail. Try: guardrail check "git reset --hard"
        """

    return cli


def _hook_help_command() -> Any:
    import click

    @click.command("hook", context_settings={"ignore_unknown_options": True})
    @click.argument("event", required=False)
    def hook(event: str | None) -> None:
        """Run as a Claude Code hook for EVENT (pre-tool-use, post-tool-use, post-tool-use-failure,
        user-prompt-submit, session-start), reading the payload JSON on stdin. Always exits 0."""

    return hook


if __name__ == "__main__":
    main()
