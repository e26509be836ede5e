"""REST API for sources and their keys, and the received webhooks."""

from __future__ import annotations

from core.auth import Role, require_role
from core.db import db
from core.http import Issued
from core.openapi import ApiBlueprint, ErrorSchema
from integrations.inbound import schemas, sources, webhooks
from integrations.inbound.models import Source, Webhook

bp = ApiBlueprint("integrations_api", __name__, url_prefix="/api/v1")
admin = require_role(Role.ADMIN)


@bp.get("/sources", tags=["sources"])
@admin
@bp.response(200, schemas.SourceListSchema)
def list_sources() -> dict:
    """List sources"""
    return {"items": Source.select().order_by(Source.id)}


@bp.post("/sources", tags=["sources"])
@admin
@bp.arguments(schemas.SourceSchema)
@bp.response(201, schemas.SourceKeySchema)
@bp.alt_response(409, schema=ErrorSchema)
def create_source(data: dict) -> Issued:
    """Create a source; its API key is in this answer only"""
    source, key = sources.create_source(**data)
    return Issued(source, {"api_key": key, "webhook_url": sources.webhook_url(key)})


@bp.get("/sources/<int:source_id>", tags=["sources"])
@admin
@bp.response(200, schemas.SourceSchema)
def get_source(source_id: int) -> Source:
    """Get a source"""
    return sources.get_source(source_id)


@bp.patch("/sources/<int:source_id>", tags=["sources"])
@admin
@bp.arguments(schemas.SourcePatchSchema)
@bp.response(200, schemas.SourceSchema)
def update_source(changes: dict, source_id: int) -> Source:
    """Rename a source or change how its webhooks are processed"""
    return sources.update_source(sources.get_source(source_id), changes)


@bp.post("/sources/<int:source_id>/rotate", tags=["sources"])
@admin
@bp.response(200, schemas.SourceKeySchema)
def rotate_source_key(source_id: int) -> Issued:
    """Give a source a new API key (the old one stops working)"""
    source = sources.get_source(source_id)
    with db.atomic():
        key = sources.rotate_key(source)
    return Issued(source, {"api_key": key, "webhook_url": sources.webhook_url(key)})


@bp.post("/sources/<int:source_id>/revoke", tags=["sources"])
@admin
@bp.response(200, schemas.SourceSchema)
def revoke_source_key(source_id: int) -> Source:
    """Revoke a source's API key"""
    source = sources.get_source(source_id)
    sources.revoke_key(source)
    return source


@bp.get("/webhooks", tags=["webhooks"])
@admin
@bp.arguments(schemas.WebhookQuerySchema, location="query")
@bp.response(200, schemas.WebhookPageSchema)
def list_webhooks(args: dict) -> dict:
    """List received webhooks, newest first"""
    items = list(webhooks.find(**args))
    return {"items": items, "next_before": items[-1].id if len(items) == args["limit"] else None}


@bp.get("/webhooks/<int:webhook_id>", tags=["webhooks"])
@admin
@bp.response(200, schemas.WebhookDetailSchema)
def get_webhook(webhook_id: int) -> Webhook:
    """Get a webhook with its payload, trace and errors"""
    return webhooks.get_webhook(webhook_id)
