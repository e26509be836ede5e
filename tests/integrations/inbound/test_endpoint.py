"""POST /webhooks/<api_key>: the seed's example in every format, and every error case."""

from __future__ import annotations

import datetime as dt
import html
import io
import json

import pytest

from integrations.inbound.models import Attachment, IdempotencyKey, Webhook
from integrations.push.events import Event
from lookups.seed import stable_id
from processes.models import Record
from tests.integrations.push_fixtures import enabled_connection

CANADA_SENDER_ID = "f8af0e88-f36b-1410-fa98-00155d043204"
SEED_EXAMPLE = (b'{\n    "Contact":"New user",\n    "Email":"new_user@gmail.com",\n'
                b'    "MobilePhone":"+1 617 221 5187",\n'
                b'    "CountryId": "f8af0e88-f36b-1410-fa98-00155d043204"\n'
                b'    "EntityName":"Lead"\n}')
FIXED_EXAMPLE = SEED_EXAMPLE.replace(b'204"\n', b'204",\n')
FIELDS = {"Contact": "New user", "Email": "new_user@gmail.com", "MobilePhone": "+1 617 221 5187",
          "CountryId": CANADA_SENDER_ID, "EntityName": "Lead"}


@pytest.fixture
def canada_imported(client, admin):
    """Load the sender's Canada id into Countries through the lookup import."""
    csv_body = f"id,name,aliases\n{CANADA_SENDER_ID},Canada,CA|CAN\n".encode()
    r = client.post("/api/v1/lookups/Countries/import", data=csv_body,
                    headers={**admin, "Content-Type": "text/csv"})
    assert r.status_code == 200, r.json
    assert r.json == {"created": 1, "updated": 0, "removed": 0}


def counts() -> tuple[int, int, int]:
    return Webhook.select().count(), Record.select().count(), Attachment.select().count()


def assert_lead(response):
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "processed" and body["errors"] == []
    [record_id] = body["records"]
    record = Record.get_by_id(record_id)
    assert record.entity == "Lead"
    assert record.data == {"Id": record_id, "Contact": "New user", "Email": "new_user@gmail.com",
                           "MobilePhone": "+1 617 221 5187", "CountryId": CANADA_SENDER_ID}
    assert record.webhook_id == body["id"]


def test_seed_example_as_json_creates_a_typed_lead(client, source_key, canada_imported):
    r = client.post(f"/webhooks/{source_key}", data=FIXED_EXAMPLE,
                    content_type="application/json")
    assert_lead(r)


def test_seed_example_as_urlencoded_form(client, source_key, canada_imported):
    assert_lead(client.post(f"/webhooks/{source_key}", data=FIELDS,
                            content_type="application/x-www-form-urlencoded"))


def test_seed_example_as_multipart_keeps_files(client, source_key, canada_imported):
    data = {**FIELDS, "cv": (io.BytesIO(b"%PDF-1.4 fake"), "cv.pdf", "application/pdf")}
    r = client.post(f"/webhooks/{source_key}", data=data, content_type="multipart/form-data")
    assert_lead(r)
    [attachment] = Attachment.select().where(Attachment.webhook == r.json["id"])
    assert (attachment.field, attachment.filename, attachment.content_type, attachment.size,
            bytes(attachment.data)) == ("cv", "cv.pdf", "application/pdf", 13, b"%PDF-1.4 fake")


def test_unfixed_seed_example_is_400_naming_the_position(client, source_key):
    before = counts()
    r = client.post(f"/webhooks/{source_key}", data=SEED_EXAMPLE, content_type="application/json")
    assert r.status_code == 400
    assert r.json == {
        "code": 400, "status": "Bad Request", "reason": "malformed_json",
        "message": "Malformed JSON at line 6 column 5 (char 159): Expecting ',' delimiter.",
        "errors": [{"field": "_body", "message": "Expecting ',' delimiter", "line": 6,
                    "column": 5, "position": 159}]}
    assert counts() == before


def test_lookup_value_not_in_lookup_fails_but_is_stored(client, source_key):
    r = client.post(f"/webhooks/{source_key}", json=FIELDS)
    assert r.status_code == 200
    assert r.json["status"] == "failed" and r.json["records"] == []
    assert r.json["errors"] == [{"field": "CountryId", "value": CANADA_SENDER_ID,
                                 "message": f"No row with id '{CANADA_SENDER_ID}' in lookup "
                                            "'Countries'."}]
    assert Webhook.get_by_id(r.json["id"]).status == "failed"


