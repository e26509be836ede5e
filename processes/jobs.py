"""RQ jobs: thin wrappers that take ids and call a service function."""

from __future__ import annotations

from core.db import ensure_connection
from processes import records


def index_keys(entity: str | None, fields: list[str]) -> int:
    """Index existing records on key fields a new process version upserts on."""
    ensure_connection()
    return records.index_existing(entity, fields)
