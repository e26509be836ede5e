"""Hostile requests against the real `python app.py serve` (gunicorn): chunked bodies over the
limit are refused whole, and no framing of a hostile body makes a 5xx."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import BACKENDS
from tests.e2e.conftest import Hookhub, fresh_database_url, http
from tests.integrations.hostile_bodies import FORM, FUZZ, SECONDS, check_answer, requests
from tests.integrations.raw_http import chunked, post_chunked

pytestmark = pytest.mark.e2e
LAST = b"&Email=last%40example.com"


@pytest.fixture(scope="module", params=BACKENDS)
def hookhub(request, tmp_path_factory):
    """A served hookhub (embedded Redis) with an inline source."""
    workdir = tmp_path_factory.mktemp(f"hostile-{request.param}")
    hub = Hookhub(workdir, fresh_database_url(request.param, workdir, "hostile"), None)
    try:
        hub.source = hub.create_source("landing")
        hub.path = "/webhooks/" + hub.source["api_key"]
        hub.serve(rq_workers=0)
        yield hub
    finally:
        hub.stop()


def stored(hub: Hookhub) -> list[dict]:
    return [hub.api("GET", f"/webhooks/{w['id']}").json() for w in hub.webhooks()]


def test_a_chunked_body_over_the_limit_is_413_and_nothing_is_stored(hookhub):
    before = len(hookhub.webhooks())
    body = b"EntityName=Lead&Commentary=" + b"x" * (3 * 1024 * 1024) + LAST
    started = time.monotonic()
    answer = post_chunked(hookhub.port, hookhub.path, body, FORM)
    assert time.monotonic() - started < SECONDS
    assert (answer.status, answer.json()) == (413, {
        "code": 413, "status": "Request Entity Too Large", "reason": "payload_too_large",
        "message": "Body is over 1048576 bytes; the limit is 1048576.", "errors": []})
    assert len(hookhub.webhooks()) == before


def test_a_chunked_body_within_the_limit_is_stored_whole(hookhub):
    body = b"EntityName=Lead&Commentary=" + b"x" * 400_000 + LAST
    answer = post_chunked(hookhub.port, hookhub.path, body, FORM, size=1000)
    assert answer.status == 200, answer.body
    webhook = hookhub.api("GET", f"/webhooks/{answer.json()['id']}").json()
    assert webhook["body"] == body.decode()
    assert webhook["payload"]["Email"] == "last@example.com"


def test_deep_json_is_400_through_the_server(hookhub):
    body = b'{"a":' * 10_000 + b"1" + b"}" * 10_000
    started = time.monotonic()
    answer = http("POST", hookhub.base + hookhub.path, body, {"Content-Type": "application/json"})
    assert time.monotonic() - started < SECONDS
    assert (answer.status, answer.json()["reason"]) == (400, "json_too_deep")


@settings(FUZZ, max_examples=40)
@given(hostile=requests(), size=st.sampled_from([1, 7, 1024, 64 * 1024]),
       extension=st.sampled_from([b"", b";ext=1", b";a=b;c"]), upper=st.booleans())
def test_no_framing_of_a_hostile_body_makes_a_5xx(hookhub, hostile, size, extension, upper):
    content_type, body = hostile
    started = time.monotonic()
    answer = post_chunked(hookhub.port, hookhub.path, body, content_type,
                          framed=chunked(body, size, extension, upper))
    assert time.monotonic() - started < SECONDS
    check_answer(answer.status, answer.json())


@pytest.mark.parametrize("framed,message", [
    (b"zz\r\nabc\r\n0\r\n\r\n", "Malformed chunked body: Invalid chunk size: b'zz'."),
    (b"3\r\nabcXX0\r\n\r\n", "Malformed chunked body: Invalid chunk terminator is not '\\r\\n': "
                             "b'XX'."),
    (b"3;\x01\r\nabc\r\n0\r\n\r\n", "Malformed chunked body: Invalid chunk extension: invalid "
                                    "chunk extension."),
])
def test_malformed_chunk_framing_is_400(hookhub, framed, message):
    answer = post_chunked(hookhub.port, hookhub.path, b"", FORM, framed=framed)
    assert (answer.status, answer.json()) == (400, {
        "code": 400, "status": "Bad Request", "reason": "malformed_body", "message": message,
        "errors": []})
