"""The process: an ordered list of steps, each run over one context with its options."""

from __future__ import annotations

import logging
import time
from typing import Any

from integrations.inbound.models import WebhookStatus
from lookups import catalog
from lookups.catalog import EntitySpec
from processes.compiler import CompiledProcess
from processes.context import Context
from processes.steps import resolve, typecheck
from processes.steps.coercers import is_blank

log = logging.getLogger(__name__)
REROUTED = ("map", "typecheck", "resolve")


def _run_step(ctx: Context, name: str, step: Any, options: dict[str, Any]) -> bool:
    started = time.perf_counter()
    try:
        detail = step.run(ctx, options)
        ok = True
    except Exception as exc:
        # A step is plugin code as well as ours: whatever it raises fails this webhook, not the worker.
        log.exception("process step %s crashed", name)
        ctx.error("_process", None, f"Step '{name}' failed: {exc.__class__.__name__}: {exc}")
        detail, ok = {}, False
    ms = round((time.perf_counter() - started) * 1000, 3)
    ctx.trace.append({"step": name, "ok": ok and not ctx.errors, "ms": ms, **detail})
    return ok


def run(ctx: Context, process: CompiledProcess) -> Context:
    """Run the enabled steps in order, tracing each; a crashing step fails the webhook."""
    ctx.process = process
    if process.broken:
        ctx.error("_process", None, process.broken)
        ctx.trace.append({"step": "process", "ok": False, "ms": 0.0, "reason": process.broken})
    elif not process.active:
        ctx.halt("The process is deactivated.")
        ctx.trace.append({"step": "process", "ok": True, "ms": 0.0, "reason": ctx.halted})
    for index in range(len(process.steps) if process.active else 0):
        step = process.plan(ctx.source_id, ctx.entity.code if ctx.entity else None)[index]
        if ctx.halted:
            break
        if not step.enabled:
            ctx.trace.append({"step": step.name, "skipped": True})
            continue
        if getattr(step.step, "NEEDS_ENTITY", False) and ctx.entity is None:
            break
        if not _run_step(ctx, step.name, step.step, step.options):
            break
    if ctx.halted:
        ctx.trace.append({"step": "result", "ok": True, "reason": ctx.halted})
    return ctx


def outcome(ctx: Context) -> WebhookStatus:
    """The status a run leads to: failed with errors, no-record without a record, else processed."""
    if ctx.errors:
        return WebhookStatus.FAILED
    if ctx.halted or not ctx.records:
        return WebhookStatus.NO_RECORD
    return WebhookStatus.PROCESSED


def reroute(ctx: Context, entity_code: str) -> list[dict[str, Any]] | None:
    """Map, type and resolve the webhook again for another entity (a rule's route action) and
    return those steps' trace; values rules set before are set again where the entity has the
    field. None when the entity is not in the webhook entities lookup."""
    entity = catalog.entity(entity_code)
    if entity is None or not entity.enabled:
        return None
    assigned, trace = dict(ctx.assigned), ctx.trace
    ctx.forced_entity, ctx.entity, ctx.errors, ctx.assigned, ctx.trace = entity_code, entity, [], {}, []
    for step in ctx.process.plan(ctx.source_id, entity_code):
        if step.name in REROUTED and step.enabled:
            _run_step(ctx, step.name, step.step, step.options)
    steps, ctx.trace = ctx.trace, trace
    for code, raw in assigned.items():
        if entity.field(code) is not None:
            value, error = type_value(ctx, entity, code, raw)
            if error:
                ctx.error(code, raw, error)
            elif value is not None:
                ctx.values[code] = value
                ctx.assigned[code] = raw
    return steps


def type_value(ctx: Context, entity: EntitySpec, code: str, raw: Any) -> tuple[Any, str | None]:
    """A raw value coerced and resolved for a field with this process's options for the entity."""
    spec = entity.field(code)
    if spec is None:
        return None, f"'{code}' is not a field of {entity.code}."
    if is_blank(raw):
        return None, None
    value = raw
    options = ctx.process.options("typecheck", ctx.source_id, entity.code)
    if options is not None:
        try:
            value = typecheck.coerce(spec, raw, options)
        except ValueError as exc:
            if spec.lookup is None:
                return None, str(exc)
            value = raw.strip() if isinstance(raw, str) else raw
    options = ctx.process.options("resolve", ctx.source_id, entity.code)
    if spec.lookup is not None and options is not None:
        value, _, error = resolve.resolve_value(ctx, spec, value, options)
        return value, error
    return value, None
