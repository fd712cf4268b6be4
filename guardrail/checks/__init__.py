"""Named checks, one module per domain, listed in registry.py (see docs/writing-rules.md, "Adding a check")."""
