"""Outages: which errors mean the database is down, the 503 they answer, logging each once."""

from __future__ import annotations

import logging
import sqlite3

import peewee
import psycopg2
import pytest

from app import create_app, init_database
from core.db import database_from_url, db, ensure_connection
from core.outages import Outage, database_down
from integrations.inbound.models import Webhook
from integrations.inbound.sources import create_source
from processes import batches
from tests.conftest import BACKENDS, PG_DB, REDIS_URL, fresh_pg_database
from tests.e2e.conftest import free_port

UNAVAILABLE = {"code": 503, "status": "Service Unavailable", "reason": "database_unavailable",
               "message": "The database is unavailable; try again shortly.", "errors": []}


def _raised(database: peewee.Database, sql: str) -> Exception:
    with pytest.raises(peewee.DatabaseError) as info:
        database.execute_sql(sql)
    return info.value


@pytest.fixture
def restore_proxy():
    """Apps made here rebind the one database proxy; give it back afterwards."""
    bound = db.obj
    yield
    db.initialize(bound)


def test_sqlite_errors_are_told_apart(tmp_path):
    path = tmp_path / "x.db"
    mine = database_from_url(f"sqlite:///{path}")
    mine.execute_sql("CREATE TABLE t (v INTEGER)")
    mine.execute_sql("PRAGMA busy_timeout = 20")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    locked = _raised(mine, "INSERT INTO t VALUES (1)")
    assert str(locked) == "database is locked" and database_down(locked)
    other.execute("ROLLBACK")
    assert not database_down(_raised(mine, "SELECT * FROM missing"))
    (tmp_path / "dir.db").mkdir()
    unopenable = _raised(database_from_url(f"sqlite:///{tmp_path}/dir.db"), "SELECT 1")
    assert str(unopenable) == "unable to open database file" and database_down(unopenable)
    assert not database_down(peewee.IntegrityError("UNIQUE constraint failed"))
    assert not database_down(ValueError("database is locked"))


def test_postgres_errors_are_told_apart():
    refused = _raised(database_from_url(f"postgresql://postgres@127.0.0.1:{free_port()}/x"),
                      "SELECT 1")
    assert "Connection refused" in str(refused) and database_down(refused)
    mine = database_from_url(fresh_pg_database(f"{PG_DB}_errors"))
    assert not database_down(_raised(mine, "SELECT * FROM missing"))
    mine.execute_sql("SET statement_timeout = 1")
    cancelled = _raised(mine, "SELECT pg_sleep(1)")
    assert isinstance(cancelled.orig, psycopg2.errors.QueryCanceled)
    assert not database_down(cancelled)
    mine.execute_sql("SET statement_timeout = 0")
    # Inside a transaction: the rollback finds the connection closed, and says so.
    with pytest.raises(peewee.InterfaceError) as terminated, mine.atomic():
        mine.execute_sql("SELECT pg_terminate_backend(pg_backend_pid())")
    assert str(terminated.value) == "connection already closed"
    assert database_down(terminated.value)
    mine.close()


def _unreachable_url(backend: str, tmp_path) -> str:
    if backend == "postgres":
        return f"postgresql://postgres@127.0.0.1:{free_port()}/hookhub"
    (tmp_path / "hookhub.db").mkdir()  # a file SQLite cannot open
    return f"sqlite:///{tmp_path}/hookhub.db"


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_unreachable_database_answers_503_with_retry_after(backend, tmp_path, restore_proxy):
    app = create_app({"DATABASE_URL": _unreachable_url(backend, tmp_path), "REDIS_URL": REDIS_URL,
                      "DATA_DIR": str(tmp_path), "RETRY_AFTER_SECONDS": 7})
    client = app.test_client()
    for response in (client.post("/webhooks/hh_whatever", json={"EntityName": "Lead"}),
                     client.get("/api/v1/webhooks", headers={"Authorization": "Bearer hht_x"})):
        assert (response.status_code, response.json) == (503, UNAVAILABLE)
        assert response.headers["Retry-After"] == "7"
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["database"] == "error: OperationalError"


