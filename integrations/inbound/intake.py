"""Store a received webhook durably, once, before anything else happens to it."""

from __future__ import annotations

import datetime as dt
import logging

import peewee
from flask import current_app

from core.db import db, insert_row, utcnow
from core.outages import DATABASE_ERRORS, database_down
from integrations.inbound.models import Attachment, IdempotencyKey, Source, Webhook, WebhookStatus
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


def _new(source: Source, incoming: Incoming) -> Webhook:
    return Webhook(source=source, content_type=incoming.content_type[:200],
                   headers=incoming.headers, query=incoming.query, body=incoming.body,
                   client_addr=incoming.client_addr, payload=incoming.payload,
                   idempotency_key=incoming.idempotency_key, deferred=source.deferred,
                   received_at=utcnow(), status=WebhookStatus.RECEIVED.value, trace=[],
                   errors=[], record_ids=[], attempts=0)


def _store(webhook: Webhook, incoming: Incoming) -> None:
    insert_row(webhook)
    if incoming.attachments:
        Attachment.insert_many([{**a, "webhook": webhook} for a in incoming.attachments]).execute()
    if incoming.idempotency_key:
        IdempotencyKey.delete().where(IdempotencyKey.source == webhook.source_id,
                                      IdempotencyKey.key == incoming.idempotency_key).execute()
        IdempotencyKey.create(source=webhook.source_id, key=incoming.idempotency_key,
                              webhook=webhook)
    events.webhook_received(webhook)


def _commit(source: Source, incoming: Incoming, webhook: Webhook,
            outcome: runner.Outcome | None) -> tuple[Webhook, bool]:
    """Store a webhook (with its outcome when given) in one transaction, or find the first one
    with the same idempotency key; True when replayed."""
    key = incoming.idempotency_key
    try:
        with db.atomic():
            first = _replay(source, key) if key else None
            if first is not None:
                return first, True
            if outcome is not None:
                runner.settle(outcome)
            _store(webhook, incoming)
            if outcome is not None:
                runner.record(outcome)
    except peewee.IntegrityError:
        first = _replay(source, key) if key else None
        if first is None:
            raise
        return first, True
    return webhook, False


def accept(source: Source, incoming: Incoming) -> tuple[Webhook, bool]:
    """Store a webhook for the workers; True when it replays an earlier one."""
    webhook, replayed = _commit(source, incoming, _new(source, incoming), None)
    if not replayed:
        log.info("webhook %s stored for source %s", webhook.id, source.id)
    return webhook, replayed


def process_now(source: Source, incoming: Incoming) -> tuple[Webhook, bool]:
    """Run the process, then store the webhook and its outcome in one transaction, so nothing
    is answered before both are committed; True when it replays an earlier one.

    When writing the outcome fails (not the database), the webhook is stored alone as received
    and a worker processes it after the grace.
    """
    webhook = _new(source, incoming)
    outcome = runner.compute(webhook, incoming.attachments)
    try:
        webhook, replayed = _commit(source, incoming, webhook, outcome)
    except Exception as exc:
        if isinstance(exc, DATABASE_ERRORS) and database_down(exc):
            raise
        log.exception("webhook of source %s: its outcome could not be written; stored for a "
                      "worker", source.id)
        webhook, replayed = _commit(source, incoming, _new(source, incoming), None)
    if not replayed:
        log.info("webhook %s processed for source %s: %s", webhook.id, source.id, webhook.status)
    return webhook, replayed


def purge_idempotency_keys() -> int:
    """Forget idempotency keys older than the window (periodic)."""
    window = dt.timedelta(seconds=current_app.config["IDEMPOTENCY_WINDOW_SECONDS"])
    return IdempotencyKey.delete().where(IdempotencyKey.created_at < utcnow() - window).execute()
