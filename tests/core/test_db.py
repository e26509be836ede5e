"""The database layer: URLs, prepared statements, row writes, queued SQLite writers, reconnects."""

from __future__ import annotations

import multiprocessing
import time
from urllib.parse import quote, urlsplit

import peewee
import psycopg2
import pytest
from psycopg2 import sql

from core.db import (
    Prepared,
    QueuedSqlite,
    database_from_url,
    db,
    ensure_connection,
    insert_row,
    update_row,
)
from integrations.inbound.models import Source, Webhook
from integrations.inbound.sources import create_source
from processes.models import Record
from tests.conftest import BACKENDS, PG_ADMIN_URL, PG_DB, fresh_pg_database


def test_database_urls(tmp_path):
    sqlite = database_from_url(f"sqlite:///{tmp_path}/sub/x.db")
    assert isinstance(sqlite, QueuedSqlite) and sqlite.database == f"{tmp_path}/sub/x.db"
    assert (tmp_path / "sub").is_dir()
    assert type(database_from_url("sqlite://")) is peewee.SqliteDatabase
    pg = database_from_url("postgresql://u:p@db.example:5433/hookhub")
    assert (pg.database, pg.connect_params["host"], pg.connect_params["port"]) == (
        "hookhub", "db.example", 5433)
    with pytest.raises(ValueError, match="unsupported DATABASE_URL scheme 'mysql'"):
        database_from_url("mysql://x/y")


def test_escapes_in_a_postgres_url_are_undone():
    pg = database_from_url("postgresql://h%C3%A9l%40ne:p%40ss%25w%3Ard%2F1@db.example:5433/"
                           "my%20db?sslmode=require&application_name=hook%20hub")
    assert (pg.database, pg.connect_params) == ("my db", {
        "user": "hél@ne", "password": "p@ss%w:rd/1", "host": "db.example", "port": 5433,
        "sslmode": "require", "application_name": "hook hub"})


@pytest.fixture
def pg_role():
    """A PostgreSQL role whose name and password need escaping in a URL; dropped afterwards.

    Named after the test database, so suites run side by side on one server never share it.
    """
    name, password = f"{PG_DB} url@test", "p@ss%w:rd/1"
    admin = psycopg2.connect(PG_ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
        cur.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(name), sql.Literal(password)))
    yield name, password
    with admin.cursor() as cur:
        cur.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))
    admin.close()


@pytest.mark.skipif("postgres" not in BACKENDS, reason="PostgreSQL is not among the test backends")
def test_a_postgres_password_with_escaped_characters_connects(pg_role):
    name, password = pg_role
    admin = urlsplit(PG_ADMIN_URL)
    host, database = admin.netloc.rsplit("@", 1)[-1], admin.path[1:]
    url = f"postgresql://{quote(name, safe='')}:{quote(password, safe='')}@{host}/{database}"
    assert url.endswith(f"//{PG_DB}%20url%40test:p%40ss%25w%3Ard%2F1@{host}/{database}")
    pg = database_from_url(url)
    assert (pg.connect_params["user"], pg.connect_params["password"]) == (name, password)
    pg.connect()
    try:
        assert pg.execute_sql("SELECT current_user, current_database()").fetchone() == (name, database)
        # What libpq sent: the server here may trust 127.0.0.1 and never ask for it.
        assert pg.connection().info.password == password
    finally:
        pg.close()


BY_NAME_AND_PREFIX = Prepared(lambda prefix, name: Source.select().where(
    Source.name == name, Source.key_prefix == prefix))


def test_prepared_binds_parameters_in_their_places(app):
    source, key = create_source("alpha")
    create_source("beta")
    [found] = BY_NAME_AND_PREFIX.models(Source, key[:8], "alpha")
    assert (found.id, found.name) == (source.id, "alpha")
    assert BY_NAME_AND_PREFIX.models(Source, key[:8], "beta") == []
    assert BY_NAME_AND_PREFIX.execute("nope", "alpha").fetchone() is None


