"""Events hookhub reports outward, written in the transaction that caused them."""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from enum import StrEnum
from typing import Any

import peewee
from flask import g, has_request_context

from core import outbox
from core.db import BaseModel, JSONField, Writes, utcnow
from integrations.inbound.models import Source, Webhook, WebhookStatus
from integrations.push import subscribers

log = logging.getLogger(__name__)
FAN_OUT_JOB = "integrations.push.jobs.fan_out"
CUSTOM_TYPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
RESERVED_PREFIXES = ("webhook.", "record.")
MAX_TYPE_LENGTH = 100
HUB_HEADER = "x-hookhub-hub"


class EventType(StrEnum):
    WEBHOOK_RECEIVED = "webhook.received"
    WEBHOOK_PROCESSED = "webhook.processed"
    WEBHOOK_FAILED = "webhook.failed"
    RECORD_CREATED = "record.created"
    RECORD_UPDATED = "record.updated"
    PING = "ping"


class Event(BaseModel):
    """One thing that happened; its id is the webhook-id of every delivery of it."""

    id = peewee.CharField(max_length=40, primary_key=True)
    type = peewee.CharField(max_length=MAX_TYPE_LENGTH)
    data = JSONField()
    webhook = peewee.ForeignKeyField(Webhook, null=True, on_delete="SET NULL")
    source = peewee.ForeignKeyField(Source, null=True, on_delete="SET NULL")
    entity = peewee.CharField(max_length=100, null=True)
    hub = peewee.CharField(max_length=64, null=True)
    actor = peewee.CharField(max_length=100, null=True)
    created_at = peewee.DateTimeField(default=utcnow, index=True)
    fanned_out = peewee.BooleanField(default=False)

    class Meta:
        indexes = ((("fanned_out", "created_at"), False),)

    def timestamp(self) -> str:
        """created_at as ISO 8601 UTC with milliseconds."""
        return self.created_at.isoformat(timespec="milliseconds") + "Z"


def type_problem(name: str) -> str | None:
    """Why a name cannot be a subscribable event type, or None when it can."""
    if not isinstance(name, str) or not name:
        return "must be a non-empty string"
    if name == EventType.PING:
        return "'ping' is only sent by connectivity tests"
    if name in set(EventType):
        return None
    if name.startswith(RESERVED_PREFIXES):
        return f"'{name[:MAX_TYPE_LENGTH]}' is not one of hookhub's webhook.* and record.* events"
    if custom_type_problem(name):
        return (f"unknown event type '{name[:MAX_TYPE_LENGTH]}'; use a standard type or a custom "
                "one like 'lead.qualified' (lower case, dot-separated)")
    return None


def custom_type_problem(name: Any) -> str | None:
    """Why a name cannot be a custom event type (lower-case words joined by dots, none of
    hookhub's own), the kind a rule emits, or None when it can."""
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_TYPE_LENGTH:
        return f"Length must be between 1 and {MAX_TYPE_LENGTH}."
    if name in set(EventType) or name.startswith(RESERVED_PREFIXES):
        return f"Event type '{name}' is reserved for hookhub's own events."
    if not CUSTOM_TYPE.match(name):
        return "An event type is lower-case words joined by dots, e.g. lead.hot."
    return None


def new_id() -> str:
    """A random event id, used as the webhook-id header."""
    return f"evt_{uuid.uuid4().hex}"


def _actor() -> str | None:
    token = g.get("api_token") if has_request_context() else None
    return token.name if token is not None else None


def emit_all(items: list[tuple[str, dict[str, Any], str | None]], webhook: Webhook | None = None,
             wanted: frozenset[str] | None = None) -> int:
    """Record events (type, data, entity) that someone subscribes to, and ask for a fan-out."""
    wanted = subscribers.current().types if wanted is None else wanted
    items = [item for item in items if item[0] in wanted]
    if not items:
        return 0
    now, hub, actor = utcnow(), selected_hub(webhook) if webhook else None, _actor()
    # Distinct timestamps keep the order of the items in the order of delivery.
    writes = Writes()
    for i, (kind, data, entity) in enumerate(items):
        writes.insert(Event(id=new_id(), type=kind, data=data, entity=entity,
                            webhook=webhook.id if webhook else None,
                            source=webhook.source_id if webhook else None, hub=hub, actor=actor,
                            created_at=now + dt.timedelta(microseconds=i), fanned_out=False))
    writes.flush()
    outbox.kick(FAN_OUT_JOB)
    return len(items)


