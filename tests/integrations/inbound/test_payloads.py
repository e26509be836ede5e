"""POST /webhooks/<api_key> with hostile bodies: each is a 4xx naming the problem, or stored and
failed with a field error, answered quickly, and nothing stored is invalid JSON or truncated."""

from __future__ import annotations

import io
import json
import time

import pytest

from integrations.inbound.models import Attachment, Webhook
from integrations.push import subscribers
from integrations.push.envelope import bodies
from integrations.push.events import Event
from tests.integrations.push_fixtures import enabled_connection

SECONDS = 5.0


def strict(text: str | bytes):
    """Decode JSON as RFC 8259 has it: NaN and Infinity are refused."""
    def refuse(name):
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def timed_post(client, key: str, body: bytes, content_type: str = "application/json", **kw):
    started = time.monotonic()
    response = client.post(f"/webhooks/{key}", data=body, content_type=content_type, **kw)
    elapsed = time.monotonic() - started
    assert elapsed < SECONDS, f"answered after {elapsed:.1f} s"
    return response


def body_error(message: str, reason: str, line: int, column: int, position: int, summary: str):
    return {"code": 400, "status": "Bad Request", "reason": reason, "message": summary,
            "errors": [{"field": "_body", "message": message, "line": line, "column": column,
                        "position": position}]}


def test_objects_nested_ten_thousand_deep_are_400(client, source_key):
    body = b'{"a":' * 10_000 + b"1" + b"}" * 10_000
    r = timed_post(client, source_key, body)
    assert r.status_code == 400
    assert r.json == body_error("The JSON nests deeper than 64 levels", "json_too_deep", 1, 321,
                                320, "The JSON nests deeper than 64 levels at line 1 column 321 "
                                     "(char 320).")
    assert Webhook.select().count() == 0


def test_lists_nested_ten_thousand_deep_are_400(client, source_key):
    body = b'{"a":' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    r = timed_post(client, source_key, body)
    assert (r.status_code, r.json["reason"], r.json["errors"][0]["position"]) == (
        400, "json_too_deep", 68)


def test_nesting_up_to_the_limit_is_stored_answered_and_pushed(client, source_key, admin):
    connection, _ = enabled_connection("http://127.0.0.1:9/hook", event_types=["webhook.received"])
    inner: dict = {"EntityName": "Lead"}
    nested: dict = {"x": 1}
    for _ in range(62):
        nested = {"x": nested}
    inner["deep"] = nested
    r = timed_post(client, source_key, json.dumps(inner).encode())
    assert r.status_code == 200, r.json
    detail = client.get(f"/api/v1/webhooks/{r.json['id']}", headers=admin)
    assert detail.status_code == 200 and detail.json["payload"] == inner
    [event] = Event.select()
    sent, _ = bodies(event, subscribers.current().by_key[("connection", connection.id)], None)
    assert strict(sent)["data"]["payload"] == inner
    deeper = json.dumps({"a": inner}).encode()
    # The 65th open bracket is the innermost object's.
    assert timed_post(client, source_key, deeper).json["errors"][0]["position"] == deeper.rindex(b"{")


