"""Writing and reading records."""

from __future__ import annotations

from typing import Any

from core.db import Prepared, insert_row, utcnow
from core.errors import NotFound
from integrations.models import Webhook
from processes.models import Record

_BY_ID = Prepared(lambda record_id: Record.select().where(Record.id == record_id))


def write(records: list[dict[str, Any]], webhook: Webhook) -> list[dict[str, Any]]:
    """Insert each record, or update the one with the same Id; return what was done."""
    done = []
    for item in records:
        record_id = item["data"]["Id"]
        found = _BY_ID.models(Record, record_id)
        existing = found[0] if found else None
        if existing is None:
            insert_row(Record(id=record_id, entity=item["entity"], data=item["data"],
                              webhook=webhook, source=webhook.source_id))
            done.append({"id": record_id, "entity": item["entity"], "action": "created"})
        else:
            existing.data = {**existing.data, **item["data"]}
            existing.webhook, existing.updated_at = webhook, utcnow()
            existing.save()
            done.append({"id": record_id, "entity": existing.entity, "action": "updated"})
    return done


def get_record(record_id: str) -> Record:
    """The record with this id or NotFound."""
    record = Record.get_or_none(Record.id == record_id)
    if record is None:
        raise NotFound(f"Record '{record_id}' does not exist.")
    return record


def record_dict(record: Record) -> dict[str, Any]:
    """A record as the API shows it."""
    return {"id": record.id, "entity": record.entity, "data": record.data,
            "webhook_id": record.webhook_id, "source_id": record.source_id,
            "created_at": record.created_at.isoformat() + "Z",
            "updated_at": record.updated_at.isoformat() + "Z"}
