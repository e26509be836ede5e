"""Standard Webhooks signing, verified by the standardwebhooks package as a receiver would."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from integrations.push import signing

BODY = '{"id":"evt_1","type":"ping","timestamp":"2025-01-01T00:00:00.000Z","version":"1","data":{}}'


def test_new_secrets_are_whsec_with_32_random_bytes():
    first, second = signing.new_secret(), signing.new_secret()
    assert first.startswith("whsec_") and first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32


def test_headers_verify_with_standardwebhooks():
    secret = signing.new_secret()
    now = dt.datetime.now(dt.UTC)
    headers = signing.headers("evt_1", BODY, [secret], now)
    assert headers["webhook-id"] == "evt_1"
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(secret).verify(BODY, headers) == {
        "id": "evt_1", "type": "ping", "timestamp": "2025-01-01T00:00:00.000Z", "version": "1",
        "data": {}}


def test_a_changed_body_or_another_secret_fails_verification():
    secret = signing.new_secret()
    headers = signing.headers("evt_1", BODY, [secret])
    with pytest.raises(WebhookVerificationError, match="No matching signature found"):
        Webhook(secret).verify(BODY.replace("ping", "pong"), headers)
    with pytest.raises(WebhookVerificationError, match="No matching signature found"):
        Webhook(signing.new_secret()).verify(BODY, headers)


def test_during_rotation_both_secrets_verify():
    new, old = signing.new_secret(), signing.new_secret()
    headers = signing.headers("evt_1", BODY, [new, old])
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(new).verify(BODY, headers)["id"] == "evt_1"
    assert Webhook(old).verify(BODY, headers)["id"] == "evt_1"
