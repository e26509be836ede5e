"""Step resolve lookups: <Name>Id values must be row ids of the referenced lookup."""

from __future__ import annotations

from typing import Any

from lookups import catalog
from processes.context import Context

OPTIONS: dict[str, Any] = {"match_names": False}


def run(ctx: Context, options: dict[str, Any]) -> dict[str, Any]:
    """Check each lookup value; with match_names, a display name or alias resolves to its id."""
    resolved = {}
    for spec in ctx.entity.fields:
        if spec.lookup is None or spec.code not in ctx.values:
            continue
        value = ctx.values[spec.code]
        table = catalog.lookup_table(spec.lookup)
        if table is not None and value in table.ids:
            continue
        row_id = table.by_name.get(str(value).strip().casefold()) if (
            table is not None and options["match_names"]) else None
        if row_id is None:
            ctx.error(spec.code, value, f"No row with id '{value}' in lookup '{spec.lookup}'.")
            continue
        ctx.values[spec.code] = row_id
        resolved[spec.code] = {"from": value, "to": row_id}
    return {"resolved": resolved}
