"""Custom header templates: refusals on save and rendering."""

from __future__ import annotations

import pytest

from integrations.push import headers

KNOWN = ("{event.id}, {event.type}, {event.timestamp}, {webhook.id}, {source.id}, {source.name}, "
         "{hub.name}, {connection.name}, {connection.version}, {user.name} or {record.<Field>}.")


@pytest.mark.parametrize(("template", "message"), [
    ("{foo.bar}", "Unknown variable {foo.bar}; use one of " + KNOWN),
    ("{event}", "Unknown variable {event}; use one of " + KNOWN),
    ("{record.Email!r}", "Variable {record.Email} may not carry a format spec or conversion."),
    ("{event.id:>10}", "Variable {event.id} may not carry a format spec or conversion."),
    ("{event.id", "Malformed template: expected '}' before end of string; write {{ and }} for "
                  "literal braces."),
    ("a\r\nX-Evil: 1", "Header values may not contain CR, LF or NUL."),
    ("a\x00b", "Header values may not contain CR, LF or NUL."),
    ("x" * 1001, "Header values are at most 1000 characters."),
])
def test_refused_templates(template, message):
    assert headers.template_problem(template) == message


@pytest.mark.parametrize("template", ["{event.type}", "Bearer {record.Email}", "{{literal}}",
                                      "{source.name}/{hub.name}", "plain"])
def test_accepted_templates(template):
    assert headers.template_problem(template) is None


def test_header_names_reserved_invalid_and_repeated():
    found = headers.problems([
        {"name": "Content-Type", "value": "text/plain"},
        {"name": "webhook-signature", "value": "x"},
        {"name": "Bad Name", "value": "x"},
        {"name": "X-Tag", "value": "{nope}"},
        {"name": "x-tag", "value": "ok"},
    ])
    assert found == [
        {"field": "headers.0.name",
         "message": "Header 'Content-Type' is set by hookhub and cannot be overridden."},
        {"field": "headers.1.name",
         "message": "Header 'webhook-signature' is set by hookhub and cannot be overridden."},
        {"field": "headers.2.name", "message": "'Bad Name' is not a valid header name."},
        {"field": "headers.3.value", "message": "Unknown variable {nope}; use one of " + KNOWN},
        {"field": "headers.4.name", "message": "Header 'x-tag' is repeated."},
    ]


def test_render_fills_variables_and_strips_control_characters():
    variables = {"event.type": "record.created", "source.name": "landing", "hub.name": None}
    record = {"Email": "ann@example.com\r\nX-Evil: 1"}
    assert headers.render("{event.type}|{source.name}|{hub.name}|{record.Email}|{record.Age}|{{x}}",
                          variables, record) == (
        "record.created|landing||ann@example.com  X-Evil: 1||{x}")

