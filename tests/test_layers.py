"""Page handlers and API handlers call service modules, never each other."""

from __future__ import annotations

from tests.test_import_cycles import import_graph


def is_handler(module: str) -> bool:
    """Whether a module holds page handlers (…views) or API handlers (…api)."""
    leaf = module.rpartition(".")[2]
    return leaf == "api" or leaf.endswith("views")


def handler_imports(graph: dict[str, set[str]]) -> list[str]:
    """Each import of one handler module by another, as 'importer -> imported'."""
    return sorted(f"{name} -> {dep}" for name, deps in graph.items() if is_handler(name)
                  for dep in deps if is_handler(dep))


def test_handlers_import_no_other_handlers():
    assert handler_imports(import_graph()) == []


def test_a_views_module_importing_an_api_module_is_found():
    graph = {"a.views": {"a.api", "a.service"}, "b.api": {"a.definition_views"}, "a.service": set()}
    assert handler_imports(graph) == ["a.views -> a.api", "b.api -> a.definition_views"]
