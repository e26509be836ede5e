"""Sources and their API keys: create, authenticate, rotate, revoke."""

from __future__ import annotations

from flask import url_for

from core.db import Prepared, db, get_or_404, utcnow
from core.errors import Conflict, NotFound, Unauthorized
from core.generation import GenerationCache
from core.security import hash_secret, new_secret, secret_matches
from integrations.inbound.models import Source


def create_source(name: str, deferred: bool = False, default_entity: str | None = None
                  ) -> tuple[Source, str]:
    """Create a source and return it with its API key, which is shown only now."""
    if Source.get_or_none(Source.name == name):
        raise Conflict(f"Source '{name}' already exists.")
    key = new_secret("hh")
    with db.atomic():
        source = Source.create(name=name, key_hash=hash_secret(key), key_prefix=key[:8],
                               deferred=deferred, default_entity=default_entity)
        _cache.bump()
    return source, key


_BY_KEY_HASH = Prepared(lambda key_hash: Source.select().where(Source.key_hash == key_hash))
# The sources found by key hash since any source last changed (misses are not kept).
_cache = GenerationCache("sources", dict)


def webhook_url(key: str) -> str:
    """The URL a sender posts to."""
    return url_for("inbound.receive", api_key=key, _external=True)


def authenticate(key: str) -> Source:
    """The live source for an API key, or Unauthorized (the key itself is never logged)."""
    key_hash = hash_secret(key) if len(key) <= 200 else None
    known = _cache.fresh()
    source = known.get(key_hash)
    if source is None and key_hash is not None:
        found = _BY_KEY_HASH.models(Source, key_hash)
        if found:
            source = known[key_hash] = found[0]
    if source is None or source.revoked_at is not None or not secret_matches(key, source.key_hash):
        raise Unauthorized("Unknown or revoked API key.", reason="invalid_api_key")
    return source


def get_source(source_id: int) -> Source:
    """The source with this id or NotFound."""
    return get_or_404(Source, Source.id == source_id, message=f"Source {source_id} does not exist.")


def find_source(ref: str) -> Source:
    """A source by id or by name."""
    source = Source.get_or_none(Source.name == ref)
    if source is None and ref.isdigit():
        source = Source.get_or_none(Source.id == int(ref))
    if source is None:
        raise NotFound(f"Source '{ref}' does not exist.")
    return source


def update_source(source: Source, changes: dict) -> Source:
    """Rename a source or change how its webhooks are processed."""
    name = changes.get("name")
    if name and name != source.name and Source.get_or_none(Source.name == name):
        raise Conflict(f"Source '{name}' already exists.")
    for key, value in changes.items():
        setattr(source, key, value)
    _save(source)
    return source


def rotate_key(source: Source) -> str:
    """Replace a source's key (the old one stops working at once) and un-revoke it."""
    key = new_secret("hh")
    source.key_hash, source.key_prefix = hash_secret(key), key[:8]
    source.rotated_at, source.revoked_at = utcnow(), None
    _save(source)
    return key


def revoke_key(source: Source) -> None:
    """Stop accepting the source's key; its webhooks are kept."""
    source.revoked_at = utcnow()
    _save(source)


def _save(source: Source) -> None:
    with db.atomic():
        source.save()
        _cache.bump()
