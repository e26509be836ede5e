"""RQ jobs of push delivery: thin wrappers that take ids and call a service function."""

from __future__ import annotations

from typing import Any

from core import outbox
from core.db import ensure_connection
from integrations.hubs import service as hubs
from integrations.push import connections, delivery
from integrations.push import fanout as push


def fan_out() -> int:
    """Fan out waiting events to their targets."""
    ensure_connection()
    outbox.release(push.FAN_OUT_JOB)
    return push.fan_out()


def retry(delivery_id: int) -> int:
    """Attempt a due delivery (and its target's other due ones)."""
    ensure_connection()
    return delivery.retry_due(delivery_id)


def resend_failed(connection_id: int) -> int:
    """Attempt every failed delivery of a connection again."""
    ensure_connection()
    return delivery.resend(delivery.failed_ids(connection_id))


def ping_connection(connection_id: int) -> dict[str, Any]:
    """Send a signed ping to a connection, enabled or not."""
    ensure_connection()
    return delivery.ping(connections.target(connections.get_connection(connection_id)))


def ping_destination(destination_id: int) -> dict[str, Any]:
    """Send a signed ping to a hub destination."""
    ensure_connection()
    dest = hubs.HubDestination.get_by_id(destination_id)
    return delivery.ping(hubs.target(dest, dest.hub))


def ping_url(url: str) -> dict[str, Any]:
    """Send a signed ping to a bare URL."""
    return delivery.ping_url(url)
