"""The one object a process's steps read and write."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from core.db import utcnow
from lookups.catalog import EntitySpec


@dataclass
class Context:
    """What a webhook carries through the pipeline: params, entity, values, errors, trace.

    Steps never write to the database: they leave what should be written here (records,
    lookup rows, the content hash, events), so a dry run is the same run without the writes.
    """

    payload: dict[str, Any]
    attachments: list[dict[str, Any]] = field(default_factory=list)
    source_name: str | None = None
    default_entity: str | None = None
    source_id: int | None = None
    webhook_id: int | None = None
    content_type: str = "application/json"
    idempotency_key: str | None = None
    received_at: dt.datetime = field(default_factory=utcnow)
    previous: list[dict[str, Any]] = field(default_factory=list)
    process: Any = None  # the processes.compiler.CompiledProcess running it
    params: dict[str, Any] = field(default_factory=dict)
    entity: EntitySpec | None = None
    forced_entity: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    assigned: dict[str, Any] = field(default_factory=dict)
    upsert: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    trace: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    lookup_rows: list[dict[str, Any]] = field(default_factory=list)
    content_hash: str | None = None
    content_window: int = 0  # seconds the content hash keeps a duplicate out
    events: list[dict[str, Any]] = field(default_factory=list)
    halted: str | None = None
    deadline: float | None = None  # time.perf_counter() by which the rules must be done

    def error(self, field_code: str, value: Any, message: str) -> None:
        """Collect a field-level error; steps go on collecting before the webhook fails."""
        self.errors.append({"field": field_code, "value": value, "message": message})

    def halt(self, reason: str) -> None:
        """Stop the pipeline without a record (the webhook is kept as no-record)."""
        self.halted = reason
