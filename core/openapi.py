"""The OpenAPI 3 document of the HTTP API, built with apispec from each endpoint's @doc.

An endpoint joins the document with one decorator under its route, e.g.

    @bp.post("/entities")
    @openapi.doc("Create an entity", tags=["entities"], body=EntitySchema,
                 response=EntityOutSchema, status=201, errors=[409])
    @admin
    def create_entity(): ...

Path parameters come from the URL rule; bearer auth, 401 and 403 from `require_role`; 400 from a
body or query schema, 415 from a JSON body, 404 from path parameters. Every error response is the
one error shape (`Error`), unless `response` names another schema for that status.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, current_app, jsonify, render_template
from marshmallow import INCLUDE, Schema, fields

from core.http import MAX_ID

JSON = "application/json"
TITLE = "hookhub API"
VERSION = "1"
RULE_ARG = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
CONVERTER_TYPES = {"int": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                   "float": {"type": "number"},
                   "uuid": {"type": "string", "format": "uuid"}}
SchemaRef = type[Schema] | Schema | dict
TEXT = {"type": "string"}

bp = Blueprint("openapi", __name__)


class ErrorItemSchema(Schema):
    """One problem: the field (or path) it is about, and what is wrong."""

    class Meta:
        unknown = INCLUDE

    field = fields.String(metadata={"description": "Field, dotted path or _body/_schema."})
    message = fields.String()


class ErrorSchema(Schema):
    """The one error shape every endpoint answers with."""

    code = fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    status = fields.String(required=True, metadata={"description": "The HTTP status phrase."})
    reason = fields.String(required=True, metadata={"description": "A stable key, e.g. not_found."})
    message = fields.String(required=True, metadata={"description": "What went wrong, in words."})
    errors = fields.List(fields.Nested(ErrorItemSchema), required=True)


class Media(dict):
    """Schemas by media type, for a body or answer whose schema differs per type."""


def _content(schema: SchemaRef, types: tuple[str, ...]) -> dict:
    pairs = schema.items() if isinstance(schema, Media) else ((t, schema) for t in types)
    return {media: {"schema": sub} for media, sub in pairs}


@dataclass(frozen=True)
class Operation:
    """What @doc records about an endpoint."""

    summary: str
    tags: tuple[str, ...] = ()
    body: SchemaRef | None = None
    body_types: tuple[str, ...] = (JSON,)
    body_required: bool = True
    query: type[Schema] | None = None
    responses: dict[int, SchemaRef | None] = field(default_factory=dict)
    response_types: tuple[str, ...] = (JSON,)
    errors: tuple[int, ...] = ()
    description: str | None = None


def doc(summary: str, *, tags: Iterable[str] = (), body: SchemaRef | None = None,
        body_types: Iterable[str] = (JSON,), body_required: bool = True,
        query: type[Schema] | None = None, response: SchemaRef | dict[int, SchemaRef | None] | None = None,
        status: int = 200, response_types: Iterable[str] = (JSON,), errors: Iterable[int] = (),
        description: str | None = None) -> Callable:
    """Describe an endpoint for the OpenAPI document (put it under the route decorator).

    `response` is the schema of the `status` answer (None for no body), or a dict of
    status to schema when an endpoint answers with several; a body or answer whose schema
    differs per media type is a `Media` of them. `errors` adds error statuses to the ones
    implied by auth, parameters and body.
    """
    by_status = isinstance(response, dict) and response and all(isinstance(k, int) for k in response)
    responses = response if by_status else {status: response}
    operation = Operation(summary, tuple(tags), body, tuple(body_types), body_required, query,
                          responses, tuple(response_types), tuple(errors), description)

    def mark(view: Callable) -> Callable:
        view.openapi = operation
        return view

    return mark


def _path_and_params(rule: str) -> tuple[str, list[dict]]:
    params = []
    for converter, name in RULE_ARG.findall(rule):
        schema = CONVERTER_TYPES.get(converter, {"type": "string", "minLength": 1})
        params.append({"in": "path", "name": name, "required": True, "schema": dict(schema)})
    return RULE_ARG.sub(lambda m: "{" + m.group(2) + "}", rule), params


def _error(status: int) -> dict:
    return {"description": HTTPStatus(status).phrase, "content": {JSON: {"schema": ErrorSchema}}}


def _operation(op: Operation, view: Callable, path_params: list[dict]) -> dict:
    roles = getattr(view, "required_roles", None)
    out: dict[str, Any] = {"summary": op.summary, "tags": list(op.tags),
                           "operationId": view.__name__}
    description = op.description or ""
    if roles:
        description = (description + "\n\n" if description else "") + \
            f"Bearer token with role: {' or '.join(roles)}."
        out["security"] = [{"bearerAuth": []}]
    if description:
        out["description"] = description
    parameters = list(path_params)
    if op.query is not None:
        parameters.append({"in": "query", "schema": op.query})
    if parameters:
        out["parameters"] = parameters
    if op.body is not None:
        out["requestBody"] = {"required": op.body_required,
                              "content": _content(op.body, op.body_types)}
    errors = set(op.errors)
    if roles:
        errors |= {401, 403}
    if op.body is not None or op.query is not None:
        errors.add(400)
    if op.body is not None and JSON in _content(op.body, op.body_types):
        errors.add(415)
    if path_params:
        # A path argument that fits no route may fit another route's path (405).
        errors |= {404, 405}
    responses: dict[str, Any] = {str(code): _error(code) for code in sorted(errors)}
    for code, schema in op.responses.items():
        entry: dict[str, Any] = {"description": HTTPStatus(code).phrase}
        if schema is not None:
            entry["content"] = _content(schema, op.response_types if code < 400 else (JSON,))
        responses[str(code)] = entry
    out["responses"] = dict(sorted(responses.items()))
    return out


def schema_name(schema: type[Schema] | Schema) -> str:
    """A component's name: the class's without "Schema", and "Patch" after a partial one."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    return f"{name}Patch" if not isinstance(schema, type) and schema.partial else name


