"""The process: definitions and versions, pipeline steps, records, dry run and reprocess."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the API, the sweeper, the content-hash purge and the reprocess command."""
    from core import maintenance
    from processes import api, cli, dedupe, runner

    app.register_blueprint(api.bp)
    app.cli.add_command(cli.reprocess_command)
    maintenance.register(app, "sweep-webhooks", app.config["SWEEP_SECONDS"], runner.sweep)
    maintenance.register(app, "purge-content-hashes", 3600, dedupe.purge)
