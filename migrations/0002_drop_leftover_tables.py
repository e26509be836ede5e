"""Drop the per-cache counter tables that the one generation table replaced (commit 8cf2b00)."""

from __future__ import annotations

import peewee
from playhouse.migrate import SchemaMigrator

# Made by init-db before 8cf2b00 (CatalogGeneration, ProcessGeneration, SubscriberGeneration).
LEFTOVERS = ("catalog_generation", "process_generation", "subscriber_generation")


def up(migrator: SchemaMigrator, db: peewee.Database) -> None:
    """Drop each leftover table that exists."""
    migrator.migrate(*[migrator.drop_table(table, safe=True) for table in LEFTOVERS])


def down(migrator: SchemaMigrator, db: peewee.Database) -> None:
    """Leave them dropped: no version that runs on the earlier schema reads them."""
