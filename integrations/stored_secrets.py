"""The secrets hookhub keeps encrypted, and encrypting them all again with the newest key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import click
import peewee

from core.db import db, ensure_connection
from core.secretbox import SecretUnavailable, reseal
from integrations.hubs.service import Hub, HubDestination
from integrations.push import subscribers
from integrations.push.connections import PushConnection

SEALED: tuple[tuple[type[peewee.Model], dict[str, str], Callable[[peewee.Model], str]], ...] = (
    (PushConnection, {"secret": "signing secret", "previous_secret": "previous signing secret",
                      "auth_secret": "receiver password or token"},
     lambda row: f"push connection '{row.name}'"),
    (Hub, {"secret": "signing secret"}, lambda row: f"hub '{row.name}'"),
    (HubDestination, {"password": "receiver password"},
     lambda row: f"hub destination {row.id} ({row.event_type})"),
)


@dataclass
class Report:
    """How many secrets were encrypted again, and which none of the keys decrypts."""

    reencrypted: int = 0
    unreadable: list[str] = field(default_factory=list)


def reencrypt() -> Report:
    """Encrypt every stored secret again with the first key; leave the ones no key decrypts."""
    report = Report()
    with db.atomic():
        for model, columns, label in SEALED:
            for row in model.select():
                for name, what in columns.items():
                    token = getattr(row, name)
                    if not token:
                        continue
                    try:
                        fresh = reseal(token)
                    except SecretUnavailable:
                        report.unreadable.append(f"{label(row)}: {what}")
                        continue
                    column = getattr(model, name)
                    # Compare-and-set: a secret replaced meanwhile is already under the newest key.
                    model.update({column: fresh}).where(model.id == row.id, column == token).execute()
                    report.reencrypted += 1
        subscribers.bump()
    return report


@click.command("reencrypt-secrets")
def reencrypt_command() -> None:
    """Encrypt every stored secret again with the newest key (the first of ENCRYPTION_KEYS)."""
    ensure_connection()
    report = reencrypt()
    click.echo(f"re-encrypted {report.reencrypted} stored secret(s) with the newest key")
    if report.unreadable:
        click.echo(f"{len(report.unreadable)} cannot be decrypted with any configured key and "
                   "were left as they are: " + "; ".join(report.unreadable), err=True)
        raise SystemExit(1)
