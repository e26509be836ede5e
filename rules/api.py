"""REST API for the rules of a process."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from marshmallow import ValidationError

from core.auth import Role, require_role
from core.http import json_body
from core.openapi import JSON, ApiBlueprint, ErrorSchema, request_body
from processes.definitions import get_process
from processes.models import ProcessVersion
from processes.schemas import BaseVersionSchema, RuleEditSchema, split_base_version
from rules import service
from rules.schemas import (
    RuleListSchema,
    RulePositionSchema,
    RuleSavedSchema,
    RuleSchema,
    RulesSavedSchema,
    VersionSavedSchema,
)

bp = ApiBlueprint("rules_api", __name__, url_prefix="/api/v1/processes/<int:process_id>/rules")
admin = require_role(Role.ADMIN)


def _object() -> tuple[dict, int | None]:
    """The rule sent, and the version it was made from."""
    body = json_body()
    if not isinstance(body, dict):
        raise ValidationError({"_schema": ["A rule is a JSON object."]})
    return split_base_version(body)


def _saved(version: ProcessVersion, **extra) -> dict:
    return {"version": version.number, "version_id": version.id, **extra}


@bp.get("", tags=["rules"])
@admin
@bp.response(200, RuleListSchema)
def list_rules(process_id: int) -> dict:
    """List the rules of a process's active version"""
    return {"items": service.rules_of(get_process(process_id))}


@bp.post("", tags=["rules"])
@admin
@bp.arguments(RulePositionSchema, location="query")
@bp.doc(**request_body({JSON: RuleEditSchema()}))
@bp.response(201, RuleSavedSchema)
@bp.alt_response(409, schema=ErrorSchema)
def add_rule(query: dict, process_id: int) -> dict[str, Any]:
    """Add a rule (a new version)"""
    process = get_process(process_id)
    position = query.get("position")
    sent, base = _object()
    version = service.add_rule(process, sent, position, base)
    rules = version.definition["rules"]
    rule = rules[len(rules) - 1 if position is None else min(position, len(rules) - 1)]
    return _saved(version, rule=rule)


@bp.put("", tags=["rules"])
@admin
@bp.arguments(BaseVersionSchema, location="query")
@bp.doc(**request_body({JSON: RuleSchema(many=True)}))
@bp.response(200, RulesSavedSchema)
@bp.alt_response(409, schema=ErrorSchema)
def replace_rules(query: dict, process_id: int) -> dict[str, Any]:
    """Replace all rules, in order (a new version)"""
    body = json_body()
    if not isinstance(body, list):
        raise ValidationError({"_schema": ["Send the rules as a JSON array, in order."]})
    version = service.replace_rules(get_process(process_id), body, query.get("base_version"))
    return _saved(version, items=version.definition["rules"])


@bp.get("/<rule_id>", tags=["rules"])
@admin
@bp.response(200, {"type": "object"})
def get_rule(process_id: int, rule_id: str) -> Response:
    """Get a rule"""
    return jsonify(service.get_rule(get_process(process_id), rule_id))


@bp.put("/<rule_id>", tags=["rules"])
@admin
@bp.doc(**request_body({JSON: RuleEditSchema()}))
@bp.response(200, RuleSavedSchema)
@bp.alt_response(409, schema=ErrorSchema)
def replace_rule(process_id: int, rule_id: str) -> dict[str, Any]:
    """Replace a rule (a new version)"""
    process = get_process(process_id)
    rule, base = _object()
    version = service.replace_rule(process, rule_id, rule, base)
    return _saved(version, rule=service.get_rule(process, rule_id))


@bp.delete("/<rule_id>", tags=["rules"])
@admin
@bp.arguments(BaseVersionSchema, location="query")
@bp.response(200, VersionSavedSchema)
@bp.alt_response(409, schema=ErrorSchema)
def delete_rule(query: dict, process_id: int, rule_id: str) -> dict[str, Any]:
    """Remove a rule (a new version)"""
    return _saved(service.delete_rule(get_process(process_id), rule_id, query.get("base_version")))
