"""REST API for the rules of a process."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from marshmallow import ValidationError

from core.auth import Role, require_role
from core.http import json_body
from core.openapi import doc
from processes.definitions import get_process
from processes.models import ProcessVersion
from processes.schemas import BaseVersionSchema, RuleEditSchema, base_version, split_base_version
from rules import service
from rules.schemas import (
    RuleListSchema,
    RulePositionSchema,
    RuleSavedSchema,
    RuleSchema,
    RulesSavedSchema,
    VersionSavedSchema,
)

bp = Blueprint("rules_api", __name__, url_prefix="/api/v1/processes/<int:process_id>/rules")
admin = require_role(Role.ADMIN)


def _object() -> tuple[dict, int | None]:
    """The rule sent, and the version it was made from."""
    body = json_body()
    if not isinstance(body, dict):
        raise ValidationError({"_schema": ["A rule is a JSON object."]})
    return split_base_version(body)


def _saved(version: ProcessVersion, **extra) -> dict:
    return {"version": version.number, "version_id": version.id, **extra}


@bp.get("")
@doc("List the rules of a process's active version", tags=["rules"],
     response=RuleListSchema)
@admin
def list_rules(process_id: int):
    return jsonify({"items": service.rules_of(get_process(process_id))})


@bp.post("")
@doc("Add a rule (a new version)", tags=["rules"], body=RuleEditSchema, query=RulePositionSchema,
     response=RuleSavedSchema, status=201, errors=[409])
@admin
def add_rule(process_id: int):
    process = get_process(process_id)
    position = request.args.get("position", type=int)
    sent, base = _object()
    version = service.add_rule(process, sent, position, base)
    rules = version.definition["rules"]
    rule = rules[len(rules) - 1 if position is None else min(position, len(rules) - 1)]
    return jsonify(_saved(version, rule=rule)), 201


@bp.put("")
@doc("Replace all rules, in order (a new version)", tags=["rules"],
     body=RuleSchema(many=True), query=BaseVersionSchema, response=RulesSavedSchema, errors=[409])
@admin
def replace_rules(process_id: int):
    body = json_body()
    if not isinstance(body, list):
        raise ValidationError({"_schema": ["Send the rules as a JSON array, in order."]})
    version = service.replace_rules(get_process(process_id), body, base_version(request.args))
    return jsonify(_saved(version, items=version.definition["rules"]))


@bp.get("/<rule_id>")
@doc("Get a rule", tags=["rules"], response={"type": "object"})
@admin
def get_rule(process_id: int, rule_id: str):
    return jsonify(service.get_rule(get_process(process_id), rule_id))


@bp.put("/<rule_id>")
@doc("Replace a rule (a new version)", tags=["rules"], body=RuleEditSchema,
     response=RuleSavedSchema, errors=[409])
@admin
def replace_rule(process_id: int, rule_id: str):
    process = get_process(process_id)
    rule, base = _object()
    version = service.replace_rule(process, rule_id, rule, base)
    return jsonify(_saved(version, rule=service.get_rule(process, rule_id)))


@bp.delete("/<rule_id>")
@doc("Remove a rule (a new version)", tags=["rules"], query=BaseVersionSchema,
     response=VersionSavedSchema, errors=[409])
@admin
def delete_rule(process_id: int, rule_id: str):
    version = service.delete_rule(get_process(process_id), rule_id, base_version(request.args))
    return jsonify(_saved(version))
