"""A per-process cache of entity definitions and lookup rows, checked against a generation row."""

from __future__ import annotations

from dataclasses import dataclass

import peewee

from core.generation import GenerationCache
from lookups.models import Entity, Field, Lookup, LookupRow


@dataclass(frozen=True)
class FieldSpec:
    code: str
    caption: str
    net_type: str
    required: bool
    lookup: str | None


@dataclass(frozen=True)
class EntitySpec:
    code: str
    caption: str
    enabled: bool
    fields: tuple[FieldSpec, ...]

    def field(self, code: str) -> FieldSpec | None:
        """Return the field with this code, or None."""
        for f in self.fields:
            if f.code == code:
                return f
        return None


@dataclass(frozen=True)
class LookupTable:
    code: str
    ids: frozenset[str]
    by_name: dict[str, str]


_cache = GenerationCache("catalog", lambda: {"entities": {}, "lookups": {}})


def bump() -> None:
    """Mark the catalog as changed; call inside the editing transaction."""
    _cache.bump()


def _fresh() -> dict:
    return _cache.fresh()


def entity(code: str) -> EntitySpec | None:
    """The entity with this code (enabled or not), or None."""
    entities = _fresh()["entities"]
    if code in entities:
        return entities[code]
    row = Entity.get_or_none(Entity.code == code)
    if row is None:
        # A miss is not cached: the code comes from senders (EntityName, a URL), and caching
        # every name they make up would grow the cache with what they send.
        return None
    fields = (Field.select(Field, Lookup).join(Lookup, peewee.JOIN.LEFT_OUTER)
              .where(Field.entity == row).order_by(Field.position, Field.id))
    spec = entities[row.code] = EntitySpec(row.code, row.caption, row.enabled, tuple(
        FieldSpec(f.code, f.caption, f.net_type, f.required,
                  f.lookup.code if f.lookup_id else None) for f in fields))
    return spec


def lookup_table(code: str) -> LookupTable | None:
    """Ids and name/alias index of a lookup, or None when it does not exist."""
    state = _fresh()
    if code not in state["lookups"]:
        lookup = Lookup.get_or_none(Lookup.code == code)
        table = None
        if lookup is not None:
            ids, by_name = set(), {}
            for row in LookupRow.select().where(LookupRow.lookup == lookup):
                ids.add(row.row_id)
                for label in [row.name, *row.aliases]:
                    by_name.setdefault(label.strip().casefold(), row.row_id)
            table = LookupTable(code, frozenset(ids), by_name)
        state["lookups"][code] = table
    return state["lookups"][code]
