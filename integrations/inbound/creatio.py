"""Creatio's discovery endpoints: get_entities and get_entity_description."""

from __future__ import annotations

from flask import Blueprint, jsonify

from core.openapi import doc
from integrations.inbound import sources
from integrations.inbound.schemas import (
    CreatioDescriptionSchema,
    CreatioEntitiesSchema,
    CreatioFailureSchema,
    CreatioKeySchema,
)
from lookups import catalog
from lookups.models import Entity

bp = Blueprint("creatio", __name__)


@bp.post("/get_entities/<api_key>")
@doc("List the entities a webhook may create (Creatio's get_entities)", tags=["inbound"],
     body=CreatioKeySchema, body_required=False, response=CreatioEntitiesSchema, errors=[401])
def get_entities(api_key: str):
    sources.authenticate(api_key)
    entities = Entity.select().where(Entity.enabled == True).order_by(Entity.id)  # noqa: E712
    return jsonify({"entities": [{"name": e.code, "caption": e.caption, "formId": e.form_id}
                                 for e in entities]})


@bp.post("/get_entity_description/<api_key>/<entity>")
@doc("Describe an entity's fields (Creatio's get_entity_description)",
     tags=["inbound"], body=CreatioKeySchema, body_required=False,
     response={200: CreatioDescriptionSchema, 404: CreatioFailureSchema}, errors=[401])
def get_entity_description(api_key: str, entity: str):
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
