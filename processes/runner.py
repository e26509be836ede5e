"""Run a webhook through its process: compute the outcome reading only, then write it at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.db import Writes, db, update_row, utcnow
from integrations.inbound.models import Attachment, Webhook, WebhookStatus
from integrations.push import events
from processes import definitions, pipeline, records
from processes.compiler import CompiledProcess
from processes.context import Context
from processes.models import FINISHED, Record
from processes.steps import dedupe, resolve

# What a run changes on its webhook row: the raw request (body, headers, payload) is never rewritten.
OUTCOME_FIELDS = [Webhook.status, Webhook.entity, Webhook.process_version, Webhook.trace,
                  Webhook.errors, Webhook.record_ids, Webhook.attempts, Webhook.claim,
                  Webhook.claimed_at, Webhook.processed_at]


@dataclass
class Outcome:
    """What running the process made of a webhook, not written yet."""

    webhook: Webhook
    process: CompiledProcess
    ctx: Context
    status: WebhookStatus


def context_for(webhook: Webhook) -> Context:
    """A fresh pipeline context for a webhook (with the records it wrote, if rerun)."""
    attachments = [{"field": a.field, "filename": a.filename, "content_type": a.content_type,
                    "size": a.size} for a in
                   Attachment.select(Attachment.field, Attachment.filename,
                                     Attachment.content_type, Attachment.size)
                   .where(Attachment.webhook == webhook)] if (
        webhook.id is not None and webhook.content_type.startswith("multipart/")) else []
    previous = []
    if webhook.attempts:
        # A rerun updates the records the webhook wrote before instead of adding new ones.
        entities = dict(Record.select(Record.id, Record.entity)
                        .where((Record.webhook == webhook) | Record.id.in_(webhook.record_ids))
                        .tuples())
        ordered = [i for i in webhook.record_ids if i in entities]
        ordered += sorted(set(entities) - set(ordered))
        previous = [{"id": i, "entity": entities[i]} for i in ordered]
    return Context(payload=webhook.payload, attachments=attachments,
                   source_name=webhook.source.name, default_entity=webhook.source.default_entity,
                   source_id=webhook.source_id, webhook_id=webhook.id,
                   content_type=webhook.content_type, idempotency_key=webhook.idempotency_key,
                   received_at=webhook.received_at, previous=previous)


def compute(webhook: Webhook, attachments: list[dict[str, Any]] | None = None) -> Outcome:
    """Run the process over a webhook outside any transaction; nothing is written.

    `attachments` describes the files of a webhook not stored yet (inline intake).
    """
    process = definitions.for_source(webhook.source_id)
    ctx = context_for(webhook)
    if attachments:
        ctx.attachments = [{k: a[k] for k in ("field", "filename", "content_type", "size")}
                           for a in attachments]
    pipeline.run(ctx, process)
    return Outcome(webhook, process, ctx, pipeline.outcome(ctx))


def settle(outcome: Outcome) -> None:
    """Set the webhook's outcome fields from a computed run (the row is not written)."""
    webhook, ctx = outcome.webhook, outcome.ctx
    webhook.status = outcome.status.value
    webhook.entity = ctx.entity.code if ctx.entity else None
    webhook.process_version = outcome.process.version_id
    webhook.trace, webhook.errors = ctx.trace, ctx.errors
    webhook.record_ids = [r["data"]["Id"] for r in ctx.records] if (
        outcome.status is WebhookStatus.PROCESSED) else []
    webhook.attempts += 1
    webhook.claim = webhook.claimed_at = None
    webhook.processed_at = utcnow()


def record(outcome: Outcome, later: Writes | None = None) -> list[dict[str, Any]]:
    """Write a settled outcome in the caller's transaction: records, lookup rows, content hash,
    events, and what changed on the webhook row (already stored); with `later`, the new
    records and the webhook row go there, for the caller to flush."""
    webhook, ctx = outcome.webhook, outcome.ctx
    earlier = dedupe.claim(ctx, webhook.id) if ctx.content_hash else None
    if earlier is not None:
        # The same content was committed meanwhile by another webhook: this one is its duplicate.
        reason = dedupe.duplicate_reason(ctx, earlier, ctx.content_window)
        ctx.halt(reason)
        ctx.trace.append({"step": "result", "ok": True, "reason": reason})
        webhook.status, webhook.trace = WebhookStatus.NO_RECORD.value, ctx.trace
        outcome.status = WebhookStatus.NO_RECORD
    written = []
    if outcome.status is WebhookStatus.PROCESSED:
        if ctx.lookup_rows:
            resolve.write_rows(ctx.lookup_rows)
        written = records.write(ctx.records, webhook, later)
    ids = [r["id"] for r in written]
    if ids != webhook.record_ids:  # another webhook wrote a record with the same keys first
        webhook.record_ids = ids
    if later is not None:
        later.update(webhook, OUTCOME_FIELDS)
    else:
        update_row(webhook, [f for f in OUTCOME_FIELDS if f.name in webhook._dirty])
    events.process_outcome(webhook, written, ctx.events)
    return written


def rerun(webhook_id: int) -> tuple[Webhook, list[dict[str, Any]] | None]:
    """Run a finished webhook again through its process's current version; None when it is
    not finished (received or being processed)."""
    with db.atomic():
        taken = (Webhook.update(status=WebhookStatus.PROCESSING.value, claimed_at=utcnow())
                 .where(Webhook.id == webhook_id, Webhook.status.in_(FINISHED)).execute())
        webhook = Webhook.get_by_id(webhook_id)
        if not taken:
            return webhook, None
        outcome = compute(webhook)
        settle(outcome)
        return webhook, record(outcome)
