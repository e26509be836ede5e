"""REST API for push connections, their delivery log, retries and connectivity tests."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request, url_for

from core import outbox
from core.auth import Role, require_role
from core.db import db
from core.errors import Conflict
from core.http import load
from core.openapi import doc
from integrations.push import connections, delivery, delivery_log, pings
from integrations.push import schemas as push_schemas
from integrations.push.delivery import DeliveryAttempt

bp = Blueprint("push_api", __name__, url_prefix="/api/v1")
admin = require_role(Role.ADMIN)
RESEND_JOB = "integrations.push.jobs.resend_failed"


def accepted_test(test: dict[str, Any]) -> tuple:
    """202 with the pending test, and where to read its outcome."""
    return jsonify(test), 202, {"Location": url_for("push_api.get_test", test_id=test["id"])}


def log_page(where, args) -> dict[str, Any]:
    """One page of the delivery log under a filter, with the cursor of the next page."""
    filters = push_schemas.LogQuerySchema().load(args.to_dict())
    rows = delivery_log.attempts(where, filters)
    more = len(rows) == filters["limit"]
    return {"items": [delivery_log.attempt_dict(a) for a in rows],
            "next_before": rows[-1].id if more else None}


def queue_resend(conn: connections.PushConnection) -> int:
    """Queue a resend of a connection's failed deliveries; return how many there are."""
    if not conn.enabled:
        raise Conflict(f"Push connection '{conn.name}' is disabled; enable it first.")
    count = len(delivery.failed_ids(conn.id))
    with db.atomic():
        outbox.add(RESEND_JOB, conn.id)
    return count


@bp.get("/push-connections")
@doc("List push connections", tags=["push"], response=push_schemas.ConnectionListSchema)
@admin
def list_connections():
    conns = connections.PushConnection.select().order_by(connections.PushConnection.id)
    return jsonify({"items": [connections.connection_dict(c) for c in conns]})


@bp.post("/push-connections")
@doc("Create a push connection (disabled until enabled); its signing secret is in this "
     "answer only", tags=["push"], body=push_schemas.ConnectionSchema,
     response=push_schemas.ConnectionSecretSchema, status=201, errors=[409])
@admin
def create_connection():
    conn, secret = connections.create_connection(load(push_schemas.ConnectionSchema()))
    return jsonify({**connections.connection_dict(conn), "secret": secret}), 201


@bp.get("/push-connections/<int:connection_id>")
@doc("Get a push connection", tags=["push"], response=push_schemas.ConnectionOutSchema)
@admin
def get_connection(connection_id: int):
    return jsonify(connections.connection_dict(connections.get_connection(connection_id)))


@bp.patch("/push-connections/<int:connection_id>")
@doc("Change a push connection", tags=["push"], body=push_schemas.ConnectionSchema(partial=True),
     response=push_schemas.ConnectionOutSchema, errors=[409])
@admin
def update_connection(connection_id: int):
    conn = connections.get_connection(connection_id)
    data = load(push_schemas.ConnectionSchema(partial=True))
    return jsonify(connections.connection_dict(connections.update_connection(conn, data)))


@bp.delete("/push-connections/<int:connection_id>")
@doc("Delete a push connection", tags=["push"], response=None, status=204)
@admin
def delete_connection(connection_id: int):
    connections.delete_connection(connections.get_connection(connection_id))
    return "", 204


@bp.post("/push-connections/<int:connection_id>/enable")
@doc("Enable a push connection", tags=["push"], response=push_schemas.ConnectionOutSchema)
@admin
def enable_connection(connection_id: int):
    conn = connections.set_enabled(connections.get_connection(connection_id), True)
    return jsonify(connections.connection_dict(conn))


@bp.post("/push-connections/<int:connection_id>/disable")
@doc("Disable a push connection", tags=["push"], response=push_schemas.ConnectionOutSchema)
@admin
def disable_connection(connection_id: int):
    conn = connections.set_enabled(connections.get_connection(connection_id), False,
                                   "Disabled by an admin.")
    return jsonify(connections.connection_dict(conn))


@bp.post("/push-connections/<int:connection_id>/rotate-secret")
@doc("Give a connection a new signing secret; the old one is kept for an overlap",
     tags=["push"], body=push_schemas.RotateSchema, body_required=False,
     response=push_schemas.ConnectionSecretSchema)
@admin
def rotate_secret(connection_id: int):
    conn = connections.get_connection(connection_id)
    overlap = (load(push_schemas.RotateSchema()) if request.content_length
               else push_schemas.RotateSchema().load({}))["overlap_seconds"]
    secret = connections.rotate_secret(conn, overlap)
    return jsonify({**connections.connection_dict(conn), "secret": secret})


@bp.post("/push-connections/<int:connection_id>/test")
@doc("Queue a ping to a connection (enabled or not) for a worker; read the outcome at Location",
     tags=["push"], response=push_schemas.PingTestSchema, status=202, errors=[503])
@admin
def test_connection(connection_id: int):
    conn = connections.get_connection(connection_id)
    return accepted_test(pings.start_connection(conn.id))


@bp.post("/push-connections/test")
@doc("Queue a ping to a URL for a worker; read the outcome at Location", tags=["push"],
     body=push_schemas.TestUrlSchema, response=push_schemas.PingTestSchema, status=202,
     errors=[503])
@admin
def test_url():
    url = load(push_schemas.TestUrlSchema())["url"]
    return accepted_test(pings.start_url(url))


@bp.get("/push-tests/<test_id>")
@doc("The outcome of a connectivity test: pending until a worker has sent the ping",
     tags=["push"], response=push_schemas.PingTestSchema, errors=[503])
@admin
def get_test(test_id: str):
    return jsonify(pings.outcome(test_id))


@bp.get("/push-connections/<int:connection_id>/deliveries")
@doc("The delivery log of a connection, newest first", tags=["push"],
     query=push_schemas.LogQuerySchema, response=push_schemas.AttemptPageSchema)
@admin
def connection_log(connection_id: int):
    conn = connections.get_connection(connection_id)
    return jsonify(log_page(DeliveryAttempt.connection == conn.id, request.args))


@bp.post("/push-connections/<int:connection_id>/deliveries/retry")
@doc("Send a connection's failed deliveries again", tags=["push"],
     response=push_schemas.RetryQueuedSchema, status=202, errors=[409])
@admin
def retry_failed(connection_id: int):
    conn = connections.get_connection(connection_id)
    return jsonify({"connection_id": conn.id, "queued": queue_resend(conn)}), 202


@bp.post("/deliveries/<int:delivery_id>/retry")
@doc("Send one delivery again", tags=["push"], response=push_schemas.DeliveryQueuedSchema,
     status=202, errors=[409])
@admin
def retry_one(delivery_id: int):
    d = delivery.requeue(delivery_id)
    return jsonify({"id": d.id, "status": d.status, "attempts": d.attempts}), 202
