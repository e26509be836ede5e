"""Workers process waiting webhooks in batches: claim, compute outside any lock, write at once."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

import peewee
from flask import current_app

from core import generation
from core.db import Writes, db, is_sqlite, utcnow
from integrations.inbound.models import Source, Webhook, WebhookStatus
from processes import runner

log = logging.getLogger(__name__)


def _unclaimed(grace_seconds: float) -> peewee.Query:
    cutoff = utcnow() - dt.timedelta(seconds=grace_seconds)
    return Webhook.select(Webhook.id).where(
        Webhook.status == WebhookStatus.RECEIVED.value,
        (Webhook.deferred == True) | (Webhook.received_at < cutoff))  # noqa: E712


def _waiting(size: int, grace_seconds: float) -> peewee.Query:
    query = _unclaimed(grace_seconds).order_by(Webhook.id).limit(size)
    # Workers on PostgreSQL never wait on each other: each takes rows no other has locked.
    return query if is_sqlite() else query.for_update("FOR UPDATE SKIP LOCKED")


def claim(size: int, grace_seconds: float) -> tuple[str, list[Webhook]]:
    """Mark up to `size` waiting webhooks as processing under one claim token; return them."""
    token = str(uuid.uuid4())
    if not _unclaimed(grace_seconds).exists():  # a read: an idle worker takes no write lock
        return token, []
    with db.atomic():
        claimed = list(Webhook.update(status=WebhookStatus.PROCESSING.value, claim=token,
                                      claimed_at=utcnow())
                       .where(Webhook.id.in_(_waiting(size, grace_seconds)))
                       .returning(Webhook).objects())
    if claimed:
        sources = {s.id: s for s in Source.select().where(
            Source.id.in_({w.source_id for w in claimed}))}
        for webhook in claimed:
            webhook.source = sources[webhook.source_id]
    return token, sorted(claimed, key=lambda w: w.id)


def _still_held(token: str, ids: list[int]) -> set[int]:
    """The webhooks of a claim no sweeper has released, locked until the transaction ends."""
    query = Webhook.select(Webhook.id).where(Webhook.id.in_(ids), Webhook.claim == token,
                                             Webhook.status == WebhookStatus.PROCESSING.value)
    return {row.id for row in (query if is_sqlite() else query.for_update())}


def process(token: str, claimed: list[Webhook]) -> int:
    """Run a claimed batch, then write every outcome in one transaction, the new records and
    the webhook rows each in one executemany; return how many."""
    outcomes = [runner.compute(webhook) for webhook in claimed]
    later = Writes()
    with db.atomic():
        held = _still_held(token, [w.id for w in claimed])
        for outcome in outcomes:
            if outcome.webhook.id in held:
                runner.settle(outcome)
                runner.record(outcome, later)
        later.flush()
    if len(held) < len(claimed):
        log.warning("%s webhook(s) of claim %s were released by the sweeper meanwhile",
                    len(claimed) - len(held), token)
    return len(held)


def drain() -> int:
    """Process waiting webhooks batch by batch until none is left; return how many."""
    config = current_app.config
    total = 0
    while True:
        # Each batch is a unit of work: an edit made meanwhile counts from the next batch on.
        generation.forget()
        token, claimed = claim(config["BATCH_SIZE"], config["INLINE_GRACE_SECONDS"])
        if not claimed:
            return total
        total += process(token, claimed)


def sweep() -> int:
    """Release claims older than the lease, so another worker takes their webhooks (periodic)."""
    lease = utcnow() - dt.timedelta(seconds=current_app.config["CLAIM_LEASE_SECONDS"])
    released = (Webhook.update(status=WebhookStatus.RECEIVED.value, claim=None, claimed_at=None)
                .where(Webhook.status == WebhookStatus.PROCESSING.value,
                       Webhook.claimed_at < lease).execute())
    if released:
        log.warning("sweeper released %s webhook(s) whose worker stopped mid-batch", released)
    return released
