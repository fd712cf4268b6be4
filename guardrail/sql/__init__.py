"""SQL: what statements do (analyze.py) and how clients take them (clients.py)."""
