"""gunicorn's access and error logs never show an API key."""

from __future__ import annotations

import pytest
from gunicorn.config import Config

from core.masking import path as redact
from core.server import RedactingLogger


@pytest.mark.parametrize("line,expected", [
    ("POST /webhooks/hh_abcDEF-123_x HTTP/1.1", "POST /webhooks/*** HTTP/1.1"),
    ("/webhooks/hh_abc?x=1", "/webhooks/***?x=1"),
    ("POST /get_entities/hh_k HTTP/1.1", "POST /get_entities/*** HTTP/1.1"),
    ("/get_entity_description/hh_k/Contact", "/get_entity_description/***/Contact"),
    ("GET /api/v1/webhooks?status=failed HTTP/1.1", "GET /api/v1/webhooks?status=failed HTTP/1.1"),
])
def test_redact_hides_keys_in_paths(line, expected):
    assert redact(line) == expected


def test_the_error_log_masks_keys_too(tmp_path):
    cfg = Config()
    cfg.set("errorlog", str(tmp_path / "error.log"))
    logger = RedactingLogger(cfg)
    try:
        raise SystemExit(1)
    except SystemExit:
        logger.exception("Error handling request %s %s", "POST", "/webhooks/hh_secret?token=t0k")
    logger.warning("Invalid request from ip=127.0.0.1: Invalid HTTP Version 'GET /webhooks/hh_x X'")
    text = (tmp_path / "error.log").read_text()
    assert "] Error handling request POST /webhooks/***?token=***\n" in text
    assert "Invalid HTTP Version 'GET /webhooks/*** X'" in text
    assert "hh_secret" not in text and "t0k" not in text and "hh_x" not in text
