"""hookhub: the app factory and the command line (python app.py COMMAND or flask --app app)."""

from __future__ import annotations

import json
import logging
import os
import sys

import click
from flask import Flask
from flask.cli import FlaskGroup
from werkzeug.middleware.proxy_fix import ProxyFix

import integrations
import lookups
import processes
import rules
from core import config, db, errors, generation, http, maintenance, migrate, openapi, outbox, views, web


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then environment, then test_config; nothing connects yet."""
    app = Flask(__name__)
    config.load(app, test_config)
    app.json.sort_keys = False
    if app.config["PROXY_FIX"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX"],
                                x_proto=app.config["PROXY_FIX"], x_host=app.config["PROXY_FIX"])
    db.init_app(app)
    generation.init_app(app)
    errors.init_app(app)
    http.init_app(app)
    web.init_app(app)
    views.init_app(app)
    lookups.init_app(app)
    integrations.init_app(app)
    processes.init_app(app)
    rules.init_app(app)
    openapi.init_app(app)
    maintenance.register(app, "relay-outbox", 1, outbox.relay_stale)
    for command in COMMANDS:
        app.cli.add_command(command)

    @app.get("/healthz")
    def healthz():
        from core.health import check

        return check()

    return app


def all_models() -> list:
    """Every table hookhub keeps, in creation order."""
    from core.auth import ApiToken
    from core.generation import Generation
    from core.login_throttle import LoginFailure
    from core.users import User, WebSession
    from integrations.inbound.models import MODELS as INTEGRATIONS
    from integrations.push.fanout import MODELS as PUSH
    from lookups.models import MODELS as LOOKUPS
    from processes.models import MODELS as PROCESSES

    return [ApiToken, User, WebSession, LoginFailure, outbox.OutboxJob, Generation, *LOOKUPS,
            *INTEGRATIONS, *PROCESSES, *PUSH]


def init_database() -> None:
    """Apply the pending migrations and seed the default entities, lookups and process."""
    from lookups.seed import seed
    from processes.definitions import ensure_default

    db.ensure_connection()
    migrate.upgrade()
    seed()
    ensure_default()


@click.command("init-db")
def init_db_command() -> None:
    """Create or upgrade the tables and seed the defaults."""
    init_database()
    click.echo("database ready")


@click.command("create-source")
@click.argument("name")
@click.option("--deferred", is_flag=True, help="Process its webhooks in batches, answer 202.")
@click.option("--default-entity", help="Entity used when a webhook has no EntityName.")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def create_source_command(name, deferred, default_entity, base_url, as_json) -> None:
    """Create a source and print its webhook URL and API key (shown only now)."""
    from integrations.inbound.sources import create_source

    init_database()
    _, key = create_source(name, deferred=deferred, default_entity=default_entity)
    url = f"{base_url.rstrip('/')}/webhooks/{key}"
    if as_json:
        click.echo(json.dumps({"name": name, "api_key": key, "webhook_url": url}))
    else:
        click.echo(f"source:      {name}\napi key:     {key}\nwebhook url: {url}")


@click.command("rotate-key")
@click.argument("source")
def rotate_key_command(source) -> None:
    """Give a source (name or id) a new API key; the old one stops working."""
    from integrations.inbound.sources import find_source, rotate_key

    db.ensure_connection()
    click.echo(rotate_key(find_source(source)))


@click.command("revoke-key")
@click.argument("source")
def revoke_key_command(source) -> None:
    """Revoke a source's API key."""
    from integrations.inbound.sources import find_source, revoke_key

    db.ensure_connection()
    revoke_key(find_source(source))
    click.echo(f"revoked the key of {source}")


@click.command("create-token")
@click.option("--role", type=click.Choice(["admin", "viewer"]), default="admin", show_default=True)
@click.option("--name", default="cli", show_default=True)
def create_token_command(role, name) -> None:
    """Create an API token and print it (shown only now)."""
    from core.auth import Role, create_token

    init_database()
    _, secret = create_token(name, Role(role))
    click.echo(secret)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--fork", is_flag=True, help="Fork a work horse per job (rq's Worker).")
@click.argument("queues", nargs=-1)
def worker_command(burst, fork, queues) -> None:
    """Run an RQ worker with the housekeeping thread (outbox relay, sweeper, purges)."""
    from flask import current_app

    from core import worker

    init_database()
    db.db.close()
    worker.run(current_app._get_current_object(), list(queues) or None, burst=burst, fork=fork)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--workers", default=2, show_default=True, help="gunicorn worker processes.")
@click.option("--rq-workers", default=1, show_default=True, help="RQ workers started beside.")
@click.option("--demo", is_flag=True, help="Print a demo source's webhook URL and an admin token.")
@click.pass_context
def serve_command(ctx, host, port, workers, rq_workers, demo) -> None:
    """Serve the web app with gunicorn and keep RQ workers running beside it."""
    from flask import current_app

    from core.queue import redis_url_for_children
    from core.supervisor import Supervisor

    app = current_app._get_current_object()
    init_database()
    base = f"http://{host}:{port}"
    if demo:
        _print_demo(base)
    db.db.close()
    root = os.path.dirname(os.path.abspath(__file__))
    # The embedded Redis lives in this process, so it outlives every child; it shuts down at
    # exit only when no child is still connected to it.
    env = {**os.environ, "REDIS_URL": redis_url_for_children(app),
           "DATABASE_URL": app.config["DATABASE_URL"],
           "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    web = [sys.executable, "-m", "gunicorn", "--config", "python:core.server",
           "--bind", f"{host}:{port}", "--workers", str(workers), "app:create_app()"]
    worker = [sys.executable, os.path.join(root, "app.py"), "worker"]
    click.echo(f"hookhub listening on {base}")
    ctx.exit(Supervisor(web, worker, rq_workers, env).run())


def _print_demo(base: str) -> None:
    from core.auth import Role, create_token
    from core.security import new_secret
    from core.users import User, create_user
    from integrations.inbound.models import Source
    from integrations.inbound.sources import create_source, rotate_key

    existing = Source.get_or_none(Source.name == "demo")
    key = rotate_key(existing) if existing else create_source("demo")[1]
    _, token = create_token("demo", Role.ADMIN)
    click.echo(f"demo webhook url: {base}/webhooks/{key}\nadmin token:      {token}")
    if not User.select().exists():
        password = new_secret("demo", 12)
        create_user("admin", Role.ADMIN, password)
        click.echo(f"web ui login:     admin / {password} at {base}/login")


COMMANDS = [init_db_command, migrate.cli, create_source_command, rotate_key_command, revoke_key_command,
            create_token_command, worker_command, serve_command]
cli = FlaskGroup(create_app=create_app, help="hookhub: webhooks in, typed records, events out.")

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    cli()
