"""Foundations with no knowledge of tool calls: records, lazy patterns, quoting, the program vocabulary."""
