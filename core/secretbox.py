"""Encrypt secrets hookhub must send back out (signing secrets, receiver passwords) at rest.

ENCRYPTION_KEYS lists Fernet keys, newest first: the first encrypts, every one decrypts
(cryptography's MultiFernet). A key is rotated by putting a new one first, running
`reencrypt-secrets`, then dropping the old one. The key installs used before ENCRYPTION_KEYS,
derived from SECRET_KEY (which core.web keeps in DATA_DIR when unset), is always tried last,
so what they stored still decrypts; it encrypts only while ENCRYPTION_KEYS is empty. Every
process of one install must share the keys.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

from core.errors import Conflict

SEPARATORS = re.compile(r"[\s,]+")


class SecretUnavailable(Conflict):
    """A stored secret that none of the configured keys decrypts."""

    reason = "secret_unavailable"


def parse_keys(value: Any) -> list[str]:
    """ENCRYPTION_KEYS as a list (a JSON list, or one string of comma-separated keys), checked."""
    if not value:
        return []
    keys = SEPARATORS.split(value.strip()) if isinstance(value, str) else [str(k) for k in value]
    for i, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except (ValueError, binascii.Error):
            raise ValueError(f"ENCRYPTION_KEYS: key {i} of {len(keys)} is not a Fernet key (32 "
                             "url-safe base64-encoded bytes, as Fernet.generate_key() makes)."
                             ) from None
    return keys


def _legacy_key(secret: Any) -> bytes | None:
    if not secret:
        return None
    digest = hashlib.sha256(b"hookhub-secretbox:" + str(secret).encode()).digest()
    return base64.urlsafe_b64encode(digest)


def _box() -> MultiFernet:
    ext = current_app.extensions
    if "hookhub.secretbox" not in ext:
        keys: list[str | bytes] = list(parse_keys(current_app.config.get("ENCRYPTION_KEYS")))
        legacy = _legacy_key(current_app.config.get("SECRET_KEY"))
        if legacy is not None:
            keys.append(legacy)
        if not keys:
            raise RuntimeError("Set ENCRYPTION_KEYS (or SECRET_KEY) to store secrets.")
        ext["hookhub.secretbox"] = MultiFernet([Fernet(k) for k in keys])
    return ext["hookhub.secretbox"]


def _unavailable() -> SecretUnavailable:
    return SecretUnavailable("A stored secret cannot be decrypted with ENCRYPTION_KEYS or the key "
                             "derived from SECRET_KEY: the key that encrypted it is no longer "
                             "configured.")


def seal(plain: str) -> str:
    """Encrypt a secret for storage with the newest key."""
    return _box().encrypt(plain.encode()).decode()


def unseal(token: str) -> str:
    """Decrypt a stored secret; no configured key fitting is SecretUnavailable, not garbage."""
    try:
        return _box().decrypt(token.encode()).decode()
    except InvalidToken:
        raise _unavailable() from None


def reseal(token: str) -> str:
    """Encrypt a stored secret again with the newest key."""
    try:
        return _box().rotate(token.encode()).decode()
    except InvalidToken:
        raise _unavailable() from None
