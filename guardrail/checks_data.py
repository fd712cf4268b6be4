"""Checks for data and infrastructure: SQL clients, ORMs, migration tools, cloud/IaC, script indirection.

Registered into guardrail.checks.CHECKS on import via @check.
"""

from __future__ import annotations

from guardrail.checks import check  # noqa: F401
