"""Encrypt secrets hookhub must send back out (signing secrets, receiver passwords) at rest.

The key is derived from SECRET_KEY when it is set; otherwise a random key is created once in
DATA_DIR/secret.key (readable by its owner only). Every process of one install must share it.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

KEY_FILE = "secret.key"


def _key_from_file(data_dir: str) -> bytes:
    path = os.path.join(data_dir, KEY_FILE)
    os.makedirs(data_dir, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path, "rb") as f:
            return f.read().strip()
    key = Fernet.generate_key()
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key


def _fernet() -> Fernet:
    ext = current_app.extensions
    if "hookhub.secretbox" not in ext:
        secret = current_app.config.get("SECRET_KEY")
        if secret:
            digest = hashlib.sha256(b"hookhub-secretbox:" + str(secret).encode()).digest()
            key = base64.urlsafe_b64encode(digest)
        else:
            key = _key_from_file(current_app.config["DATA_DIR"])
        ext["hookhub.secretbox"] = Fernet(key)
    return ext["hookhub.secretbox"]


def seal(plain: str) -> str:
    """Encrypt a secret for storage."""
    return _fernet().encrypt(plain.encode()).decode()


def unseal(token: str) -> str:
    """Decrypt a stored secret; a wrong key is a clear error, not garbage."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise RuntimeError("A stored secret cannot be decrypted: SECRET_KEY or "
                           "DATA_DIR/secret.key differs from the one that sealed it.") from exc
