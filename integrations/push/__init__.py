"""Push: events, their targets, fan-out, signed delivery with retries, and the delivery log."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the push API, pages, CLI, periodic sweeps and connections as event targets."""
    from core import maintenance, web
    from integrations.push import api, connections, delivery_log, fanout, subscribers, views
    from integrations.push.cli import COMMANDS
    from integrations.push.targets import TargetKind

    subscribers.provide(TargetKind.CONNECTION, connections.enabled_targets)
    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    web.add_nav(app, "Push", "push_views.connections_list", order=70)
    maintenance.register(app, "push-sweep", app.config["PUSH_SWEEP_SECONDS"], fanout.sweep)
    maintenance.register(app, "purge-delivery-log", 3600, delivery_log.purge)
    for command in COMMANDS:
        app.cli.add_command(command)
