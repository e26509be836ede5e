"""The process: pipeline steps, records, batch processing."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the records API and pages, and the sweeper."""
    from core import maintenance, web
    from core.auth import Role
    from processes import api, runner, views

    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    web.add_nav(app, "Records", "processes_views.records_list", roles=(Role.VIEWER,), order=60)
    maintenance.register(app, "sweep-webhooks", app.config["SWEEP_SECONDS"], runner.sweep)
