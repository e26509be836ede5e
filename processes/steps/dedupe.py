"""Step dedupe: a post without an idempotency key whose content a source sent moments ago is a duplicate."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from marshmallow import Schema, fields, validate

from core.db import Prepared, is_sqlite, update_row, utcnow
from processes.context import Context
from processes.models import ContentHash

FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_WINDOW_SECONDS = 24 * 3600


class Options(Schema):
    window_seconds = fields.Integer(load_default=10,
                                    validate=validate.Range(min=1, max=MAX_WINDOW_SECONDS))
    scope = fields.String(load_default="forms", validate=validate.OneOf(["forms", "all"]))


_EARLIER = Prepared(lambda source, digest: ContentHash.select().where(
    ContentHash.source == source, ContentHash.digest == digest))
_FIRST = Prepared(lambda source, digest, webhook, received_at: ContentHash.insert(
    source=source, digest=digest, webhook=webhook, received_at=received_at).on_conflict_ignore())


def content_digest(ctx: Context) -> str:
    """SHA-256 of the parsed content (not the raw body: multipart boundaries differ per post)."""
    files = sorted((a["field"], a["filename"], a["size"]) for a in ctx.attachments)
    text = json.dumps([ctx.payload, files], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def run(ctx: Context, options: dict[str, Any]) -> dict[str, Any]:
    """Halt as no-record when the same content came within the window; else note its hash."""
    if ctx.idempotency_key:
        return {"checked": False, "reason": "the post has an idempotency key"}
    if options["scope"] == "forms" and not ctx.content_type.startswith(FORMS):
        return {"checked": False, "reason": "not a form post"}
    if ctx.source_id is None:
        return {"checked": False, "reason": "no source"}
    digest = content_digest(ctx)
    found = _EARLIER.models(ContentHash, ctx.source_id, digest)
    if found and _duplicates(ctx, found[0], options["window_seconds"]):
        ctx.halt(duplicate_reason(ctx, found[0], options["window_seconds"]))
        return {"checked": True, "duplicate_of": found[0].webhook_id}
    ctx.content_hash, ctx.content_window = digest, options["window_seconds"]
    return {"checked": True, "duplicate_of": None}


def _duplicates(ctx: Context, earlier: ContentHash, window_seconds: int) -> bool:
    window = dt.timedelta(seconds=window_seconds)
    return (earlier.webhook_id != ctx.webhook_id
            and ctx.received_at - window <= earlier.received_at <= ctx.received_at)


def duplicate_reason(ctx: Context, earlier: ContentHash, window_seconds: int) -> str:
    """Why a webhook is kept as no-record: its content came before."""
    return (f"Duplicate of webhook {earlier.webhook_id}: the same content within "
            f"{window_seconds} s.")


def claim(ctx: Context, webhook_id: int) -> ContentHash | None:
    """In the writing transaction, note the webhook as the latest with its content; return the
    earlier webhook's hash when one committed the same content meanwhile (a duplicate).

    The insert waits for a concurrent one of the same content, so of two at once one wins. A
    reprocessed older webhook never replaces a newer one.
    """
    received_at = ContentHash.received_at.db_value(ctx.received_at)
    if _FIRST.execute(ctx.source_id, ctx.content_hash, webhook_id, received_at).rowcount:
        return None
    query = ContentHash.select().where(ContentHash.source == ctx.source_id,
                                       ContentHash.digest == ctx.content_hash)
    earlier = (query if is_sqlite() else query.for_update()).get()
    if _duplicates(ctx, earlier, ctx.content_window):
        return earlier
    if earlier.received_at < ctx.received_at:
        earlier.webhook, earlier.received_at = webhook_id, ctx.received_at
        update_row(earlier, [ContentHash.webhook, ContentHash.received_at])
    return None


def purge() -> int:
    """Forget content hashes older than the longest window (periodic)."""
    cutoff = utcnow() - dt.timedelta(seconds=MAX_WINDOW_SECONDS)
    return ContentHash.delete().where(ContentHash.received_at < cutoff).execute()
