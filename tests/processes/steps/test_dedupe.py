"""Step dedupe: form posts without ids are deduplicated by content within a window."""

from __future__ import annotations

import datetime as dt

import pytest

from integrations.inbound.models import Webhook
from processes.models import ContentHash, Record
from processes.steps import dedupe
from tests.processes.helpers import FORM, definition

FORM_POST = {"EntityName": "FormSubmit", "Name": "Ada", "Message": "Call me"}


@pytest.fixture
def process(client, admin) -> int:
    return client.get("/api/v1/processes", headers=admin).json["items"][0]["id"]


def age(**delta) -> None:
    """Make every remembered content hash older."""
    for row in ContentHash.select():
        row.received_at -= dt.timedelta(**delta)
        row.save()


def post(client, key: str, **kwargs) -> dict:
    kwargs.setdefault("data", FORM_POST)
    kwargs.setdefault("content_type", FORM)
    return client.post(f"/webhooks/{key}", **kwargs).json


def test_the_same_form_post_twice_is_stored_once_as_a_record(client, source_key):
    first = post(client, source_key)
    second = post(client, source_key)
    assert first["status"] == "processed"
    reason = f"Duplicate of webhook {first['id']}: the same content within 10 s."
    assert second == {"id": second["id"], "status": "no-record", "errors": [], "records": []}
    trace = Webhook.get_by_id(second["id"]).trace
    assert trace[0] == {"step": "dedupe", "ok": True, "ms": trace[0]["ms"], "checked": True,
                        "duplicate_of": first["id"]}
    assert trace[-1] == {"step": "result", "ok": True, "reason": reason}
    assert Record.select().count() == 1


def test_multipart_posts_compare_by_content_not_boundary(client, source_key):
    first = post(client, source_key, content_type="multipart/form-data")
    assert post(client, source_key, content_type="multipart/form-data")["status"] == "no-record"
    assert first["status"] == "processed"


def test_other_content_or_another_source_is_no_duplicate(client, admin, source_key):
    post(client, source_key)
    assert post(client, source_key, data={**FORM_POST, "Message": "Call me now"})["status"] == "processed"
    other = client.post("/api/v1/sources", headers=admin, json={"name": "other"}).json["api_key"]
    assert post(client, other)["status"] == "processed"


def test_after_the_window_the_same_post_counts_again(client, source_key):
    post(client, source_key)
    age(seconds=11)
    assert post(client, source_key)["status"] == "processed"


def test_window_seconds_option(client, admin, source_key, process):
    client.put(f"/api/v1/processes/{process}/definition", headers=admin,
               json=definition({"dedupe": {"window_seconds": 3600}}))
    post(client, source_key)
    age(seconds=3000)
    assert post(client, source_key)["status"] == "no-record"


def test_json_posts_are_checked_only_with_scope_all(client, admin, source_key, process):
    assert post(client, source_key, json=FORM_POST, data=None, content_type=None)["status"] == "processed"
    assert post(client, source_key, json=FORM_POST, data=None, content_type=None)["status"] == "processed"
    client.put(f"/api/v1/processes/{process}/definition", headers=admin,
               json=definition({"dedupe": {"scope": "all"}}))
    assert post(client, source_key, json=FORM_POST, data=None, content_type=None)["status"] == "processed"
    assert post(client, source_key, json=FORM_POST, data=None, content_type=None)["status"] == "no-record"


def test_posts_with_an_idempotency_key_are_left_to_it(client, source_key):
    post(client, source_key, headers={"Idempotency-Key": "a"})
    second = post(client, source_key, headers={"Idempotency-Key": "b"})
    assert second["status"] == "processed"
    assert Webhook.get_by_id(second["id"]).trace[0]["reason"] == "the post has an idempotency key"


def test_a_source_override_switches_dedupe_off_for_it(client, admin, source_key, process):
    source = client.get("/api/v1/sources", headers=admin).json["items"][0]["id"]
    client.put(f"/api/v1/processes/{process}/definition", headers=admin, json=definition(
        overrides=[{"source": source, "step": "dedupe", "enabled": False}]))
    post(client, source_key)
    second = post(client, source_key)
    assert second["status"] == "processed"
    assert Webhook.get_by_id(second["id"]).trace[0] == {"step": "dedupe", "skipped": True}


def test_reprocessing_the_first_post_is_not_a_duplicate_of_itself(client, admin, source_key):
    first = post(client, source_key)
    again = client.post(f"/api/v1/webhooks/{first['id']}/reprocess", headers=admin).json
    assert again["status"] == "processed"


def test_old_hashes_are_purged(client, source_key):
    post(client, source_key)
    assert dedupe.purge() == 0
    age(days=2)
    assert dedupe.purge() == 1
