"""Push connections: outbound subscribers, their secrets and settings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import peewee

from core import masking
from core.db import BaseModel, JSONField, get_or_404, utcnow
from core.errors import Conflict, ValidationFailed
from core.secretbox import SecretUnavailable, seal, unseal
from integrations.inbound.models import Source
from integrations.push import signing, subscribers
from integrations.push.credentials import AuthType, Credentials
from integrations.push.targets import Target, TargetKind
from lookups import catalog

MAX_OVERLAP_SECONDS = 7 * 24 * 3600


class PushConnection(BaseModel):
    """One outbound subscriber; new ones are disabled until enabled."""

    name = peewee.CharField(max_length=100, unique=True)
    url = peewee.TextField()
    version = peewee.CharField(max_length=20, default="1")
    enabled = peewee.BooleanField(default=False)
    disabled_reason = peewee.TextField(null=True)
    event_types = JSONField(default=list)
    entities = JSONField(default=list)
    sources = JSONField(default=list)
    condition = peewee.TextField(null=True)
    headers = JSONField(default=list)
    auth_type = peewee.CharField(max_length=10, default=AuthType.NONE.value)
    auth_username = peewee.CharField(max_length=200, null=True)
    auth_secret = peewee.TextField(null=True)
    secret = peewee.TextField()
    secret_hint = peewee.CharField(max_length=16)
    previous_secret = peewee.TextField(null=True)
    previous_secret_expires_at = peewee.DateTimeField(null=True)
    attach_files = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)


def _check_references(data: dict[str, Any]) -> None:
    errors = []
    for i, code in enumerate(data.get("entities") or []):
        if catalog.entity(code) is None:
            errors.append({"field": f"entities.{i}", "message": f"Entity '{code}' does not exist."})
    wanted = set(data.get("sources") or [])
    known = {s.id for s in Source.select(Source.id).where(Source.id.in_(list(wanted)))} if wanted else set()
    for i, source_id in enumerate(data.get("sources") or []):
        if source_id not in known:
            errors.append({"field": f"sources.{i}", "message": f"Source {source_id} does not exist."})
    if errors:
        raise ValidationFailed(f"{errors[0]['field']}: {errors[0]['message']}", errors)


def _keep_masked(given: list[dict[str, str]], stored: list[dict[str, str]]) -> list[dict[str, str]]:
    """Headers to save: a secret one sent back masked, as GET shows it, keeps its stored value."""
    before = {h["name"].lower(): h["value"] for h in stored}
    out = []
    for header in given:
        old = before.get(header["name"].lower())
        sent_back = (old is not None and masking.is_secret(header["name"])
                     and header["value"] == masking.value(header["name"], old))
        out.append({**header, "value": old} if sent_back else header)
    return out


def _apply(conn: PushConnection, data: dict[str, Any]) -> None:
    auth = data.pop("auth", None)
    if "headers" in data:
        data["headers"] = _keep_masked(data["headers"], conn.headers or [])
    for key, value in data.items():
        setattr(conn, key, value)
    if auth is not None:
        conn.auth_type = auth["type"]
        conn.auth_username = auth.get("username")
        secret = auth.get("password") or auth.get("token")
        conn.auth_secret = seal(secret) if secret else None
    conn.updated_at = utcnow()


def _unique_name(name: str, current: PushConnection | None = None) -> None:
    other = PushConnection.get_or_none(PushConnection.name == name)
    if other is not None and (current is None or other.id != current.id):
        raise Conflict(f"Push connection '{name}' already exists.")


def create_connection(data: dict[str, Any]) -> tuple[PushConnection, str]:
    """Create a disabled connection; return it with its signing secret, shown only now."""
    _unique_name(data["name"])
    _check_references(data)
    secret = signing.new_secret()
    conn = PushConnection(secret=seal(secret), secret_hint=secret[:10], enabled=False)
    _apply(conn, dict(data))
    subscribers.save(conn)
    return conn, secret


def update_connection(conn: PushConnection, data: dict[str, Any]) -> PushConnection:
    """Change a connection's settings (enable/disable and secrets have their own calls)."""
    if "name" in data:
        _unique_name(data["name"], conn)
    _check_references(data)
    _apply(conn, dict(data))
    subscribers.save(conn)
    return conn


def set_enabled(conn: PushConnection, enabled: bool, reason: str | None = None) -> PushConnection:
    """Enable or disable a connection; the reason says why it was disabled.

    A connection whose secrets cannot be decrypted is not enabled: it could send nothing.
    """
    if enabled:
        _check_secrets(credentials(conn))
    conn.enabled, conn.disabled_reason = enabled, (None if enabled else reason)
    conn.updated_at = utcnow()
    subscribers.save(conn)
    return conn


def rotate_secret(conn: PushConnection, overlap_seconds: int) -> str:
    """Replace the signing secret; the old one still signs (beside the new) during the overlap."""
    secret = signing.new_secret()
    now = utcnow()
    if overlap_seconds > 0 and _readable(conn.secret):
        conn.previous_secret = conn.secret
        conn.previous_secret_expires_at = now + dt.timedelta(seconds=overlap_seconds)
    else:
        conn.previous_secret = conn.previous_secret_expires_at = None
    conn.secret, conn.secret_hint, conn.updated_at = seal(secret), secret[:10], now
    subscribers.save(conn)
    return secret


def delete_connection(conn: PushConnection) -> None:
    """Delete a connection and its deliveries and log."""
    subscribers.delete(conn)


def get_connection(connection_id: int) -> PushConnection:
    """The connection with this id or NotFound."""
    return get_or_404(PushConnection, PushConnection.id == connection_id,
                      message=f"Push connection {connection_id} does not exist.")


def find_connection(ref: str) -> PushConnection:
    """A connection by name or id."""
    by_id = PushConnection.id == int(ref) if ref.isdigit() else False
    return get_or_404(PushConnection, (PushConnection.name == ref) | by_id,
                      message=f"Push connection '{ref}' does not exist.")


def _readable(sealed: str) -> bool:
    try:
        unseal(sealed)
    except SecretUnavailable:
        return False
    return True


def _check_secrets(creds: Credentials) -> None:
    """Raise SecretUnavailable when a secret the connection sends cannot be decrypted."""
    creds.signing_keys(utcnow())
    creds.authorization()


def credentials(conn: PushConnection) -> Credentials:
    """A connection's secrets, still sealed."""
    keys = [(conn.secret, None)]
    if conn.previous_secret:
        keys.append((conn.previous_secret, conn.previous_secret_expires_at))
    return Credentials(keys=tuple(keys), auth_type=conn.auth_type, username=conn.auth_username,
                       password=conn.auth_secret)


def target(conn: PushConnection) -> Target:
    """What a delivery needs to know about a connection (its secrets decrypted only to send)."""
    return Target(
        kind=TargetKind.CONNECTION, id=conn.id, name=conn.name, url=conn.url,
        event_types=frozenset(conn.event_types), credentials=credentials(conn),
        version=conn.version, headers=tuple((h["name"], h["value"]) for h in conn.headers),
        attach_files=conn.attach_files, entities=frozenset(conn.entities),
        sources=frozenset(conn.sources), condition=conn.condition)


def enabled_targets() -> list[Target]:
    """Targets of every enabled connection."""
    return [target(c) for c in PushConnection.select().where(PushConnection.enabled == True)]  # noqa: E712
