"""Value specs that actions take: a constant, a template, a JSONPath over the payload, or a copy
of a record field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.jsonpath import MISSING
from lookups.schemas import CODE
from rules import expressions

KINDS = ("value", "template", "path", "copy")
Value = Callable[[Any], Any]


class ValueSpecSchema(Schema):
    """Exactly one of value, template, path or copy."""

    value = fields.Raw(allow_none=True)
    template = fields.String(validate=validate.Length(min=1))
    path = fields.String(validate=validate.Length(min=1))
    copy = fields.String(validate=CODE)

    @validates_schema
    def _one_kind(self, data: dict, **kwargs) -> None:
        given = [k for k in KINDS if k in data]
        if len(given) != 1:
            raise ValidationError("Give exactly one of value, template, path or copy.")
        if isinstance(data.get("value"), dict):
            raise ValidationError("A constant value is a string, number, boolean, null or list.",
                                  "value")


def compile_value(spec: dict[str, Any]) -> Value:
    """A function of the context giving the spec's value; a bad expression raises
    ValidationError naming its key."""
    try:
        if "template" in spec:
            return expressions.template(spec["template"])
        if "path" in spec:
            expr = expressions.jsonpath(spec["path"])
            return lambda ctx: expressions.path_value(expr, ctx)
    except expressions.ExpressionError as exc:
        raise ValidationError({"template" if "template" in spec else "path": [str(exc)]}) from None
    if "copy" in spec:
        code = spec["copy"]
        return lambda ctx: ctx.values.get(code, MISSING)
    constant = spec.get("value")
    return lambda ctx: constant


def compile_values(specs: dict[str, dict[str, Any]], key: str) -> dict[str, Value]:
    """Compile a mapping of name to value spec; faults are reported below `key` and the name."""
    compiled, problems = {}, {}
    for name, spec in specs.items():
        try:
            compiled[name] = compile_value(spec)
        except ValidationError as exc:
            problems[name] = exc.messages
    if problems:
        raise ValidationError({key: problems})
    return compiled