def test_seeded_country_id_resolves(client, source_key):
    r = client.post(f"/webhooks/{source_key}", json={**FIELDS, "CountryId": stable_id("country", "CA")})
    assert r.json["status"] == "processed"


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_other_methods_are_405(client, source_key, method):
    r = client.open(f"/webhooks/{source_key}", method=method)
    assert r.status_code == 405
    assert r.json["code"] == 405 and r.json["reason"] == "method_not_allowed"
    assert r.headers["Allow"] == "OPTIONS, POST"


@pytest.mark.parametrize("key", ["nope", "hh_" + "x" * 32, "x" * 5000])
def test_unknown_key_is_401_and_stores_nothing(client, redis_conn, key):
    before = counts()
    r = client.post(f"/webhooks/{key}", json={"EntityName": "Lead"})
    assert r.status_code == 401
    assert r.json == {"code": 401, "status": "Unauthorized", "reason": "invalid_api_key",
                      "message": "Unknown or revoked API key.", "errors": []}
    assert counts() == before
    assert int(redis_conn.get("hookhub:rejected_webhooks")) == 1


def test_revoked_key_is_401(client, admin):
    created = client.post("/api/v1/sources", json={"name": "s1"}, headers=admin).json
    client.post(f"/api/v1/sources/{created['id']}/revoke", headers=admin)
    assert client.post(f"/webhooks/{created['api_key']}", json={}).status_code == 401


def test_rotated_key_replaces_the_old_one(client, admin):
    created = client.post("/api/v1/sources", json={"name": "s1"}, headers=admin).json
    rotated = client.post(f"/api/v1/sources/{created['id']}/rotate", headers=admin).json
    assert client.post(f"/webhooks/{created['api_key']}", json={}).status_code == 401
    assert client.post(f"/webhooks/{rotated['api_key']}", json={}).status_code == 200


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", ""])
def test_unsupported_content_type_is_415(client, source_key, content_type):
    before = counts()
    r = client.post(f"/webhooks/{source_key}", data=b"EntityName=Lead", content_type=content_type)
    assert r.status_code == 415
    assert r.json["reason"] == "unsupported_media_type"
    assert r.json["message"].startswith(f"Content type '{content_type or 'none'}' is not supported")
    assert counts() == before


