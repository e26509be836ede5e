"""REST API for hubs: credentials, destinations per event type, their tests and log."""

from __future__ import annotations

from typing import Any

from flask import Response

from core.auth import Role, require_role
from core.errors import ValidationFailed
from core.http import Issued
from core.openapi import ApiBlueprint, ErrorSchema
from integrations.hubs import service as hubs
from integrations.hubs.service import Hub, HubDestination
from integrations.push import delivery_log, events, pings
from integrations.push import schemas as push_schemas
from integrations.push.delivery import DeliveryAttempt

bp = ApiBlueprint("hubs_api", __name__, url_prefix="/api/v1")
admin = require_role(Role.ADMIN)


def _event_type(value: str) -> str:
    problem = events.type_problem(value)
    if problem:
        raise ValidationFailed(f"Event type {problem}.",
                               [{"field": "event_type", "message": f"Event type {problem}."}])
    return value


@bp.get("/hubs", tags=["hubs"])
@admin
@bp.response(200, push_schemas.HubListSchema)
def list_hubs() -> dict:
    """List hubs"""
    return {"items": Hub.select().order_by(Hub.id)}


@bp.post("/hubs", tags=["hubs"])
@admin
@bp.arguments(push_schemas.HubSchema)
@bp.response(201, push_schemas.HubCreatedSchema)
@bp.alt_response(409, schema=ErrorSchema)
def create_hub(data: dict) -> Issued:
    """Create a hub; its API key and signing secret are in this answer only"""
    return Issued(*hubs.create_hub(**data))


@bp.get("/hubs/<int:hub_id>", tags=["hubs"])
@admin
@bp.response(200, push_schemas.HubSchema)
def get_hub(hub_id: int) -> Hub:
    """Get a hub with its destinations"""
    return hubs.get_hub(hub_id)


@bp.patch("/hubs/<int:hub_id>", tags=["hubs"])
@admin
@bp.arguments(push_schemas.HubSchema(partial=True))
@bp.response(200, push_schemas.HubSchema)
@bp.alt_response(409, schema=ErrorSchema)
def update_hub(changes: dict, hub_id: int) -> Hub:
    """Rename a hub or change its description"""
    return hubs.update_hub(hubs.get_hub(hub_id), changes)


@bp.delete("/hubs/<int:hub_id>", tags=["hubs"])
@admin
@bp.response(204)
def delete_hub(hub_id: int) -> None:
    """Delete a hub"""
    hubs.delete_hub(hubs.get_hub(hub_id))


@bp.post("/hubs/<int:hub_id>/credentials", tags=["hubs"])
@admin
@bp.response(200, push_schemas.HubCredentialsSchema)
def regenerate_credentials(hub_id: int) -> Issued:
    """Give a hub a new API key (shown only in this answer)"""
    hub = hubs.get_hub(hub_id)
    return Issued(hub, {"api_key": hubs.regenerate_key(hub)})


@bp.put("/hubs/<int:hub_id>/destinations/<event_type>", tags=["hubs"])
@admin
@bp.arguments(push_schemas.DestinationSchema)
@bp.response(200, push_schemas.DestinationSchema)
def set_destination(data: dict, hub_id: int, event_type: str) -> HubDestination:
    """Set the destination of an event type"""
    return hubs.set_destination(hubs.get_hub(hub_id), _event_type(event_type), **data)


@bp.delete("/hubs/<int:hub_id>/destinations/<event_type>", tags=["hubs"])
@admin
@bp.response(204)
def remove_destination(hub_id: int, event_type: str) -> None:
    """Remove the destination of an event type"""
    hubs.remove_destination(hubs.get_destination(hubs.get_hub(hub_id), event_type))


@bp.post("/hubs/<int:hub_id>/destinations/<event_type>/test", tags=["hubs"])
@admin
@bp.response(202, push_schemas.PingTestSchema)
@bp.alt_response(503, schema=ErrorSchema)
def test_destination(hub_id: int, event_type: str) -> tuple[Response, int, dict[str, str]]:
    """Queue a ping to a destination for a worker; read the outcome at Location"""
    dest = hubs.get_destination(hubs.get_hub(hub_id), event_type)
    return pings.accepted_test(pings.start_destination(dest))


@bp.get("/hubs/<int:hub_id>/deliveries", tags=["hubs"])
@admin
@bp.arguments(push_schemas.LogQuerySchema, location="query")
@bp.response(200, push_schemas.AttemptPageSchema)
def hub_log(filters: dict, hub_id: int) -> dict[str, Any]:
    """The delivery log of a hub, newest first"""
    hub = hubs.get_hub(hub_id)
    dest_ids = HubDestination.select(HubDestination.id).where(HubDestination.hub == hub)
    return delivery_log.page(DeliveryAttempt.destination.in_(dest_ids), filters)
