"""Migrations: a schema built by them agrees with the models, goes down and up, and upgrades old installs."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import peewee
import psycopg2
import pytest

from app import all_models, create_app
from core import migrate
from core.db import database_from_url, db
from core.generation import Generation
from tests.conftest import BACKENDS, PG_DB, REDIS_URL, database_url

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
NAMES = ["0001_initial", "0002_drop_leftover_tables", "0003_moved_job_paths"]
APPLIED_ALL = "".join(f"applied {name}\n" for name in NAMES)
# Tables init-db made before the one generation table replaced them (dropped by 0002).
LEFTOVER_DDL = [f'CREATE TABLE "{name}" ("id" INTEGER NOT NULL PRIMARY KEY, {column} NOT NULL)'
                for name, column in [("catalog_generation", '"value" BIGINT'),
                                     ("process_generation", '"value" BIGINT'),
                                     ("subscriber_generation", '"token" VARCHAR(32)')]]
KEPT = ["webhook", "record", "process", "process_version", "push_connection", "source", "lookup_row"]
FAMILIES = [(r"^bigserial$|^bigint$", "bigint"), (r"^serial$|^int(eger)?$", "integer"),
            (r"^(varchar|character varying)", "varchar"), (r"^text$", "text"),
            (r"^(datetime|timestamp)", "datetime"), (r"^bool", "boolean"), (r"^(blob|bytea)$", "binary"),
            (r"^(real|float|double)", "float"), (r"^(numeric|decimal)", "decimal"), (r"^date$", "date")]


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def url(backend, tmp_path):
    """The URL of an empty database of its own, bound to the proxy while the test runs."""
    url = database_url(backend, tmp_path, f"{PG_DB}_migrations")
    bound, database = db.obj, database_from_url(url)
    db.initialize(database)
    yield url
    database.close()
    db.initialize(bound)


def family(column_type: str) -> str:
    """The kind of a column type as either dialect spells it, with its length when it has one."""
    kind = column_type.lower()
    size = re.search(r"\(\d+\)", kind)
    base = kind.split("(")[0].strip()
    for pattern, name in FAMILIES:
        if re.search(pattern, base):
            base = name
            break
    return base + (size.group() if size else "")


def declared_type(field: peewee.Field) -> str:
    ctx = db.get_sql_context()
    return ctx.sql(field.ddl_datatype(ctx)).query()[0]


def schema_problems(models: list[type[peewee.Model]]) -> list[str]:
    """Every way the bound database's tables differ from what these models declare."""
    problems = []
    for model in models:
        meta, table = model._meta, model._meta.table_name
        columns = {c.name: c for c in db.get_columns(table)}
        for field in meta.sorted_fields:
            column = columns.pop(field.column_name, None)
            if column is None:
                problems.append(f"{table}.{field.column_name}: declared by {model.__name__}, "
                                "missing from the database (no migration adds it)")
                continue
            expected = (field.null and not field.primary_key, family(declared_type(field)))
            found = (column.null, family(column.full_type or column.data_type))
            if expected != found:
                problems.append(f"{table}.{field.column_name}: the model declares (null, type) "
                                f"{expected}, the database has {found}")
        problems += [f"{table}.{name}: in the database, not in {model.__name__}" for name in columns]
        key = tuple(f.column_name for f in meta.get_primary_keys())
        found_indexes = {(tuple(i.columns), i.unique) for i in db.get_indexes(table)} - {(key, True)}
        declared = {(tuple(e.column_name for e in i._expressions), bool(i._unique))
                    for i in meta.fields_to_index()}
        problems += [f"{table}: index {i} is declared but missing" for i in declared - found_indexes]
        problems += [f"{table}: index {i} is not declared" for i in found_indexes - declared]
        found_keys = {(k.column, k.dest_table, k.dest_column, (k.on_delete or "NO ACTION").upper())
                      for k in db.get_foreign_keys(table)}
        declared_keys = {(f.column_name, f.rel_model._meta.table_name, f.rel_field.column_name,
                          (f.on_delete or "NO ACTION").upper()) for f in meta.refs}
        if found_keys != declared_keys:
            problems.append(f"{table}: foreign keys {sorted(found_keys)}, declared {sorted(declared_keys)}")
    return problems