def test_the_depth_limit_is_configurable(app, client, source_key, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_JSON_DEPTH", 2)
    assert timed_post(client, source_key, b'{"a": {"b": 1}}').status_code == 200
    r = timed_post(client, source_key, b'{"a": {"b": [1]}}')
    assert r.json == body_error("The JSON nests deeper than 2 levels", "json_too_deep", 1, 13, 12,
                                "The JSON nests deeper than 2 levels at line 1 column 13 (char 12).")


def test_brackets_inside_strings_do_not_count(client, source_key):
    body = json.dumps({"EntityName": "Lead", "Commentary": "[{" * 5000}).encode()
    assert timed_post(client, source_key, body).json["status"] == "processed"


def test_a_five_thousand_digit_integer_is_400(client, source_key):
    r = timed_post(client, source_key, b'{"a": 1, "b": ' + b"9" * 5000 + b"}")
    assert r.status_code == 400
    assert r.json == body_error(
        "An integer of 5000 digits is longer than the limit of 4300 digits", "number_too_long",
        1, 15, 14, "An integer of 5000 digits is longer than the limit of 4300 digits at line 1 "
                   "column 15 (char 14).")
    assert Webhook.select().count() == 0


@pytest.mark.parametrize("literal,position", [("NaN", 33), ("Infinity", 33), ("-Infinity", 33)])
def test_nan_and_infinity_are_malformed_json(client, source_key, literal, position):
    body = f'{{"EntityName": "Lead", "Budget": {literal}}}'.encode()
    r = timed_post(client, source_key, body)
    assert r.status_code == 400
    assert r.json == body_error(f"{literal} is not a JSON value", "malformed_json", 1, position + 1,
                                position, f"Malformed JSON at line 1 column {position + 1} "
                                          f"(char {position}): {literal} is not a JSON value.")
    assert Webhook.select().count() == 0


def test_a_string_that_looks_like_nan_is_text(client, source_key):
    body = b'{"EntityName": "Lead", "Commentary": "NaN, Infinity and \\"-Infinity\\""}'
    assert timed_post(client, source_key, body).json["status"] == "processed"


def test_an_out_of_range_number_is_stored_and_a_field_error(client, source_key, admin):
    enabled_connection("http://127.0.0.1:9/hook", event_types=["webhook.received",
                                                               "webhook.failed"])
    body = b'{"EntityName": "Lead", "Budget": 1e999999, "Commentary": -1E400}'
    r = timed_post(client, source_key, body)
    assert r.status_code == 200
    assert r.json == {"id": r.json["id"], "status": "failed", "records": [], "errors": [
        {"field": "Budget", "value": "1e999999", "message": "Decimal has more than 38 digits."}]}
    answer = client.get(f"/api/v1/webhooks/{r.json['id']}", headers=admin)
    detail = strict(answer.get_data())
    assert detail["payload"] == {"EntityName": "Lead", "Budget": "1e999999", "Commentary": "-1E400"}
    stored = Webhook.select(Webhook.payload.alias("raw")).where(Webhook.id == r.json["id"]).tuples()
    assert strict(Webhook.payload.db_value(stored[0][0])) == detail["payload"]
    assert [e.type for e in Event.select().order_by(Event.created_at)] == ["webhook.received",
                                                                          "webhook.failed"]
    for event in Event.select():
        strict(Event.data.db_value(event.data))


def test_out_of_range_integers_are_a_field_error(client, source_key):
    body = b'{"EntityName": "Contact", "Name": "Ada", "Age": 1e999999}'
    assert timed_post(client, source_key, body).json["errors"] == [
        {"field": "Age", "value": "1e999999", "message": "Integer out of range for System.Int32."}]


def test_nothing_hookhub_stores_can_hold_nan():
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        Webhook.payload.db_value({"a": float("nan")})


def test_an_unpaired_surrogate_is_malformed_json(client, source_key):
    r = timed_post(client, source_key, b'{"a": "ok", "b": "x\\ud800y"}')
    assert r.json == body_error(
        "A string holds an unpaired surrogate escape, which is not a character", "malformed_json",
        1, 18, 17, "Malformed JSON at line 1 column 18 (char 17): A string holds an unpaired "
                   "surrogate escape, which is not a character.")
    paired = timed_post(client, source_key, b'{"EntityName": "Lead", "Commentary": "\\ud83d\\ude00"}')
    assert paired.json["status"] == "processed"


def test_nul_characters_are_refused(client, source_key):
    r = timed_post(client, source_key, b'{"a": {"b": "x\\u0000"}}')
    assert r.json == {"code": 400, "status": "Bad Request", "reason": "validation_failed",
                      "message": "_body.a.b: Text must not contain NUL (\\u0000) characters.",
                      "errors": [{"field": "_body.a.b",
                                  "message": "Text must not contain NUL (\\u0000) characters."}]}
    form = timed_post(client, source_key, b"a=%00", "application/x-www-form-urlencoded")
    assert form.json["message"] == "_body.a: Text must not contain NUL (\\u0000) characters."
    multipart = timed_post(client, source_key,
                           b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\x00y\r\n--b--\r\n',
                           "multipart/form-data; boundary=b")
    assert multipart.json["message"] == "_body.a: Text must not contain NUL (\\u0000) characters."
    plain = timed_post(client, source_key, b'{"EntityName": "Lead", "Commentary": "\\\\u0000"}')
    assert plain.json["status"] == "processed"  # an escaped backslash, then "u0000": no NUL


def test_a_utf8_bom_is_skipped(client, source_key):
    body = b'\xef\xbb\xbf{"EntityName": "Lead"}'
    assert timed_post(client, source_key, body).json["status"] == "processed"


def test_a_form_with_bad_utf8_is_400(client, source_key):
    r = timed_post(client, source_key, b"EntityName=Lead&a=\xff", "application/x-www-form-urlencoded")
    assert r.json == {"code": 400, "status": "Bad Request", "reason": "malformed_form",
                      "message": "Body is not valid UTF-8 at byte 18.", "errors": []}


def test_too_many_urlencoded_parts_is_413(app, client, source_key, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_FORM_PARTS", 5)
    assert timed_post(client, source_key, b"a=1&" * 4 + b"b=2",
                      "application/x-www-form-urlencoded").status_code == 200
    r = timed_post(client, source_key, b"a=1&" * 5 + b"b=2", "application/x-www-form-urlencoded")
    assert r.status_code == 413
    assert r.json["message"] == ("Body exceeds a limit: 1048576 bytes in all, 5 form parts, "
                                 "524288 bytes per form field.")
    assert Webhook.select().count() == 1


def test_a_large_urlencoded_field_is_413(app, client, source_key, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_FIELD_BYTES", 10)
    assert timed_post(client, source_key, b"a=12345678&b=1",
                      "application/x-www-form-urlencoded").status_code == 200
    r = timed_post(client, source_key, b"a=123456789&b=1", "application/x-www-form-urlencoded")
    assert r.status_code == 413 and r.json["reason"] == "payload_too_large"


def test_a_hundred_thousand_form_parts_is_413(client, source_key):
    r = timed_post(client, source_key, b"a&" * 100_000, "application/x-www-form-urlencoded")
    assert r.status_code == 413


@pytest.mark.parametrize("content_type,body,message", [
    ("multipart/form-data", b"--x--\r\n", "Malformed form body: Missing boundary."),
    ("multipart/form-data; boundary=x", b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nv',
     "Malformed form body: Invalid form-data cannot parse beyond State.DATA."),
])
def test_a_broken_multipart_body_is_400(client, source_key, content_type, body, message):
    r = timed_post(client, source_key, body, content_type)
    assert r.json == {"code": 400, "status": "Bad Request", "reason": "malformed_form",
                      "message": message, "errors": []}
    assert Webhook.select().count() == 0


def test_an_empty_form_is_an_empty_payload(client, source_key):
    for content_type in ("multipart/form-data; boundary=x", "application/x-www-form-urlencoded"):
        r = timed_post(client, source_key, b"", content_type)
        assert r.json["status"] == "no-record"
        assert Webhook.get_by_id(r.json["id"]).payload == {}


def test_a_file_name_longer_than_its_column_is_400(client, source_key):
    data = {"EntityName": "Lead", "cv": (io.BytesIO(b"%PDF"), "x" * 256 + ".pdf", "application/pdf")}
    r = client.post(f"/webhooks/{source_key}", data=data, content_type="multipart/form-data")
    assert r.json == {"code": 400, "status": "Bad Request", "reason": "bad_attachment",
                      "message": "File part 0: its filename is longer than 255 characters.",
                      "errors": [{"field": "_files.0.filename",
                                  "message": "Longer than 255 characters."}]}
    assert Attachment.select().count() == 0


def test_a_chunked_body_over_the_limit_is_413_and_nothing_is_stored(app, client, source_key):
    # The environment gunicorn gives a chunked request: no Content-Length, a terminated stream.
    body = b"EntityName=Lead&Commentary=" + b"x" * (3 * 1024 * 1024) + b"&Email=last%40example.com"
    r = client.post(f"/webhooks/{source_key}", input_stream=io.BytesIO(body),
                    headers={"Transfer-Encoding": "chunked",
                             "Content-Type": "application/x-www-form-urlencoded"},
                    environ_overrides={"wsgi.input_terminated": True})
    assert r.status_code == 413
    assert r.json == {"code": 413, "status": "Request Entity Too Large",
                      "reason": "payload_too_large",
                      "message": "Body is over 1048576 bytes; the limit is 1048576.", "errors": []}
    assert Webhook.select().count() == 0


def test_a_chunked_body_exactly_at_the_limit_is_whole(app, client, source_key, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_BODY_BYTES", 40)
    body = b"EntityName=Lead&Email=last%40example.com"
    assert len(body) == 40
    r = client.post(f"/webhooks/{source_key}", input_stream=io.BytesIO(body),
                    headers={"Transfer-Encoding": "chunked",
                             "Content-Type": "application/x-www-form-urlencoded"},
                    environ_overrides={"wsgi.input_terminated": True})
    assert r.json["status"] == "processed"
    assert Webhook.get_by_id(r.json["id"]).payload == {"EntityName": "Lead",
                                                        "Email": "last@example.com"}
