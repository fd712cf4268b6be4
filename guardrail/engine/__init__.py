"""The engine: a tool call and the rules to findings (evaluate.py, over plan.py), findings to a verdict (decide.py)."""
