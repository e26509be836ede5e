"""One masking policy: which headers, query parameters and path segments are secret, and how."""

from __future__ import annotations

import logging
import sys

import pytest

from core import masking


def test_headers_mask_credentials_only():
    assert masking.headers({
        "Authorization": "Bearer abc", "Proxy-Authorization": "Basic dXNlcg==", "X-Api-Key": "k",
        "X-Session": "s", "X-Webhook-Secret": "s3", "X-Auth-Token": "t0k", "Cookie": "a=b",
        "X-Trace": "t", "X-Hookhub-Hub": "hub_2", "Idempotency-Key": "order-7",
        "webhook-id": "msg_1", "webhook-timestamp": "1", "webhook-signature": "v1,abc"}) == {
        "Authorization": "Bearer ***", "Proxy-Authorization": "Basic ***", "X-Api-Key": "***",
        "X-Session": "***", "X-Webhook-Secret": "***", "X-Auth-Token": "***", "Cookie": "***",
        "X-Trace": "t", "X-Hookhub-Hub": "hub_2", "Idempotency-Key": "order-7",
        "webhook-id": "msg_1", "webhook-timestamp": "1", "webhook-signature": "v1,abc"}


def test_a_bare_authorization_value_is_masked_whole():
    assert masking.value("Authorization", "s3cr3t") == "***"


def test_query_masks_secret_parameters_and_each_repeated_value():
    assert masking.query({"token": "abc", "api_key": ["k1", "k2"], "page": "2",
                          "utm_source": ["a", "b"]}) == {
        "token": "***", "api_key": ["***", "***"], "page": "2", "utm_source": ["a", "b"]}


def test_header_list_masks_values_of_secret_names():
    assert masking.header_list([{"name": "X-Api-Key", "value": "k-123"},
                                {"name": "X-Tenant", "value": "{source.name}"}]) == [
        {"name": "X-Api-Key", "value": "***"}, {"name": "X-Tenant", "value": "{source.name}"}]


@pytest.mark.parametrize("line,expected", [
    ("POST /webhooks/hh_abc?token=t0k&page=2 HTTP/1.1", "POST /webhooks/***?token=***&page=2 HTTP/1.1"),
    ("/webhooks/hh_abc?page=2", "/webhooks/***?page=2"),
    ("GET /api/v1/webhooks?status=failed HTTP/1.1", "GET /api/v1/webhooks?status=failed HTTP/1.1"),
    ("https://crm.example.com/hook?access_token=x", "https://crm.example.com/hook?access_token=***"),
])
def test_path_masks_keys_and_secret_query_parameters(line, expected):
    assert masking.path(line) == expected


def test_log_filter_masks_the_message_and_the_traceback():
    try:
        raise RuntimeError("reading /webhooks/hh_secret1 failed")
    except RuntimeError:
        record = logging.LogRecord("gunicorn.error", logging.ERROR, __file__, 1,
                                   "Error handling request %s %s", ("POST", "/webhooks/hh_secret2"),
                                   exc_info=sys.exc_info())
    assert masking.LogFilter().filter(record) is True
    text = logging.Formatter().format(record)
    assert text.startswith("Error handling request POST /webhooks/***\n")
    assert "RuntimeError: reading /webhooks/*** failed" in text and "hh_secret" not in text
