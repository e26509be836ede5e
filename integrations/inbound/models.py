"""Sources, received webhooks, their attachments and idempotency keys."""

from __future__ import annotations

from enum import StrEnum

import peewee

from core.db import BaseModel, JSONField, utcnow


class WebhookStatus(StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    PROCESSED = "processed"
    NO_RECORD = "no-record"
    FAILED = "failed"


class Source(BaseModel):
    """One external sender, identified by its API key (only the key's hash is kept)."""

    name = peewee.CharField(max_length=100, unique=True)
    key_hash = peewee.CharField(max_length=64, unique=True)
    key_prefix = peewee.CharField(max_length=16)
    deferred = peewee.BooleanField(default=False)
    default_entity = peewee.CharField(max_length=100, null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    rotated_at = peewee.DateTimeField(null=True)
    revoked_at = peewee.DateTimeField(null=True)


class Webhook(BaseModel):
    """One received request, stored raw before anything else happens to it."""

    source = peewee.ForeignKeyField(Source, backref="webhooks", on_delete="CASCADE")
    received_at = peewee.DateTimeField(default=utcnow, index=True)
    content_type = peewee.CharField(max_length=200)
    headers = JSONField()
    query = JSONField()
    body = peewee.BlobField()
    client_addr = peewee.CharField(max_length=64, null=True)
    payload = JSONField()
    idempotency_key = peewee.CharField(max_length=255, null=True)
    deferred = peewee.BooleanField(default=False)
    status = peewee.CharField(max_length=20, default=WebhookStatus.RECEIVED.value, index=True)
    entity = peewee.CharField(max_length=100, null=True)
    process_version = peewee.IntegerField(null=True)
    trace = JSONField(default=list)
    errors = JSONField(default=list)
    record_ids = JSONField(default=list)
    attempts = peewee.IntegerField(default=0)
    claim = peewee.CharField(max_length=36, null=True)
    claimed_at = peewee.DateTimeField(null=True)
    processed_at = peewee.DateTimeField(null=True)


class Attachment(BaseModel):
    """A file part of a multipart webhook."""

    webhook = peewee.ForeignKeyField(Webhook, backref="attachments", on_delete="CASCADE")
    field = peewee.CharField(max_length=200)
    filename = peewee.CharField(max_length=255)
    content_type = peewee.CharField(max_length=200)
    size = peewee.IntegerField()
    data = peewee.BlobField()


class IdempotencyKey(BaseModel):
    """The first webhook a source sent with a given Idempotency-Key or webhook-id."""

    source = peewee.ForeignKeyField(Source, on_delete="CASCADE")
    key = peewee.CharField(max_length=255)
    webhook = peewee.ForeignKeyField(Webhook, on_delete="CASCADE")
    created_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("source", "key"), True),)


MODELS = [Source, Webhook, Attachment, IdempotencyKey]
