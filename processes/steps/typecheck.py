"""Step type-check: coerce each value to its field's type (required fields are enforced when the
record is created, after the rules could still set them)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from core import plugins as registry
from lookups.catalog import FieldSpec
from processes.context import Context
from processes.steps.coercers import MAX_STRING, is_blank

NEEDS_ENTITY = True
DATE_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%d.%m.%Y",
                "%m/%d/%Y %H:%M", "%m/%d/%Y", "%Y/%m/%d"]


def _is_format(value: str) -> None:
    if "%" not in value:
        raise ValidationError("A date format needs a strftime directive such as %Y.")


class Options(Schema):
    date_formats = fields.List(fields.String(validate=[validate.Length(min=2, max=100), _is_format]),
                               load_default=lambda: list(DATE_FORMATS),
                               validate=validate.Length(max=20))
    strict_booleans = fields.Boolean(load_default=False)
    invalid_optional = fields.String(load_default="fail", validate=validate.OneOf(["fail", "drop"]))
    decimal_comma = fields.Boolean(load_default=False)
    max_length = fields.Integer(load_default=MAX_STRING,
                                validate=validate.Range(min=1, max=1_000_000))


def coerce(spec: FieldSpec, raw: Any, options: dict[str, Any]) -> Any:
    """A raw value as the field's net_type, by the registered coercer; ValueError names the fault."""
    coercer = registry.coercers().get(spec.net_type)
    if coercer is None:
        raise ValueError(f"No coercer is registered for {spec.net_type}.")
    return coercer(raw, options)


def run(ctx: Context, options: dict[str, Any]) -> dict[str, Any]:
    """Coerce ctx.values in place; every bad value is collected as a field error."""
    entity = ctx.entity
    coerced, dropped, deferred = {}, [], []
    for code, raw in ctx.values.items():
        spec = entity.field(code)
        if is_blank(raw):
            continue
        try:
            coerced[code] = coerce(spec, raw, options)
        except ValueError as exc:
            if spec.lookup is not None:
                coerced[code] = raw.strip() if isinstance(raw, str) else raw
                deferred.append(code)
            elif not spec.required and options["invalid_optional"] == "drop":
                dropped.append({"field": code, "value": raw, "message": str(exc)})
            else:
                ctx.error(code, raw, str(exc))
    ctx.values = coerced
    return {"typed": sorted(coerced), "dropped": dropped, "to_lookup": deferred,
            "errors": len(ctx.errors)}
