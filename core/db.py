"""The deferred database: one proxy, bound from DATABASE_URL, connections kept per thread."""

from __future__ import annotations

import datetime as dt
import fcntl
import inspect
import json
import os
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import ParseResult, unquote, urlparse

import peewee
import psycopg2.extras
from flask import Flask
from playhouse.db_url import parseresult_to_dict
from playhouse.shortcuts import ReconnectMixin

from core.errors import NotFound
from core.outages import DATABASE, DATABASE_ERRORS, database_down

db = peewee.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "busy_timeout": 15000,
    "foreign_keys": 1,
    "cache_size": -16000,
}


class ReconnectingPostgres(ReconnectMixin, peewee.PostgresqlDatabase):
    """PostgreSQL that reconnects when the server dropped an idle connection.

    A statement outside a transaction (a transaction's BEGIN included) that meets a connection
    the server closed (it restarted, or ended idle sessions) reconnects once and runs again;
    inside a transaction the error stands, since what the transaction did is lost.
    """

    reconnect_errors = (
        (peewee.OperationalError, "server closed the connection"),
        (peewee.OperationalError, "terminating connection"),
        (peewee.OperationalError, "could not receive data from server"),
        (peewee.OperationalError, "could not send data to server"),
        (peewee.OperationalError, "ssl connection has been closed"),
        (peewee.OperationalError, "no connection to the server"),
        (peewee.InterfaceError, "connection already closed"),
    )


class QueuedSqlite(peewee.SqliteDatabase):
    """SQLite whose transactions queue on a file lock rather than in SQLite's busy handler.

    SQLite admits one writer at a time and makes the others sleep and retry on a fixed
    schedule (1, 2, 5, 10 ms...): under load a waiting process keeps oversleeping, and two web
    workers wrote no faster than one. Queued on flock, the next writer starts as soon as the
    last one ends. Every transaction here is a writer anyway (BEGIN IMMEDIATE).
    """

    def __init__(self, database: str, **kwargs: Any):
        super().__init__(database, **kwargs)
        self.lock_path = f"{database}-lock"
        self.lock_files = threading.local()

    def _lock_file(self) -> Any:
        held = getattr(self.lock_files, "held", None)
        if held is None or held[0] != os.getpid():  # a forked child needs a lock of its own
            held = self.lock_files.held = (os.getpid(), open(self.lock_path, "a"))
        return held[1]

    def begin(self, lock_type: str | None = None) -> None:
        lock = self._lock_file()
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            super().begin(lock_type)
        except BaseException:
            fcntl.flock(lock, fcntl.LOCK_UN)
            raise

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            fcntl.flock(self._lock_file(), fcntl.LOCK_UN)

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            fcntl.flock(self._lock_file(), fcntl.LOCK_UN)


def database_from_url(url: str) -> peewee.Database:
    """Open (lazily) the database a URL names: sqlite:///path or postgresql://..."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = parsed.path[1:] or ":memory:"
        options = {"pragmas": SQLITE_PRAGMAS, "lock_type": "IMMEDIATE", "check_same_thread": False,
                   "timeout": 15}
        if path == ":memory:":
            return peewee.SqliteDatabase(path, **options)
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        return QueuedSqlite(path, **options)
    if parsed.scheme in ("postgres", "postgresql"):
        return ReconnectingPostgres(**postgres_params(parsed))
    raise ValueError(f"unsupported DATABASE_URL scheme {parsed.scheme!r}")


def postgres_params(parsed: ParseResult) -> dict[str, Any]:
    """The connect parameters of a postgresql:// URL, percent-escapes undone as libpq does."""
    params = parseresult_to_dict(parsed, unquote_password=True, unquote_user=True)
    # playhouse.db_url (peewee 4.5.3) undoes escapes in the user and password only when asked,
    # and in the database name never; the query string comes out of parse_qsl already undone.
    params["database"] = unquote(params["database"])
    return params


def is_sqlite() -> bool:
    """Tell whether the bound database is SQLite."""
    return isinstance(db.obj, peewee.SqliteDatabase)


def ensure_connection() -> None:
    """Open this thread's connection unless it is open and usable; it stays open for reuse.

    Called at the start of every unit of work (request, job, housekeeping tick): a connection
    the driver knows is broken (its server went away during the last one) is replaced here.
    """
    if not db.is_closed() and not db.in_transaction() and not db.is_connection_usable():
        discard_connection()
    if db.connect(reuse_if_open=True):
        DATABASE.recovered()


def discard_connection() -> None:
    """Forget this thread's connection, closing it if the driver still can."""
    try:
        db.close()
    except DATABASE_ERRORS:
        db.dispose()


