"""Step map: choose the entity, map parameters to its fields by code, then apply manual mappings."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from core.jsonpath import MISSING
from lookups import catalog
from processes.context import Context


class Options(Schema):
    entity_param = fields.String(load_default="EntityName", validate=validate.Length(min=1, max=100))
    auto = fields.Boolean(load_default=True)
    ignore_case = fields.Boolean(load_default=False)


def choose_entity(ctx: Context, param: str) -> tuple[Any, str]:
    """The entity named by a rule's route, the parameter, or the source default (or why none)."""
    if ctx.forced_entity:
        return catalog.entity(ctx.forced_entity), "rule"
    name, chosen_by = ctx.params.get(param), "parameter"
    if name in (None, "") and ctx.default_entity:
        name, chosen_by = ctx.default_entity, "source default"
    if name in (None, ""):
        return None, f"{param} is missing."
    if not isinstance(name, str):
        return None, f"{param} must be a string."
    entity = catalog.entity(name)
    if entity is None or not entity.enabled:
        return None, f"{param} '{name}' is not in the webhook entities lookup."
    return entity, chosen_by


def run(ctx: Context, options: dict[str, Any]) -> dict[str, Any]:
    """Set ctx.entity and ctx.values; parameters nothing used are listed as ignored."""
    param = options["entity_param"]
    entity, chosen_by = choose_entity(ctx, param)
    if entity is None:
        ctx.halt(chosen_by)
        return {"entity": None, "reason": ctx.halted}
    ctx.entity, ctx.values = entity, {}
    mapped: dict[str, str] = {}
    used = {param}
    if options["auto"]:
        by_code = {f.code.casefold(): f.code for f in entity.fields} if options["ignore_case"] else None
        for key, value in ctx.params.items():
            code = by_code.get(key.casefold()) if by_code is not None else (
                key if entity.field(key) is not None else None)
            if code is not None and key != param:
                ctx.values[code], mapped[code] = value, key
                used.add(key)
    unused = []
    for mapping in ctx.process.mappings:
        if not mapping.applies(ctx.source_id, entity.code):
            continue
        raw, paths = mapping.extract(ctx.payload, ctx.params)
        used.update(paths)
        try:
            value = MISSING if raw is MISSING else mapping.transform(raw)
        except ValueError as exc:
            ctx.error(mapping.to, raw, str(exc))
            continue
        if value is MISSING:
            unused.append({"mapping": mapping.index, "why": "no value"})
        elif entity.field(mapping.to) is None:
            unused.append({"mapping": mapping.index, "why": f"not a field of {entity.code}"})
        else:
            ctx.values[mapping.to] = value
            mapped[mapping.to] = mapping.origin if mapping.origin is not None else "constant"
    ignored = [key for key in ctx.params if key not in used]
    return {"entity": entity.code, "chosen_by": chosen_by, "mapped": mapped, "ignored": ignored,
            "unused_mappings": unused}
