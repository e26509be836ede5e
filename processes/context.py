"""The one object a process's steps read and write."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lookups.catalog import EntitySpec


@dataclass
class Context:
    """What a webhook carries through the pipeline: params, entity, values, errors, trace."""

    payload: dict[str, Any]
    attachments: list[dict[str, Any]] = field(default_factory=list)
    source_name: str | None = None
    default_entity: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    entity: EntitySpec | None = None
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    trace: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    halted: str | None = None

    def error(self, field_code: str, value: Any, message: str) -> None:
        """Collect a field-level error; steps go on collecting before the webhook fails."""
        self.errors.append({"field": field_code, "value": value, "message": message})

    def halt(self, reason: str) -> None:
        """Stop the pipeline without a record (the webhook is kept as no-record)."""
        self.halted = reason
