"""Finding records: text search, filters by field value, sorting; and exporting them as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import peewee

from core.db import is_sqlite
from core.errors import ValidationFailed
from lookups import catalog
from lookups.catalog import EntitySpec, FieldSpec
from lookups.models import NetType
from processes.models import Record
from processes.steps.typecheck import coerce

SORT_COLUMNS = {"created": Record.created_at, "updated": Record.updated_at}
NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"
NUMBER_TEXT = re.compile(NUMBER[1:-1])
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _like(text: str, prefix: str = "%", suffix: str = "%") -> peewee.Expression:
    """Record.data ILIKE %text% with LIKE's own wildcards in text taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return peewee.Expression(Record.data, peewee.OP.ILIKE, peewee.NodeList((
        peewee.Value(f"{prefix}{escaped}{suffix}", converter=False), peewee.SQL("ESCAPE"),
        peewee.Value("\\", converter=False))))


def _stored(value: Any) -> str:
    # Records are stored as compact JSON text (see JSONField), so a value is searched for as
    # it is written there: e.g. "Zürich" as "Z\u00fcrich".
    return json.dumps(value, separators=(",", ":"))


def _field_equals(spec: FieldSpec, raw: str) -> peewee.Expression:
    """Records whose field holds exactly this value (typed as the field is)."""
    try:
        value = coerce(spec, raw, {})
    except ValueError as exc:
        raise ValidationFailed(f"{spec.code}: {exc}",
                               [{"field": spec.code, "value": raw, "message": str(exc)}]) from exc
    pair = f'"{spec.code}":{_stored(value)}'
    return _like(pair, suffix=",%") | _like(pair, suffix="}")


def _field_key(spec: FieldSpec) -> peewee.Node:
    """A field's value as a sort key: numbers as numbers, everything else as text."""
    numeric = spec.net_type in (NetType.INT32.value, NetType.DECIMAL.value)
    if is_sqlite():
        value = peewee.fn.json_extract(Record.data, f"$.{spec.code}")
        return value.cast("REAL") if numeric else value
    text = peewee.Expression(Record.data.cast("jsonb"), "->>", spec.code)
    if not numeric:
        return text
    # Only well-formed numbers are cast, so a stray value sorts last instead of failing.
    return peewee.Case(None, [(peewee.Expression(text, "~", NUMBER), text.cast("numeric"))], None)


def find(entity: str | None = None, q: str | None = None,
           where: dict[str, str] | None = None, source: int | None = None,
           webhook: int | None = None, since: dt.datetime | None = None,
           until: dt.datetime | None = None, sort: str = "-created") -> peewee.ModelSelect:
    """Records of an entity (or all) matching every filter, sorted by `sort`.

    `sort` is "created", "updated" or a field code of the entity, with a leading "-" for
    descending; `where` maps field codes of the entity to exact values.
    """
    spec = catalog.entity(entity) if entity else None
    query = Record.select()
    if entity:
        query = query.where(Record.entity == entity)
    if q:
        query = query.where(_like(_stored(q)[1:-1]))
    for code, raw in (where or {}).items():
        field = spec.field(code) if spec else None
        if field is None:
            raise ValidationFailed(f"{code}: no such field to filter on.",
                                   [{"field": code, "message": "No such field."}])
        query = query.where(_field_equals(field, raw))
    if source is not None:
        query = query.where(Record.source == source)
    if webhook is not None:
        query = query.where(Record.webhook == webhook)
    if since is not None:
        query = query.where(Record.created_at >= since)
    if until is not None:
        query = query.where(Record.created_at < until)
    descending, key = sort.startswith("-"), sort.lstrip("-")
    if key in SORT_COLUMNS:
        column = SORT_COLUMNS[key]
    elif spec is not None and spec.field(key) is not None:
        column = _field_key(spec.field(key))
    else:
        raise ValidationFailed(f"sort: cannot sort by '{key}'.",
                               [{"field": "sort", "message": f"Cannot sort by '{key}'."}])
    order = column.desc(nulls="LAST") if descending else column.asc(nulls="LAST")
    return query.order_by(order, Record.id)


def csv_rows(query: peewee.ModelSelect, entity: EntitySpec) -> Iterator[str]:
    """The records as CSV text, a line at a time: the entity's fields, then where each came from."""
    codes = [f.code for f in entity.fields]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*codes, "created_at", "updated_at", "webhook_id", "source_id"])
    for record in query.iterator():
        data = record.data
        writer.writerow([*(_cell(data.get(code)) for code in codes),
                         record.created_at.isoformat() + "Z", record.updated_at.isoformat() + "Z",
                         record.webhook_id or "", record.source_id or ""])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return _stored(value)
    text = "true" if value is True else "false" if value is False else str(value)
    # A spreadsheet runs text starting with these as a formula; a leading quote keeps it text.
    if text[:1] in FORMULA_STARTS and not NUMBER_TEXT.fullmatch(text):
        return "'" + text
    return text
