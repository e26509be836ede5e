"""Step resolve lookups: <Name>Id values must be row ids of the referenced lookup."""

from __future__ import annotations

import uuid
from typing import Any

from marshmallow import Schema, fields, validate

from lookups import catalog
from lookups.catalog import FieldSpec
from lookups.models import Lookup, LookupRow
from lookups.seed import stable_id
from processes.context import Context

NEEDS_ENTITY = True


class Options(Schema):
    match_names = fields.Boolean(load_default=False)
    unknown = fields.String(load_default="reject",
                            validate=validate.OneOf(["reject", "null", "default", "create"]))
    defaults = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=100)),
                           values=fields.String(validate=validate.Length(min=1, max=100)),
                           load_default=dict, validate=validate.Length(max=100))


def _is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def resolve_value(ctx: Context, spec: FieldSpec, value: Any, options: dict[str, Any]
                  ) -> tuple[Any, dict[str, Any] | None, str | None]:
    """(row id or None, what was done or None, error or None) for one lookup field's value."""
    if isinstance(value, (dict, list)):
        return None, None, f"A value of lookup '{spec.lookup}' is one row id, not a list or object."
    table = catalog.lookup_table(spec.lookup)
    if table is not None and value in table.ids:
        return value, None, None
    name = str(value).strip()
    if table is not None and options["match_names"]:
        row_id = table.by_name.get(name.casefold())
        if row_id is not None:
            return row_id, {"from": value, "to": row_id, "by": "name"}, None
    unknown = options["unknown"]
    if unknown == "null":
        return None, {"from": value, "to": None, "by": "null"}, None
    if unknown == "default" and spec.code in options["defaults"]:
        row_id = options["defaults"][spec.code]
        return row_id, {"from": value, "to": row_id, "by": "default"}, None
    if unknown == "create" and table is not None and name and not _is_guid(name):
        row_id = stable_id("lookup-row", f"{spec.lookup}:{name.casefold()}")
        if all(r["id"] != row_id for r in ctx.lookup_rows):
            ctx.lookup_rows.append({"lookup": spec.lookup, "id": row_id, "name": name})
        return row_id, {"from": value, "to": row_id, "by": "new row"}, None
    return None, None, f"No row with id '{value}' in lookup '{spec.lookup}'."


def run(ctx: Context, options: dict[str, Any]) -> dict[str, Any]:
    """Check each lookup value; by the options, names and aliases, nulls, defaults or new rows."""
    resolved = {}
    for spec in ctx.entity.fields:
        if spec.lookup is None or spec.code not in ctx.values:
            continue
        value = ctx.values[spec.code]
        row_id, done, error = resolve_value(ctx, spec, value, options)
        if error:
            ctx.error(spec.code, value, error)
            continue
        if done is None:
            continue
        resolved[spec.code] = done
        if row_id is None:
            del ctx.values[spec.code]
        else:
            ctx.values[spec.code] = row_id
    return {"resolved": resolved}


def write_rows(rows: list[dict[str, Any]]) -> None:
    """Add the lookup rows a run asked for (their ids are stable, so a race adds each once)."""
    lookups = {lk.code: lk.id for lk in Lookup.select().where(Lookup.code.in_({r["lookup"] for r in rows}))}
    LookupRow.insert_many([{"lookup": lookups[r["lookup"]], "row_id": r["id"], "name": r["name"],
                            "aliases": []} for r in rows]).on_conflict_ignore().execute()
    catalog.bump()
