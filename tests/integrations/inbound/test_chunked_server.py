"""Chunked bodies through werkzeug's own server in a thread (it de-chunks the body itself, unlike
the test client): over the limit is 413 and nothing is stored; within it, the body is whole."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from app import create_app, init_database
from core.db import db
from integrations.inbound.models import Webhook
from integrations.inbound.sources import create_source
from tests.conftest import BACKENDS, PG_DB, REDIS_URL, database_url
from tests.integrations.raw_http import post_chunked

FORM = "application/x-www-form-urlencoded"
LAST = b"&Email=last%40example.com"


@pytest.fixture(scope="module", params=BACKENDS)
def served(request, tmp_path_factory):
    """(port, webhook path) of the app on a fresh database, served by werkzeug in a thread."""
    tmp = tmp_path_factory.mktemp(f"chunked-{request.param}")
    app = create_app({"DATABASE_URL": database_url(request.param, tmp, f"{PG_DB}_chunked"),
                      "REDIS_URL": REDIS_URL, "DATA_DIR": str(tmp)})
    with app.app_context():
        init_database()
        key = create_source("landing")[1]
    database = db.obj
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield database, server.server_port, f"/webhooks/{key}"
    server.shutdown()
    thread.join(timeout=10)
    database.close()


def test_over_the_limit_is_413_and_within_it_the_body_is_whole(served):
    database, port, path = served
    db.initialize(database)
    big = b"EntityName=Lead&Commentary=" + b"x" * (3 * 1024 * 1024) + LAST
    answer = post_chunked(port, path, big, FORM)
    assert (answer.status, answer.json()["message"]) == (
        413, "Body is over 1048576 bytes; the limit is 1048576.")
    assert Webhook.select().count() == 0
    body = b"EntityName=Lead&Commentary=" + b"x" * 400_000 + LAST
    answer = post_chunked(port, path, body, FORM, size=999)
    assert answer.status == 200, answer.body
    webhook = Webhook.get_by_id(answer.json()["id"])
    assert bytes(webhook.body) == body and webhook.payload["Email"] == "last@example.com"
