"""Fan-out: turn waiting events into deliveries to every matching target, and send them."""

from __future__ import annotations

import datetime as dt
import logging
import time

import peewee
from flask import current_app

from core import generation, outbox
from core.db import Writes, db, is_sqlite, utcnow
from integrations.hubs.service import Hub, HubDestination
from integrations.push import subscribers
from integrations.push.connections import PushConnection
from integrations.push.delivery import (
    RETRY_JOB,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    lease_seconds,
    live_targets,
    run,
    sends_for,
    target_columns,
    target_where,
)
from integrations.push.events import FAN_OUT_JOB, Event

log = logging.getLogger(__name__)

MODELS = [Event, PushConnection, Hub, HubDestination, Delivery,
          DeliveryAttempt]
STALE_EVENT_SECONDS = 2


def kick() -> None:
    """Ask a worker to fan out waiting events, at most one pending fan-out job at a time."""
    outbox.kick(FAN_OUT_JOB)


def claim(limit: int) -> tuple[int, list[Delivery]]:
    """Turn up to `limit` waiting events into deliveries, in one transaction."""
    now = utcnow()
    with db.atomic():
        query = (Event.select().where(Event.fanned_out == False)  # noqa: E712
                 .order_by(Event.created_at).limit(limit))
        if not is_sqlite():
            query = query.for_update(skip_locked=True)
        events = list(query)
        if not events:
            return 0, []
        snapshot = subscribers.current()
        live = live_targets(t.key for t in snapshot.targets)
        lease = now + dt.timedelta(seconds=lease_seconds(current_app.config))
        writes = Writes()
        for e in events:
            for t in snapshot.targets:
                if t.key in live and t.matches(e):
                    writes.insert(Delivery(event=e.id, **target_columns(t), next_attempt_at=lease,
                                           created_at=now, updated_at=now))
        writes.flush()
        ids = [e.id for e in events]
        Event.update(fanned_out=True).where(Event.id.in_(ids)).execute()
        by_id = {e.id: e for e in events}
        deliveries = list(Delivery.select().where(Delivery.event.in_(ids)).order_by(Delivery.id))
    for d in deliveries:
        d.event = by_id[d.event_id]
    return len(events), deliveries


def fan_out() -> int:
    """Fan out waiting events batch by batch for a while; return the deliveries attempted."""
    config = current_app.config
    size = config["PUSH_BATCH_SIZE"]
    stop = time.monotonic() + config["PUSH_DRAIN_SECONDS"]
    total = 0
    while time.monotonic() < stop:
        # Each batch is a unit of work: an edit made meanwhile counts from the next batch on.
        generation.forget()
        claimed, deliveries = claim(size)
        if not claimed:
            break
        if claimed == size:
            # More may wait: let an idle worker start on the next batch meanwhile.
            kick()
        targets = subscribers.current().by_key
        total += len(run(sends_for([d for d in deliveries if d.target_key in targets], targets)))
    return total


def sweep() -> None:
    """Ask for a fan-out when events wait, and re-queue deliveries whose job was lost (periodic)."""
    config = current_app.config
    now = utcnow()
    stale = now - dt.timedelta(seconds=STALE_EVENT_SECONDS)
    cutoff = now - dt.timedelta(seconds=config["PUSH_RECOVER_GRACE_SECONDS"])
    lost = Delivery.status == DeliveryStatus.PENDING.value, Delivery.next_attempt_at < cutoff
    waiting = Event.select().where(Event.fanned_out == False, Event.created_at < stale).exists()  # noqa: E712
    groups = list(Delivery.select(peewee.fn.MIN(Delivery.id).alias("first"), Delivery.connection,
                                  Delivery.destination)
                  .where(*lost).group_by(Delivery.connection, Delivery.destination).limit(100))
    if not (waiting or groups):
        return
    with db.atomic():
        if waiting:
            kick()
        for g in groups:
            (Delivery.update(next_attempt_at=now, updated_at=now)
             .where(*lost, target_where(Delivery, g.target_key)).execute())
            outbox.add(RETRY_JOB, g.first)
    if groups:
        log.warning("re-queued the lost deliveries of %s target(s)", len(groups))
