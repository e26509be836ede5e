"""Run webhooks through the process: inline after intake, in batches for deferred sources."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from flask import current_app

from core import generation, outbox
from core.db import Prepared, db, update_row, utcnow
from core.outages import DATABASE_ERRORS, database_down
from integrations.inbound.models import Attachment, Webhook, WebhookStatus
from integrations.push import events
from processes import definitions, pipeline, records
from processes.context import Context
from processes.models import FINISHED, Record
from processes.steps import dedupe, resolve

log = logging.getLogger(__name__)
DRAIN_JOB = "processes.jobs.drain"


def context_for(webhook: Webhook) -> Context:
    """A fresh pipeline context for a stored webhook (with the records it wrote, if rerun)."""
    attachments = [{"field": a.field, "filename": a.filename, "content_type": a.content_type,
                    "size": a.size} for a in
                   Attachment.select(Attachment.field, Attachment.filename,
                                     Attachment.content_type, Attachment.size)
                   .where(Attachment.webhook == webhook)] if webhook.content_type.startswith(
                       "multipart/") else []
    previous = []
    if webhook.attempts:
        # A rerun updates the records the webhook wrote before instead of adding new ones.
        entities = dict(Record.select(Record.id, Record.entity)
                        .where((Record.webhook == webhook) | Record.id.in_(webhook.record_ids))
                        .tuples())
        ordered = [i for i in webhook.record_ids if i in entities]
        ordered += sorted(set(entities) - set(ordered))
        previous = [{"id": i, "entity": entities[i]} for i in ordered]
    return Context(payload=webhook.payload, attachments=attachments,
                   source_name=webhook.source.name, default_entity=webhook.source.default_entity,
                   source_id=webhook.source_id, webhook_id=webhook.id,
                   content_type=webhook.content_type, idempotency_key=webhook.idempotency_key,
                   received_at=webhook.received_at, previous=previous)


def _write(ctx: Context, webhook: Webhook) -> list[dict[str, Any]]:
    if ctx.lookup_rows:
        resolve.write_rows(ctx.lookup_rows)
    return records.write(ctx.records, webhook)


def _run(webhook: Webhook) -> list[dict[str, Any]]:
    generation.forget()
    process = definitions.for_source(webhook.source_id)
    ctx = pipeline.run(context_for(webhook), process)
    status = pipeline.outcome(ctx)
    written = _write(ctx, webhook) if status is WebhookStatus.PROCESSED else []
    dedupe.remember(ctx, webhook.id)
    webhook.status = status.value
    webhook.entity = ctx.entity.code if ctx.entity else None
    webhook.process_version = process.version_id
    webhook.trace, webhook.errors = ctx.trace, ctx.errors
    webhook.record_ids = [r["id"] for r in written]
    webhook.attempts += 1
    webhook.claim = webhook.claimed_at = None
    webhook.processed_at = utcnow()
    # Only what the process changed: the raw request (body, headers, payload) is not rewritten.
    update_row(webhook, webhook.dirty_fields)
    events.process_outcome(webhook, written, ctx.events)
    return written


_CLAIM_ONE = Prepared(lambda status, now, webhook_id, waiting: Webhook.update(
    status=status, claimed_at=now).where(Webhook.id == webhook_id, Webhook.status == waiting))


def process_webhook(webhook_id: int, received: Webhook | None = None) -> Webhook:
    """Process one received webhook now, unless another worker holds it.

    Intake passes the row it has just stored as `received`, which saves reading it back. If
    the database fails meanwhile, that webhook is answered as still received: it is stored, so
    the sender must not send it again, and the sweeper hands it to a worker after the grace.
    """
    try:
        with db.atomic():
            taken = _CLAIM_ONE.execute(WebhookStatus.PROCESSING.value, utcnow(), webhook_id,
                                       WebhookStatus.RECEIVED.value).rowcount
            webhook = received if taken and received is not None else Webhook.get_by_id(webhook_id)
            if taken:
                _run(webhook)
    except DATABASE_ERRORS as exc:
        if received is None or not database_down(exc):
            raise
        log.warning("webhook %s stored but not processed, the database failed (%s); a worker "
                    "will process it", webhook_id, type(exc).__name__)
        return Webhook(id=webhook_id, source=received.source_id, deferred=received.deferred,
                       status=WebhookStatus.RECEIVED.value, errors=[], record_ids=[])
    return webhook


def rerun(webhook_id: int) -> tuple[Webhook, list[dict[str, Any]] | None]:
    """Run a finished webhook again through its process's current version; None when it is
    not finished (received or being processed)."""
    with db.atomic():
        taken = (Webhook.update(status=WebhookStatus.PROCESSING.value, claimed_at=utcnow())
                 .where(Webhook.id == webhook_id, Webhook.status.in_(FINISHED)).execute())
        webhook = Webhook.get_by_id(webhook_id)
        written = _run(webhook) if taken else None
    return webhook, written


def claim_batch(size: int, grace_seconds: float) -> tuple[str, list[int]]:
    """Mark up to `size` waiting webhooks as processing under one claim token."""
    token = str(uuid.uuid4())
    cutoff = utcnow() - dt.timedelta(seconds=grace_seconds)
    waiting = (Webhook.select(Webhook.id)
               .where(Webhook.status == WebhookStatus.RECEIVED.value,
                      (Webhook.deferred == True) | (Webhook.received_at < cutoff))  # noqa: E712
               .order_by(Webhook.id).limit(size))
    with db.atomic():
        (Webhook.update(status=WebhookStatus.PROCESSING.value, claim=token, claimed_at=utcnow())
         .where(Webhook.id.in_(waiting), Webhook.status == WebhookStatus.RECEIVED.value)
         .execute())
    ids = [w.id for w in Webhook.select(Webhook.id).where(Webhook.claim == token)]
    return token, ids


def process_claimed(webhook_id: int, token: str) -> bool:
    """Process a webhook this worker claimed; False when the claim was lost to the sweeper."""
    with db.atomic():
        held = (Webhook.update(claimed_at=utcnow())
                .where(Webhook.id == webhook_id, Webhook.claim == token,
                       Webhook.status == WebhookStatus.PROCESSING.value).execute())
        if not held:
            return False
        _run(Webhook.get_by_id(webhook_id))
    return True


def drain() -> int:
    """Process waiting webhooks in batches until none is left; return how many."""
    config = current_app.config
    total = 0
    while True:
        token, ids = claim_batch(config["BATCH_SIZE"], config["INLINE_GRACE_SECONDS"])
        if not ids:
            return total
        for webhook_id in ids:
            total += process_claimed(webhook_id, token)
        log.info("drained %s webhook(s) under claim %s", len(ids), token)


def kick() -> None:
    """After commit, ask a worker to drain; at most one drain job waits at a time."""
    outbox.kick(DRAIN_JOB)


def sweep() -> int:
    """Release claims older than the lease and ask for a drain when webhooks wait."""
    config = current_app.config
    lease = utcnow() - dt.timedelta(seconds=config["CLAIM_LEASE_SECONDS"])
    grace = utcnow() - dt.timedelta(seconds=config["INLINE_GRACE_SECONDS"])
    with db.atomic():
        released = (Webhook.update(status=WebhookStatus.RECEIVED.value, claim=None,
                                   claimed_at=None)
                    .where(Webhook.status == WebhookStatus.PROCESSING.value,
                           Webhook.claimed_at < lease).execute())
        waiting = (Webhook.select().where(
            Webhook.status == WebhookStatus.RECEIVED.value,
            (Webhook.deferred == True) | (Webhook.received_at < grace))  # noqa: E712
            .exists())
    if waiting:
        kick()
    if released:
        log.warning("sweeper released %s webhook(s) whose worker stopped mid-batch", released)
    return released
