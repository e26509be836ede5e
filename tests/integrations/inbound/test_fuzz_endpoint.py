"""POST /webhooks/<api_key> under generated hostile requests: never a 5xx, never a stall, and
every refusal in the one error shape."""

from __future__ import annotations

import time

from hypothesis import given, settings

from tests.integrations.hostile_bodies import FUZZ, SECONDS, check_answer, requests


@settings(FUZZ, max_examples=200)
@given(hostile=requests())
def test_no_request_makes_a_5xx(client, source_key, hostile):
    content_type, body = hostile
    started = time.monotonic()
    r = client.post(f"/webhooks/{source_key}", data=body, headers={"Content-Type": content_type})
    assert time.monotonic() - started < SECONDS
    check_answer(r.status_code, r.get_json(silent=True))
