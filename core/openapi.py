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

import threading
from collections.abc import Callable
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
TEXT = {"type": "string"}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
# Carries an operation's roles from ApiBlueprint to Conventions, which removes it.
ROLES = "x-hookhub-roles"
# The location of a JSON body that may be left out (`@bp.arguments(..., location=OPTIONAL_JSON)`).
OPTIONAL_JSON = "optional_json"

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


def request_body(content: dict[str, Any], required: bool = True) -> dict:
    """@bp.doc's arguments for a body the view reads itself: its schema per media type."""
    return {"requestBody": {"required": required,
                            "content": {media: {"schema": schema} for media, schema in content.items()}}}


def _error(status: int) -> dict:
    return {"description": HTTPStatus(status).phrase, "content": {JSON: {"schema": ERROR_REF}}}


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
    __location_map__ = {**FlaskParser.__location_map__, OPTIONAL_JSON: "load_optional_json"}

    def load_json(self, req: Request, schema: Schema) -> dict:
        """The request's JSON object body (core.http.json_object)."""
        return json_object()

    def load_optional_json(self, req: Request, schema: Schema) -> dict:
        """The JSON object body, or an empty one when the request has no body."""
        return json_object() if req.content_length else {}

    def handle_error(self, error: ValidationError, req: Request, schema: Schema, *,
                     error_status_code: int | None, error_headers: Any) -> None:
        """Raise the schema's messages without webargs' location key, for core.errors."""
        (messages,) = error.messages.values()
        raise ValidationError(messages) from error


class ApiBlueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint whose operations carry their view's name and roles."""

    ARGUMENTS_PARSER = Parser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING, OPTIONAL_JSON: JSON}

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


def _build(app: Flask, api: Api) -> dict:
    spec = api.spec
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer",
                                                   "description": "An API token (hht_…)."})
    # Error is already a component: the Api's error responses (ERROR_SCHEMA) registered it.
    for name, blueprint in app.blueprints.items():
        if isinstance(blueprint, flask_smorest.Blueprint):
            blueprint.register_views_in_doc(api, app, spec, name=name, parameters=None)
    document = spec.to_dict()
    document["paths"] = dict(sorted(document["paths"].items()))
    return document


def document() -> dict:
    """The app's document, built on first use (routes do not change after start-up)."""
    state = current_app.extensions["hookhub.openapi"]
    with state["lock"]:
        if "document" not in state:
            state["document"] = _build(current_app, state["api"])
    return state["document"]


def _documented(view: Callable) -> bool:
    return "response" in getattr(view, "_apidoc", {})


def undocumented(app: Flask, prefix: str = "/api/v1/") -> list[str]:
    """Routes under the API prefix with no response on an ApiBlueprint."""
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
    """Set up flask-smorest's Api (the document of the API blueprints is built on first use);
    serve the document and its docs page."""
    api = Api(spec_kwargs={
        "title": TITLE, "version": VERSION, "openapi_version": "3.0.3",
        "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
        "extra_plugins": [Conventions()],
        "info": {"description": "Webhooks in, typed records, events out. Errors always "
                                "come in one shape: see the Error schema."}})
    api.init_app(app)
    app.extensions["hookhub.openapi"] = {"api": api, "lock": threading.Lock()}
    app.register_blueprint(bp)
