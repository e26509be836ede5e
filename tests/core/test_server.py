"""Access logs never show an API key."""

from __future__ import annotations

import pytest

from core.server import redact


@pytest.mark.parametrize("line,expected", [
    ("POST /webhooks/hh_abcDEF-123_x HTTP/1.1", "POST /webhooks/*** HTTP/1.1"),
    ("/webhooks/hh_abc?x=1", "/webhooks/***?x=1"),
    ("POST /get_entities/hh_k HTTP/1.1", "POST /get_entities/*** HTTP/1.1"),
    ("/get_entity_description/hh_k/Contact", "/get_entity_description/***/Contact"),
    ("GET /api/v1/webhooks?status=failed HTTP/1.1", "GET /api/v1/webhooks?status=failed HTTP/1.1"),
])
def test_redact_hides_keys_in_paths(line, expected):
    assert redact(line) == expected
