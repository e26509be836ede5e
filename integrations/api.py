"""REST API for sources and their keys, and the received webhooks."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, jsonify, request, url_for

from core.auth import Role, require_role
from core.db import db, get_or_404
from core.http import load
from integrations import schemas, sources
from integrations.models import Attachment, Source, Webhook

bp = Blueprint("integrations_api", __name__, url_prefix="/api/v1")
admin = require_role(Role.ADMIN)


def webhook_url(key: str) -> str:
    """The URL a sender posts to."""
    return url_for("inbound.receive", api_key=key, _external=True)


def _naive_utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


@bp.get("/sources")
@admin
def list_sources():
    return jsonify({"items": [sources.source_dict(s) for s in Source.select().order_by(Source.id)]})


@bp.post("/sources")
@admin
def create_source():
    data = load(schemas.SourceSchema())
    source, key = sources.create_source(**data)
    return jsonify({**sources.source_dict(source), "api_key": key,
                    "webhook_url": webhook_url(key)}), 201


@bp.get("/sources/<int:source_id>")
@admin
def get_source(source_id: int):
    return jsonify(sources.source_dict(sources.get_source(source_id)))


@bp.patch("/sources/<int:source_id>")
@admin
def update_source(source_id: int):
    source = sources.get_source(source_id)
    for key, value in load(schemas.SourcePatchSchema()).items():
        setattr(source, key, value)
    source.save()
    return jsonify(sources.source_dict(source))


@bp.post("/sources/<int:source_id>/rotate")
@admin
def rotate_source_key(source_id: int):
    source = sources.get_source(source_id)
    with db.atomic():
        key = sources.rotate_key(source)
    return jsonify({**sources.source_dict(source), "api_key": key, "webhook_url": webhook_url(key)})


@bp.post("/sources/<int:source_id>/revoke")
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
            payload=webhook.payload, headers=webhook.headers, query=webhook.query,
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
@admin
def list_webhooks():
    args = schemas.WebhookQuerySchema().load(request.args.to_dict())
    query = Webhook.select().order_by(Webhook.id.desc()).limit(args["limit"])
    if "status" in args:
        query = query.where(Webhook.status == args["status"])
    if "source" in args:
        query = query.where(Webhook.source == args["source"])
    if "since" in args:
        query = query.where(Webhook.received_at >= _naive_utc(args["since"]))
    if "until" in args:
        query = query.where(Webhook.received_at < _naive_utc(args["until"]))
    if "before" in args:
        query = query.where(Webhook.id < args["before"])
    items = [webhook_dict(w) for w in query]
    return jsonify({"items": items,
                    "next_before": items[-1]["id"] if len(items) == args["limit"] else None})


@bp.get("/webhooks/<int:webhook_id>")
@admin
def get_webhook(webhook_id: int):
    webhook = get_or_404(Webhook, Webhook.id == webhook_id,
                         message=f"Webhook {webhook_id} does not exist.")
    return jsonify(webhook_dict(webhook, full=True))
