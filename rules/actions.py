"""The built-in rule actions (entry-point group hookhub.actions).

An action is a class with a marshmallow `Schema` for its options, built once per process
version from validated options (a bad expression raises ValidationError naming its key), and
`run(ctx, rule)` per webhook, returning what it did for the trace ({"stop": True} ends the rules).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from core.jsonpath import MISSING
from integrations.push.events import custom_type_problem
from lookups import catalog
from lookups.schemas import CODE
from processes.context import Context
from processes.pipeline import reroute, type_value
from processes.steps.create import require
from rules.values import ValueSpecSchema, compile_value, compile_values


def _custom_event_type(event: str) -> None:
    problem = custom_type_problem(event)
    if problem:
        raise ValidationError(problem)


class SetAction:
    """Set a field of the record from a constant, a template, a JSONPath or another field."""

    class Schema(ValueSpecSchema):
        field = fields.String(required=True, validate=CODE)

    def __init__(self, options: dict[str, Any]):
        self.field = options["field"]
        self.value = compile_value(options)

    def run(self, ctx: Context, rule: Any) -> dict[str, Any]:
        if ctx.entity.field(self.field) is None:
            return {"field": self.field, "skipped": f"not a field of {ctx.entity.code}"}
        raw = self.value(ctx)
        if raw is MISSING:
            return {"field": self.field, "skipped": "no value"}
        value, error = type_value(ctx, ctx.entity, self.field, raw)
        if error:
            ctx.error(self.field, raw, error)
            return {"field": self.field, "error": error}
        before = ctx.values.get(self.field)
        if value is None:
            ctx.values.pop(self.field, None)
        else:
            ctx.values[self.field] = value
        ctx.assigned[self.field] = raw
        return {"field": self.field, "from": before, "to": value}


class RouteAction:
    """Make the record one of another entity: map, type and resolve the webhook for it again."""

    class Schema(Schema):
        entity = fields.String(required=True, validate=CODE)

    def __init__(self, options: dict[str, Any]):
        self.entity = options["entity"]

    def run(self, ctx: Context, rule: Any) -> dict[str, Any]:
        before = ctx.entity.code
        if before == self.entity:
            return {"from": before, "to": before}
        steps = reroute(ctx, self.entity)
        if steps is None:
            ctx.error("EntityName", self.entity,
                      f"Rule '{rule.name}' routes to '{self.entity}', which is not in the webhook "
                      "entities lookup.")
            return {"from": before, "to": None, "stop": True}
        return {"from": before, "to": self.entity, "steps": steps}


class RejectAction:
    """Fail the webhook with a reason."""

    class Schema(Schema):
        reason = fields.String(required=True, validate=validate.Length(min=1, max=500))

    def __init__(self, options: dict[str, Any]):
        self.reason = options["reason"]

    def run(self, ctx: Context, rule: Any) -> dict[str, Any]:
        ctx.error("_rule", rule.name, self.reason)
        return {"reason": self.reason, "stop": True}


class SkipAction:
    """Create no record; the webhook is kept as no-record."""

    class Schema(Schema):
        reason = fields.String(validate=validate.Length(min=1, max=500))

    def __init__(self, options: dict[str, Any]):
        self.reason = options.get("reason")

    def run(self, ctx: Context, rule: Any) -> dict[str, Any]:
        ctx.halt(self.reason or f"Skipped by rule '{rule.name}'.")
        return {"reason": ctx.halted, "stop": True}


class UpsertAction:
    """Update the record that has the same values in the key fields instead of adding one."""

    class Schema(Schema):
        keys = fields.List(fields.String(validate=CODE), required=True,
                           validate=validate.Length(min=1, max=5))

    def __init__(self, options: dict[str, Any]):
        self.keys = options["keys"]

    def run(self, ctx: Context, rule: Any) -> dict[str, Any]:
        ctx.upsert = list(self.keys)
        return {"keys": self.keys}


class CreateRelatedAction:
    """Add a record of another entity, linked to the main record by one of its fields."""

    class Schema(Schema):
        entity = fields.String(required=True, validate=CODE)
        set = fields.Dict(keys=fields.String(validate=CODE), values=fields.Nested(ValueSpecSchema),
                          load_default=dict, validate=validate.Length(max=100))
        link = fields.String(validate=CODE)
        upsert = fields.List(fields.String(validate=CODE), validate=validate.Length(min=1, max=5))

    def __init__(self, options: dict[str, Any]):
        self.entity, self.link = options["entity"], options.get("link")
        self.upsert = options.get("upsert") or []
        self.values = compile_values(options["set"], "set")

    def run(self, ctx: Context, rule: Any) -> dict[str, Any]:
        entity = catalog.entity(self.entity)
        if entity is None:
            ctx.error(self.entity, None, f"Rule '{rule.name}' creates a related '{self.entity}', "
                                         "which does not exist.")
            return {"entity": self.entity, "error": "no such entity"}
        data, errors = {}, len(ctx.errors)
        for code, value in self.values.items():
            raw = value(ctx)
            if raw is MISSING:
                continue
            typed, error = type_value(ctx, entity, code, raw)
            if error:
                ctx.error(f"{entity.code}.{code}", raw, error)
            elif typed is not None:
                data[code] = typed
        if self.link and entity.field(self.link) is None:
            ctx.error(f"{entity.code}.{self.link}", None, f"'{self.link}' is not a field of {entity.code}.")
        require(ctx, entity, data, f"{entity.code}.", (self.link,))
        if len(ctx.errors) == errors:
            ctx.records.append({"entity": entity.code, "data": data, "role": "related",
                                "link": self.link, "upsert": self.upsert})
        return {"entity": entity.code, "values": dict(data)}


class EmitAction:
    """Raise a custom event, delivered to the push connections that subscribe to it."""

    class Schema(Schema):
        event = fields.String(required=True, validate=_custom_event_type)
        data = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=100)),
                           values=fields.Nested(ValueSpecSchema), load_default=dict,
                           validate=validate.Length(max=50))

    def __init__(self, options: dict[str, Any]):
        self.event = options["event"]
        self.data = compile_values(options["data"], "data")

    def run(self, ctx: Context, rule: Any) -> dict[str, Any]:
        data = {key: value(ctx) for key, value in self.data.items()}
        data = {key: None if v is MISSING else v for key, v in data.items()}
        ctx.events.append({"type": self.event, "data": data})
        return {"event": self.event, "data": data}


class StopAction:
    """Evaluate no further rules."""

    class Schema(Schema):
        pass

    def __init__(self, options: dict[str, Any]):
        pass

    def run(self, ctx: Context, rule: Any) -> dict[str, Any]:
        return {"stop": True}
