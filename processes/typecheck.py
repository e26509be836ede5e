"""Step type-check: coerce each value to its field's type and enforce required fields."""

from __future__ import annotations

import uuid
from typing import Any

from processes.coercers import COERCERS
from processes.context import Context

OPTIONS: dict[str, Any] = {
    "date_formats": ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%d.%m.%Y",
                     "%m/%d/%Y %H:%M", "%m/%d/%Y", "%Y/%m/%d"],
    "strict_booleans": False,
    "invalid_optional": "fail",
}
MISSING = "Missing data for required field."


def run(ctx: Context, options: dict[str, Any]) -> dict[str, Any]:
    """Coerce ctx.values in place; every bad value is collected as a field error."""
    entity = ctx.entity
    coerced, dropped, deferred = {}, [], []
    for code, raw in ctx.values.items():
        spec = entity.field(code)
        if raw is None or raw == "":
            continue
        try:
            coerced[code] = COERCERS[spec.net_type](raw, options)
        except ValueError as exc:
            if spec.lookup is not None:
                coerced[code] = raw.strip() if isinstance(raw, str) else raw
                deferred.append(code)
            elif not spec.required and options["invalid_optional"] == "drop":
                dropped.append({"field": code, "value": raw, "message": str(exc)})
            else:
                ctx.error(code, raw, str(exc))
    failed = {e["field"] for e in ctx.errors}
    if "Id" not in coerced and "Id" not in failed and entity.field("Id") is not None:
        coerced["Id"] = str(uuid.uuid4())
    for spec in entity.fields:
        if spec.required and spec.code not in coerced and spec.code not in failed:
            ctx.error(spec.code, ctx.values.get(spec.code), MISSING)
    ctx.values = coerced
    return {"typed": sorted(coerced), "dropped": dropped, "to_lookup": deferred,
            "errors": len(ctx.errors)}
