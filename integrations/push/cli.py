"""Command line: push connections, retrying failed deliveries, purging the delivery log."""

from __future__ import annotations

import click
from marshmallow import ValidationError

from core.db import ensure_connection
from core.errors import HookhubError, flatten_messages
from integrations.push import connections, delivery, delivery_log
from integrations.push import schemas as push_schemas


def _fail(exc: Exception) -> click.ClickException:
    if isinstance(exc, ValidationError):
        return click.ClickException("; ".join(f"{e['field']}: {e['message']}"
                                              for e in flatten_messages(exc.messages)))
    return click.ClickException(exc.message if isinstance(exc, HookhubError) else str(exc))


@click.group("push-connection")
def push_connection() -> None:
    """Create, list, enable and disable push connections."""


@push_connection.command("create")
@click.argument("name")
@click.argument("url")
@click.option("-e", "--event", "event_types", multiple=True, required=True,
              help="Triggering event type (repeat for several).")
@click.option("--version", default="1", show_default=True)
@click.option("--header", "header_lines", multiple=True, help="'Name: value' (repeatable).")
@click.option("--bearer", help="Send Authorization: Bearer TOKEN.")
@click.option("--basic", help="Send basic auth, given as USER:PASSWORD.")
@click.option("--attach-files", is_flag=True, help="Attach the webhook's files (base64).")
@click.option("--enable", is_flag=True, help="Enable it at once.")
def create_command(name, url, event_types, version, header_lines, bearer, basic, attach_files,
                   enable) -> None:
    """Create a push connection and print its signing secret (shown only now)."""
    auth = {"type": "none"}
    if bearer:
        auth = {"type": "bearer", "token": bearer}
    elif basic:
        user, _, password = basic.partition(":")
        auth = {"type": "basic", "username": user, "password": password}
    raw = {"name": name, "url": url, "version": version, "event_types": list(event_types),
           "headers": [dict(zip(("name", "value"), (p.strip() for p in line.split(":", 1)),
                                strict=False)) for line in header_lines],
           "auth": auth, "attach_files": attach_files}
    ensure_connection()
    try:
        conn, secret = connections.create_connection(push_schemas.ConnectionSchema().load(raw))
    except (ValidationError, HookhubError) as exc:
        raise _fail(exc) from exc
    if enable:
        connections.set_enabled(conn, True)
    click.echo(f"push connection {conn.id}: {conn.name} ({'enabled' if conn.enabled else 'disabled'})")
    click.echo(f"signing secret: {secret}")


@push_connection.command("list")
def list_command() -> None:
    """List push connections."""
    ensure_connection()
    for c in connections.PushConnection.select().order_by(connections.PushConnection.id):
        state = "enabled" if c.enabled else "disabled"
        click.echo(f"{c.id}\t{c.name}\t{state}\t{','.join(c.event_types)}\t{c.url}")


def _switch(ref: str, enabled: bool) -> None:
    ensure_connection()
    try:
        conn = connections.set_enabled(connections.find_connection(ref), enabled,
                                       None if enabled else "Disabled from the command line.")
    except HookhubError as exc:
        raise _fail(exc) from exc
    click.echo(f"{'enabled' if enabled else 'disabled'} {conn.name}")


@push_connection.command("enable")
@click.argument("connection")
def enable_command(connection) -> None:
    """Enable a connection (name or id)."""
    _switch(connection, True)


@push_connection.command("disable")
@click.argument("connection")
def disable_command(connection) -> None:
    """Disable a connection (name or id)."""
    _switch(connection, False)


@click.command("retry-deliveries")
@click.option("--connection", help="Retry every failed delivery of this connection (name or id).")
@click.argument("delivery_ids", nargs=-1, type=int)
def retry_deliveries(connection, delivery_ids) -> None:
    """Send failed deliveries again now, with a progress bar."""
    ensure_connection()
    if bool(connection) == bool(delivery_ids):
        raise click.UsageError("Give either --connection or delivery ids.")
    try:
        ids = (delivery.failed_ids(connections.find_connection(connection).id) if connection
               else list(delivery_ids))
    except HookhubError as exc:
        raise _fail(exc) from exc
    with click.progressbar(length=len(ids), label="Retrying deliveries") as bar:
        succeeded = delivery.resend(ids, bar.update)
    click.echo(f"{succeeded} of {len(ids)} delivered")


@click.command("purge-logs")
@click.option("--days", type=float, help="Keep this many days (default: PUSH_LOG_RETENTION_DAYS).")
def purge_logs(days) -> None:
    """Delete delivery log rows and settled events older than the retention."""
    ensure_connection()
    logged, events = delivery_log.purge(days)
    click.echo(f"purged {logged} log row(s) and {events} event(s)")


COMMANDS = [push_connection, retry_deliveries, purge_logs]