def build(app: Flask) -> dict:
    """The OpenAPI document of every route that carries @doc."""
    spec = APISpec(title=TITLE, version=VERSION, openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin(schema_name_resolver=schema_name)],
                   info={"description": "Webhooks in, typed records, events out. Errors always "
                                        "come in one shape: see the Error schema."})
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer",
                                                   "description": "An API token (hht_…)."})
    spec.components.schema("Error", schema=ErrorSchema)
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        operation = getattr(view, "openapi", None)
        if operation is None:
            continue
        path, params = _path_and_params(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(operation, view, params)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def document() -> dict:
    """The app's document, built once (routes do not change after start-up)."""
    ext = current_app.extensions
    if "hookhub.openapi" not in ext:
        ext["hookhub.openapi"] = build(current_app)
    return ext["hookhub.openapi"]


def undocumented(app: Flask, prefix: str = "/api/v1/") -> list[str]:
    """Routes under the API prefix that lack @doc."""
    return sorted(f"{sorted(r.methods - {'HEAD', 'OPTIONS'})} {r.rule}" for r in app.url_map.iter_rules()
                  if r.rule.startswith(prefix) and r.endpoint.split(".")[0] != bp.name
                  and not hasattr(app.view_functions[r.endpoint], "openapi"))


@bp.get("/api/v1/openapi.json")
def openapi_json():
    return jsonify(document())


@bp.get("/api/docs")
def docs():
    spec = document()
    by_tag: dict[str, list[tuple[str, str, dict]]] = {}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for tag in operation.get("tags") or ["other"]:
                by_tag.setdefault(tag, []).append((method, path, operation))
    return render_template("core/api_docs.html", spec=spec, by_tag=sorted(by_tag.items()))


def init_app(app: Flask) -> None:
    """Serve the document and its docs page."""
    app.register_blueprint(bp)
