"""The OpenAPI document: built from the marshmallow schemas, every API route in it, and kept to."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from core import openapi

ERROR_REF = {"$ref": "#/components/schemas/Error"}
MAX_EXAMPLES = 10
CHECKS = [schemathesis.checks.not_a_server_error, schemathesis.checks.status_code_conformance,
          schemathesis.checks.content_type_conformance,
          schemathesis.checks.response_schema_conformance,
          schemathesis.checks.response_headers_conformance]


def test_every_api_route_is_documented(app):
    assert openapi.undocumented(app) == []


def test_an_operation_lists_every_answer_and_errors_in_one_shape(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.0.3"
    operation = document["paths"]["/api/v1/entities/{code}/fields"]["post"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert operation["parameters"] == [{"in": "path", "name": "code", "required": True,
                                        "schema": {"type": "string", "minLength": 1}}]
    assert operation["requestBody"]["content"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/Field"}}}
    responses = operation["responses"]
    assert sorted(responses) == ["201", "400", "401", "403", "404", "405", "409", "415"]
    assert responses["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Field"}
    for code in ("400", "401", "403", "404", "405", "409", "415"):
        assert responses[code]["content"] == {"application/json": {"schema": ERROR_REF}}
    assert sorted(document["components"]["schemas"]["Error"]["required"]) == [
        "code", "errors", "message", "reason", "status"]


def test_every_error_answer_is_the_error_shape(client):
    document = client.get("/api/v1/openapi.json").json
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if int(code) >= 400 and (path, method, code) != (
                        "/get_entity_description/{api_key}/{entity}", "post", "404"):
                    assert response["content"]["application/json"]["schema"] == ERROR_REF


def test_the_docs_page_lists_every_operation(client):
    document = client.get("/api/v1/openapi.json").json
    page = client.get("/api/docs").text
    for path, operations in document["paths"].items():
        for operation in operations.values():
            assert f'id="op-{operation["operationId"]}"' in page
            assert path in page
    assert 'id="schema-Error"' in page


def test_the_api_keeps_to_its_document(app, admin_token):
    """Schemathesis, a few examples per operation: no 5xx, and every answer as documented."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {admin_token}"}
    failures = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def keeps_to_it(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                keeps_to_it()
            except Exception as exc:
                failures[f"{operation.label} ({mode.value})"] = str(exc)
    assert failures == {}
