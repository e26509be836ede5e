"""REST API for hubs: credentials, destinations per event type, their tests and log."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from core.auth import Role, require_role
from core.errors import ValidationFailed
from core.http import load
from integrations import events, hubs, push_schemas
from integrations.delivery import DeliveryAttempt
from integrations.hubs import Hub, HubDestination
from integrations.push_api import log_page, run_test

bp = Blueprint("hubs_api", __name__, url_prefix="/api/v1")
admin = require_role(Role.ADMIN)


def _event_type(value: str) -> str:
    problem = events.type_problem(value)
    if problem:
        raise ValidationFailed(f"Event type {problem}.",
                               [{"field": "event_type", "message": f"Event type {problem}."}])
    return value


@bp.get("/hubs")
@admin
def list_hubs():
    return jsonify({"items": [hubs.hub_dict(h) for h in Hub.select().order_by(Hub.id)]})


@bp.post("/hubs")
@admin
def create_hub():
    hub, credentials = hubs.create_hub(**load(push_schemas.HubSchema()))
    return jsonify({**hubs.hub_dict(hub), **credentials}), 201


@bp.get("/hubs/<int:hub_id>")
@admin
def get_hub(hub_id: int):
    return jsonify(hubs.hub_dict(hubs.get_hub(hub_id)))


@bp.patch("/hubs/<int:hub_id>")
@admin
def update_hub(hub_id: int):
    hub = hubs.update_hub(hubs.get_hub(hub_id), load(push_schemas.HubSchema(partial=True)))
    return jsonify(hubs.hub_dict(hub))


@bp.delete("/hubs/<int:hub_id>")
@admin
def delete_hub(hub_id: int):
    hubs.delete_hub(hubs.get_hub(hub_id))
    return "", 204


@bp.post("/hubs/<int:hub_id>/credentials")
@admin
def regenerate_credentials(hub_id: int):
    hub = hubs.get_hub(hub_id)
    api_key = hubs.regenerate_key(hub)
    return jsonify({**hubs.hub_dict(hub), "client_id": hub.client_id, "api_key": api_key})


@bp.put("/hubs/<int:hub_id>/destinations/<event_type>")
@admin
def set_destination(hub_id: int, event_type: str):
    hub = hubs.get_hub(hub_id)
    dest = hubs.set_destination(hub, _event_type(event_type), **load(push_schemas.DestinationSchema()))
    return jsonify(hubs.destination_dict(dest))


@bp.delete("/hubs/<int:hub_id>/destinations/<event_type>")
@admin
def remove_destination(hub_id: int, event_type: str):
    hubs.remove_destination(hubs.get_destination(hubs.get_hub(hub_id), event_type))
    return "", 204


@bp.post("/hubs/<int:hub_id>/destinations/<event_type>/test")
@admin
def test_destination(hub_id: int, event_type: str):
    dest = hubs.get_destination(hubs.get_hub(hub_id), event_type)
    return jsonify(run_test("integrations.push_jobs.ping_destination", dest.id))


@bp.get("/hubs/<int:hub_id>/deliveries")
@admin
def hub_log(hub_id: int):
    hub = hubs.get_hub(hub_id)
    dest_ids = HubDestination.select(HubDestination.id).where(HubDestination.hub == hub)
    return jsonify(log_page(DeliveryAttempt.destination.in_(dest_ids), request.args))
