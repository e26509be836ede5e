"""python app.py reprocess: run finished webhooks again, with a progress bar."""

from __future__ import annotations

import json

import click

from core.db import ensure_connection
from processes import reprocess
from processes.models import FINISHED


@click.command("reprocess")
@click.option("--status", type=click.Choice(FINISHED), default="failed", show_default=True)
@click.option("--since", type=click.DateTime(), help="Received at or after (UTC).")
@click.option("--until", type=click.DateTime(), help="Received before (UTC).")
@click.option("--source", type=int, help="Only this source's webhooks (id).")
@click.option("--diff", "show_diff", is_flag=True, help="Print each webhook's diff as a JSON line.")
def reprocess_command(status, since, until, source, show_diff) -> None:
    """Run matching webhooks through the current process version; records are updated."""
    ensure_connection()
    filters = {"status": status, "since": since, "until": until, "source": source}
    total = reprocess.matching(filters).count()
    outcomes: dict[str, int] = {}
    diffs = []
    with click.progressbar(reprocess.reprocess_all(filters), length=total,
                           label=f"reprocessing {total} webhook(s)") as results:
        for result in results:
            outcomes[result["status"]] = outcomes.get(result["status"], 0) + 1
            diffs.append(result)
    for result in diffs if show_diff else []:
        click.echo(json.dumps(result, default=str))
    summary = ", ".join(f"{n} {s}" for s, n in sorted(outcomes.items())) or "nothing matched"
    click.echo(f"reprocessed {sum(outcomes.values())} webhook(s): {summary}")