def utcnow() -> dt.datetime:
    """Now in UTC, naive (stored as UTC everywhere)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def naive_utc(value: dt.datetime) -> dt.datetime:
    """A datetime as stored: UTC without tzinfo (a naive one is taken as UTC already)."""
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


class JSONField(peewee.TextField):
    """JSON stored as text, portable across SQLite and PostgreSQL."""

    def db_value(self, value: Any) -> str | None:
        # allow_nan=False: NaN and Infinity are not JSON (PostgreSQL's jsonb, for one, refuses them).
        return None if value is None else json.dumps(value, separators=(",", ":"), default=str,
                                                     allow_nan=False)

    def python_value(self, value: str | None) -> Any:
        return None if value is None else json.loads(value)


def get_or_404(model: type[peewee.Model], *conditions: Any, message: str) -> Any:
    """The one row matching the conditions, or NotFound with the message."""
    row = model.get_or_none(*conditions)
    if row is None:
        raise NotFound(message)
    return row


class Prepared:
    """A statement peewee builds once per kind of database, then runs with new parameters.

    Building a query costs peewee about 0.2 ms on a small server, ten to thirty times what
    running it costs, so the few statements every webhook runs are built only once. `build`
    gets one placeholder per parameter; parameters are passed as the database stores them
    (`field.db_value(value)`).
    """

    def __init__(self, build: Callable[..., peewee.Query], arity: int | None = None):
        self.build = build
        self.arity = len(inspect.signature(build).parameters) if arity is None else arity
        self.plans: dict[type, tuple[str, list]] = {}

    def _bind(self, params: tuple) -> tuple[str, list]:
        kind = type(db.obj)
        if kind not in self.plans:
            slots = [_Slot(i) for i in range(self.arity)]
            self.plans[kind] = self.build(*[peewee.Value(s, converter=False) for s in slots]).sql()
        text, built = self.plans[kind]
        return text, [params[p.index] if isinstance(p, _Slot) else p for p in built]

    def execute(self, *params: Any):
        """Run the statement; return the cursor."""
        return db.execute_sql(*self._bind(params))

    def execute_many(self, rows: list[tuple]) -> None:
        """Run the statement once per row of parameters, in as few round trips as the driver
        allows (sqlite3's executemany; psycopg2's execute_batch, a page per round trip)."""
        if not rows:
            return
        text = self._bind(rows[0])[0]
        params = [self._bind(row)[1] for row in rows]
        with peewee.__exception_wrapper__:
            cursor = db.cursor()
            if is_sqlite():
                cursor.executemany(text, params)
            else:
                psycopg2.extras.execute_batch(cursor, text, params, page_size=100)

    def models(self, model: type[peewee.Model], *params: Any) -> list:
        """Run a select; return its rows as instances of model."""
        text, bound = self._bind(params)
        return list(model.raw(text, *bound))


class _Slot:
    """Where a parameter goes in a prepared statement (peewee may reorder columns)."""

    def __init__(self, index: int):
        self.index = index


_row_statements: dict[tuple, Prepared] = {}


def _row_statement(key: tuple, build: Callable[..., peewee.Query], arity: int) -> Prepared:
    statement = _row_statements.get(key)
    if statement is None:
        statement = _row_statements[key] = Prepared(build, arity)
    return statement


def _insert_statement(row: peewee.Model) -> tuple[Prepared, list[peewee.Field], bool]:
    model, meta = type(row), type(row)._meta
    generated = meta.auto_increment and row.get_id() is None
    fields = [f for f in meta.sorted_fields
              if f.name in row.__data__ and not (generated and f is meta.primary_key)]
    statement = _row_statement((model, "insert", *[f.name for f in fields]),
                               lambda *slots: model.insert(dict(zip(fields, slots, strict=True))),
                               len(fields))
    return statement, fields, generated


def insert_row(row: peewee.Model) -> peewee.Model:
    """Insert a new row like row.save(force_insert=True), its SQL built once per column set."""
    statement, fields, generated = _insert_statement(row)
    cursor = statement.execute(*[f.db_value(row.__data__[f.name]) for f in fields])
    if generated:
        new_id = cursor.fetchone()[0] if db.obj.returning_clause else cursor.lastrowid
        setattr(row, type(row)._meta.primary_key.name, new_id)
    row._dirty.clear()
    return row


def _update_statement(row: peewee.Model, fields: list[peewee.Field]) -> Prepared:
    model, key_field = type(row), type(row)._meta.primary_key

    def build(*slots):
        return model.update(dict(zip(fields, slots[:-1], strict=True))).where(key_field == slots[-1])

    return _row_statement((model, "update", *[f.name for f in fields]), build, len(fields) + 1)


def _update_params(row: peewee.Model, fields: list[peewee.Field]) -> tuple:
    row._dirty -= {f.name for f in fields}
    return (*[f.db_value(row.__data__.get(f.name)) for f in fields], row.get_id())


def update_row(row: peewee.Model, fields: list[peewee.Field]) -> int:
    """Save these fields of a row like row.save(only=fields), its SQL built once per field set."""
    if not fields:
        return 0
    return _update_statement(row, fields).execute(*_update_params(row, fields)).rowcount


class Writes:
    """Inserts of rows with their keys set and updates of fields, collected to be run together
    (one executemany per statement) when flushed."""

    def __init__(self) -> None:
        self.batches: dict[int, tuple[Prepared, list[tuple]]] = {}  # by id(statement)

    def insert(self, row: peewee.Model) -> None:
        """Insert this row at the flush (a key the database generates is not read back)."""
        statement, fields, _ = _insert_statement(row)
        row._dirty.clear()
        self._add(statement, tuple(f.db_value(row.__data__[f.name]) for f in fields))

    def update(self, row: peewee.Model, fields: list[peewee.Field]) -> None:
        """Save these fields of the row at the flush."""
        self._add(_update_statement(row, fields), _update_params(row, fields))

    def _add(self, statement: Prepared, params: tuple) -> None:
        self.batches.setdefault(id(statement), (statement, []))[1].append(params)

    def flush(self) -> None:
        """Run what was collected, in the order each statement was first asked for."""
        for statement, rows in self.batches.values():
            statement.execute_many(rows)
        self.batches.clear()


class BaseModel(peewee.Model):
    class Meta:
        database = db
        legacy_table_names = False


def init_app(app: Flask) -> None:
    """Bind the proxy to DATABASE_URL and open a connection per request thread."""
    db.initialize(database_from_url(app.config["DATABASE_URL"]))

    @app.before_request
    def _connect() -> None:
        try:
            ensure_connection()
        except DATABASE_ERRORS as exc:
            # The first statement tries again: /healthz reports the failure, the rest answer 503.
            if not database_down(exc):
                raise
