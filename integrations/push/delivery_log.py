"""Reading and purging the delivery log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import peewee
from flask import current_app

from core.db import utcnow
from integrations.push.delivery import Delivery, DeliveryAttempt, DeliveryStatus
from integrations.push.events import Event


def _naive_utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


FILTERS = {
    "status": lambda v: DeliveryAttempt.succeeded == (v == "succeeded"),
    "event_type": lambda v: DeliveryAttempt.event_type == v,
    "since": lambda v: DeliveryAttempt.created_at >= _naive_utc(v),
    "until": lambda v: DeliveryAttempt.created_at < _naive_utc(v),
    "before": lambda v: DeliveryAttempt.id < v,
}


def attempts(where: peewee.Expression, filters: dict[str, Any]) -> list[DeliveryAttempt]:
    """Log rows, newest first, filtered by status, event type and time; keyset-paged by id."""
    conditions = [where, *(make(filters[key]) for key, make in FILTERS.items() if key in filters)]
    # Delivery.id is selected too: a joined row without it reads delivery_id as None.
    return list(DeliveryAttempt.select(DeliveryAttempt, Delivery.id, Delivery.status).join(Delivery)
                .where(*conditions).order_by(DeliveryAttempt.id.desc()).limit(filters["limit"]))


def page(where: peewee.Expression, filters: dict[str, Any]) -> dict[str, Any]:
    """One page of the log under a filter, with the cursor of the next page."""
    rows = attempts(where, filters)
    return {"items": rows, "next_before": rows[-1].id if len(rows) == filters["limit"] else None}


def purge(days: float | None = None) -> tuple[int, int]:
    """Delete log rows older than the retention, and settled events as old; return both counts."""
    days = current_app.config["PUSH_LOG_RETENTION_DAYS"] if days is None else days
    cutoff = utcnow() - dt.timedelta(days=days)
    logged = DeliveryAttempt.delete().where(DeliveryAttempt.created_at < cutoff).execute()
    pending = (Delivery.select(Delivery.id)
               .where(Delivery.event == Event.id, Delivery.status == DeliveryStatus.PENDING.value))
    events = (Event.delete().where(Event.created_at < cutoff, Event.fanned_out == True,  # noqa: E712
                                   ~peewee.fn.EXISTS(pending)).execute())
    return logged, events
