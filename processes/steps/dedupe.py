"""Step dedupe: a post without an idempotency key whose content a source sent moments ago is a duplicate."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from marshmallow import Schema, fields, validate
from peewee import EXCLUDED

from core.db import Prepared, utcnow
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
_REMEMBER = Prepared(lambda source, digest, webhook, received_at: ContentHash.insert(
    source=source, digest=digest, webhook=webhook, received_at=received_at).on_conflict(
    conflict_target=[ContentHash.source, ContentHash.digest],
    update={ContentHash.webhook: EXCLUDED.webhook_id, ContentHash.received_at: EXCLUDED.received_at},
    where=(ContentHash.received_at < EXCLUDED.received_at)))


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
    earlier = found[0] if found else None
    window = dt.timedelta(seconds=options["window_seconds"])
    if (earlier is not None and earlier.webhook_id != ctx.webhook_id
            and ctx.received_at - window <= earlier.received_at <= ctx.received_at):
        ctx.halt(f"Duplicate of webhook {earlier.webhook_id}: the same content within "
                 f"{options['window_seconds']} s.")
        return {"checked": True, "duplicate_of": earlier.webhook_id}
    ctx.content_hash = digest
    return {"checked": True, "duplicate_of": None}


def remember(ctx: Context, webhook_id: int) -> None:
    """Note the webhook as the latest with its content (a reprocessed older one never wins)."""
    if ctx.content_hash is None:
        return
    _REMEMBER.execute(ctx.source_id, ctx.content_hash, webhook_id,
                      ContentHash.received_at.db_value(ctx.received_at))


def purge() -> int:
    """Forget content hashes older than the longest window (periodic)."""
    cutoff = utcnow() - dt.timedelta(seconds=MAX_WINDOW_SECONDS)
    return ContentHash.delete().where(ContentHash.received_at < cutoff).execute()
