"""Step rules: evaluate the process's rules in order over the typed record."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema

from processes.context import Context

NEEDS_ENTITY = True


class Options(Schema):
    pass


def run(ctx: Context, options: dict[str, Any]) -> dict[str, Any]:
    """Evaluate each rule; after one that stops, the rest are listed as not evaluated."""
    entries = []
    stopped_by = None
    for rule in ctx.process.rules:
        if stopped_by is not None:
            entries.append({"rule": rule.id, "name": rule.name, "matched": False,
                            "skipped": f"stopped by rule '{stopped_by}'"})
            continue
        entry = rule.evaluate(ctx)
        entries.append(entry)
        if entry.get("stop"):
            stopped_by = rule.name
    return {"rules": entries}