def test_a_locked_sqlite_file_answers_503(tmp_path, restore_proxy):
    path = tmp_path / "hookhub.db"
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "REDIS_URL": REDIS_URL,
                      "DATA_DIR": str(tmp_path)})
    with app.app_context():
        init_database()
        _, key = create_source("landing")
        # The test client serves in this thread, on this connection: wait 20 ms, not 15 s.
        db.execute_sql("PRAGMA busy_timeout = 20")
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        response = app.test_client().post(f"/webhooks/{key}", json={"EntityName": "Lead"})
        assert (response.status_code, response.json) == (503, UNAVAILABLE)
        assert response.headers["Retry-After"] == "5"
        other.execute("ROLLBACK")
        assert app.test_client().post(f"/webhooks/{key}", json={"EntityName": "Lead"}
                                      ).status_code == 200
        db.close()


def test_an_outage_is_logged_once_when_it_starts_and_once_when_it_ends(caplog):
    outage = Outage("database")
    caplog.set_level(logging.WARNING, "core.outages")
    outage.recovered()
    assert outage.failed(peewee.OperationalError("Connection refused\nIs the server running?"))
    assert not outage.failed(peewee.OperationalError("Connection refused"))
    assert outage.down
    outage.recovered()
    outage.recovered()
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == ("database unavailable (OperationalError: Connection refused); "
                           "retrying until it is back")
    assert len(messages) == 2 and messages[1].startswith("database is back after ")
    assert not outage.down


SELF_TERMINATE = """
CREATE FUNCTION hookhub_test_die() RETURNS trigger AS $$
BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER hookhub_test_die BEFORE INSERT ON record FOR EACH ROW
EXECUTE FUNCTION hookhub_test_die();
"""


def test_a_database_lost_while_writing_the_outcome_acknowledges_nothing(tmp_path, restore_proxy):
    app = create_app({"DATABASE_URL": fresh_pg_database(f"{PG_DB}_stored"), "REDIS_URL": REDIS_URL,
                      "DATA_DIR": str(tmp_path)})
    with app.app_context():
        init_database()
        _, key = create_source("landing")
        # The webhook row is inserted, then the server drops us as its record is written.
        db.execute_sql(SELF_TERMINATE)
    client = app.test_client()
    lead = {"EntityName": "Lead", "Email": "a@example.com"}
    first = client.post(f"/webhooks/{key}", json=lead)
    assert (first.status_code, first.json["reason"]) == (503, "database_unavailable")
    with app.app_context():
        ensure_connection()  # the next unit of work replaces the connection the server ended
        db.execute_sql("DROP TRIGGER hookhub_test_die ON record")
        assert Webhook.select().count() == 0  # the webhook and its outcome went together
    second = client.post(f"/webhooks/{key}", json={**lead, "Email": "b@example.com"})
    assert (second.status_code, second.json["status"]) == (200, "processed")
    with app.app_context():
        db.close()


REFUSE_RECORDS = """
CREATE FUNCTION hookhub_test_refuse() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'records refused'; END $$ LANGUAGE plpgsql;
CREATE TRIGGER hookhub_test_refuse BEFORE INSERT ON record FOR EACH ROW
EXECUTE FUNCTION hookhub_test_refuse();
"""


def test_an_outcome_that_cannot_be_written_leaves_the_webhook_to_a_worker(tmp_path, restore_proxy):
    app = create_app({"DATABASE_URL": fresh_pg_database(f"{PG_DB}_refused"), "REDIS_URL": REDIS_URL,
                      "DATA_DIR": str(tmp_path), "INLINE_GRACE_SECONDS": 0})
    with app.app_context():
        init_database()
        _, key = create_source("landing")
        db.execute_sql(REFUSE_RECORDS)
    lead = {"EntityName": "Lead", "Email": "a@example.com"}
    first = app.test_client().post(f"/webhooks/{key}", json=lead)
    assert (first.status_code, first.json["status"]) == (200, "received")  # stored: not resent
    with app.app_context():
        ensure_connection()
        db.execute_sql("DROP TRIGGER hookhub_test_refuse ON record")
        assert batches.drain() == 1
        stored = Webhook.get_by_id(first.json["id"])
        assert (stored.status, stored.attempts, len(stored.record_ids)) == ("processed", 1, 1)
        db.close()
