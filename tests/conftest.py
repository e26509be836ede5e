"""Fixtures: every database test runs on SQLite and on PostgreSQL, with real Redis."""

from __future__ import annotations

import contextlib
import os
import threading
import uuid

import psycopg2
import pytest
import redis as redis_lib
from psycopg2 import sql

from app import all_models, create_app, init_database
from core import generation
from core.auth import Role, create_token
from core.db import ReconnectingPostgres, db
from core.generation import Generation

BACKENDS = os.environ.get("HOOKHUB_TEST_BACKENDS", "sqlite,postgres").split(",")
PG_ADMIN_URL = os.environ.get("HOOKHUB_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DB = os.environ.get("HOOKHUB_TEST_PG_DB", "hookhub_test")
REDIS_URL = os.environ.get("HOOKHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
pytest_plugins = ["tests.integrations.push_fixtures"]


def fresh_pg_database(name: str) -> str:
    """Drop and create a PostgreSQL database; return its URL."""
    conn = psycopg2.connect(PG_ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def database_url(backend: str, tmp_dir, name: str = PG_DB) -> str:
    """A fresh, empty database of the given backend."""
    if backend == "postgres":
        return fresh_pg_database(name)
    return f"sqlite:///{tmp_dir}/hookhub.db"


@pytest.fixture(scope="session", params=BACKENDS)
def app(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(request.param)
    app = create_app({"TESTING": True, "DATABASE_URL": database_url(request.param, tmp),
                      "REDIS_URL": REDIS_URL, "DATA_DIR": str(tmp), "SERVER_NAME": "hookhub.test"})
    app.extensions["hookhub.backend"] = request.param
    with app.app_context():
        init_database()
        app.extensions["hookhub.database"] = db.obj
    yield app
    db.obj.close()


@pytest.fixture
def redis_conn():
    conn = redis_lib.Redis.from_url(REDIS_URL)
    conn.flushdb()
    yield conn
    conn.flushdb()


def empty_database() -> None:
    """Delete every row, seed the defaults again and move every cache's generation."""
    models = [m for m in all_models() if m is not Generation]
    if isinstance(db.obj, ReconnectingPostgres):
        tables = ", ".join(f'"{m._meta.table_name}"' for m in models)
        db.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    else:
        with db.atomic():
            for model in reversed(models):
                model.delete().execute()
    init_database()
    # Caches filled during the test must not survive into the next one.
    Generation.update(token=uuid.uuid4().hex).execute()
    generation.forget()


def as_another_process(func):
    """Run a push edit the way another process's commit reaches this one.

    Its rows and the subscribers' generation change, but this process's subscriber cache and
    cache tokens stay as they were (an edit made in this process would have emptied them).
    """
    from integrations.push import subscribers

    cache = subscribers._cache
    kept = cache.key, cache.state, getattr(generation._seen, "tokens", None)
    try:
        return func()
    finally:
        cache.key, cache.state, generation._seen.tokens = kept


def in_another_connection(app, func):
    """Run func in a thread of its own, on its own database connection; return its result."""
    outcome: dict = {}

    def run():
        with app.app_context():
            try:
                db.connect(reuse_if_open=True)
                outcome["value"] = func()
            except BaseException as exc:  # raised again in the test's thread
                outcome["error"] = exc
            finally:
                db.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the other connection's work did not end within 60 s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


@contextlib.contextmanager
def rolled_back(database):
    """Run this thread's work in one transaction rolled back at the end.

    The code finds no transaction open, so its outermost transactions begin, commit (running
    their after-commit hooks) and roll back as in production, only on a savepoint of this one.
    Other threads keep the database's own transactions.
    """
    own = {name: getattr(database, name) for name in ("begin", "commit", "rollback")}
    steps = {"begin": ["SAVEPOINT unit_of_work"], "commit": ["RELEASE SAVEPOINT unit_of_work"],
             "rollback": ["ROLLBACK TO SAVEPOINT unit_of_work", "RELEASE SAVEPOINT unit_of_work"]}
    thread = threading.get_ident()

    def on_savepoint(name):
        def run(*args, **kwargs):
            if threading.get_ident() != thread:
                return own[name](*args, **kwargs)
            for statement in steps[name]:
                database.execute_sql(statement)

        return run

    own["begin"]()
    try:
        for name in own:
            setattr(database, name, on_savepoint(name))
        yield
    finally:
        for name in own:
            delattr(database, name)
        database.rollback()


@pytest.fixture(autouse=True)
def _isolated(request, monkeypatch):
    """Bind the proxy to this test's backend and roll back everything the test wrote.

    A test marked `committed` runs without the enclosing transaction, so its transactions
    really commit (other connections seeing its rows); the tables are emptied and seeded
    again after it.
    """
    monkeypatch.setattr("core.queue._down_until", [0.0])
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    request.getfixturevalue("redis_conn")
    db.initialize(app.extensions["hookhub.database"])
    with app.app_context():
        db.connect(reuse_if_open=True)
        if request.node.get_closest_marker("committed"):
            try:
                yield
            finally:
                empty_database()
            return
        with rolled_back(db.obj):
            yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def admin_token(app) -> str:
    return create_token("test-admin", Role.ADMIN)[1]


@pytest.fixture
def viewer_token(app) -> str:
    return create_token("test-viewer", Role.VIEWER)[1]


@pytest.fixture
def admin(admin_token) -> dict:
    """Authorization headers for an admin."""
    return {"Authorization": f"Bearer {admin_token}"}


@pytest.fixture
def source_key(app) -> str:
    """The API key of a fresh inline source."""
    from integrations.inbound.sources import create_source

    return create_source("landing")[1]


@pytest.fixture
def admin_ui(app):
    """A test client logged in to the web UI as an admin."""
    from tests.ui_session import UiSession

    return UiSession(app, Role.ADMIN)


@pytest.fixture
def viewer_ui(app):
    """A test client logged in to the web UI as a viewer."""
    from tests.ui_session import UiSession

    return UiSession(app, Role.VIEWER)
