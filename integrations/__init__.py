"""Sources and keys, inbound webhooks, Creatio endpoints, push connections, hubs and delivery."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprints, the periodic tasks and the push CLI commands."""
    from core import maintenance
    from integrations import api, creatio, delivery_log, hubs_api, inbound, intake, push, push_api
    from integrations.push_cli import COMMANDS

    for key, value in push.DEFAULTS.items():
        app.config.setdefault(key, value)
    app.register_blueprint(inbound.bp)
    app.register_blueprint(creatio.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(push_api.bp)
    app.register_blueprint(hubs_api.bp)
    maintenance.register(app, "purge-idempotency-keys", 3600, intake.purge_idempotency_keys)
    maintenance.register(app, "push-sweep", app.config["PUSH_SWEEP_SECONDS"], push.sweep)
    maintenance.register(app, "purge-delivery-log", 3600, delivery_log.purge)
    for command in COMMANDS:
        app.cli.add_command(command)
