"""REST API for push connections, their delivery log, retries and connectivity tests."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from core.auth import Role, require_role
from core.http import Issued
from core.openapi import OPTIONAL_JSON, ApiBlueprint, ErrorSchema
from integrations.push import connections, delivery, delivery_log, pings
from integrations.push import schemas as push_schemas
from integrations.push.delivery import DeliveryAttempt

bp = ApiBlueprint("push_api", __name__, url_prefix="/api/v1")
admin = require_role(Role.ADMIN)


@bp.get("/push-connections", tags=["push"])
@admin
@bp.response(200, push_schemas.ConnectionListSchema)
def list_connections() -> dict:
    """List push connections"""
    return {"items": connections.PushConnection.select().order_by(connections.PushConnection.id)}


@bp.post("/push-connections", tags=["push"])
@admin
@bp.arguments(push_schemas.ConnectionSchema)
@bp.response(201, push_schemas.ConnectionSecretSchema)
@bp.alt_response(409, schema=ErrorSchema)
def create_connection(data: dict) -> Issued:
    """Create a push connection (disabled until enabled); its signing secret is in this answer only"""
    conn, secret = connections.create_connection(data)
    return Issued(conn, {"secret": secret})


@bp.get("/push-connections/<int:connection_id>", tags=["push"])
@admin
@bp.response(200, push_schemas.ConnectionSchema)
def get_connection(connection_id: int) -> connections.PushConnection:
    """Get a push connection"""
    return connections.get_connection(connection_id)


@bp.patch("/push-connections/<int:connection_id>", tags=["push"])
@admin
@bp.arguments(push_schemas.ConnectionSchema(partial=True))
@bp.response(200, push_schemas.ConnectionSchema)
@bp.alt_response(409, schema=ErrorSchema)
def update_connection(changes: dict, connection_id: int) -> connections.PushConnection:
    """Change a push connection"""
    return connections.update_connection(connections.get_connection(connection_id), changes)


@bp.delete("/push-connections/<int:connection_id>", tags=["push"])
@admin
@bp.response(204)
def delete_connection(connection_id: int) -> None:
    """Delete a push connection"""
    connections.delete_connection(connections.get_connection(connection_id))


@bp.post("/push-connections/<int:connection_id>/enable", tags=["push"])
@admin
@bp.response(200, push_schemas.ConnectionSchema)
def enable_connection(connection_id: int) -> connections.PushConnection:
    """Enable a push connection"""
    return connections.set_enabled(connections.get_connection(connection_id), True)


@bp.post("/push-connections/<int:connection_id>/disable", tags=["push"])
@admin
@bp.response(200, push_schemas.ConnectionSchema)
def disable_connection(connection_id: int) -> connections.PushConnection:
    """Disable a push connection"""
    return connections.set_enabled(connections.get_connection(connection_id), False,
                                   "Disabled by an admin.")


@bp.post("/push-connections/<int:connection_id>/rotate-secret", tags=["push"])
@admin
@bp.arguments(push_schemas.RotateSchema, location=OPTIONAL_JSON, required=False)
@bp.response(200, push_schemas.ConnectionSecretSchema)
def rotate_secret(data: dict, connection_id: int) -> Issued:
    """Give a connection a new signing secret; the old one is kept for an overlap"""
    conn = connections.get_connection(connection_id)
    return Issued(conn, {"secret": connections.rotate_secret(conn, data["overlap_seconds"])})


@bp.post("/push-connections/<int:connection_id>/test", tags=["push"])
@admin
@bp.response(202, push_schemas.PingTestSchema)
@bp.alt_response(503, schema=ErrorSchema)
def test_connection(connection_id: int) -> tuple[Response, int, dict[str, str]]:
    """Queue a ping to a connection (enabled or not) for a worker; read the outcome at Location"""
    conn = connections.get_connection(connection_id)
    return pings.accepted_test(pings.start_connection(conn.id))


@bp.post("/push-connections/test", tags=["push"])
@admin
@bp.arguments(push_schemas.TestUrlSchema)
@bp.response(202, push_schemas.PingTestSchema)
@bp.alt_response(503, schema=ErrorSchema)
def test_url(data: dict) -> tuple[Response, int, dict[str, str]]:
    """Queue a ping to a URL for a worker; read the outcome at Location"""
    return pings.accepted_test(pings.start_url(data["url"]))


@bp.get("/push-tests/<test_id>", tags=["push"])
@admin
@bp.response(200, push_schemas.PingTestSchema)
@bp.alt_response(503, schema=ErrorSchema)
def get_test(test_id: str) -> Response:
    """The outcome of a connectivity test: pending until a worker has sent the ping"""
    return jsonify(pings.outcome(test_id))


@bp.get("/push-connections/<int:connection_id>/deliveries", tags=["push"])
@admin
@bp.arguments(push_schemas.LogQuerySchema, location="query")
@bp.response(200, push_schemas.AttemptPageSchema)
def connection_log(filters: dict, connection_id: int) -> dict[str, Any]:
    """The delivery log of a connection, newest first"""
    conn = connections.get_connection(connection_id)
    return delivery_log.page(DeliveryAttempt.connection == conn.id, filters)


@bp.post("/push-connections/<int:connection_id>/deliveries/retry", tags=["push"])
@admin
@bp.response(202, push_schemas.RetryQueuedSchema)
@bp.alt_response(409, schema=ErrorSchema)
def retry_failed(connection_id: int) -> dict[str, int]:
    """Send a connection's failed deliveries again"""
    conn = connections.get_connection(connection_id)
    return {"connection_id": conn.id, "queued": delivery.queue_resend(conn)}


@bp.post("/deliveries/<int:delivery_id>/retry", tags=["push"])
@admin
@bp.response(202, push_schemas.DeliveryQueuedSchema)
@bp.alt_response(409, schema=ErrorSchema)
def retry_one(delivery_id: int) -> delivery.Delivery:
    """Send one delivery again"""
    return delivery.requeue(delivery_id)
