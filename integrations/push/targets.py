"""Where events go: a push connection or a hub destination, and the conditions that filter them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from core.jsonpath import JsonPathSyntaxError, compile_path
from integrations.push.credentials import Credentials

MAX_CONDITION_LENGTH = 500


class TargetKind(StrEnum):
    CONNECTION = "connection"
    DESTINATION = "destination"


@dataclass(frozen=True)
class Target:
    """One place events go: a push connection or a hub's destination for one event type."""

    kind: TargetKind
    id: int
    name: str
    url: str
    event_types: frozenset[str]
    credentials: Credentials = Credentials()
    version: str = "1"
    headers: tuple[tuple[str, str], ...] = ()
    attach_files: bool = False
    entities: frozenset[str] = frozenset()
    sources: frozenset[int] = frozenset()
    condition: str | None = None
    hub: str | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind.value, self.id)

    def matches(self, event: Any) -> bool:
        """Whether an event goes here: type, hub selection, entity and source filters, condition."""
        if event.type not in self.event_types:
            return False
        if self.hub is not None and event.hub is not None and event.hub != self.hub:
            return False
        if self.entities and event.entity not in self.entities:
            return False
        if self.sources and event.source_id not in self.sources:
            return False
        if self.condition:
            doc = {"id": event.id, "type": event.type, "timestamp": event.timestamp(),
                   "data": event.data}
            return any(v not in (None, False) for v in compile_path(self.condition).values(doc))
        return True


def condition_problem(text: str) -> str | None:
    """Why a JSONPath condition cannot be used, or None."""
    if len(text) > MAX_CONDITION_LENGTH:
        return f"must be at most {MAX_CONDITION_LENGTH} characters"
    try:
        compile_path(text)
    except JsonPathSyntaxError as exc:
        return f"is not valid JSONPath: {exc.detail}"
    return None
