"""Point waiting outbox jobs at the push jobs' new module, integrations.push.jobs."""

from __future__ import annotations

import peewee
from playhouse.migrate import SchemaMigrator

OLD, NEW = "integrations.push_jobs.", "integrations.push.jobs."
JOBS = ("fan_out", "retry", "resend_failed", "ping_connection", "ping_destination", "ping_url")


def _rename(db: peewee.Database, before: str, after: str) -> None:
    outbox = peewee.Table("outbox_job", ("id", "func")).bind(db)
    for job in JOBS:
        outbox.update(func=after + job).where(outbox.func == before + job).execute()


def up(migrator: SchemaMigrator, db: peewee.Database) -> None:
    """Rename the job paths of outbox rows not yet handed to Redis."""
    _rename(db, OLD, NEW)


def down(migrator: SchemaMigrator, db: peewee.Database) -> None:
    """Give them their earlier paths back."""
    _rename(db, NEW, OLD)
