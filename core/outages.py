"""What counts as the database or Redis being unavailable, and logging each outage once."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

import peewee
import psycopg2
import psycopg2.errors

log = logging.getLogger(__name__)

# SQLite's own words for a file it cannot use right now (its other OperationalErrors are bugs).
SQLITE_UNAVAILABLE = ("database is locked", "unable to open database", "disk i/o error",
                      "database or disk is full", "readonly database")
# SQLSTATE classes of a server that is gone, going, starting or full: connection exception,
# insufficient resources, operator intervention (a cancelled statement is not an outage).
PG_UNAVAILABLE_CLASSES = ("08", "53", "57")
# What peewee raises for the database (an InterfaceError is not one of its DatabaseErrors).
DATABASE_ERRORS = (peewee.DatabaseError, peewee.InterfaceError)


def _driver_error(exc: BaseException) -> BaseException:
    """The driver's exception behind peewee's wrappers (each keeps the one below as .orig)."""
    while isinstance(getattr(exc, "orig", None), BaseException):
        exc = exc.orig
    return exc


def database_down(exc: BaseException) -> bool:
    """Tell whether an error means the database cannot be reached or used right now."""
    if not isinstance(exc, peewee.OperationalError | peewee.InterfaceError):
        return False
    cause = _driver_error(exc)
    if isinstance(cause, psycopg2.InterfaceError):
        return True
    if isinstance(cause, psycopg2.OperationalError):
        if isinstance(cause, psycopg2.errors.QueryCanceled):
            return False
        return cause.pgcode is None or cause.pgcode[:2] in PG_UNAVAILABLE_CLASSES
    if isinstance(cause, sqlite3.OperationalError):
        return any(words in str(cause).lower() for words in SQLITE_UNAVAILABLE)
    # peewee's own, on a connection the driver had already given up on.
    return "connection already closed" in str(exc) or "connection not open" in str(exc)


class Outage:
    """One dependency of this process: log when it fails and when it is back, once each."""

    def __init__(self, name: str):
        self.name = name
        self.since: float | None = None
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, exc: BaseException) -> bool:
        """Note a failure; True (and one warning) when it starts an outage."""
        with self._lock:
            if self.since is not None:
                return False
            self.since = time.monotonic()
        log.warning("%s unavailable (%s: %s); retrying until it is back", self.name,
                    type(exc).__name__, str(exc).strip().splitlines()[0] if str(exc) else "")
        return True

    def recovered(self) -> None:
        """Note a success; log the end of an outage if one was going on."""
        if self.since is None:
            return
        with self._lock:
            since, self.since = self.since, None
        if since is not None:
            log.warning("%s is back after %.1f s", self.name, time.monotonic() - since)


DATABASE = Outage("database")
REDIS = Outage("Redis")
