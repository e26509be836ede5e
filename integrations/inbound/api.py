"""REST API for sources and their keys, and the received webhooks."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from core import masking
from core.auth import Role, require_role
from core.db import db
from core.http import load
from core.openapi import doc
from integrations.inbound import schemas, sources, webhooks
from integrations.inbound.models import Attachment, Source, Webhook

bp = Blueprint("integrations_api", __name__, url_prefix="/api/v1")
admin = require_role(Role.ADMIN)


def webhook_url(key: str) -> str:
    """The URL a sender posts to."""
    return url_for("inbound.receive", api_key=key, _external=True)


@bp.get("/sources")
@doc("List sources", tags=["sources"], response=schemas.SourceListSchema)
@admin
def list_sources():
    return jsonify({"items": [sources.source_dict(s) for s in Source.select().order_by(Source.id)]})


@bp.post("/sources")
@doc("Create a source; its API key is in this answer only", tags=["sources"],
     body=schemas.SourceSchema, response=schemas.SourceKeySchema, status=201, errors=[409])
@admin
def create_source():
    data = load(schemas.SourceSchema())
    source, key = sources.create_source(**data)
    return jsonify({**sources.source_dict(source), "api_key": key,
                    "webhook_url": webhook_url(key)}), 201


@bp.get("/sources/<int:source_id>")
@doc("Get a source", tags=["sources"], response=schemas.SourceOutSchema)
@admin
def get_source(source_id: int):
    return jsonify(sources.source_dict(sources.get_source(source_id)))


@bp.patch("/sources/<int:source_id>")
@doc("Rename a source or change how its webhooks are processed", tags=["sources"],
     body=schemas.SourcePatchSchema, response=schemas.SourceOutSchema)
@admin
def update_source(source_id: int):
    source = sources.update_source(sources.get_source(source_id), load(schemas.SourcePatchSchema()))
    return jsonify(sources.source_dict(source))


@bp.post("/sources/<int:source_id>/rotate")
@doc("Give a source a new API key (the old one stops working)", tags=["sources"],
     response=schemas.SourceKeySchema)
@admin
def rotate_source_key(source_id: int):
    source = sources.get_source(source_id)
    with db.atomic():
        key = sources.rotate_key(source)
    return jsonify({**sources.source_dict(source), "api_key": key, "webhook_url": webhook_url(key)})


@bp.post("/sources/<int:source_id>/revoke")
@doc("Revoke a source's API key", tags=["sources"], response=schemas.SourceOutSchema)
@admin
def revoke_source_key(source_id: int):
    source = sources.get_source(source_id)
    sources.revoke_key(source)
    return jsonify(sources.source_dict(source))


def webhook_dict(webhook: Webhook, full: bool = False) -> dict:
    """A webhook as the API shows it; `full` adds payload, headers, trace and attachments."""
    out = {"id": webhook.id, "source_id": webhook.source_id, "status": webhook.status,
           "entity": webhook.entity, "received_at": webhook.received_at.isoformat() + "Z",
           "content_type": webhook.content_type, "errors": webhook.errors,
           "records": webhook.record_ids, "attempts": webhook.attempts,
           "process_version": webhook.process_version}
    if full:
        out.update(
            payload=webhook.payload, headers=masking.headers(webhook.headers or {}),
            query=masking.query(webhook.query or {}),
            client_addr=webhook.client_addr, idempotency_key=webhook.idempotency_key,
            body=bytes(webhook.body).decode("utf-8", "replace"), trace=webhook.trace,
            processed_at=webhook.processed_at.isoformat() + "Z" if webhook.processed_at else None,
            attachments=[{"field": a.field, "filename": a.filename,
                          "content_type": a.content_type, "size": a.size}
                         for a in Attachment.select(Attachment.field, Attachment.filename,
                                                    Attachment.content_type, Attachment.size)
                         .where(Attachment.webhook == webhook)])
    return out


@bp.get("/webhooks")
@doc("List received webhooks, newest first", tags=["webhooks"],
     query=schemas.WebhookQuerySchema, response=schemas.WebhookPageSchema)
@admin
def list_webhooks():
    args = schemas.WebhookQuerySchema().load(request.args.to_dict())
    items = [webhook_dict(w) for w in webhooks.find(**args)]
    return jsonify({"items": items,
                    "next_before": items[-1]["id"] if len(items) == args["limit"] else None})


@bp.get("/webhooks/<int:webhook_id>")
@doc("Get a webhook with its payload, trace and errors", tags=["webhooks"],
     response=schemas.WebhookDetailSchema)
@admin
def get_webhook(webhook_id: int):
    return jsonify(webhook_dict(webhooks.get_webhook(webhook_id), full=True))
