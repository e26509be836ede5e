"""The process: an ordered list of steps, each run over one context with its options."""

from __future__ import annotations

import copy
import logging
import time
from types import ModuleType
from typing import Any

from processes import create, mapping, parse, resolve, typecheck
from processes.context import Context

log = logging.getLogger(__name__)

STEPS: dict[str, ModuleType] = {
    "parse": parse,
    "map": mapping,
    "typecheck": typecheck,
    "resolve": resolve,
    "create": create,
}
NEEDS_ENTITY = {"typecheck", "resolve", "create"}


def default_definition() -> dict[str, Any]:
    """The stock process: every built-in step, enabled, with its default options."""
    return {"active": True, "steps": [
        {"name": name, "enabled": True, "options": copy.deepcopy(step.OPTIONS)}
        for name, step in STEPS.items()]}


def run(ctx: Context, definition: dict[str, Any]) -> Context:
    """Run the enabled steps in order, tracing each; a crashing step fails the webhook."""
    if not definition.get("active", True):
        ctx.halt("The process is deactivated.")
        ctx.trace.append({"step": "process", "ok": True, "ms": 0.0, "reason": ctx.halted})
        return ctx
    for step in definition["steps"]:
        name = step["name"]
        if not step.get("enabled", True):
            ctx.trace.append({"step": name, "skipped": True})
            continue
        if ctx.halted or (name in NEEDS_ENTITY and ctx.entity is None):
            break
        options = {**STEPS[name].OPTIONS, **step.get("options", {})}
        started = time.perf_counter()
        try:
            detail = STEPS[name].run(ctx, options)
            ok = True
        except Exception as exc:
            log.exception("process step %s crashed", name)
            ctx.error("_process", None, f"Step '{name}' failed: {exc.__class__.__name__}: {exc}")
            detail, ok = {}, False
        ms = round((time.perf_counter() - started) * 1000, 3)
        ctx.trace.append({"step": name, "ok": ok and not ctx.errors, "ms": ms, **detail})
        if not ok:
            break
    return ctx
