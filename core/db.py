"""The deferred database: one proxy, bound from DATABASE_URL, connections kept per thread."""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any
from urllib.parse import urlparse

import peewee
from flask import Flask
from playhouse.db_url import parseresult_to_dict
from playhouse.shortcuts import ReconnectMixin

db = peewee.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "busy_timeout": 15000,
    "foreign_keys": 1,
    "cache_size": -16000,
}


class ReconnectingPostgres(ReconnectMixin, peewee.PostgresqlDatabase):
    """PostgreSQL that reconnects when the server dropped an idle connection."""


def database_from_url(url: str) -> peewee.Database:
    """Open (lazily) the database a URL names: sqlite:///path or postgresql://..."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = parsed.path[1:] or ":memory:"
        if path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        return peewee.SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE",
                                     check_same_thread=False, timeout=15)
    if parsed.scheme in ("postgres", "postgresql"):
        return ReconnectingPostgres(**parseresult_to_dict(parsed))
    raise ValueError(f"unsupported DATABASE_URL scheme {parsed.scheme!r}")


def is_sqlite() -> bool:
    """Tell whether the bound database is SQLite."""
    return isinstance(db.obj, peewee.SqliteDatabase)


def ensure_connection() -> None:
    """Open this thread's connection unless it is open; it stays open for reuse."""
    db.connect(reuse_if_open=True)


def utcnow() -> dt.datetime:
    """Now in UTC, naive (stored as UTC everywhere)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def naive_utc(value: dt.datetime) -> dt.datetime:
    """A datetime as stored: UTC without tzinfo (a naive one is taken as UTC already)."""
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


class JSONField(peewee.TextField):
    """JSON stored as text, portable across SQLite and PostgreSQL."""

    def db_value(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, separators=(",", ":"), default=str)

    def python_value(self, value: str | None) -> Any:
        return None if value is None else json.loads(value)


class BaseModel(peewee.Model):
    class Meta:
        database = db
        legacy_table_names = False


def init_app(app: Flask) -> None:
    """Bind the proxy to DATABASE_URL and open a connection per request thread."""
    db.initialize(database_from_url(app.config["DATABASE_URL"]))

    @app.before_request
    def _connect() -> None:
        ensure_connection()
