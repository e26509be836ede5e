"""A per-process cache of data derived from the database, dropped when a counter row moves."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import peewee

from core.db import Prepared, db


class GenerationCache:
    """Editors bump the counter in their transaction; readers pay one primary-key query."""

    def __init__(self, model: type[peewee.Model], empty: Callable[[], dict[str, Any]]):
        self.model, self.empty = model, empty
        self.lock = threading.Lock()
        self.key: tuple[int, int] | None = None
        self.state = empty()
        self.read = Prepared(lambda row_id: model.select(model.value).where(model.id == row_id))

    def bump(self) -> None:
        """Mark the cached data as changed; call inside the editing transaction."""
        model = self.model
        if not model.update(value=model.value + 1).where(model.id == 1).execute():
            model.create(id=1, value=1)
        with self.lock:
            self.key = None

    def fresh(self) -> dict[str, Any]:
        """The cache state, emptied first when the counter (or the database bound) changed."""
        row = self.read.execute(1).fetchone()
        key = (id(db.obj), row[0] if row else 0)
        with self.lock:
            if self.key != key:
                self.key, self.state = key, self.empty()
            return self.state
