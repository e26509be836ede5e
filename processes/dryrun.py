"""Dry run: a payload through a process (saved or draft), with the full trace, writing nothing."""

from __future__ import annotations

from typing import Any

from core.errors import NotFound
from integrations.inbound.models import Source, WebhookStatus
from processes import definitions, pipeline
from processes.compiler import compile_definition
from processes.context import Context
from processes.models import Process


def dry_run(data: dict[str, Any], process: Process | None = None) -> dict[str, Any]:
    """Run the payload through the draft definition given, else the process's active version."""
    if data.get("definition") is not None:
        compiled = compile_definition(data["definition"], at="definition")[0]
    else:
        compiled = definitions.runnable(process.active_version)
    source = None
    if data["source"] is not None:
        source = Source.get_or_none(Source.id == data["source"])
        if source is None:
            raise NotFound(f"Source {data['source']} does not exist.")
    ctx = Context(payload=data["payload"], source_name=source.name if source else None,
                  default_entity=source.default_entity if source else None,
                  source_id=source.id if source else None, content_type=data["content_type"],
                  idempotency_key=data["idempotency_key"])
    pipeline.run(ctx, compiled)
    status = pipeline.outcome(ctx)
    written = status is WebhookStatus.PROCESSED
    return {"status": status.value, "entity": ctx.entity.code if ctx.entity else None,
            "process_id": process.id if process else None, "version": compiled.version_number,
            "trace": ctx.trace, "errors": ctx.errors,
            "records": [{"entity": r["entity"], "role": r["role"], "action": r["action"],
                         "id": r["data"]["Id"], "data": r["data"]} for r in ctx.records] if written else [],
            "lookup_rows": ctx.lookup_rows if written else [], "events": ctx.events}
