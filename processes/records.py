"""Records: where each one goes (new, matched by key fields, or kept by Id), writing, reading."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import peewee

from core.db import Prepared, Writes, db, get_or_404, insert_row, utcnow
from integrations.inbound.models import Webhook
from processes.models import Record, RecordKey

_ENTITY_OF = Prepared(lambda record_id: Record.select(Record.entity).where(Record.id == record_id))


def key_of(fields: list[str], data: dict[str, Any]) -> tuple[str, str] | None:
    """The (fields, digest) index key of a record's key fields, or None when one is empty.

    Text is compared trimmed and case-folded, so "Ada@Example.com " matches "ada@example.com".
    """
    values = []
    for code in sorted(fields):
        value = data.get(code)
        if value is None or value == "":
            return None
        values.append(value.strip().casefold() if isinstance(value, str) else value)
    text = json.dumps(values, separators=(",", ":"), sort_keys=True, default=str)
    return ",".join(sorted(fields)), hashlib.sha256(text.encode()).hexdigest()


def find_by_key(entity: str, key: tuple[str, str]) -> str | None:
    """The id of the record of `entity` indexed under a key, or None."""
    return (RecordKey.select(RecordKey.record)
            .where(RecordKey.entity == entity, RecordKey.fields == key[0], RecordKey.digest == key[1])
            .scalar())


def place(item: dict[str, Any], previous: list[dict[str, Any]]) -> dict[str, Any]:
    """Decide, reading only, whether a record to write is new or updates one; set its Id.

    In order: a record matched on the upsert key fields; the Id the payload gave; the record
    this webhook wrote before (when it is reprocessed); else a new Id.
    """
    data, entity = item["data"], item["entity"]
    note: dict[str, Any] = {}
    if item.get("upsert"):
        key = key_of(item["upsert"], data)
        found = find_by_key(entity, key) if key else None
        if found:
            data["Id"] = found
            return {"action": "update", "matched_on": {f: data[f] for f in item["upsert"]}}
        if key is None:
            note["not_upserted"] = f"empty key field(s): {', '.join(item['upsert'])}"
    if data.get("Id") is None:
        earlier = next((p for p in previous if p["entity"] == entity), None)
        if earlier is not None:
            previous.remove(earlier)
            data["Id"] = earlier["id"]
        else:
            data["Id"] = str(uuid.uuid4())
            return {"action": "create", **note}
    existing = _ENTITY_OF.execute(data["Id"]).fetchone()
    if existing is None:
        return {"action": "create", **note}
    if existing[0] != entity:
        raise ValueError(f"Record '{data['Id']}' is a {existing[0]}, not a {entity}.")
    return {"action": "update", **note}


def _index(record_id: str, item: dict[str, Any]) -> None:
    key = key_of(item.get("upsert") or [], item["data"]) if item.get("upsert") else None
    if key is None:
        return
    RecordKey.delete().where(RecordKey.record == record_id, RecordKey.fields == key[0]).execute()
    RecordKey.create(record=record_id, entity=item["entity"], fields=key[0], digest=key[1])


def _update(item: dict[str, Any], webhook: Webhook) -> dict[str, Any]:
    record = Record.get_by_id(item["data"]["Id"])
    before = record.data
    record.data = {**before, **item["data"]} if item.get("on_update") != "replace" else item["data"]
    record.webhook, record.updated_at = webhook, utcnow()
    record.save()
    _index(record.id, item)
    return {"action": "updated", "before": before, "data": record.data}


def _create(item: dict[str, Any], webhook: Webhook, later: Writes | None) -> dict[str, Any]:
    record = Record(id=item["data"]["Id"], entity=item["entity"], data=item["data"], webhook=webhook,
                    source=webhook.source_id)
    if not item.get("upsert"):
        later.insert(record) if later is not None else insert_row(record)
        return {"action": "created", "before": None, "data": item["data"]}
    try:
        with db.atomic():
            insert_row(record)
            _index(item["data"]["Id"], item)
    except peewee.IntegrityError:
        # Another webhook wrote a record with the same key fields since place() looked.
        found = find_by_key(item["entity"], key_of(item["upsert"], item["data"])) if item.get(
            "upsert") else None
        if found is None:
            raise
        item["data"]["Id"] = found
        return _update(item, webhook)
    return {"action": "created", "before": None, "data": item["data"]}


def write(items: list[dict[str, Any]], webhook: Webhook, later: Writes | None = None
          ) -> list[dict[str, Any]]:
    """Insert or update each placed record (new ones without key fields with `later`, when
    given); return what was done, with the data before and after."""
    done = []
    for item in items:
        result = (_update(item, webhook) if item["action"] == "update" else
                  _create(item, webhook, later))
        done.append({"id": item["data"]["Id"], "entity": item["entity"], "role": item["role"],
                     **result})
    return done


def get_record(record_id: str) -> Record:
    """The record with this id or NotFound."""
    return get_or_404(Record, Record.id == record_id, message=f"Record '{record_id}' does not exist.")


def key_sets(definition: dict[str, Any]) -> set[tuple[str | None, tuple[str, ...]]]:
    """The (entity or None for any, key fields) a definition's rules upsert on."""
    found = set()
    for rule in definition["rules"]:
        for action in rule["actions"]:
            if action.get("action") == "upsert":
                found.add((rule.get("entity"), tuple(sorted(action["keys"]))))
            elif action.get("action") == "create_related" and action.get("upsert"):
                found.add((action["entity"], tuple(sorted(action["upsert"]))))
    return found


def index_existing(entity: str | None, fields: list[str], batch: int = 500) -> int:
    """Index the records written before an upsert on these fields existed; the oldest record
    with a key wins. Return how many keys were added."""
    added, last = 0, None
    query = Record.select(Record.id, Record.entity, Record.data, Record.created_at)
    if entity is not None:
        query = query.where(Record.entity == entity)
    while True:
        page = query.order_by(Record.created_at, Record.id).limit(batch)
        if last is not None:
            page = page.where(peewee.Tuple(Record.created_at, Record.id) > last)
        rows = list(page)
        if not rows:
            return added
        keys = [(r, key_of(fields, r.data)) for r in rows]
        new = [{"record": r.id, "entity": r.entity, "fields": k[0], "digest": k[1]}
               for r, k in keys if k is not None]
        with db.atomic():
            if new:
                added += RecordKey.insert_many(new).on_conflict_ignore().as_rowcount().execute()
        last = (rows[-1].created_at, rows[-1].id)
