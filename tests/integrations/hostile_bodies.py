"""Hypothesis strategies for hostile webhook requests, and the check every answer must pass."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.large_base_example])
SECONDS = 5.0
FORM = "application/x-www-form-urlencoded"
JSON_TYPES = ["application/json", "application/json; charset=latin-1", "application/cloudevents+json",
              "APPLICATION/JSON", "application/json;;; x", "application/json; charset=\"utf-16\""]
OTHER_TYPES = ["", "text/plain", "application/xml", "application/x-url-encoded", "multipart/mixed",
               "*/*", "application/", "form-data", f"{FORM}; charset=cp1252",
               "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=\"\""]
FIELDS = ["EntityName", "Name", "Email", "Age", "Budget", "BirthDate", "CountryId", "Commentary",
          "IsEmailConfirmed", "LeadSourceId", "Id", "x", "a.b", "", "Entity\u00e9"]
ENTITIES = ["Lead", "Contact", "Order", "FormSubmit", "Nope", "lead", ""]

_scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
            | st.text(max_size=20)
            | st.sampled_from(["1e300000", "1e1000000", "-0", "   ", "NaN", "2024-13-45", "9" * 200,
                               "f8af0e88-f36b-1410-fa98-00155d043204", "Canada", "\u0000", "\ud800"]))
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=5)
                       | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), inner,
                                         max_size=5), max_leaves=30)


@st.composite
def _json_documents(draw) -> bytes:
    """JSON as Python writes it: NaN, Infinity, surrogate escapes, any nesting."""
    doc = draw(st.dictionaries(st.sampled_from(FIELDS), _values, max_size=8))
    if draw(st.booleans()):
        doc["EntityName"] = draw(st.sampled_from(ENTITIES))
    return json.dumps(doc, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")


@st.composite
def _deep(draw) -> bytes:
    depth = draw(st.sampled_from([63, 64, 65, 999, 1000, 5000, 10_000, 100_000]))
    opener, closer = draw(st.sampled_from([(b"[", b"]"), (b'{"a":', b"}"), (b'{"a":[', b"]}")]))
    cut = draw(st.booleans())
    return b'{"x":' + opener * depth + b"1" + (b"" if cut else closer * depth) + b"}"


@st.composite
def _numbers(draw) -> bytes:
    digits = draw(st.sampled_from([1, 20, 4300, 4301, 5000, 100_000]))
    number = draw(st.sampled_from([b"9" * digits, b"-" + b"9" * digits, b"1e%d" % digits,
                                   b"1E-%d" % digits, b"0." + b"0" * digits + b"1",
                                   b"9" * digits + b".5", b"NaN", b"Infinity", b"-Infinity"]))
    field = draw(st.sampled_from([b"Age", b"Budget", b"Commentary", b"BirthDate", b"x"]))
    return b'{"EntityName": "Contact", "Name": "A", "' + field + b'": ' + number + b"}"


@st.composite
def _urlencoded(draw) -> bytes:
    parts = draw(st.sampled_from([1, 10, 999, 1000, 1001, 50_000]))
    key = draw(st.sampled_from(["a", "EntityName", "Name", "%00", "%FF", "a%5B%5D", ""]))
    value = draw(st.sampled_from(["Lead", "", "   ", "%FF%FE", "%00", "x" * 600_000, "%ZZ", "+"]))
    raw = draw(st.binary(max_size=30))
    part = f"{key}={value}"
    # Up to a little over the default body limit.
    return "&".join([part] * min(parts, 1_200_000 // len(part) + 1)).encode() + b"&" + raw


@st.composite
def _multipart(draw) -> tuple[str, bytes]:
    boundary = draw(st.sampled_from(["b", "x" * 70, "----hookhub", "a b"]))
    count = draw(st.sampled_from([0, 1, 3, 999, 1000, 1001]))
    name = draw(st.sampled_from(["EntityName", "cv", "x" * 300, "a\u0000b", "\u00e9"]))
    filename = draw(st.none() | st.sampled_from(["cv.pdf", "x" * 300, "a\u0000.pdf", "../../etc"]))
    value = draw(st.sampled_from([b"Lead", b"\xff\xfe", b"", b"x" * 600_000]))
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    star = draw(st.booleans())
    if star and filename:
        disposition += f"; filename*=UTF-8''{quote(filename)}"
    part = (f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n").encode() + value + b"\r\n"
    ending = draw(st.sampled_from([f"--{boundary}--\r\n".encode(), b"", b"--"]))
    count = min(count, 1_200_000 // len(part) + 1)
    return f"multipart/form-data; boundary={boundary}", part * count + ending


def requests() -> st.SearchStrategy[tuple[str, bytes]]:
    """(content type, body) pairs, from well-formed to hostile."""
    json_bodies = st.tuples(st.sampled_from(JSON_TYPES),
                            _json_documents() | _deep() | _numbers() | st.binary(max_size=200))
    forms = st.tuples(st.just(FORM), _urlencoded()) | _multipart()
    odd = st.tuples(st.sampled_from(OTHER_TYPES) | st.text(st.characters(min_codepoint=32,
                                                                         max_codepoint=126)),
                    st.binary(max_size=100) | _json_documents())
    return json_bodies | forms | odd


def check_answer(status: int, body: Any) -> None:
    """No 5xx; every 4xx is the one error shape, with a reason and a message."""
    assert status < 500, body
    if status >= 400:
        assert isinstance(body, dict) and set(body) == {"code", "status", "reason", "message",
                                                        "errors"}, body
        assert body["code"] == status and body["status"] == HTTPStatus(status).phrase
        assert isinstance(body["reason"], str) and body["reason"]
        assert isinstance(body["message"], str) and body["message"]
        assert isinstance(body["errors"], list)
