"""Run webhooks through the process: inline after intake, in batches for deferred sources."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from flask import current_app

from core import outbox
from core.db import db, utcnow
from core.errors import Conflict, NotFound
from integrations.models import Attachment, Webhook, WebhookStatus
from processes import pipeline, records
from processes.context import Context

log = logging.getLogger(__name__)
DRAIN_JOB = "processes.jobs.drain"
REPROCESSABLE = (WebhookStatus.FAILED, WebhookStatus.NO_RECORD)


def context_for(webhook: Webhook) -> Context:
    """A fresh pipeline context for a stored webhook."""
    attachments = [{"field": a.field, "filename": a.filename, "content_type": a.content_type,
                    "size": a.size} for a in
                   Attachment.select(Attachment.field, Attachment.filename,
                                     Attachment.content_type, Attachment.size)
                   .where(Attachment.webhook == webhook)] if webhook.content_type.startswith(
                       "multipart/") else []
    return Context(payload=webhook.payload, attachments=attachments,
                   source_name=webhook.source.name, default_entity=webhook.source.default_entity)


def _outcome(ctx: Context) -> WebhookStatus:
    if ctx.errors:
        return WebhookStatus.FAILED
    if ctx.halted or not ctx.records:
        return WebhookStatus.NO_RECORD
    return WebhookStatus.PROCESSED


def _run(webhook: Webhook) -> None:
    ctx = pipeline.run(context_for(webhook), pipeline.default_definition())
    status = _outcome(ctx)
    written = records.write(ctx.records, webhook) if status is WebhookStatus.PROCESSED else []
    if ctx.halted:
        ctx.trace.append({"step": "result", "ok": True, "reason": ctx.halted})
    webhook.status = status.value
    webhook.entity = ctx.entity.code if ctx.entity else None
    webhook.trace, webhook.errors = ctx.trace, ctx.errors
    webhook.record_ids = [r["id"] for r in written]
    webhook.attempts += 1
    webhook.claim = webhook.claimed_at = None
    webhook.processed_at = utcnow()
    webhook.save()


def _claim_and_run(webhook_id: int, statuses: tuple[WebhookStatus, ...]) -> tuple[Webhook, bool]:
    with db.atomic():
        taken = (Webhook.update(status=WebhookStatus.PROCESSING.value, claimed_at=utcnow())
                 .where(Webhook.id == webhook_id,
                        Webhook.status.in_([s.value for s in statuses])).execute())
        webhook = Webhook.get_by_id(webhook_id)
        if taken:
            _run(webhook)
    outbox.flush()
    return webhook, bool(taken)


def process_webhook(webhook_id: int) -> Webhook:
    """Process one received webhook now, unless another worker holds it."""
    return _claim_and_run(webhook_id, (WebhookStatus.RECEIVED,))[0]


def reprocess(webhook_id: int) -> Webhook:
    """Run a failed or no-record webhook through the process again, now.

    Its records are written by Id as on the first run, so a record that exists is updated,
    never duplicated.
    """
    if not Webhook.select().where(Webhook.id == webhook_id).exists():
        raise NotFound(f"Webhook {webhook_id} does not exist.")
    webhook, taken = _claim_and_run(webhook_id, REPROCESSABLE)
    if not taken:
        raise Conflict(f"Webhook {webhook_id} is {webhook.status}; only failed or no-record "
                       "webhooks can be reprocessed.")
    log.info("webhook %s reprocessed: %s", webhook_id, webhook.status)
    return webhook


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
        outbox.flush()
        log.info("drained %s webhook(s) under claim %s", len(ids), token)


def kick() -> None:
    """Ask a worker to drain, at most one pending drain job at a time."""
    outbox.add(DRAIN_JOB, unique=True)


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
    outbox.flush()
    if released:
        log.warning("sweeper released %s webhook(s) whose worker stopped mid-batch", released)
    return released
