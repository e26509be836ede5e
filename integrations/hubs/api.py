"""REST API for hubs: credentials, destinations per event type, their tests and log."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from core.auth import Role, require_role
from core.errors import ValidationFailed
from core.http import load
from core.openapi import doc
from integrations.hubs import service as hubs
from integrations.hubs.service import Hub, HubDestination
from integrations.push import events, pings
from integrations.push import schemas as push_schemas
from integrations.push.api import accepted_test, log_page
from integrations.push.delivery import DeliveryAttempt

bp = Blueprint("hubs_api", __name__, url_prefix="/api/v1")
admin = require_role(Role.ADMIN)


def _event_type(value: str) -> str:
    problem = events.type_problem(value)
    if problem:
        raise ValidationFailed(f"Event type {problem}.",
                               [{"field": "event_type", "message": f"Event type {problem}."}])
    return value


@bp.get("/hubs")
@doc("List hubs", tags=["hubs"], response=push_schemas.HubListSchema)
@admin
def list_hubs():
    return jsonify({"items": [hubs.hub_dict(h) for h in Hub.select().order_by(Hub.id)]})


@bp.post("/hubs")
@doc("Create a hub; its API key and signing secret are in this answer only",
     tags=["hubs"], body=push_schemas.HubSchema, response=push_schemas.HubCreatedSchema,
     status=201, errors=[409])
@admin
def create_hub():
    hub, credentials = hubs.create_hub(**load(push_schemas.HubSchema()))
    return jsonify({**hubs.hub_dict(hub), **credentials}), 201


@bp.get("/hubs/<int:hub_id>")
@doc("Get a hub with its destinations", tags=["hubs"], response=push_schemas.HubOutSchema)
@admin
def get_hub(hub_id: int):
    return jsonify(hubs.hub_dict(hubs.get_hub(hub_id)))


@bp.patch("/hubs/<int:hub_id>")
@doc("Rename a hub or change its description", tags=["hubs"],
     body=push_schemas.HubSchema(partial=True), response=push_schemas.HubOutSchema, errors=[409])
@admin
def update_hub(hub_id: int):
    hub = hubs.update_hub(hubs.get_hub(hub_id), load(push_schemas.HubSchema(partial=True)))
    return jsonify(hubs.hub_dict(hub))


@bp.delete("/hubs/<int:hub_id>")
@doc("Delete a hub", tags=["hubs"], response=None, status=204)
@admin
def delete_hub(hub_id: int):
    hubs.delete_hub(hubs.get_hub(hub_id))
    return "", 204


@bp.post("/hubs/<int:hub_id>/credentials")
@doc("Give a hub a new API key (shown only in this answer)", tags=["hubs"],
     response=push_schemas.HubCredentialsSchema)
@admin
def regenerate_credentials(hub_id: int):
    hub = hubs.get_hub(hub_id)
    api_key = hubs.regenerate_key(hub)
    return jsonify({**hubs.hub_dict(hub), "client_id": hub.client_id, "api_key": api_key})


@bp.put("/hubs/<int:hub_id>/destinations/<event_type>")
@doc("Set the destination of an event type", tags=["hubs"], body=push_schemas.DestinationSchema,
     response=push_schemas.DestinationOutSchema)
@admin
def set_destination(hub_id: int, event_type: str):
    hub = hubs.get_hub(hub_id)
    dest = hubs.set_destination(hub, _event_type(event_type), **load(push_schemas.DestinationSchema()))
    return jsonify(hubs.destination_dict(dest))


@bp.delete("/hubs/<int:hub_id>/destinations/<event_type>")
@doc("Remove the destination of an event type", tags=["hubs"], response=None,
     status=204)
@admin
def remove_destination(hub_id: int, event_type: str):
    hubs.remove_destination(hubs.get_destination(hubs.get_hub(hub_id), event_type))
    return "", 204


@bp.post("/hubs/<int:hub_id>/destinations/<event_type>/test")
@doc("Queue a ping to a destination for a worker; read the outcome at Location",
     tags=["hubs"], response=push_schemas.PingTestSchema, status=202, errors=[503])
@admin
def test_destination(hub_id: int, event_type: str):
    dest = hubs.get_destination(hubs.get_hub(hub_id), event_type)
    return accepted_test(pings.start_destination(dest))


@bp.get("/hubs/<int:hub_id>/deliveries")
@doc("The delivery log of a hub, newest first", tags=["hubs"], query=push_schemas.LogQuerySchema,
     response=push_schemas.AttemptPageSchema)
@admin
def hub_log(hub_id: int):
    hub = hubs.get_hub(hub_id)
    dest_ids = HubDestination.select(HubDestination.id).where(HubDestination.hub == hub)
    return jsonify(log_page(DeliveryAttempt.destination.in_(dest_ids), request.args))
