"""The OpenAPI 3 document of the HTTP API, built by flask-smorest from each endpoint's schemas.

An endpoint joins the document by being routed on an `ApiBlueprint` with a response:

    @bp.post("/entities", tags=["entities"])
    @admin
    @bp.arguments(EntitySchema)
    @bp.response(201, EntitySchema)
    @bp.alt_response(409, schema=ErrorSchema)
    def create_entity(data: dict) -> Entity:
        '''Create an entity (an Id field is added when missing)'''

The docstring is the summary; path parameters come from the URL rule; bearer auth, 401 and 403
from `require_role`; 400 from a body or query schema, 415 from a JSON body, 404 and 405 from path
parameters. Every error answer is the one error shape (`Error`); core.errors answers them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import flask_smorest
from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, Request, current_app, jsonify, render_template
from flask_smorest.utils import deepupdate
from marshmallow import INCLUDE, Schema, ValidationError, fields
from webargs.flaskparser import FlaskParser

from core.http import json_object

JSON = "application/json"
TITLE = "hookhub API"
VERSION = "1"
SchemaRef = type[Schema] | Schema | dict
TEXT = {"type": "string"}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
# Carries an operation's roles from ApiBlueprint to Conventions, which removes it.
ROLES = "x-hookhub-roles"

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


def _error(status: int) -> dict:
    return {"description": HTTPStatus(status).phrase, "content": {JSON: {"schema": ERROR_REF}}}


def _operation(op: Operation, view: Callable, has_path_params: bool) -> dict:
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
    if op.query is not None:
        out["parameters"] = [{"in": "query", "schema": op.query}]
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
    if has_path_params:
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


class Parser(FlaskParser):
    """webargs' parser reading bodies as core.http does and failing as core.errors answers.

    A JSON body is decoded strictly (415 for another content type, a JSON object without NUL
    characters); unknown keys follow each schema (marshmallow's default: rejected); a schema
    error is the 400 ValidationFailed answer, not webargs' 422.
    """

    DEFAULT_VALIDATION_STATUS = 400
    DEFAULT_UNKNOWN_BY_LOCATION = dict.fromkeys(FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION)

    def load_json(self, req: Request, schema: Schema) -> dict:
        """The request's JSON object body (core.http.json_object)."""
        return json_object()

    def handle_error(self, error: ValidationError, req: Request, schema: Schema, *,
                     error_status_code: int | None, error_headers: Any) -> None:
        """Raise the schema's messages without webargs' location key, for core.errors."""
        (messages,) = error.messages.values()
        raise ValidationError(messages) from error


class ApiBlueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint whose operations carry their view's name and roles."""

    ARGUMENTS_PARSER = Parser()

    def add_url_rule(self, rule: str, endpoint: str | None = None, view_func: Callable | None = None,
                     provide_automatic_options: bool | None = None, **options: Any) -> None:
        """Route a view and mark its operations for `Conventions`."""
        super().add_url_rule(rule, endpoint, view_func, provide_automatic_options, **options)
        mark = {"operationId": view_func.__name__, ROLES: getattr(view_func, "required_roles", [])}
        for method, info in self._docs[self._endpoints[-1]].items():
            if method != "parameters":
                info["manual_doc"] = deepupdate(info.get("manual_doc", {}), mark)


class Conventions(BasePlugin):
    """Path parameters on each operation; auth and the error answers it implies."""

    def path_helper(self, path: str | None = None, operations: dict | None = None,
                    parameters: list | None = None, **kwargs: Any) -> None:
        """Move the rule's path parameters into each operation, first."""
        in_path = [p for p in parameters if p.get("in") == "path"]
        if not in_path:
            return
        for operation in operations.values():
            own = operation.get("parameters", [])
            named = {p.get("name") for p in own if p.get("in") == "path"}
            operation["parameters"] = [*(p for p in in_path if p["name"] not in named), *own]
        parameters[:] = [p for p in parameters if p not in in_path]

    def operation_helper(self, path: str | None = None, operations: dict | None = None,
                         **kwargs: Any) -> None:
        """Add security, the role and the implied error answers to each marked operation."""
        for operation in operations.values():
            if ROLES in operation:
                _conventions(operation, operation.pop(ROLES))


def _conventions(operation: dict, roles: list[str]) -> None:
    errors = set()
    if roles:
        description = operation.get("description")
        operation["description"] = (f"{description}\n\n" if description else "") + \
            f"Bearer token with role: {' or '.join(roles)}."
        operation["security"] = [{"bearerAuth": []}]
        errors |= {401, 403}
    parameters = operation.get("parameters", [])
    body = operation.get("requestBody")
    if body or any(p.get("in") == "query" for p in parameters):
        errors.add(400)
    if body and JSON in body["content"]:
        errors.add(415)
    if any(p.get("in") == "path" for p in parameters):
        # A path argument that fits no route may fit another route's path (405).
        errors |= {404, 405}
    responses = {str(code): response for code, response in operation.get("responses", {}).items()}
    for code in errors:
        if not isinstance(responses.get(str(code)), dict):
            responses[str(code)] = _error(code)
    operation["responses"] = dict(sorted(responses.items()))


class Api(flask_smorest.Api):
    """flask-smorest's Api, leaving every error to core.errors and its one shape."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        """Install no handler: core.errors' single handler answers every error."""

    def _register_pagination_header(self) -> None:
        """Register no pagination component: the API pages with limit and offset."""


def _build(app: Flask) -> dict:
    api = Api(spec_kwargs={
        "title": TITLE, "version": VERSION, "openapi_version": "3.0.3",
        "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
        "extra_plugins": [Conventions()],
        "info": {"description": "Webhooks in, typed records, events out. Errors always "
                                "come in one shape: see the Error schema."}})
    api.init_app(app)
    spec = api.spec
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer",
                                                   "description": "An API token (hht_…)."})
    # Error is already a component: the Api's error responses (ERROR_SCHEMA) registered it.
    for name, blueprint in app.blueprints.items():
        if isinstance(blueprint, flask_smorest.Blueprint):
            blueprint.register_views_in_doc(api, app, spec, name=name, parameters=None)
    for rule in app.url_map.iter_rules():
        operation = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if operation is not None:
            view = app.view_functions[rule.endpoint]
            spec.path(rule=rule, operations={
                method.lower(): _operation(operation, view, bool(rule.arguments))
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"})})
    document = spec.to_dict()
    document["paths"] = dict(sorted(document["paths"].items()))
    return document


def document() -> dict:
    """The app's document (built at start-up: routes do not change after it)."""
    return current_app.extensions["hookhub.openapi"]


def _documented(view: Callable) -> bool:
    return hasattr(view, "openapi") or "response" in getattr(view, "_apidoc", {})


def undocumented(app: Flask, prefix: str = "/api/v1/") -> list[str]:
    """Routes under the API prefix with no response on an ApiBlueprint (nor @doc)."""
    return sorted(f"{sorted(r.methods - {'HEAD', 'OPTIONS'})} {r.rule}" for r in app.url_map.iter_rules()
                  if r.rule.startswith(prefix) and r.endpoint.split(".")[0] != bp.name
                  and not _documented(app.view_functions[r.endpoint]))


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
    """Document every API blueprint registered so far; serve the document and its docs page."""
    app.extensions["hookhub.openapi"] = _build(app)
    app.register_blueprint(bp)
