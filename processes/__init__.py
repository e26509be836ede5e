"""The process: pipeline steps, records, batch processing."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the records API and the sweeper."""
    from core import maintenance
    from processes import api, runner

    app.register_blueprint(api.bp)
    maintenance.register(app, "sweep-webhooks", app.config["SWEEP_SECONDS"], runner.sweep)
