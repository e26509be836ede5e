"""Store a received webhook durably, once, before anything else happens to it."""

from __future__ import annotations

import datetime as dt
import logging

import peewee
from flask import current_app

from core.db import db, insert_row, utcnow
from integrations.inbound.models import Attachment, IdempotencyKey, Source, Webhook
from integrations.inbound.payloads import Incoming
from integrations.push import events
from processes import runner

log = logging.getLogger(__name__)


def _replay(source: Source, key: str) -> Webhook | None:
    window = dt.timedelta(seconds=current_app.config["IDEMPOTENCY_WINDOW_SECONDS"])
    seen = IdempotencyKey.get_or_none(IdempotencyKey.source == source, IdempotencyKey.key == key)
    if seen is None or seen.created_at < utcnow() - window:
        return None
    return Webhook.get_by_id(seen.webhook_id)


def _store(source: Source, incoming: Incoming) -> Webhook:
    webhook = insert_row(Webhook(
        source=source, content_type=incoming.content_type[:200], headers=incoming.headers,
        query=incoming.query, body=incoming.body, client_addr=incoming.client_addr,
        payload=incoming.payload, idempotency_key=incoming.idempotency_key,
        deferred=source.deferred))
    if incoming.attachments:
        Attachment.insert_many([{**a, "webhook": webhook} for a in incoming.attachments]).execute()
    if incoming.idempotency_key:
        IdempotencyKey.delete().where(IdempotencyKey.source == source,
                                      IdempotencyKey.key == incoming.idempotency_key).execute()
        IdempotencyKey.create(source=source, key=incoming.idempotency_key, webhook=webhook)
    events.webhook_received(webhook)
    return webhook


def accept(source: Source, incoming: Incoming) -> tuple[Webhook, bool]:
    """Commit the raw webhook (or find the first one with the same key); True when replayed."""
    key = incoming.idempotency_key
    try:
        with db.atomic():
            first = _replay(source, key) if key else None
            if first is not None:
                return first, True
            webhook = _store(source, incoming)
    except peewee.IntegrityError:
        first = _replay(source, key) if key else None
        if first is None:
            raise
        return first, True
    log.info("webhook %s stored for source %s", webhook.id, source.id)
    if webhook.deferred:
        runner.kick()
    return webhook, False


def purge_idempotency_keys() -> int:
    """Forget idempotency keys older than the window (periodic)."""
    window = dt.timedelta(seconds=current_app.config["IDEMPOTENCY_WINDOW_SECONDS"])
    return IdempotencyKey.delete().where(IdempotencyKey.created_at < utcnow() - window).execute()
