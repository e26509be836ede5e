"""Records: rows of an entity, created from webhooks."""

from __future__ import annotations

import peewee

from core.db import BaseModel, JSONField, utcnow
from integrations.models import Source, Webhook


class Record(BaseModel):
    """One row of an entity; `id` is the record's Id field (a GUID)."""

    id = peewee.CharField(max_length=36, primary_key=True)
    entity = peewee.CharField(max_length=100, index=True)
    data = JSONField()
    webhook = peewee.ForeignKeyField(Webhook, null=True, backref="records", on_delete="SET NULL")
    source = peewee.ForeignKeyField(Source, null=True, on_delete="SET NULL")
    created_at = peewee.DateTimeField(default=utcnow, index=True)
    updated_at = peewee.DateTimeField(default=utcnow)


MODELS = [Record]
