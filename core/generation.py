"""Per-process caches of data derived from the database, dropped when their generation moves.

An edit replaces its cache's generation token (a random one, so a token read inside a
transaction that later rolled back can never be mistaken for a committed one) in the editing
transaction; readers pay one prepared primary-key read.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import peewee
from flask import Flask

from core.db import BaseModel, Prepared, db


class Generation(BaseModel):
    """The current token of one named cache."""

    name = peewee.CharField(max_length=50, primary_key=True)
    token = peewee.CharField(max_length=32)


_READ_ALL = Prepared(lambda: Generation.select(Generation.name, Generation.token))
_seen = threading.local()


def tokens() -> dict[str, str]:
    """Every cache's token, read once per unit of work.

    A unit of work is a web request, an RQ job, one run of a periodic task or one webhook of a
    batch; each starts with `forget()`, called by the mechanism that runs it (before_request,
    the worker's job execution, the periodic task runner, the batch runner).
    """
    known = getattr(_seen, "tokens", None)
    if known is None:
        known = _seen.tokens = dict(_READ_ALL.execute().fetchall())
    return known


def forget() -> None:
    """Start a new unit of work: the next cache access reads the tokens again."""
    _seen.tokens = None


def init_app(app: Flask) -> None:
    """Make every request a unit of work."""
    app.before_request(forget)


class GenerationCache:
    """A dict of derived data, emptied whenever its generation (or the bound database) changes."""

    def __init__(self, name: str, empty: Callable[[], dict[str, Any]]):
        self.name, self.empty = name, empty
        self.lock = threading.Lock()
        self.key: tuple[int, str] | None = None
        self.state = empty()

    def bump(self) -> None:
        """Mark the cached data as changed; call inside the editing transaction."""
        token = uuid.uuid4().hex
        if not Generation.update(token=token).where(Generation.name == self.name).execute():
            Generation.create(name=self.name, token=token)
        forget()
        with self.lock:
            self.key = None

    def fresh(self) -> dict[str, Any]:
        """The cache state, emptied first when the generation (or the database bound) changed."""
        key = (id(db.obj), tokens().get(self.name, ""))
        with self.lock:
            if self.key != key:
                self.key, self.state = key, self.empty()
            return self.state
