"""The numbered files of migrations/, applied by peewee's migration runner, and the db commands."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

import click
from playhouse.migrations import Migration, MigrationError, Runner

import migrations
from core.db import db, ensure_connection

log = logging.getLogger(__name__)

DIRECTORY = os.path.dirname(migrations.__file__)
INITIAL = "0001_initial"
HISTORY = "schema_migration"


def runner() -> Runner:
    """A runner over migrations/ on the bound database, its history kept in HISTORY."""
    return Runner(db.obj, DIRECTORY, table_name=HISTORY)


def status() -> list[Migration]:
    """Every migration in order, with when it was applied (None while pending)."""
    return runner().status()


def upgrade(target: str | None = None) -> list[str]:
    """Apply the pending migrations (through target, if given); return their names."""
    run = runner()
    if _made_by_create_tables(run):
        log.info("the tables of %s exist without a history: recording it as applied", INITIAL)
        run.fake(INITIAL)
    return run.up(target)


def downgrade(target: str | None = None) -> list[str]:
    """Revert the last applied migration, or every one back through target; return their names."""
    return runner().down(target)


def _made_by_create_tables(run: Runner) -> bool:
    # Installs from before migrations have the tables of the first one, made by create_tables; one
    # that lacks some gets them from running it, its DDL being create_tables' (IF NOT EXISTS).
    if run.History.table_exists():
        return False
    initial = next(m for m in run.migrations() if m.name == INITIAL).load()
    return set(initial.TABLES) <= set(db.get_tables())


@click.group("db")
def cli() -> None:
    """Upgrade, downgrade and list the schema migrations."""
    ensure_connection()


@cli.command("upgrade")
@click.argument("target", required=False)
def upgrade_command(target: str | None) -> None:
    """Apply the pending migrations, or those through TARGET."""
    _migrate("applied", upgrade, target)


@cli.command("downgrade")
@click.argument("target", required=False)
def downgrade_command(target: str | None) -> None:
    """Revert the last migration, or every one back through TARGET (0001_initial: all)."""
    _migrate("reverted", downgrade, target)


@cli.command("status")
@click.pass_context
def status_command(ctx: click.Context) -> None:
    """List the migrations and when each was applied; exit 1 while one is pending."""
    rows = status()
    for row in rows:
        applied = f"  {row.applied:%Y-%m-%d %H:%M:%S}" if row.applied else ""
        click.echo(f"[{'x' if row.applied else ' '}] {row.name}{applied}")
    ctx.exit(1 if any(not row.applied for row in rows) else 0)


def _migrate(verb: str, action: Callable[[str | None], list[str]], target: str | None) -> None:
    try:
        names = action(target)
    except MigrationError as exc:
        raise click.ClickException(str(exc)) from None
    for name in names:
        click.echo(f"{verb} {name}")
    if not names:
        click.echo("nothing to do")
