"""The JSON envelope every delivery carries, with the webhook's files when asked for."""

from __future__ import annotations

import base64
import json
from typing import Any

from integrations.inbound.models import Attachment
from integrations.push.events import Event
from integrations.push.targets import Target

FILE_PLACEHOLDER = "Base64 encoded file data is not present in logs."


def envelope(event: Event, version: str) -> dict[str, Any]:
    """id, type, timestamp, version and data of an event."""
    return {"id": event.id, "type": event.type, "timestamp": event.timestamp(),
            "version": version, "data": event.data}


def files(webhook_id: int | None, cap: int) -> list[dict[str, Any]]:
    """The webhook's attachments, base64-encoded until their total size reaches the cap."""
    if webhook_id is None:
        return []
    out, total = [], 0
    for a in Attachment.select().where(Attachment.webhook == webhook_id).order_by(Attachment.id):
        total += a.size
        item = {"field": a.field, "fileName": a.filename, "contentType": a.content_type,
                "size": a.size}
        if total <= cap:
            item["data"] = base64.b64encode(bytes(a.data)).decode()
        else:
            item.update(data=None, omitted=f"over the {cap}-byte attachment limit")
        out.append(item)
    return out


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def bodies(event: Event, target: Target, attached: list[dict[str, Any]] | None) -> tuple[str, str]:
    """The body to send and the body to log (file data replaced by a placeholder)."""
    env = envelope(event, target.version)
    if not (target.attach_files and attached):
        text = _dumps(env)
        return text, text
    sent = {**env, "data": {**env["data"], "files": attached}}
    logged_files = [{**f, "data": FILE_PLACEHOLDER} if f.get("data") else f for f in attached]
    logged = {**env, "data": {**env["data"], "files": logged_files}}
    return _dumps(sent), _dumps(logged)
