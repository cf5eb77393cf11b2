"""The engine is pure Python: no Django import, no float, no round() in its arithmetic."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "forms8829"
ENGINE_MODULES = [
    "money.py",
    "rules.py",
    "engine.py",
    "periods.py",
    "render.py",
    "lines.py",
    "businesses.py",
    "worksheet.py",
]
PURE = {
    "forms8829.money",
    "forms8829.rules",
    "forms8829.periods",
    "forms8829.businesses",
    "forms8829.worksheet",
    "forms8829.lines",
}


def imported_modules(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module or "")
    return names


@pytest.mark.parametrize("module", ENGINE_MODULES)
def test_imports_only_stdlib_and_the_engine(module: str) -> None:
    tree = ast.parse((PACKAGE / module).read_text(), filename=module)
    modules = imported_modules(tree)
    assert not {m for m in modules if m.split(".")[0] == "django"}
    allowed = {m for m in modules if m.split(".")[0] in sys.stdlib_module_names}
    allowed |= {m for m in modules if m in PURE}
    assert modules == allowed


@pytest.mark.parametrize("module", ENGINE_MODULES)
def test_no_float_and_no_round(module: str) -> None:
    source = (PACKAGE / module).read_text()
    tree = ast.parse(source, filename=module)
    calls = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert "float" not in calls
    assert "round" not in calls
    float_literals = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, float)
    ]
    assert float_literals == []
    assert "float(" not in source


def test_importing_the_engine_loads_no_django() -> None:
    code = (
        "import sys, forms8829.engine, forms8829.periods, forms8829.render, forms8829.lines; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PACKAGE.parent,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == "[]"
