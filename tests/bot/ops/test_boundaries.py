"""Who may import whom: the benchmarks stand on bot/ops, not on the tests, and the
gateway and the action server do not import the development and operations side."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.settings import ROOT


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports (absolute names, at any depth of the file)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def offenders(files: list[Path], forbidden: str) -> list[str]:
    """``file: module`` for each import of ``forbidden`` or one of its modules."""
    return [
        f"{path.relative_to(ROOT)}: {name}"
        for path in files
        for name in sorted(imported(path))
        if name == forbidden or name.startswith(forbidden + ".")
    ]


def test_no_benchmark_imports_the_tests() -> None:
    files = sorted((ROOT / "bench").glob("*.py"))
    assert len(files) > 10
    assert offenders(files, "tests") == []


def test_the_gateway_and_the_actions_do_not_import_bot_ops() -> None:
    ops = ROOT / "bot" / "ops"
    files = [
        path
        for folder in ("bot", "actions")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if ops not in path.parents
    ]
    assert len(files) > 50
    assert offenders(files, "bot.ops") == []


def test_the_check_sees_an_import_of_the_tests() -> None:
    sample = ROOT / "var" / "import-check-sample.py"
    sample.parent.mkdir(exist_ok=True)
    sample.write_text("def f():\n    from tests.polling import until\n")
    try:
        assert offenders([sample], "tests") == [
            "var/import-check-sample.py: tests.polling"
        ]
    finally:
        sample.unlink()
