"""guardrail: a local rules engine for Claude Code tool calls."""

__version__ = "0.1.0"
