"""Login throttling: failed logins counted per name and per client address in the database.

The count lives in a table, not in a process, so every web worker and every host behind one
database refuse alike. Names and addresses are kept only as keyed hashes: a name field often
holds a password typed in the wrong box.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math

import peewee
from flask import current_app

from core.db import BaseModel, utcnow

# Doublings past this make no difference once the delay is capped, and keep the power small.
MAX_DOUBLINGS = 32


class LoginFailure(BaseModel):
    """One failed login, filed under the keyed hash of its name and again of its address."""

    key = peewee.CharField(max_length=64)
    failed_at = peewee.DateTimeField()

    class Meta:
        indexes = ((("key", "failed_at"), False),)


def _key(kind: str, value: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"{kind}\0{value}".encode(), hashlib.sha256).hexdigest()


def _keys(name: str, address: str | None) -> tuple[str, str]:
    return _key("name", name[:100]), _key("address", address or "")


def retry_after(name: str, address: str | None) -> int:
    """Seconds until a login for this name from this address may be tried; 0 when it may now.

    After LOGIN_THROTTLE_FAILURES failures within LOGIN_THROTTLE_WINDOW_SECONDS (for the name,
    or for the address), each further try waits LOGIN_THROTTLE_DELAY_SECONDS after the last
    failure, doubled with each failure past the limit, up to LOGIN_THROTTLE_MAX_DELAY_SECONDS.
    """
    config = current_app.config
    limit, now = config["LOGIN_THROTTLE_FAILURES"], utcnow()
    since = now - dt.timedelta(seconds=config["LOGIN_THROTTLE_WINDOW_SECONDS"])
    rows = (LoginFailure
            .select(peewee.fn.COUNT(LoginFailure.id), peewee.fn.MAX(LoginFailure.failed_at))
            .where(LoginFailure.key.in_(_keys(name, address)), LoginFailure.failed_at > since)
            .group_by(LoginFailure.key).tuples())
    wait = 0
    for count, last in rows:
        if count < limit:
            continue
        delay = min(config["LOGIN_THROTTLE_DELAY_SECONDS"] * 2 ** min(count - limit, MAX_DOUBLINGS),
                    config["LOGIN_THROTTLE_MAX_DELAY_SECONDS"])
        wait = max(wait, math.ceil((last + dt.timedelta(seconds=delay) - now).total_seconds()))
    return wait


def record_failure(name: str, address: str | None) -> None:
    """Count a failed login against its name and its address."""
    now = utcnow()
    LoginFailure.insert_many([{"key": key, "failed_at": now} for key in _keys(name, address)]
                             ).execute()


def record_success(name: str) -> None:
    """Forget the name's failures (the address's stay: one good login must not clear a spray)."""
    LoginFailure.delete().where(LoginFailure.key == _key("name", name[:100])).execute()


def purge() -> int:
    """Delete failures older than the window; return how many."""
    since = utcnow() - dt.timedelta(seconds=current_app.config["LOGIN_THROTTLE_WINDOW_SECONDS"])
    return LoginFailure.delete().where(LoginFailure.failed_at <= since).execute()
