"""Intent: what the human asked for in this session, from typed prompts only (see docs/intent.md)."""
