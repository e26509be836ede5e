"""Reprocess finished webhooks through the current version, with a field-level diff of the outcome."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from core.db import naive_utc
from core.errors import Conflict, NotFound
from integrations.inbound.models import Webhook
from processes import runner


def field_diff(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any]:
    """{field: {"from", "to"}} for every field whose value differs."""
    before = before or {}
    return {code: {"from": before.get(code), "to": after.get(code)}
            for code in [*before, *(k for k in after if k not in before)]
            if before.get(code) != after.get(code)}


def diff(previous: Webhook, webhook: Webhook, written: list[dict[str, Any]]) -> dict[str, Any]:
    """What changed between a webhook's previous outcome and this run's."""
    records = []
    for item in written:
        fields = field_diff(item["before"], item["data"])
        change = item["action"] if item["action"] == "created" or fields else "unchanged"
        records.append({"id": item["id"], "entity": item["entity"], "role": item["role"],
                        "change": change, "fields": fields})
    records += [{"id": record_id, "change": "not written"}
                for record_id in previous.record_ids if record_id not in webhook.record_ids]
    return {"status": {"from": previous.status, "to": webhook.status},
            "version": {"from": previous.process_version, "to": webhook.process_version},
            "errors": {"from": previous.errors, "to": webhook.errors}, "records": records}


def reprocess(webhook_id: int) -> dict[str, Any]:
    """Run one finished webhook again; its records are updated, never duplicated."""
    previous = Webhook.get_or_none(Webhook.id == webhook_id)
    if previous is None:
        raise NotFound(f"Webhook {webhook_id} does not exist.")
    webhook, written = runner.rerun(webhook_id)
    if written is None:
        raise Conflict(f"Webhook {webhook_id} is {webhook.status}; only processed, no-record or "
                       "failed webhooks can be reprocessed.")
    return {"id": webhook_id, "status": webhook.status, "records": webhook.record_ids,
            "diff": diff(previous, webhook, written)}


def matching(filters: dict[str, Any]) -> Any:
    """The webhooks a bulk reprocess selects, by id."""
    query = Webhook.select(Webhook.id).where(Webhook.status == filters["status"],
                                             Webhook.id > filters.get("after", 0))
    if filters.get("source") is not None:
        query = query.where(Webhook.source == filters["source"])
    if filters.get("since") is not None:
        query = query.where(Webhook.received_at >= naive_utc(filters["since"]))
    if filters.get("until") is not None:
        query = query.where(Webhook.received_at < naive_utc(filters["until"]))
    return query.order_by(Webhook.id)


def reprocess_all(filters: dict[str, Any], batch: int = 100) -> Iterator[dict[str, Any]]:
    """Reprocess every matching webhook in id order, a batch of ids at a time."""
    after = filters.get("after", 0)
    while True:
        ids = [w.id for w in matching({**filters, "after": after}).limit(batch)]
        if not ids:
            return
        for webhook_id in ids:
            try:
                yield reprocess(webhook_id)
            except Conflict:
                continue
        after = ids[-1]


def reprocess_page(filters: dict[str, Any]) -> dict[str, Any]:
    """Reprocess up to `limit` matching webhooks after the `after` cursor; say where to go on."""
    query = matching(filters)
    total = query.count()
    ids = [w.id for w in query.limit(filters["limit"])]
    items = []
    for webhook_id in ids:
        try:
            items.append(reprocess(webhook_id))
        except Conflict:
            continue
    more = total > len(ids)
    return {"matched": total, "items": items, "next_after": ids[-1] if more else None}
