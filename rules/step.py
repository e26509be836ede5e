"""Step rules: evaluate the process's rules in order over the typed record, within a time budget."""

from __future__ import annotations

import time
from typing import Any

from marshmallow import Schema

from core.problems import Problems
from processes.context import Context
from rules import expressions
from rules.engine import CompiledRule, compile_rules

NEEDS_ENTITY = True


class Options(Schema):
    pass


def prepare(definition: dict[str, Any], problems: Problems) -> list[CompiledRule]:
    """Compile the process's rules once per version, collecting their faults."""
    return compile_rules(definition["rules"], problems)


def run(ctx: Context, options: dict[str, Any]) -> dict[str, Any]:
    """Evaluate each rule; after one that stops, or once the budget is spent, the rest are
    listed as not evaluated."""
    budget_ms = expressions.limit("RULES_TIME_BUDGET_MS")
    ctx.deadline = time.perf_counter() + budget_ms / 1000
    entries = []
    skipped = None
    try:
        for rule in ctx.process.parts["rules"]:
            if skipped is not None:
                entries.append({"rule": rule.id, "name": rule.name, "matched": False,
                                "skipped": skipped})
                continue
            try:
                expressions.time_left(ctx.deadline)
                entry = rule.evaluate(ctx)
            except expressions.BudgetSpent:
                message = (f"Rule '{rule.name}' was stopped: the rules took longer than their "
                           f"time budget of {budget_ms:g} ms.")
                ctx.error("_rules", rule.name, message)
                entries.append({"rule": rule.id, "name": rule.name, "matched": False,
                                "stopped": message})
                skipped = "the rules' time budget was spent"
                continue
            entries.append(entry)
            if entry.get("stop"):
                skipped = f"stopped by rule '{rule.name}'"
    finally:
        ctx.deadline = None
    return {"rules": entries}
