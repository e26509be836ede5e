"""Step create record: turn typed values into the record to write."""

from __future__ import annotations

from typing import Any

from processes.context import Context

OPTIONS: dict[str, Any] = {}


def run(ctx: Context, options: dict[str, Any]) -> dict[str, Any]:
    """Queue the main record for writing (the runner writes it, so a dry run writes nothing)."""
    if ctx.errors:
        return {"created": False, "reason": f"{len(ctx.errors)} field error(s)"}
    ctx.records.append({"entity": ctx.entity.code, "data": dict(ctx.values), "role": "main"})
    return {"created": True, "entity": ctx.entity.code, "id": ctx.values.get("Id")}
