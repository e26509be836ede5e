"""The process: definitions and versions, pipeline steps, records, dry run and reprocess."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the API and pages, the webhook drain and sweeper, a purge, the reprocess command."""
    from core import maintenance, web
    from core.auth import Role
    from processes import api, batches, cli, definition_views, views
    from processes.steps import dedupe

    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(definition_views.bp)
    app.cli.add_command(cli.reprocess_command)
    web.add_nav(app, "Records", "processes_views.records_list", roles=(Role.VIEWER,), order=60)
    web.add_nav(app, "Processes", "process_definition_views.processes_list", order=70)
    maintenance.register_poller(app, "drain-webhooks", batches.drain)
    maintenance.register(app, "sweep-webhooks", app.config["SWEEP_SECONDS"], batches.sweep)
    maintenance.register(app, "purge-content-hashes", 3600, dedupe.purge)
