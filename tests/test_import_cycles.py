"""No two modules import each other, directly or round a loop, counting imports inside functions."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "integrations", "lookups", "processes", "rules", "migrations")


def module_name(root: Path, path: Path) -> str:
    """The dotted name of a module file under root."""
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Every module of the packages (and root's app.py), by dotted name."""
    files = [*root.glob("app.py"), *(p for pkg in packages for p in (root / pkg).rglob("*.py"))]
    return {module_name(root, path): path for path in files}


def imported(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules a module imports anywhere in its body (a package's own __init__ that a
    submodule import runs is left out: only what the statement names counts)."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return (found & modules.keys()) - {name}


def import_graph(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> dict[str, set[str]]:
    """Each project module and the project modules it imports."""
    modules = project_modules(root, packages)
    return {name: imported(name, path, modules) for name, path in modules.items()}


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import loop of the graph, or None."""
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        return exc.args[1]
    return None


def test_no_module_import_cycle():
    found = cycle(import_graph())
    assert found is None, f"import cycle: {' -> '.join(found)}"


def test_a_cycle_through_a_lazy_relative_import_is_found(tmp_path):
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "sub" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "a.py").write_text("from pkg.sub import b\n")
    (tmp_path / "pkg" / "sub" / "b.py").write_text("def f():\n    from .. import a\n")
    assert sorted(set(cycle(import_graph(tmp_path, ("pkg",))))) == ["pkg.a", "pkg.sub.b"]


def test_imports_inside_functions_count():
    graph = import_graph()
    assert "integrations.push.subscribers" in graph["integrations.hubs"]
    assert "core.health" in graph["app"]  # imported inside the healthz view only
