"""The store is split by what it stores: its modules import each other without a cycle, and each stays small."""

from __future__ import annotations

import ast
from pathlib import Path

import backspasm.diary

DIARY = Path(backspasm.diary.__file__).parent
MAX_LINES = 400


def _local_imports(path: Path) -> set[str]:
    """The sibling modules of backspasm.diary that `path` imports (at any depth in the file)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("backspasm.diary."):
            found.add((node.module or "").split(".")[2])
    return found


def _graph() -> dict[str, set[str]]:
    modules = {p.stem: p for p in DIARY.glob("*.py") if p.stem != "__init__"}
    return {name: _local_imports(path) & set(modules) for name, path in modules.items()}


def test_the_diary_modules_import_each_other_without_a_cycle() -> None:
    graph = _graph()
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle: {' -> '.join((*path, name))}"
        if name in done:
            return
        for dep in sorted(graph[name]):
            visit(dep, (*path, name))
        done.add(name)

    for name in sorted(graph):
        visit(name, ())


def test_only_the_facade_imports_every_part() -> None:
    importers = sorted(name for name, deps in _graph().items() if "store" in deps)
    assert importers == [], f"modules that import the facade back: {importers}"


def test_no_diary_module_grows_past_the_house_limit() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in DIARY.glob("*.py")}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
