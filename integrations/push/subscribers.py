"""Who listens: enabled push connections and hub destinations, cached per process.

The cache is checked against a generation token that every edit of a connection or hub
replaces in the editing transaction, so emitting an event costs one primary-key read when
nobody subscribes to it, and every process sees an edit as soon as it commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from core.db import BaseModel, db
from core.generation import GenerationCache
from integrations.push.targets import Target

# Who provides targets, by kind: push connections and hubs each register theirs at start-up.
PROVIDERS: dict[str, Callable[[], Iterable[Target]]] = {}


def provide(kind: str, enabled_targets: Callable[[], Iterable[Target]]) -> None:
    """Register a kind's source of enabled targets."""
    PROVIDERS[kind] = enabled_targets


@dataclass(frozen=True)
class Snapshot:
    targets: tuple[Target, ...] = ()
    types: frozenset[str] = frozenset()
    by_key: dict[tuple[str, int], Target] = field(default_factory=dict)


_cache = GenerationCache("subscribers", dict)


def bump() -> None:
    """Mark connections or hubs as changed; call inside the editing transaction."""
    _cache.bump()


def save(row: BaseModel) -> None:
    """Save a connection or hub row and mark the subscribers changed, in one transaction."""
    with db.atomic():
        row.save()
        bump()


def delete(row: BaseModel) -> None:
    """Delete a connection or hub row (and what cascades) and mark the subscribers changed."""
    with db.atomic():
        row.delete_instance()
        bump()


def current() -> Snapshot:
    """The enabled targets as of the last committed edit."""
    state = _cache.fresh()
    snapshot = state.get("snapshot")
    if snapshot is None:
        snapshot = state["snapshot"] = _load()
    return snapshot


def _load() -> Snapshot:
    targets = tuple(t for kind in sorted(PROVIDERS) for t in PROVIDERS[kind]())
    types = frozenset(t for target in targets for t in target.event_types)
    return Snapshot(targets, types, {t.key: t for t in targets})
