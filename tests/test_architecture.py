"""The package's structure holds: layers point one way, modules have one job, no private names cross modules.

The import contract lives in pyproject.toml ([tool.importlinter]); import-linter reads every import, lazy ones
inside functions included. String imports (importlib, __import__) would hide edges from it: there are none.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "guardrail"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
MAX_MODULE_LINES = 900


def test_the_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def test_the_contracts_have_no_ignores() -> None:
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    assert contracts and all(not c.get("ignore_imports") for c in contracts)


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(ROOT)) for p in MODULES])
def test_a_module_has_one_job_and_stays_small(path: Path) -> None:
    lines = path.read_text().count("\n")
    assert lines <= MAX_MODULE_LINES, f"{path.name}: {lines} lines; split it by job"
    if path.name == "__init__.py" and path.parent != PACKAGE:
        body = ast.parse(path.read_text()).body
        code = [n for n in body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
        assert code == [], "a package __init__ holds a docstring only (importing any module of it runs it)"


def _imports(path: Path) -> list[tuple[str, str, int]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("guardrail"):
            out += [(node.module, a.name, node.lineno) for a in node.names]
    return out


def test_no_private_name_crosses_modules() -> None:
    crossing = [f"{p.relative_to(ROOT)}:{line}: {mod}.{name}" for p in MODULES for mod, name, line in _imports(p)
                if name.startswith("_") and not name.startswith("__")]
    assert crossing == []


def test_no_string_imports() -> None:
    found = [f"{p.relative_to(ROOT)}:{n.lineno}" for p in MODULES for n in ast.walk(ast.parse(p.read_text()))
             if isinstance(n, ast.Call) and (
                 isinstance(n.func, ast.Attribute) and n.func.attr == "import_module"
                 or isinstance(n.func, ast.Name) and n.func.id == "__import__")]
    assert found == []
