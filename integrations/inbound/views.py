"""Pages: sources and their keys, the webhook inbox, a webhook's trace, reprocess."""

from __future__ import annotations

import marshmallow
from flask import flash, redirect, render_template, request, url_for

from core import masking, web
from integrations.inbound import schemas, sources, webhooks
from integrations.inbound.api import webhook_url
from integrations.inbound.models import Attachment, Source, WebhookStatus
from lookups.models import Entity
from processes import reprocess as reprocessing
from processes.models import FINISHED, Record

bp = web.views_blueprint("integrations_views", __name__)
INBOX_PAGE = 50


def _source_form() -> dict:
    return {"name": request.form.get("name", "").strip(), "deferred": web.checkbox("deferred"),
            "default_entity": request.form.get("default_entity") or None}


def _entity_codes() -> list[str]:
    return [e.code for e in Entity.select(Entity.code).order_by(Entity.code)]


def _sources_page(errors: dict | None = None, status: int = 200):
    return render_template("integrations/sources.html", sources=Source.select().order_by(Source.name),
                           entities=_entity_codes(), errors=errors or {}, form=request.form,
                           activity=webhooks.activity_by_source()), status


@bp.get("/sources")
def sources_list():
    return _sources_page()


@bp.post("/sources")
def create_source():
    try:
        data = schemas.SourceSchema().load(_source_form())
        source, key = sources.create_source(**data)
    except web.FORM_ERRORS as err:
        return _sources_page(web.form_errors(err), web.status_of(err))
    return _source_page(source, key=key, status=201)


def _source_page(source: Source, key: str | None = None, errors: dict | None = None,
                 status: int = 200):
    recent = webhooks.find(10, source=source.id)
    return render_template("integrations/source.html", source=source, key=key,
                           url=webhook_url(key) if key else None, errors=errors or {},
                           entities=_entity_codes(), recent=recent), status


@bp.get("/sources/<int:source_id>")
def source(source_id: int):
    return _source_page(sources.get_source(source_id))


@bp.post("/sources/<int:source_id>")
def update_source(source_id: int):
    source = sources.get_source(source_id)
    try:
        sources.update_source(source, schemas.SourcePatchSchema().load(_source_form()))
    except web.FORM_ERRORS as err:
        return _source_page(source, errors=web.form_errors(err), status=web.status_of(err))
    flash(f"Source {source.name} is saved.", "ok")
    return redirect(url_for("integrations_views.source", source_id=source.id))


@bp.post("/sources/<int:source_id>/rotate")
def rotate_key(source_id: int):
    source = sources.get_source(source_id)
    key = sources.rotate_key(source)
    return _source_page(source, key=key)


@bp.post("/sources/<int:source_id>/revoke")
def revoke_key(source_id: int):
    source = sources.get_source(source_id)
    sources.revoke_key(source)
    flash(f"The key of {source.name} is revoked; its webhooks now get 401.", "ok")
    return redirect(url_for("integrations_views.source", source_id=source.id))


@bp.get("/inbox")
def inbox():
    raw = {k: v for k, v in request.args.items() if v and k in schemas.WebhookQuerySchema().fields}
    errors: dict = {}
    try:
        args = schemas.WebhookQuerySchema().load({**raw, "limit": INBOX_PAGE})
    except marshmallow.ValidationError as err:
        errors, args = web.form_errors(err), {"limit": INBOX_PAGE}
    items = list(webhooks.find(**args))
    older = items[-1].id if len(items) == INBOX_PAGE else None
    return render_template("integrations/inbox.html", webhooks=items, filters=raw, errors=errors,
                           statuses=[s.value for s in WebhookStatus],
                           sources=Source.select().order_by(Source.name), older=older,
                           newest={k: v for k, v in raw.items() if k != "before"}), \
        400 if errors else 200


@bp.get("/inbox/<int:webhook_id>")
def webhook(webhook_id: int):
    hook = webhooks.get_webhook(webhook_id)
    attachments = (Attachment.select(Attachment.field, Attachment.filename, Attachment.content_type,
                                     Attachment.size).where(Attachment.webhook == hook))
    records = Record.select(Record.id, Record.entity).where(Record.id.in_(hook.record_ids or [""]))
    return render_template("integrations/webhook.html", webhook=hook, attachments=attachments,
                           records=records, body=bytes(hook.body).decode("utf-8", "replace"),
                           headers=masking.headers(hook.headers or {}),
                           query=masking.query(hook.query or {}),
                           reprocessable=hook.status in FINISHED)


@bp.post("/inbox/<int:webhook_id>/reprocess")
def reprocess(webhook_id: int):
    outcome = reprocessing.reprocess(webhook_id)
    changes = ", ".join(f"{r['id']} {r['change']}" for r in outcome["diff"]["records"])
    flash(f"Webhook #{webhook_id} was reprocessed: {outcome['status']}"
          f"{'; record ' + changes if changes else ''}.",
          "error" if outcome["status"] == WebhookStatus.FAILED.value else "ok")
    return redirect(url_for("integrations_views.webhook", webhook_id=webhook_id))
