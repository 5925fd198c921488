"""The result type lives apart from the algorithm that computes it."""

from __future__ import annotations

import ast
from pathlib import Path

import chiikimap
from chiikimap import coverage, result

PACKAGE = Path(chiikimap.__file__).parent
RENDERERS = ["export.py", "notebook.py", "_outside.py", "maps/interactive.py", "maps/static.py"]


def _imported_modules(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module.lstrip("."))
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_renderers_import_the_result_type_not_the_algorithm() -> None:
    for name in RENDERERS:
        mods = _imported_modules(PACKAGE / name)
        assert not mods & {"coverage", "chiikimap.coverage"}, name
        assert "result" in mods, name


def test_the_result_module_does_not_import_the_algorithm() -> None:
    assert "coverage" not in _imported_modules(PACKAGE / "result.py")


def test_old_import_paths_still_give_the_same_objects() -> None:
    assert coverage.Coverage is result.Coverage is chiikimap.Coverage
    assert coverage.RunInfo is result.RunInfo is chiikimap.RunInfo
    assert coverage.analyze is chiikimap.analyze