def assert_schema_matches_models() -> None:
    tables = set(db.get_tables()) - {migrate.HISTORY}
    assert tables == {m._meta.table_name for m in all_models()}
    problems = schema_problems(all_models())
    assert not problems, "the schema the migrations build differs from the models:\n" + "\n".join(problems)


def applied() -> list[str]:
    return [row.name for row in migrate.status() if row.applied]


def test_migrations_build_the_schema_the_models_declare(url):
    assert migrate.upgrade() == NAMES
    assert_schema_matches_models()
    assert applied() == NAMES


def test_a_column_the_migrations_lack_is_named(url):
    migrate.upgrade()

    class GrownGeneration(Generation):
        note = peewee.TextField(null=True)

        class Meta:
            table_name = "generation"

    assert schema_problems([GrownGeneration]) == [
        "generation.note: declared by GrownGeneration, missing from the database (no migration adds it)"]


def test_downgrade_to_nothing_and_upgrade_again(url):
    runner = create_app({"DATABASE_URL": url, "REDIS_URL": REDIS_URL}).test_cli_runner()
    status = runner.invoke(args=["db", "status"])
    assert (status.exit_code, status.output) == (1, "".join(f"[ ] {name}\n" for name in NAMES))
    assert runner.invoke(args=["db", "upgrade"]).output == APPLIED_ALL
    status = runner.invoke(args=["db", "status"])
    assert status.exit_code == 0
    when = r"  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n"
    assert re.fullmatch("".join(rf"\[x\] {name}{when}" for name in NAMES), status.output)
    refused = runner.invoke(args=["db", "downgrade", "0009_nope"])
    assert (refused.exit_code, refused.output) == (1, 'Error: "0009_nope" is not an applied migration.\n')
    assert runner.invoke(args=["db", "downgrade"]).output == "reverted 0003_moved_job_paths\n"
    assert runner.invoke(args=["db", "downgrade", "0001_initial"]).output == \
        "reverted 0002_drop_leftover_tables\nreverted 0001_initial\n"
    assert set(db.get_tables()) == {migrate.HISTORY}
    assert applied() == []
    assert runner.invoke(args=["db", "upgrade"]).output == APPLIED_ALL
    assert runner.invoke(args=["db", "upgrade"]).output == "nothing to do\n"
    assert_schema_matches_models()


def load_fixture(backend: str, url: str) -> None:
    """Fill the empty database with the dump of one made by init-db at 31354a8, plus old leftovers."""
    if backend == "postgres":
        text = (FIXTURES / "init_db_31354a8.postgresql.sql").read_text()
        conn = psycopg2.connect(url)
        with conn, conn.cursor() as cur:
            cur.execute(text)
            cur.execute("SET search_path = public")
            for statement in LEFTOVER_DDL:
                cur.execute(statement)
        conn.close()
        return
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    conn.executescript((FIXTURES / "init_db_31354a8.sqlite.sql").read_text())
    for statement in LEFTOVER_DDL:
        conn.execute(statement)
    conn.commit()
    conn.close()


def counts() -> dict[str, int]:
    return {t: db.execute_sql(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in KEPT}


def run_cli(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS_URL}
    done = subprocess.run([sys.executable, str(ROOT / "app.py"), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_an_install_made_by_init_db_before_migrations_upgrades_and_keeps_its_rows(backend, url):
    # From a committed dump of a database 31354a8's init-db made, plus rows: free of today's models.
    load_fixture(backend, url)
    db.execute_sql('INSERT INTO "outbox_job" ("func", "args", "queue", "unique", "created_at") '
                   "VALUES ('integrations.push_jobs.fan_out', '[]', 'default', true, '2026-12-01 00:00:00')")
    before = counts()
    assert before == {"webhook": 2, "record": 1, "process": 2, "process_version": 2,
                      "push_connection": 1, "source": 1, "lookup_row": 261}
    db.close()
    assert run_cli(url, "db", "upgrade") == "".join(f"applied {name}\n" for name in NAMES[1:])
    # A job waiting in the outbox through the upgrade still names a function that exists.
    waiting = db.execute_sql('SELECT "func" FROM "outbox_job"').fetchall()
    assert waiting == [("integrations.push.jobs.fan_out",)]
    assert applied() == NAMES
    assert counts() == before
    assert_schema_matches_models()
    assert run_cli(url, "init-db") == "database ready\n"
    assert counts() == before
