"""Standard Webhooks signatures: whsec_ secrets and the webhook-* headers."""

from __future__ import annotations

import base64
import datetime as dt
import secrets

from standardwebhooks.webhooks import Webhook

PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh signing secret: whsec_ and 32 random bytes in base64."""
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def headers(msg_id: str, body: str, keys: list[str], now: dt.datetime | None = None
            ) -> dict[str, str]:
    """webhook-id, webhook-timestamp and one v1 signature per key (several while rotating)."""
    now = now or dt.datetime.now(dt.UTC)
    signatures = " ".join(Webhook(key).sign(msg_id, now, body) for key in keys)
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signatures}
