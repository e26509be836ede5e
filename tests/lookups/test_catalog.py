"""The catalog cache holds what the database defines, never what senders make up."""

from __future__ import annotations

import pytest

from core.jsonpath import compile_path
from lookups import catalog
from rules import expressions


def cached() -> dict:
    return catalog._fresh()["entities"]


@pytest.fixture(autouse=True)
def _empty_cache(app):
    catalog.bump()


def compile_caches() -> tuple[int, int]:
    return compile_path.cache_info().currsize, expressions._regex.cache_info().currsize


def test_unknown_entity_names_are_not_cached(client, source_key):
    assert client.post(f"/webhooks/{source_key}", json={"EntityName": "Lead"}).status_code == 200
    before, compiled = dict(cached()), compile_caches()
    assert list(before) == ["Lead"]
    for i in range(300):
        name = f"{i}" + "x" * 10_000
        r = client.post(f"/webhooks/{source_key}", json={"EntityName": name, f"$.k{i}": f"(a{i})"})
        assert r.json["status"] == "no-record"
        described = client.post(f"/get_entity_description/{source_key}/Nope{i}",
                                json={"apiKey": source_key})
        assert described.status_code == 404
    assert cached() == before and compile_caches() == compiled


def test_a_known_entity_is_cached_under_its_own_code(client, source_key):
    assert catalog.entity("Contact").code == "Contact"
    assert catalog.entity("Nope") is None
    assert set(cached()) == {"Contact"}