def test_insert_row_generated_and_explicit_ids_with_json_and_blob(app):
    source, _ = create_source("s")
    webhook = insert_row(Webhook(source=source, content_type="application/json", headers={"a": "1"},
                                 query={}, body=b"\x00\xffraw", payload={"x": [1, 2]}))
    assert webhook.id is not None
    stored = Webhook.get_by_id(webhook.id)
    assert (bytes(stored.body), stored.headers, stored.payload) == (b"\x00\xffraw", {"a": "1"},
                                                                    {"x": [1, 2]})
    explicit = insert_row(Webhook(id=webhook.id + 1000, source=source, content_type="t",
                                  headers={}, query={}, body=b"", payload={}))
    assert Webhook.get_by_id(webhook.id + 1000).id == explicit.id
    insert_row(Record(id="r-1", entity="Lead", data={"Email": "a@b.c"}, webhook=webhook))
    assert Record.get_by_id("r-1").data == {"Email": "a@b.c"}


def test_update_row_saves_only_the_named_fields(app):
    source, _ = create_source("s")
    webhook = insert_row(Webhook(source=source, content_type="t", headers={}, query={}, body=b"b",
                                 payload={"p": 1}))
    Webhook.update(payload={"changed": "elsewhere"}).where(Webhook.id == webhook.id).execute()
    webhook.status, webhook.errors = "failed", [{"field": "x"}]
    assert update_row(webhook, webhook.dirty_fields) == 1
    stored = Webhook.get_by_id(webhook.id)
    assert (stored.status, stored.errors, stored.payload) == ("failed", [{"field": "x"}],
                                                              {"changed": "elsewhere"})
    assert webhook.dirty_fields == [] and update_row(webhook, []) == 0


def _hold_lock(path: str, seconds: float, ready) -> None:
    other = QueuedSqlite(path)
    with other.atomic():
        other.execute_sql("INSERT INTO t VALUES (1)")
        ready.set()
        time.sleep(seconds)
    other.close()


def test_queued_sqlite_writers_wait_their_turn_and_rollback_releases(tmp_path):
    path = str(tmp_path / "q.db")
    mine = QueuedSqlite(path)
    mine.execute_sql("CREATE TABLE t (v INTEGER)")
    ready = multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_lock, args=(path, 0.5, ready))
    holder.start()
    assert ready.wait(10)
    with mine.atomic():
        # We got in only once the other process committed: its row is already there.
        assert mine.execute_sql("SELECT count(*) FROM t").fetchone()[0] == 1
        mine.execute_sql("INSERT INTO t VALUES (2)")
    holder.join(10)
    with pytest.raises(peewee.IntegrityError), mine.atomic():
        mine.execute_sql("INSERT INTO t VALUES (3)")
        raise peewee.IntegrityError("abort")
    with mine.atomic():  # the rollback above released the lock
        assert mine.execute_sql("SELECT count(*) FROM t").fetchone()[0] == 2
    mine.close()



def _terminate(pid: int) -> None:
    """End a backend from another session, as a server restart or an admin would."""
    admin = psycopg2.connect(PG_ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s)", (pid,))
    admin.close()


def _backend_pid(database: peewee.Database) -> int:
    return database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]


def test_an_idle_postgres_connection_the_server_ended_is_replaced_by_the_next_statement():
    pg = database_from_url(fresh_pg_database(f"{PG_DB}_reconnect"))
    first = _backend_pid(pg)
    _terminate(first)
    second = _backend_pid(pg)
    assert second != first
    _terminate(second)
    with pg.atomic():  # the transaction's BEGIN reconnects: nothing of it was lost yet
        assert _backend_pid(pg) not in (first, second)
    pg.close()


def test_a_transaction_that_lost_its_connection_fails_and_the_next_unit_of_work_reconnects():
    pg = database_from_url(fresh_pg_database(f"{PG_DB}_reconnect"))
    bound = db.obj
    db.initialize(pg)
    try:
        ensure_connection()
        first = _backend_pid(pg)
        with pytest.raises(peewee.InterfaceError, match="connection already closed"), pg.atomic():
            pg.execute_sql("CREATE TABLE t (v INTEGER)")
            _terminate(first)
            pg.execute_sql("INSERT INTO t VALUES (1)")
        assert not pg.is_closed() and not pg.is_connection_usable()
        ensure_connection()
        assert pg.is_connection_usable() and _backend_pid(pg) != first
        assert pg.execute_sql("SELECT count(*) FROM pg_tables WHERE tablename = 't'"
                              ).fetchone()[0] == 0
        pg.close()
    finally:
        db.initialize(bound)
