"""What a push target proves itself with: signing secrets and receiver auth, kept encrypted.

Targets carry their secrets sealed, and they are decrypted only when a request is signed and
sent, so receiving webhooks and emitting events never depend on the encryption keys.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from urllib3.util import make_headers

from core.secretbox import SecretUnavailable, unseal


class AuthType(StrEnum):
    NONE = "none"
    BASIC = "basic"
    BEARER = "bearer"


@dataclass(frozen=True)
class Credentials:
    """Sealed signing secrets (each with when it stops signing) and receiver auth."""

    keys: tuple[tuple[str, dt.datetime | None], ...] = ()
    auth_type: str = AuthType.NONE.value
    username: str | None = None
    password: str | None = None

    def signing_keys(self, now: dt.datetime) -> list[str]:
        """The current secret, and the previous one while its overlap lasts, decrypted."""
        return [_open(k, "signing secret") for k, expires in self.keys
                if expires is None or expires > now]

    def authorization(self) -> str | None:
        """The Authorization header value, decrypted."""
        if self.auth_type == AuthType.BASIC:
            password = _open(self.password, "receiver password") if self.password else ""
            return make_headers(basic_auth=f"{self.username}:{password}")["authorization"]
        if self.auth_type == AuthType.BEARER and self.password:
            return f"Bearer {_open(self.password, 'receiver token')}"
        return None


def _open(sealed: str, what: str) -> str:
    try:
        return unseal(sealed)
    except SecretUnavailable as exc:
        raise SecretUnavailable(
            f"The {what} cannot be decrypted: the key it was encrypted with is no longer "
            "configured (ENCRYPTION_KEYS, or the key derived from SECRET_KEY). Restore that "
            f"key, or set a new {what}.") from exc
