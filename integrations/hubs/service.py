"""Hubs: named sets of event destinations (one URL per event type) with API credentials."""

from __future__ import annotations

import secrets
from typing import Any

import peewee

from core.db import BaseModel, get_or_404, utcnow
from core.errors import Conflict
from core.secretbox import seal
from core.security import hash_secret, new_secret
from integrations.push import signing, subscribers
from integrations.push.credentials import AuthType, Credentials
from integrations.push.targets import Target, TargetKind

# Lightico's own example selects "hub_2": letters, digits and underscores, a letter first.
NAME_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
NAME_RULE = "1-64 lower-case letters, digits and underscores, starting with a letter."
CREDENTIALS_NOTE = ("Not used yet: nothing checks the client id and API key until field mapping "
                    "uses them to call hookhub.")


class Hub(BaseModel):
    """A Lightico-style integration hub; events go to every hub unless a webhook names one."""

    name = peewee.CharField(max_length=64, unique=True)
    description = peewee.TextField(default="")
    client_id = peewee.CharField(max_length=40, unique=True)
    key_hash = peewee.CharField(max_length=64, unique=True)
    key_prefix = peewee.CharField(max_length=16)
    secret = peewee.TextField()
    secret_hint = peewee.CharField(max_length=16)
    created_at = peewee.DateTimeField(default=utcnow)
    rotated_at = peewee.DateTimeField(null=True)


class HubDestination(BaseModel):
    """Where a hub sends one event type, with optional basic auth."""

    hub = peewee.ForeignKeyField(Hub, backref="destinations", on_delete="CASCADE")
    event_type = peewee.CharField(max_length=100)
    url = peewee.TextField()
    username = peewee.CharField(max_length=200, null=True)
    password = peewee.TextField(null=True)
    enabled = peewee.BooleanField(default=True)
    disabled_reason = peewee.TextField(null=True)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("hub", "event_type"), True),)


def create_hub(name: str, description: str = "") -> tuple[Hub, dict[str, str]]:
    """Create a hub; return it with its credentials and signing secret, shown only now."""
    if Hub.get_or_none(Hub.name == name):
        raise Conflict(f"Hub '{name}' already exists.")
    api_key, secret = new_secret("hhk"), signing.new_secret()
    hub = Hub(name=name, description=description, client_id=f"hub_{secrets.token_hex(8)}",
              key_hash=hash_secret(api_key), key_prefix=api_key[:8], secret=seal(secret),
              secret_hint=secret[:10])
    subscribers.save(hub)
    return hub, {"client_id": hub.client_id, "api_key": api_key, "signing_secret": secret}


def update_hub(hub: Hub, data: dict[str, Any]) -> Hub:
    """Rename a hub or change its description."""
    if "name" in data:
        other = Hub.get_or_none(Hub.name == data["name"])
        if other is not None and other.id != hub.id:
            raise Conflict(f"Hub '{data['name']}' already exists.")
    for key, value in data.items():
        setattr(hub, key, value)
    subscribers.save(hub)
    return hub


def regenerate_key(hub: Hub) -> str:
    """Give a hub a new API key (its password); the old one stops working."""
    api_key = new_secret("hhk")
    hub.key_hash, hub.key_prefix, hub.rotated_at = hash_secret(api_key), api_key[:8], utcnow()
    hub.save()
    return api_key


def delete_hub(hub: Hub) -> None:
    """Delete a hub, its destinations and their deliveries."""
    subscribers.delete(hub)


def set_destination(hub: Hub, event_type: str, url: str, username: str | None = None,
                    password: str | None = None) -> HubDestination:
    """Set (and enable) the hub's destination for an event type.

    Refused while the hub's signing secret cannot be decrypted: the destination could get nothing.
    """
    Credentials(keys=((hub.secret, None),)).signing_keys(utcnow())
    dest = HubDestination.get_or_none(HubDestination.hub == hub,
                                      HubDestination.event_type == event_type)
    dest = dest or HubDestination(hub=hub, event_type=event_type)
    dest.url, dest.username = url, username
    dest.password = seal(password) if password else None
    dest.enabled, dest.disabled_reason, dest.updated_at = True, None, utcnow()
    subscribers.save(dest)
    return dest


def get_destination(hub: Hub, event_type: str) -> HubDestination:
    """The hub's destination for an event type, or NotFound."""
    return get_or_404(HubDestination, HubDestination.hub == hub,
                      HubDestination.event_type == event_type,
                      message=f"Hub '{hub.name}' has no destination for '{event_type}'.")


def remove_destination(dest: HubDestination) -> None:
    """Stop sending an event type to a hub."""
    subscribers.delete(dest)


def disable_destination(dest: HubDestination, reason: str) -> None:
    """Stop sending to a destination until it is set again."""
    dest.enabled, dest.disabled_reason, dest.updated_at = False, reason, utcnow()
    subscribers.save(dest)


def get_hub(hub_id: int) -> Hub:
    """The hub with this id or NotFound."""
    return get_or_404(Hub, Hub.id == hub_id, message=f"Hub {hub_id} does not exist.")


def target(dest: HubDestination, hub: Hub) -> Target:
    """What a delivery needs to know about a hub destination (secrets decrypted only to send)."""
    auth_type = AuthType.BASIC if dest.username else AuthType.NONE
    creds = Credentials(keys=((hub.secret, None),), auth_type=auth_type.value,
                        username=dest.username, password=dest.password)
    return Target(kind=TargetKind.DESTINATION, id=dest.id, name=f"{hub.name}/{dest.event_type}",
                  url=dest.url, event_types=frozenset([dest.event_type]), credentials=creds,
                  hub=hub.name)


def enabled_targets() -> list[Target]:
    """Targets of every enabled destination of every hub."""
    rows = (HubDestination.select(HubDestination, Hub).join(Hub)
            .where(HubDestination.enabled == True))  # noqa: E712
    return [target(d, d.hub) for d in rows]
