"""The dashboard's panels: webhooks over time, by status, recent errors; failing push connections."""

from __future__ import annotations

import datetime as dt

import peewee
from flask import request

from core.charts import stacked_bars
from core.db import is_sqlite, utcnow
from integrations.inbound.models import Source, Webhook, WebhookStatus
from integrations.push.connections import PushConnection
from integrations.push.delivery import Delivery, DeliveryStatus

RANGES = {"24h": ("hour", 24), "14d": ("day", 14), "90d": ("day", 90)}
RECENT_ERRORS = 8
SERIES = [WebhookStatus.PROCESSED.value, WebhookStatus.NO_RECORD.value, WebhookStatus.FAILED.value,
          WebhookStatus.RECEIVED.value, WebhookStatus.PROCESSING.value]


def _bucket(unit: str) -> peewee.Node:
    """received_at truncated to the hour or day, as the same text on both databases."""
    if is_sqlite():
        bucket = peewee.fn.strftime("%Y-%m-%d %H:00" if unit == "hour" else "%Y-%m-%d",
                                    Webhook.received_at)
    else:
        bucket = peewee.fn.to_char(Webhook.received_at,
                                   "YYYY-MM-DD HH24:00" if unit == "hour" else "YYYY-MM-DD")
    return bucket.coerce(False)


def received_over_time() -> dict:
    """Webhooks per hour (24h) or per day (14d, 90d), stacked by status."""
    chosen = request.args.get("range", "14d")
    unit, count = RANGES.get(chosen, RANGES["14d"])
    step = dt.timedelta(hours=1) if unit == "hour" else dt.timedelta(days=1)
    now = utcnow()
    end = now.replace(minute=0, second=0, microsecond=0)
    if unit == "day":
        end = end.replace(hour=0)
    starts = [end - step * i for i in range(count - 1, -1, -1)]
    fmt = "%Y-%m-%d %H:00" if unit == "hour" else "%Y-%m-%d"
    counts: dict[str, dict[str, int]] = {s.strftime(fmt): {} for s in starts}
    bucket = _bucket(unit)
    rows = (Webhook.select(bucket.alias("bucket"), Webhook.status, peewee.fn.COUNT(Webhook.id))
            .where(Webhook.received_at >= starts[0]).group_by(bucket, Webhook.status).tuples())
    for key, status, n in rows:
        if key in counts:
            counts[key][status] = n
    label = (lambda k: k[11:16]) if unit == "hour" else (lambda k: k[5:])
    buckets = [(label(k), c) for k, c in counts.items()]
    return {"chart": stacked_bars(buckets, SERIES), "ranges": list(RANGES),
            "range": chosen if chosen in RANGES else "14d",
            "total": sum(sum(c.values()) for c in counts.values())}


def status_counts() -> dict:
    """How many webhooks are in each status, and in all."""
    rows = dict(Webhook.select(Webhook.status, peewee.fn.COUNT(Webhook.id))
                .group_by(Webhook.status).tuples())
    counts = {s.value: rows.get(s.value, 0) for s in WebhookStatus}
    return {"counts": counts, "total": sum(counts.values())}


def recent_errors() -> dict:
    """The latest failed webhooks with their first error."""
    failed = (Webhook.select(Webhook.id, Webhook.received_at, Webhook.entity, Webhook.errors,
                             Source.name)
              .join(Source).where(Webhook.status == WebhookStatus.FAILED.value)
              .order_by(Webhook.id.desc()).limit(RECENT_ERRORS))
    return {"webhooks": [{"id": w.id, "received_at": w.received_at, "entity": w.entity,
                          "source": w.source.name, "error": (w.errors or [{}])[0],
                          "more": max(len(w.errors) - 1, 0)} for w in failed]}


def failing_connections() -> dict:
    """Push connections with failed deliveries, the latest failure first, with its error."""
    latest = peewee.fn.MAX(Delivery.updated_at)
    rows = (Delivery.select(Delivery.connection, peewee.fn.COUNT(Delivery.id), latest)
            .where(Delivery.status == DeliveryStatus.FAILED.value, Delivery.connection.is_null(False))
            .group_by(Delivery.connection).order_by(latest.desc()).limit(RECENT_ERRORS).tuples())
    failing = []
    for connection_id, count, last_at in rows:
        last = (Delivery.select(Delivery.last_code, Delivery.last_error)
                .where(Delivery.connection == connection_id,
                       Delivery.status == DeliveryStatus.FAILED.value)
                .order_by(Delivery.updated_at.desc(), Delivery.id.desc()).first())
        failing.append({"connection": PushConnection.get_by_id(connection_id), "failed": count,
                        "last_at": last_at, "code": last.last_code, "error": last.last_error})
    return {"connections": failing}
