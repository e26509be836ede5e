"""The pipeline: overrides per entity and per source, and a step that crashes."""

from __future__ import annotations

import pytest
from marshmallow import Schema

from core import plugins as registry
from lookups.seed import stable_id
from tests.processes.helpers import definition, draft_run, step

CANADA = stable_id("country", "CA")


@pytest.fixture
def source(client, admin) -> int:
    return client.post("/api/v1/sources", headers=admin, json={"name": "s"}).json["id"]


@pytest.mark.parametrize("entity,from_source,outcome", [
    ("Lead", False, {"to": CANADA, "by": "name"}),
    ("Lead", True, {"to": None, "by": "null"}),
    ("Contact", True, {"to": None, "by": "null"}),
    ("Contact", False, "No row with id 'Canada' in lookup 'Countries'."),
])
def test_overrides_for_an_entity_a_source_and_both(client, admin, source, entity, from_source, outcome):
    draft = definition(overrides=[
        {"source": source, "entity": "Lead", "step": "resolve", "options": {"match_names": False}},
        {"source": source, "step": "resolve", "options": {"unknown": "null"}},
        {"entity": "Lead", "step": "resolve", "options": {"match_names": True}},
    ])
    answer = draft_run(client, admin, draft, {"EntityName": entity, "Name": "A", "CountryId": "Canada"},
                       source=source if from_source else None)
    if isinstance(outcome, str):
        assert answer["errors"] == [{"field": "CountryId", "value": "Canada", "message": outcome}]
    else:
        assert step(answer, "resolve")["resolved"] == {"CountryId": {"from": "Canada", **outcome}}


def test_an_override_can_switch_a_step_off_for_an_entity(client, admin):
    draft = definition(overrides=[{"entity": "FormSubmit", "step": "typecheck", "enabled": False}])
    form = draft_run(client, admin, draft, {"EntityName": "FormSubmit", "SubmittedOn": "yesterday"})
    assert form["status"] == "processed" and form["records"][0]["data"]["SubmittedOn"] == "yesterday"
    assert {"step": "typecheck", "skipped": True} in form["trace"]
    lead = draft_run(client, admin, draft, {"EntityName": "Lead", "Budget": "lots"})
    assert lead["errors"] == [{"field": "Budget", "value": "lots", "message": "Not a valid decimal."}]


class Explode:
    """A step that always raises."""

    NEEDS_ENTITY = True
    Options = Schema

    @staticmethod
    def run(ctx, options):
        return 1 / 0


def test_a_crashing_step_fails_the_webhook_not_the_worker(app, client, admin, monkeypatch):
    monkeypatch.setitem(app.config, "PLUGINS", {"steps": {"boom": "tests.processes.test_pipeline:Explode"}})
    monkeypatch.delitem(app.extensions, registry.EXTENSION, raising=False)
    draft = definition()
    draft["steps"].insert(3, {"name": "boom"})
    answer = draft_run(client, admin, draft, {"EntityName": "FormSubmit"})
    assert answer["status"] == "failed"
    assert answer["errors"] == [{"field": "_process", "value": None,
                                 "message": "Step 'boom' failed: ZeroDivisionError: division by zero"}]
    assert [e["step"] for e in answer["trace"]] == ["dedupe", "parse", "map", "boom"]
    assert step(answer, "boom")["ok"] is False
