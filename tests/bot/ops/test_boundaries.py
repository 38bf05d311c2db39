"""Who may import whom: the benchmarks stand on bot/ops, not on the tests, and the
gateway and the action server do not import the development and operations side;
and no module of the product or the benchmarks grows to 500 lines."""

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


MAX_LINES = 500  # house rule: a module is under this (split at ~300 by concern)


def too_long(files: list[Path]) -> list[str]:
    """``file: lines`` for each file of MAX_LINES lines or more."""
    counts = {
        path: len(path.read_text(encoding="utf-8").splitlines()) for path in files
    }
    return [
        f"{path.relative_to(ROOT)}: {lines}"
        for path, lines in counts.items()
        if lines >= MAX_LINES
    ]


def test_every_module_of_the_product_and_the_benchmarks_is_under_500_lines() -> None:
    files = [
        path
        for folder in ("bot", "actions", "bench")
        for path in sorted((ROOT / folder).rglob("*.py"))
    ]
    assert len(files) > 100
    assert too_long(files) == []


def test_the_length_check_counts_lines() -> None:
    sample = ROOT / "var" / "length-check-sample.py"
    sample.parent.mkdir(exist_ok=True)
    sample.write_text("x = 1\n" * MAX_LINES)
    try:
        assert too_long([sample]) == [f"var/length-check-sample.py: {MAX_LINES}"]
        sample.write_text("x = 1\n" * (MAX_LINES - 1))
        assert too_long([sample]) == []
    finally:
        sample.unlink()


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


def test_ports_handed_out_are_outside_the_ephemeral_range_and_never_twice() -> None:
    """A private stack's ports come from below the kernel's ephemeral range, so an
    outgoing connection elsewhere on the machine cannot take one in the seconds
    before its server binds it; one process never gets the same port twice."""
    from bot.ops.ports import EPHEMERAL, _range, free_port, free_ports

    low, high = _range()
    given = [free_port() for _ in range(50)] + [free_ports(3) for _ in range(10)]
    assert all(low <= port <= high for port in given)
    assert len(set(given)) == len(given)
    ephemeral = int(EPHEMERAL.read_text().split()[0]) if EPHEMERAL.exists() else 32768
    assert high < ephemeral
