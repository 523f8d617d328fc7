"""The house holds: no module of `assistant` imports itself round a circle.

The layers themselves are import-linter contracts in pyproject.toml, checked by
`lint-imports` in the test command; grimp builds the same import graph here.
"""

from __future__ import annotations

import graphlib
from pathlib import Path

import grimp
import pytest


def import_cycle(package: str) -> list[str] | None:
    """A circle of imports in `package` (type-checking and function-level imports count),
    or None."""
    graph = grimp.build_graph(package, cache_dir=None)
    imports = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    try:
        graphlib.TopologicalSorter(imports).prepare()
    except graphlib.CycleError as error:
        return list(error.args[1])
    return None


def test_no_import_cycle_in_assistant() -> None:
    assert import_cycle("assistant") is None


def test_a_circle_of_imports_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "circle"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "one.py").write_text("from circle import two\n")
    (package / "two.py").write_text("def later() -> None:\n    from circle import one\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    cycle = import_cycle("circle")
    assert cycle is not None and {"circle.one", "circle.two"} <= set(cycle)
