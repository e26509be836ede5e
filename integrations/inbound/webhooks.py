"""Reading received webhooks: one by id, or a filtered page, newest first."""

from __future__ import annotations

import datetime as dt

import peewee

from core.db import get_or_404, naive_utc
from integrations.inbound.models import Source, Webhook


def get_webhook(webhook_id: int) -> Webhook:
    """The webhook with this id or NotFound."""
    return get_or_404(Webhook, Webhook.id == webhook_id,
                      message=f"Webhook {webhook_id} does not exist.")


def find(limit: int, status: str | None = None, source: int | None = None,
         since: dt.datetime | None = None, until: dt.datetime | None = None,
         before: int | None = None) -> peewee.ModelSelect:
    """Webhooks matching the filters, newest first; `before` pages on from an id."""
    query = (Webhook.select(Webhook, Source).join(Source)
             .order_by(Webhook.id.desc()).limit(limit))
    if status is not None:
        query = query.where(Webhook.status == status)
    if source is not None:
        query = query.where(Webhook.source == source)
    if since is not None:
        query = query.where(Webhook.received_at >= naive_utc(since))
    if until is not None:
        query = query.where(Webhook.received_at < naive_utc(until))
    if before is not None:
        query = query.where(Webhook.id < before)
    return query


def activity_by_source() -> dict[int, tuple[int, dt.datetime]]:
    """For each source that sent any: how many webhooks, and when the last one came."""
    rows = (Webhook.select(Webhook.source, peewee.fn.COUNT(Webhook.id), peewee.fn.MAX(Webhook.received_at))
            .group_by(Webhook.source).tuples())
    return {source_id: (count, last) for source_id, count, last in rows}