def emit(kind: str, data: dict[str, Any], webhook: Webhook | None = None,
         entity: str | None = None) -> int:
    """Record one event in the caller's transaction (nothing when nobody subscribes to it)."""
    return emit_all([(kind, data, entity)], webhook)


def selected_hub(webhook: Webhook) -> str | None:
    """The hub a webhook names for its events: payload hubs.events, or X-Hookhub-Hub."""
    hubs = webhook.payload.get("hubs") if isinstance(webhook.payload, dict) else None
    name = hubs.get("events") if isinstance(hubs, dict) else None
    if not isinstance(name, str):
        name = next((v for k, v in (webhook.headers or {}).items() if k.lower() == HUB_HEADER), None)
    return name[:64] if isinstance(name, str) and name else None


def webhook_meta(webhook: Webhook) -> dict[str, Any]:
    """What every webhook event says about its webhook."""
    return {"id": webhook.id, "status": webhook.status, "entity": webhook.entity,
            "received_at": webhook.received_at.isoformat(timespec="milliseconds") + "Z",
            "content_type": webhook.content_type}


def source_meta(webhook: Webhook) -> dict[str, Any]:
    """What every webhook event says about its source."""
    return {"id": webhook.source_id, "name": webhook.source.name}


def webhook_received(webhook: Webhook) -> None:
    """Emit webhook.received for a webhook just stored."""
    wanted = subscribers.current().types
    if EventType.WEBHOOK_RECEIVED in wanted:
        # As it was received: an inline webhook is stored with its outcome in one write.
        meta = {**webhook_meta(webhook), "status": WebhookStatus.RECEIVED.value, "entity": None}
        emit_all([(EventType.WEBHOOK_RECEIVED, {"webhook": meta,
                                                "source": source_meta(webhook),
                                                "payload": webhook.payload}, None)],
                 webhook, wanted)


def process_outcome(webhook: Webhook, written: list[dict[str, Any]],
                    custom: list[dict[str, Any]]) -> None:
    """Emit what processing a webhook produced: its outcome, its records, its custom events."""
    wanted = subscribers.current().types
    if not wanted:
        return
    base = {"webhook": webhook_meta(webhook), "source": source_meta(webhook)}
    items = _record_events(written, base, wanted)
    for item in custom:
        kind = item.get("type")
        if custom_type_problem(kind):
            log.warning("webhook %s: custom event type %r refused", webhook.id, kind)
            continue
        items.append((kind, {**base, "custom": item.get("data") or {}}, webhook.entity))
    if webhook.status == WebhookStatus.FAILED:
        items.append((EventType.WEBHOOK_FAILED, {**base, "errors": webhook.errors}, webhook.entity))
    else:
        summary = [{k: w.get(k) for k in ("id", "entity", "role", "action")} for w in written]
        items.append((EventType.WEBHOOK_PROCESSED, {**base, "records": summary}, webhook.entity))
    emit_all(items, webhook, wanted)


def _record_events(written: list[dict[str, Any]], base: dict[str, Any], wanted: frozenset[str]
                   ) -> list[tuple[str, dict[str, Any], str | None]]:
    """record.created / record.updated for each record written (updates carry the previous data)."""
    kinds = {"created": EventType.RECORD_CREATED, "updated": EventType.RECORD_UPDATED}
    out = []
    for w in written:
        kind = kinds[w["action"]]
        if kind not in wanted:
            continue
        record = {"id": w["id"], "entity": w["entity"], "data": w["data"]}
        if kind == EventType.RECORD_UPDATED:
            record["previous"] = w["before"]
        out.append((kind, {"record": record, **base}, w["entity"]))
    return out