def test_body_over_the_limit_is_413(app, client, source_key, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_BODY_BYTES", 100)
    before = counts()
    r = client.post(f"/webhooks/{source_key}", json={"Email": "x" * 200})
    assert r.status_code == 413
    assert r.json["message"] == "Body is 213 bytes; the limit is 100."
    assert counts() == before


def test_default_body_limit_is_one_mebibyte(client, source_key):
    r = client.post(f"/webhooks/{source_key}", data=b"a=" + b"x" * (1024 * 1024),
                    content_type="application/x-www-form-urlencoded")
    assert r.status_code == 413 and r.json["reason"] == "payload_too_large"


def test_too_many_form_parts_is_413(app, client, source_key, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_FORM_PARTS", 5)
    before = counts()
    data = {f"f{i}": "v" for i in range(10)}
    r = client.post(f"/webhooks/{source_key}", data=data, content_type="multipart/form-data")
    assert r.status_code == 413
    assert r.json["message"] == ("Body exceeds a limit: 1048576 bytes in all, 5 form parts, "
                                 "524288 bytes per form field.")
    assert counts() == before


@pytest.mark.parametrize("body,kind", [(b"[1, 2]", "list"), (b'"text"', "str"), (b"42", "int"),
                                       (b"null", "NoneType")])
def test_json_that_is_not_an_object_is_422(client, source_key, body, kind):
    before = counts()
    r = client.post(f"/webhooks/{source_key}", data=body, content_type="application/json")
    assert r.status_code == 422
    assert r.json == {"code": 422, "status": "Unprocessable Entity", "reason": "not_an_object",
                      "message": f"The JSON body must be an object, not {kind}.", "errors": []}
    assert counts() == before


def test_invalid_utf8_is_400(client, source_key):
    r = client.post(f"/webhooks/{source_key}", data=b'{"a": "\xff"}', content_type="application/json")
    assert r.status_code == 400 and r.json["message"] == "Body is not valid UTF-8 at byte 7."


def test_idempotency_key_replays_the_first_webhook(client, source_key):
    first = client.post(f"/webhooks/{source_key}", json={"EntityName": "Lead", "Email": "a@b.c"},
                        headers={"Idempotency-Key": "k-1"})
    again = client.post(f"/webhooks/{source_key}", json={"EntityName": "Lead", "Email": "a@b.c"},
                        headers={"webhook-id": "other"})
    replay = client.post(f"/webhooks/{source_key}", json={"EntityName": "Lead"},
                         headers={"Idempotency-Key": "k-1"})
    assert replay.json == first.json and replay.headers["Idempotent-Replayed"] == "true"
    assert again.json["id"] != first.json["id"]
    assert Webhook.select().count() == 2 and Record.select().count() == 2


def test_idempotency_key_older_than_the_window_is_new(app, client, source_key):
    first = client.post(f"/webhooks/{source_key}", json={}, headers={"Idempotency-Key": "k"}).json
    IdempotencyKey.update(created_at=dt.datetime(2000, 1, 1)).execute()
    second = client.post(f"/webhooks/{source_key}", json={}, headers={"Idempotency-Key": "k"}).json
    assert second["id"] != first["id"]


def test_idempotency_key_too_long_is_400(client, source_key):
    r = client.post(f"/webhooks/{source_key}", json={}, headers={"Idempotency-Key": "k" * 256})
    assert r.status_code == 400 and r.json["reason"] == "bad_idempotency_key"


def test_stored_webhook_keeps_the_raw_request(client, source_key, admin):
    r = client.post(f"/webhooks/{source_key}?utm=x", data=json.dumps({"EntityName": "Nope"}),
                    content_type="application/json", headers={"Authorization": "secret",
                                                              "X-Custom": "1"})
    assert r.json == {"id": r.json["id"], "status": "no-record", "errors": [], "records": []}
    detail = client.get(f"/api/v1/webhooks/{r.json['id']}", headers=admin).json
    assert detail["body"] == '{"EntityName": "Nope"}'
    assert detail["query"] == {"utm": "x"}
    assert detail["headers"]["Authorization"] == "***" and detail["headers"]["X-Custom"] == "1"
    assert detail["client_addr"] == "127.0.0.1"
    assert detail["trace"][-1] == {"step": "result", "ok": True,
                                   "reason": "EntityName 'Nope' is not in the webhook entities lookup."}


SECRET_HEADERS = {"Authorization": "Bearer tok-abc", "X-Webhook-Secret": "shh-1",
                  "X-Auth-Token": "tok-2", "X-Api-Key": "key-3",
                  "X-Hookhub-Hub": "hub_2", "Idempotency-Key": "order-7", "X-Custom": "1"}
MASKED_HEADERS = {"Authorization": "Bearer ***", "X-Webhook-Secret": "***", "X-Auth-Token": "***",
                  "X-Api-Key": "***", "X-Hookhub-Hub": "hub_2",
                  "Idempotency-Key": "order-7", "X-Custom": "1"}


def test_credentials_are_masked_when_stored_and_shown(app, client, source_key, admin, admin_ui):
    enabled_connection("http://127.0.0.1:9/hook", event_types=["webhook.received"])
    r = client.post(f"/webhooks/{source_key}?token=t-5&api_key=k-6&utm=x", json={"a": 1},
                    headers=SECRET_HEADERS)
    assert r.status_code == 200, r.json
    stored = Webhook.get_by_id(r.json["id"])
    assert {k: stored.headers[k] for k in MASKED_HEADERS} == MASKED_HEADERS
    assert stored.query == {"token": "***", "api_key": "***", "utm": "x"}
    # What processing reads from the request is no secret and stays: the hub and the key.
    assert (stored.idempotency_key, Event.get().hub) == ("order-7", "hub_2")
    detail = client.get(f"/api/v1/webhooks/{stored.id}", headers=admin).json
    assert {k: detail["headers"][k] for k in MASKED_HEADERS} == MASKED_HEADERS
    assert detail["query"] == {"token": "***", "api_key": "***", "utm": "x"}
    page = html.unescape(admin_ui.get(f"/inbox/{stored.id}").text)
    for name, shown in MASKED_HEADERS.items():
        assert f'<dt>{name}</dt><dd class="mono">{shown}</dd>' in page
    assert '<code>{"api_key": "***", "token": "***", "utm": "x"}</code>' in page
    for secret in ("tok-abc", "shh-1", "tok-2", "key-3", "t-5", "k-6"):
        assert secret not in json.dumps(detail) and secret not in page


def test_rows_stored_before_masking_are_masked_when_shown(client, source_key, admin, admin_ui):
    r = client.post(f"/webhooks/{source_key}", json={"a": 1})
    Webhook.update(headers={"X-Webhook-Secret": "old-secret", "X-Custom": "1"},
                   query={"token": "old-token"}).where(Webhook.id == r.json["id"]).execute()
    detail = client.get(f"/api/v1/webhooks/{r.json['id']}", headers=admin).json
    assert (detail["headers"], detail["query"]) == ({"X-Webhook-Secret": "***", "X-Custom": "1"},
                                                    {"token": "***"})
    page = html.unescape(admin_ui.get(f"/inbox/{r.json['id']}").text)
    assert "old-secret" not in page and "old-token" not in page
