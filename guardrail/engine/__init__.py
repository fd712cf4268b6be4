"""The engine: a tool call and the rules to findings (evaluate.py), findings to a verdict (decide.py)."""
