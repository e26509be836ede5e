"""Records, their upsert keys, process definitions and versions, and content hashes for dedupe."""

from __future__ import annotations

import peewee

from core.db import BaseModel, JSONField, utcnow
from integrations.inbound.models import Source, Webhook, WebhookStatus
from processes.definition_format import DefinitionField

# The statuses a run ends with; only such webhooks can be reprocessed.
FINISHED = (WebhookStatus.PROCESSED.value, WebhookStatus.NO_RECORD.value, WebhookStatus.FAILED.value)


class Record(BaseModel):
    """One row of an entity; `id` is the record's Id field (a GUID)."""

    id = peewee.CharField(max_length=36, primary_key=True)
    entity = peewee.CharField(max_length=100, index=True)
    data = JSONField()
    webhook = peewee.ForeignKeyField(Webhook, null=True, backref="records", on_delete="SET NULL")
    source = peewee.ForeignKeyField(Source, null=True, on_delete="SET NULL")
    created_at = peewee.DateTimeField(default=utcnow, index=True)
    updated_at = peewee.DateTimeField(default=utcnow)


class RecordKey(BaseModel):
    """An index entry: the record of `entity` whose `fields` hold the values hashed in `digest`.

    Record data is JSON text, which SQLite and PostgreSQL query differently and neither can
    index without per-key DDL; this table gives upsert-on-key-fields one indexed, unique lookup
    in plain SQL on both, and its unique constraint settles two writers racing on one key.
    """

    record = peewee.ForeignKeyField(Record, backref="keys", on_delete="CASCADE")
    entity = peewee.CharField(max_length=100)
    fields = peewee.CharField(max_length=300)
    digest = peewee.CharField(max_length=64)

    class Meta:
        indexes = ((("entity", "fields", "digest"), True),)


class Process(BaseModel):
    """A process: routing (default or bound to sources) and the version that runs."""

    name = peewee.CharField(max_length=100, unique=True)
    is_default = peewee.BooleanField(default=False)
    sources = JSONField(default=list)
    active_version = peewee.IntegerField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)


class ProcessVersion(BaseModel):
    """One immutable definition of a process; every edit adds one."""

    process = peewee.ForeignKeyField(Process, backref="versions", on_delete="CASCADE")
    number = peewee.IntegerField()
    definition = DefinitionField()
    based_on = peewee.IntegerField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("process", "number"), True),)


class ContentHash(BaseModel):
    """The last webhook of a source with a given content, for dedupe without ids."""

    source = peewee.ForeignKeyField(Source, on_delete="CASCADE")
    digest = peewee.CharField(max_length=64)
    webhook = peewee.ForeignKeyField(Webhook, on_delete="CASCADE")
    received_at = peewee.DateTimeField(index=True)

    class Meta:
        indexes = ((("source", "digest"), True),)


MODELS = [Record, RecordKey, Process, ProcessVersion, ContentHash]
