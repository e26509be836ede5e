"""The OpenAPI document: built from the marshmallow schemas, every API route in it, and kept to."""

from __future__ import annotations

import pytest
import schemathesis
from flask import Blueprint, Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from core import openapi
from core.openapi import ApiBlueprint

ERROR_REF = {"$ref": "#/components/schemas/Error"}
MAX_EXAMPLES = 10
CHECKS = [schemathesis.checks.not_a_server_error, schemathesis.checks.status_code_conformance,
          schemathesis.checks.content_type_conformance,
          schemathesis.checks.response_schema_conformance,
          schemathesis.checks.response_headers_conformance]


def test_every_api_route_is_documented(app):
    assert openapi.undocumented(app) == []


def test_a_route_is_documented_only_on_an_api_blueprint_with_a_response():
    app = Flask(__name__)
    api, plain = ApiBlueprint("api", __name__), Blueprint("plain", __name__)

    @api.get("/api/v1/answered")
    @api.response(200)
    def answered() -> None:
        """Answer"""

    @api.get("/api/v1/bare")
    def bare() -> str:
        return ""

    @plain.get("/api/v1/plain")
    def plain_route() -> str:
        return ""

    app.register_blueprint(api)
    app.register_blueprint(plain)
    assert openapi.undocumented(app) == ["['GET'] /api/v1/bare", "['GET'] /api/v1/plain"]


def _error(code: int, reason: str, message: str, errors: list | None = None) -> dict:
    phrases = {400: "Bad Request", 415: "Unsupported Media Type"}
    return {"code": code, "status": phrases[code], "reason": reason, "message": message,
            "errors": errors or []}


@pytest.mark.parametrize(("body", "content_type", "code", "answer"), [
    (b"code=A", "application/x-www-form-urlencoded", 415, _error(
        415, "unsupported_media_type",
        "Content type 'application/x-www-form-urlencoded' is not supported; send application/json.")),
    (b'["A"]', "application/json", 400, _error(400, "not_an_object", "The body must be a JSON object.")),
    (b'{"code": "A\\u0000"}', "application/json", 400, _error(
        400, "validation_failed", "_body.code: Text must not contain NUL (\\u0000) characters.",
        [{"field": "_body.code", "message": "Text must not contain NUL (\\u0000) characters."}])),
    (b'{"code": "A", "rows": 3}', "application/json", 400, _error(
        400, "validation_failed", "rows: Unknown field.", [{"field": "rows", "message": "Unknown field."}])),
    (b'{"caption": "x"}', "application/json", 400, _error(
        400, "validation_failed", "code: Missing data for required field.",
        [{"field": "code", "message": "Missing data for required field."}])),
])
def test_a_body_is_read_strictly_and_refused_in_the_one_error_shape(client, admin, body, content_type,
                                                                     code, answer):
    r = client.post("/api/v1/lookups", data=body, content_type=content_type, headers=admin)
    assert (r.status_code, r.json) == (code, answer)


def test_query_arguments_keep_their_messages(client, admin):
    assert client.post("/api/v1/lookups", json={"code": "Colors"}, headers=admin).status_code == 201
    r = client.get("/api/v1/lookups/Colors/rows?limit=x", headers=admin)
    assert (r.status_code, r.json["message"]) == (400, "limit and offset must be integers.")
    r = client.get("/api/v1/lookups/Colors/export?format=xml", headers=admin)
    assert (r.status_code, r.json["message"]) == (400, "format must be 'json' or 'csv'.")
    r = client.get("/api/v1/records?limit=2&color=red", headers=admin)
    assert r.status_code == 400
    assert r.json["errors"] == [{"field": "color", "message": "Unknown field."}]


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
