"""Manual field mappings: a parameter name or a JSONPath over the raw payload to a field,
through optional transforms (trim, lower, upper, split_name, date_format, constant)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError, fields

from core.jsonpath import MISSING, JsonPath, is_path
from rules import expressions

Transform = Callable[[Any], Any]
SIMPLE = {"trim": str.strip, "lower": str.lower, "upper": str.upper}
WITH_ARGUMENT = ("split_name", "date_format", "constant")
TIME_DIRECTIVES = ("%H", "%I", "%M", "%S", "%p", "%f", "%z", "%X", "%c", "%T", "%R")


class TransformField(fields.Field):
    """A transform: "trim", "lower", "upper", {"split_name": "first"|"last"},
    {"date_format": "%d/%m/%Y"} or {"constant": value}."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            if value not in SIMPLE:
                raise ValidationError(f"Unknown transform '{value}'; use one of: "
                                      f"{', '.join([*SIMPLE, *WITH_ARGUMENT])}.")
            return value
        if not isinstance(value, dict) or len(value) != 1:
            raise ValidationError("A transform is a name or an object with one key.")
        [(name, argument)] = value.items()
        if name == "split_name" and argument not in ("first", "last"):
            raise ValidationError("split_name takes 'first' or 'last'.")
        if name == "date_format" and not (isinstance(argument, str) and "%" in argument
                                          and len(argument) <= 100):
            raise ValidationError("date_format takes a strftime format such as '%d/%m/%Y'.")
        if name == "constant" and isinstance(argument, (dict, list)):
            raise ValidationError("constant takes a string, number, boolean or null.")
        if name not in WITH_ARGUMENT:
            raise ValidationError(f"Unknown transform '{name}'; use one of: "
                                  f"{', '.join([*SIMPLE, *WITH_ARGUMENT])}.")
        return {name: argument}


def split_name(text: str, part: str) -> str:
    """First or last part of a full name; "Lovelace, Ada" is read as last, first."""
    if "," in text:
        last, _, first = text.partition(",")
    else:
        first, _, last = text.strip().partition(" ")
    return (first if part == "first" else last).strip()


def parse_date(text: str, fmt: str) -> str:
    """A date (or date and time) in the given format, as ISO 8601."""
    try:
        parsed = dt.datetime.strptime(text.strip(), fmt)
    except ValueError:
        raise ValueError(f"'{text}' does not match the date format '{fmt}'.") from None
    if any(d in fmt for d in TIME_DIRECTIVES):
        return parsed.isoformat()
    return parsed.date().isoformat()


def _on_text(func: Callable[[str], Any]) -> Transform:
    def apply(value: Any) -> Any:
        if isinstance(value, list):
            return [apply(v) for v in value]
        return func(value) if isinstance(value, str) else value

    return apply


def compile_transform(spec: str | dict[str, Any]) -> Transform:
    """The function for one validated transform."""
    if isinstance(spec, str):
        return _on_text(SIMPLE[spec])
    [(name, argument)] = spec.items()
    if name == "split_name":
        return _on_text(lambda text: split_name(text, argument))
    if name == "date_format":
        return _on_text(lambda text: parse_date(text, argument))
    return lambda value: argument


@dataclass(frozen=True)
class Mapping:
    """One compiled manual mapping."""

    index: int
    source: int | None
    entity: str | None
    origin: str | None
    to: str
    expr: JsonPath | None
    transforms: tuple[Transform, ...]

    def applies(self, source_id: int | None, entity: str) -> bool:
        """Tell whether the mapping is scoped to this source and entity (or unscoped)."""
        return self.source in (None, source_id) and self.entity in (None, entity)

    def extract(self, payload: dict[str, Any], params: dict[str, Any]) -> tuple[Any, list[str]]:
        """The raw value (MISSING when there is none) and the parameters it came from."""
        if self.origin is None:
            return None, []
        if self.expr is not None:
            return self.expr.find(payload)
        value = params.get(self.origin, MISSING)
        return value, [] if value is MISSING else [self.origin]

    def transform(self, value: Any) -> Any:
        """Apply the transforms in order; a value they cannot take raises ValueError."""
        for transform in self.transforms:
            value = transform(value)
        return value


def compile_mapping(index: int, spec: dict[str, Any]) -> Mapping:
    """Compile a validated mapping; a bad JSONPath raises ExpressionError."""
    origin = spec.get("from")
    expr = expressions.jsonpath(origin) if origin is not None and is_path(origin) else None
    return Mapping(index, spec.get("source"), spec.get("entity"), origin, spec["to"], expr,
                   tuple(compile_transform(t) for t in spec.get("transform", [])))

