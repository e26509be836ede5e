"""Creatio's discovery endpoints: get_entities and get_entity_description."""

from __future__ import annotations

from flask import Response, jsonify

from core.openapi import JSON, ApiBlueprint, ErrorSchema, request_body
from integrations.inbound import sources
from integrations.inbound.schemas import (
    CreatioDescriptionSchema,
    CreatioEntitiesSchema,
    CreatioFailureSchema,
    CreatioKeySchema,
)
from lookups import catalog
from lookups.models import Entity

bp = ApiBlueprint("creatio", __name__)
# Creatio sends its key in the body too; the one in the path is the one checked.
KEY_BODY = request_body({JSON: CreatioKeySchema}, required=False)


@bp.post("/get_entities/<api_key>", tags=["inbound"])
@bp.doc(**KEY_BODY)
@bp.response(200, CreatioEntitiesSchema)
@bp.alt_response(401, schema=ErrorSchema)
def get_entities(api_key: str) -> Response:
    """List the entities a webhook may create (Creatio's get_entities)"""
    sources.authenticate(api_key)
    entities = Entity.select().where(Entity.enabled == True).order_by(Entity.id)  # noqa: E712
    return jsonify({"entities": [{"name": e.code, "caption": e.caption, "formId": e.form_id}
                                 for e in entities]})


@bp.post("/get_entity_description/<api_key>/<entity>", tags=["inbound"])
@bp.doc(**KEY_BODY)
@bp.response(200, CreatioDescriptionSchema)
@bp.alt_response(401, schema=ErrorSchema)
@bp.alt_response(404, schema=CreatioFailureSchema)
def get_entity_description(api_key: str, entity: str) -> tuple[Response, int] | Response:
    """Describe an entity's fields (Creatio's get_entity_description)"""
    sources.authenticate(api_key)
    spec = catalog.entity(entity)
    if spec is None or not spec.enabled:
        return jsonify({"value": {"isSuccess": False, "status": "error", "code": 404,
                                  "message": f"Entity '{entity}' is not in the webhook "
                                             "entities lookup."},
                        "statusCode": 404}), 404
    fields = [{"required": f.required, "name": f.code, "net_type": f.net_type,
               "caption": f.caption} for f in spec.fields]
    return jsonify({"value": {"entityModel": {"fields": fields, "name": spec.code},
                              "isSuccess": True, "status": "ok", "code": 0},
                    "statusCode": 200})
