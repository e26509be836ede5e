"""Webhook entities, their fields, lookups and lookup rows."""

from __future__ import annotations

import uuid
from enum import StrEnum

import peewee

from core.db import BaseModel, JSONField, utcnow


class NetType(StrEnum):
    """Field types, named as Creatio names them."""

    GUID = "System.Guid"
    STRING = "System.String"
    INT32 = "System.Int32"
    DECIMAL = "System.Decimal"
    BOOLEAN = "System.Boolean"
    DATETIME = "System.DateTime"
    DATE = "System.Date"


class Lookup(BaseModel):
    """A reference table of id + display name (+ aliases)."""

    code = peewee.CharField(max_length=100, unique=True)
    caption = peewee.CharField(max_length=200)
    created_at = peewee.DateTimeField(default=utcnow)


class LookupRow(BaseModel):
    """One row of a lookup; row_id is the id senders use (often a GUID)."""

    lookup = peewee.ForeignKeyField(Lookup, backref="rows", on_delete="CASCADE")
    row_id = peewee.CharField(max_length=100)
    name = peewee.CharField(max_length=200)
    aliases = JSONField(default=list)

    class Meta:
        indexes = ((("lookup", "row_id"), True),)


class Entity(BaseModel):
    """A record type; `enabled` means listed in the webhook entities lookup."""

    code = peewee.CharField(max_length=100, unique=True)
    caption = peewee.CharField(max_length=200)
    form_id = peewee.CharField(max_length=36, default=lambda: str(uuid.uuid4()))
    enabled = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=utcnow)

    def ordered_fields(self) -> peewee.ModelSelect:
        """Its fields in position order, with their lookups."""
        return (Field.select(Field, Lookup).join(Lookup, peewee.JOIN.LEFT_OUTER)
                .where(Field.entity == self).order_by(Field.position, Field.id))


class Field(BaseModel):
    """A column of an entity; a lookup field is named <Name>Id and references a lookup."""

    entity = peewee.ForeignKeyField(Entity, backref="fields", on_delete="CASCADE")
    code = peewee.CharField(max_length=100)
    caption = peewee.CharField(max_length=200)
    net_type = peewee.CharField(max_length=40, choices=[(t.value, t.value) for t in NetType])
    required = peewee.BooleanField(default=False)
    lookup = peewee.ForeignKeyField(Lookup, null=True, backref="fields", on_delete="RESTRICT")
    position = peewee.IntegerField(default=0)

    class Meta:
        indexes = ((("entity", "code"), True),)


MODELS = [Lookup, LookupRow, Entity, Field]
