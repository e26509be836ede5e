"""The tables at 31354a8: the DDL its create_tables(all_models(), safe=True) ran, per dialect (peewee log)."""

from __future__ import annotations

import peewee
from playhouse.migrate import SchemaMigrator

# In creation order (referenced tables first).
TABLES = (
    'api_token', 'source', 'webhook', 'attachment', 'content_hash', 'event', 'push_connection',
    'hub', 'hub_destination', 'delivery', 'delivery_attempt', 'entity', 'lookup', 'field',
    'generation', 'idempotency_key', 'login_failure', 'lookup_row', 'outbox_job', 'process',
    'process_version', 'record', 'record_key', 'user', 'web_session',
)

SQLITE = (
    ('CREATE TABLE IF NOT EXISTS "api_token" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"name" VARCHAR(100) NOT NULL, "role" VARCHAR(20) NOT NULL, '
     '"token_hash" VARCHAR(64) NOT NULL, "prefix" VARCHAR(16) NOT NULL, '
     '"created_at" DATETIME NOT NULL, "revoked_at" DATETIME)'),
    'CREATE UNIQUE INDEX IF NOT EXISTS "api_token_token_hash" ON "api_token" ("token_hash")',
    ('CREATE TABLE IF NOT EXISTS "source" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"name" VARCHAR(100) NOT NULL, "key_hash" VARCHAR(64) NOT NULL, '
     '"key_prefix" VARCHAR(16) NOT NULL, "deferred" INTEGER NOT NULL, '
     '"default_entity" VARCHAR(100), "created_at" DATETIME NOT NULL, "rotated_at" DATETIME, '
     '"revoked_at" DATETIME)'),
    'CREATE UNIQUE INDEX IF NOT EXISTS "source_name" ON "source" ("name")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "source_key_hash" ON "source" ("key_hash")',
    ('CREATE TABLE IF NOT EXISTS "webhook" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"source_id" INTEGER NOT NULL, "received_at" DATETIME NOT NULL, '
     '"content_type" VARCHAR(200) NOT NULL, "headers" TEXT NOT NULL, "query" TEXT NOT NULL, '
     '"body" BLOB NOT NULL, "client_addr" VARCHAR(64), "payload" TEXT NOT NULL, '
     '"idempotency_key" VARCHAR(255), "deferred" INTEGER NOT NULL, "status" VARCHAR(20) NOT NULL, '
     '"entity" VARCHAR(100), "process_version" INTEGER, "trace" TEXT NOT NULL, '
     '"errors" TEXT NOT NULL, "record_ids" TEXT NOT NULL, "attempts" INTEGER NOT NULL, '
     '"claim" VARCHAR(36), "claimed_at" DATETIME, "processed_at" DATETIME, '
     'FOREIGN KEY ("source_id") REFERENCES "source" ("id") ON DELETE CASCADE)'),
    'CREATE INDEX IF NOT EXISTS "webhook_source_id" ON "webhook" ("source_id")',
    'CREATE INDEX IF NOT EXISTS "webhook_received_at" ON "webhook" ("received_at")',
    'CREATE INDEX IF NOT EXISTS "webhook_status" ON "webhook" ("status")',
    ('CREATE TABLE IF NOT EXISTS "attachment" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"webhook_id" INTEGER NOT NULL, "field" VARCHAR(200) NOT NULL, '
     '"filename" VARCHAR(255) NOT NULL, "content_type" VARCHAR(200) NOT NULL, '
     '"size" INTEGER NOT NULL, "data" BLOB NOT NULL, '
     'FOREIGN KEY ("webhook_id") REFERENCES "webhook" ("id") ON DELETE CASCADE)'),
    'CREATE INDEX IF NOT EXISTS "attachment_webhook_id" ON "attachment" ("webhook_id")',
    ('CREATE TABLE IF NOT EXISTS "content_hash" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"source_id" INTEGER NOT NULL, "digest" VARCHAR(64) NOT NULL, "webhook_id" INTEGER NOT NULL, '
     '"received_at" DATETIME NOT NULL, FOREIGN KEY ("source_id") REFERENCES "source" ("id") '
     'ON DELETE CASCADE, FOREIGN KEY ("webhook_id") REFERENCES "webhook" ("id") ON DELETE CASCADE)'),
    'CREATE INDEX IF NOT EXISTS "content_hash_source_id" ON "content_hash" ("source_id")',
    'CREATE INDEX IF NOT EXISTS "content_hash_webhook_id" ON "content_hash" ("webhook_id")',
    'CREATE INDEX IF NOT EXISTS "content_hash_received_at" ON "content_hash" ("received_at")',
    ('CREATE UNIQUE INDEX IF NOT EXISTS "content_hash_source_id_digest" '
     'ON "content_hash" ("source_id", "digest")'),
    ('CREATE TABLE IF NOT EXISTS "event" ("id" VARCHAR(40) NOT NULL PRIMARY KEY, '
     '"type" VARCHAR(100) NOT NULL, "data" TEXT NOT NULL, "webhook_id" INTEGER, '
     '"source_id" INTEGER, "entity" VARCHAR(100), "hub" VARCHAR(64), "actor" VARCHAR(100), '
     '"created_at" DATETIME NOT NULL, "fanned_out" INTEGER NOT NULL, '
     'FOREIGN KEY ("webhook_id") REFERENCES "webhook" ("id") ON DELETE SET NULL, '
     'FOREIGN KEY ("source_id") REFERENCES "source" ("id") ON DELETE SET NULL)'),
    'CREATE INDEX IF NOT EXISTS "event_webhook_id" ON "event" ("webhook_id")',
    'CREATE INDEX IF NOT EXISTS "event_source_id" ON "event" ("source_id")',
    'CREATE INDEX IF NOT EXISTS "event_created_at" ON "event" ("created_at")',
    ('CREATE INDEX IF NOT EXISTS "event_fanned_out_created_at" ON "event" ("fanned_out", '
     '"created_at")'),
    ('CREATE TABLE IF NOT EXISTS "push_connection" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"name" VARCHAR(100) NOT NULL, "url" TEXT NOT NULL, "version" VARCHAR(20) NOT NULL, '
     '"enabled" INTEGER NOT NULL, "disabled_reason" TEXT, "event_types" TEXT NOT NULL, '
     '"entities" TEXT NOT NULL, "sources" TEXT NOT NULL, "condition" TEXT, '
     '"headers" TEXT NOT NULL, "auth_type" VARCHAR(10) NOT NULL, "auth_username" VARCHAR(200), '
     '"auth_secret" TEXT, "secret" TEXT NOT NULL, "secret_hint" VARCHAR(16) NOT NULL, '
     '"previous_secret" TEXT, "previous_secret_expires_at" DATETIME, '
     '"attach_files" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, '
     '"updated_at" DATETIME NOT NULL)'),
    'CREATE UNIQUE INDEX IF NOT EXISTS "push_connection_name" ON "push_connection" ("name")',
    ('CREATE TABLE IF NOT EXISTS "hub" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"name" VARCHAR(64) NOT NULL, "description" TEXT NOT NULL, "client_id" VARCHAR(40) NOT NULL, '
     '"key_hash" VARCHAR(64) NOT NULL, "key_prefix" VARCHAR(16) NOT NULL, "secret" TEXT NOT NULL, '
     '"secret_hint" VARCHAR(16) NOT NULL, "created_at" DATETIME NOT NULL, "rotated_at" DATETIME)'),
    'CREATE UNIQUE INDEX IF NOT EXISTS "hub_name" ON "hub" ("name")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "hub_client_id" ON "hub" ("client_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "hub_key_hash" ON "hub" ("key_hash")',
    ('CREATE TABLE IF NOT EXISTS "hub_destination" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"hub_id" INTEGER NOT NULL, "event_type" VARCHAR(100) NOT NULL, "url" TEXT NOT NULL, '
     '"username" VARCHAR(200), "password" TEXT, "enabled" INTEGER NOT NULL, '
     '"disabled_reason" TEXT, "updated_at" DATETIME NOT NULL, '
     'FOREIGN KEY ("hub_id") REFERENCES "hub" ("id") ON DELETE CASCADE)'),
    'CREATE INDEX IF NOT EXISTS "hub_destination_hub_id" ON "hub_destination" ("hub_id")',
    ('CREATE UNIQUE INDEX IF NOT EXISTS "hub_destination_hub_id_event_type" '
     'ON "hub_destination" ("hub_id", "event_type")'),
    ('CREATE TABLE IF NOT EXISTS "delivery" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"event_id" VARCHAR(40) NOT NULL, "connection_id" INTEGER, "destination_id" INTEGER, '
     '"status" VARCHAR(20) NOT NULL, "attempts" INTEGER NOT NULL, "next_attempt_at" DATETIME, '
     '"last_code" INTEGER, "last_error" TEXT, "created_at" DATETIME NOT NULL, '
     '"updated_at" DATETIME NOT NULL, FOREIGN KEY ("event_id") REFERENCES "event" ("id") '
     'ON DELETE CASCADE, FOREIGN KEY ("connection_id") REFERENCES "push_connection" ("id") '
     'ON DELETE CASCADE, FOREIGN KEY ("destination_id") REFERENCES "hub_destination" ("id") '
     'ON DELETE CASCADE)'),
    'CREATE INDEX IF NOT EXISTS "delivery_event_id" ON "delivery" ("event_id")',
    'CREATE INDEX IF NOT EXISTS "delivery_connection_id" ON "delivery" ("connection_id")',
    'CREATE INDEX IF NOT EXISTS "delivery_destination_id" ON "delivery" ("destination_id")',
    ('CREATE INDEX IF NOT EXISTS "delivery_status_next_attempt_at" ON "delivery" ("status", '
     '"next_attempt_at")'),
    ('CREATE INDEX IF NOT EXISTS "delivery_connection_id_status" ON "delivery" ("connection_id", '
     '"status")'),
    ('CREATE TABLE IF NOT EXISTS "delivery_attempt" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"delivery_id" INTEGER NOT NULL, "connection_id" INTEGER, "destination_id" INTEGER, '
     '"event_id" VARCHAR(40) NOT NULL, "event_type" VARCHAR(100) NOT NULL, '
     '"attempt" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "url" TEXT NOT NULL, '
     '"request_headers" TEXT NOT NULL, "request_body" TEXT NOT NULL, '
     '"response_code" INTEGER NOT NULL, "response_headers" TEXT NOT NULL, '
     '"response_body" TEXT NOT NULL, "error" TEXT, "duration_ms" INTEGER NOT NULL, '
     '"succeeded" INTEGER NOT NULL, FOREIGN KEY ("delivery_id") REFERENCES "delivery" ("id") '
     'ON DELETE CASCADE, FOREIGN KEY ("connection_id") REFERENCES "push_connection" ("id") '
     'ON DELETE CASCADE, FOREIGN KEY ("destination_id") REFERENCES "hub_destination" ("id") '
     'ON DELETE CASCADE)'),
    ('CREATE INDEX IF NOT EXISTS "delivery_attempt_delivery_id" '
     'ON "delivery_attempt" ("delivery_id")'),
    ('CREATE INDEX IF NOT EXISTS "delivery_attempt_connection_id" '
     'ON "delivery_attempt" ("connection_id")'),
    ('CREATE INDEX IF NOT EXISTS "delivery_attempt_destination_id" '
     'ON "delivery_attempt" ("destination_id")'),
    ('CREATE INDEX IF NOT EXISTS "delivery_attempt_created_at" '
     'ON "delivery_attempt" ("created_at")'),
    ('CREATE INDEX IF NOT EXISTS "delivery_attempt_connection_id_created_at" '
     'ON "delivery_attempt" ("connection_id", "created_at")'),
    ('CREATE INDEX IF NOT EXISTS "delivery_attempt_destination_id_created_at" '
     'ON "delivery_attempt" ("destination_id", "created_at")'),
    ('CREATE TABLE IF NOT EXISTS "entity" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"code" VARCHAR(100) NOT NULL, "caption" VARCHAR(200) NOT NULL, '
     '"form_id" VARCHAR(36) NOT NULL, "enabled" INTEGER NOT NULL, "created_at" DATETIME NOT NULL)'),
    'CREATE UNIQUE INDEX IF NOT EXISTS "entity_code" ON "entity" ("code")',
    ('CREATE TABLE IF NOT EXISTS "lookup" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"code" VARCHAR(100) NOT NULL, "caption" VARCHAR(200) NOT NULL, '
     '"created_at" DATETIME NOT NULL)'),
    'CREATE UNIQUE INDEX IF NOT EXISTS "lookup_code" ON "lookup" ("code")',
    ('CREATE TABLE IF NOT EXISTS "field" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"entity_id" INTEGER NOT NULL, "code" VARCHAR(100) NOT NULL, '
     '"caption" VARCHAR(200) NOT NULL, "net_type" VARCHAR(40) NOT NULL, '
     '"required" INTEGER NOT NULL, "lookup_id" INTEGER, "position" INTEGER NOT NULL, '
     'FOREIGN KEY ("entity_id") REFERENCES "entity" ("id") ON DELETE CASCADE, '
     'FOREIGN KEY ("lookup_id") REFERENCES "lookup" ("id") ON DELETE RESTRICT)'),
    'CREATE INDEX IF NOT EXISTS "field_entity_id" ON "field" ("entity_id")',
    'CREATE INDEX IF NOT EXISTS "field_lookup_id" ON "field" ("lookup_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "field_entity_id_code" ON "field" ("entity_id", "code")',
    ('CREATE TABLE IF NOT EXISTS "generation" ("name" VARCHAR(50) NOT NULL PRIMARY KEY, '
     '"token" VARCHAR(32) NOT NULL)'),
    ('CREATE TABLE IF NOT EXISTS "idempotency_key" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"source_id" INTEGER NOT NULL, "key" VARCHAR(255) NOT NULL, "webhook_id" INTEGER NOT NULL, '
     '"created_at" DATETIME NOT NULL, FOREIGN KEY ("source_id") REFERENCES "source" ("id") '
     'ON DELETE CASCADE, FOREIGN KEY ("webhook_id") REFERENCES "webhook" ("id") ON DELETE CASCADE)'),
    'CREATE INDEX IF NOT EXISTS "idempotency_key_source_id" ON "idempotency_key" ("source_id")',
    'CREATE INDEX IF NOT EXISTS "idempotency_key_webhook_id" ON "idempotency_key" ("webhook_id")',
    'CREATE INDEX IF NOT EXISTS "idempotency_key_created_at" ON "idempotency_key" ("created_at")',
    ('CREATE UNIQUE INDEX IF NOT EXISTS "idempotency_key_source_id_key" '
     'ON "idempotency_key" ("source_id", "key")'),
    ('CREATE TABLE IF NOT EXISTS "login_failure" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"key" VARCHAR(64) NOT NULL, "failed_at" DATETIME NOT NULL)'),
    ('CREATE INDEX IF NOT EXISTS "login_failure_key_failed_at" ON "login_failure" ("key", '
     '"failed_at")'),
    ('CREATE TABLE IF NOT EXISTS "lookup_row" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"lookup_id" INTEGER NOT NULL, "row_id" VARCHAR(100) NOT NULL, "name" VARCHAR(200) NOT NULL, '
     '"aliases" TEXT NOT NULL, FOREIGN KEY ("lookup_id") REFERENCES "lookup" ("id") '
     'ON DELETE CASCADE)'),
    'CREATE INDEX IF NOT EXISTS "lookup_row_lookup_id" ON "lookup_row" ("lookup_id")',
    ('CREATE UNIQUE INDEX IF NOT EXISTS "lookup_row_lookup_id_row_id" '
     'ON "lookup_row" ("lookup_id", "row_id")'),
    ('CREATE TABLE IF NOT EXISTS "outbox_job" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"func" VARCHAR(200) NOT NULL, "args" TEXT NOT NULL, "queue" VARCHAR(100) NOT NULL, '
     '"unique" INTEGER NOT NULL, "created_at" DATETIME NOT NULL)'),
    'CREATE INDEX IF NOT EXISTS "outbox_job_created_at" ON "outbox_job" ("created_at")',
    ('CREATE TABLE IF NOT EXISTS "process" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"name" VARCHAR(100) NOT NULL, "is_default" INTEGER NOT NULL, "sources" TEXT NOT NULL, '
     '"active_version" INTEGER, "created_at" DATETIME NOT NULL)'),
    'CREATE UNIQUE INDEX IF NOT EXISTS "process_name" ON "process" ("name")',
    ('CREATE TABLE IF NOT EXISTS "process_version" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"process_id" INTEGER NOT NULL, "number" INTEGER NOT NULL, "definition" TEXT NOT NULL, '
     '"based_on" INTEGER, "created_at" DATETIME NOT NULL, '
     'FOREIGN KEY ("process_id") REFERENCES "process" ("id") ON DELETE CASCADE)'),
    'CREATE INDEX IF NOT EXISTS "process_version_process_id" ON "process_version" ("process_id")',
    ('CREATE UNIQUE INDEX IF NOT EXISTS "process_version_process_id_number" '
     'ON "process_version" ("process_id", "number")'),
    ('CREATE TABLE IF NOT EXISTS "record" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, '
     '"entity" VARCHAR(100) NOT NULL, "data" TEXT NOT NULL, "webhook_id" INTEGER, '
     '"source_id" INTEGER, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, '
     'FOREIGN KEY ("webhook_id") REFERENCES "webhook" ("id") ON DELETE SET NULL, '
     'FOREIGN KEY ("source_id") REFERENCES "source" ("id") ON DELETE SET NULL)'),
    'CREATE INDEX IF NOT EXISTS "record_entity" ON "record" ("entity")',
    'CREATE INDEX IF NOT EXISTS "record_webhook_id" ON "record" ("webhook_id")',
    'CREATE INDEX IF NOT EXISTS "record_source_id" ON "record" ("source_id")',
    'CREATE INDEX IF NOT EXISTS "record_created_at" ON "record" ("created_at")',
    ('CREATE TABLE IF NOT EXISTS "record_key" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"record_id" VARCHAR(36) NOT NULL, "entity" VARCHAR(100) NOT NULL, '
     '"fields" VARCHAR(300) NOT NULL, "digest" VARCHAR(64) NOT NULL, '
     'FOREIGN KEY ("record_id") REFERENCES "record" ("id") ON DELETE CASCADE)'),
    'CREATE INDEX IF NOT EXISTS "record_key_record_id" ON "record_key" ("record_id")',
    ('CREATE UNIQUE INDEX IF NOT EXISTS "record_key_entity_fields_digest" '
     'ON "record_key" ("entity", "fields", "digest")'),
    ('CREATE TABLE IF NOT EXISTS "user" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"name" VARCHAR(100) NOT NULL, "role" VARCHAR(20) NOT NULL, '
     '"password_hash" VARCHAR(255) NOT NULL, "created_at" DATETIME NOT NULL, '
     '"last_login_at" DATETIME)'),
    'CREATE UNIQUE INDEX IF NOT EXISTS "user_name" ON "user" ("name")',
    ('CREATE TABLE IF NOT EXISTS "web_session" ("id" INTEGER NOT NULL PRIMARY KEY, '
     '"user_id" INTEGER NOT NULL, "secret_hash" VARCHAR(64) NOT NULL, '
     '"created_at" DATETIME NOT NULL, "last_seen_at" DATETIME NOT NULL, '
     'FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)'),
    'CREATE INDEX IF NOT EXISTS "web_session_user_id" ON "web_session" ("user_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "web_session_secret_hash" ON "web_session" ("secret_hash")',
)

POSTGRESQL = (
    ('CREATE TABLE IF NOT EXISTS "api_token" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"name" VARCHAR(100) NOT NULL, "role" VARCHAR(20) NOT NULL, '
     '"token_hash" VARCHAR(64) NOT NULL, "prefix" VARCHAR(16) NOT NULL, '
     '"created_at" TIMESTAMP NOT NULL, "revoked_at" TIMESTAMP)'),
    'CREATE UNIQUE INDEX IF NOT EXISTS "api_token_token_hash" ON "api_token" ("token_hash")',
    ('CREATE TABLE IF NOT EXISTS "source" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"name" VARCHAR(100) NOT NULL, "key_hash" VARCHAR(64) NOT NULL, '
     '"key_prefix" VARCHAR(16) NOT NULL, "deferred" BOOLEAN NOT NULL, '
     '"default_entity" VARCHAR(100), "created_at" TIMESTAMP NOT NULL, "rotated_at" TIMESTAMP, '
     '"revoked_at" TIMESTAMP)'),
    'CREATE UNIQUE INDEX IF NOT EXISTS "source_name" ON "source" ("name")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "source_key_hash" ON "source" ("key_hash")',
    ('CREATE TABLE IF NOT EXISTS "webhook" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"source_id" INTEGER NOT NULL, "received_at" TIMESTAMP NOT NULL, '
     '"content_type" VARCHAR(200) NOT NULL, "headers" TEXT NOT NULL, "query" TEXT NOT NULL, '
     '"body" BYTEA NOT NULL, "client_addr" VARCHAR(64), "payload" TEXT NOT NULL, '
     '"idempotency_key" VARCHAR(255), "deferred" BOOLEAN NOT NULL, "status" VARCHAR(20) NOT NULL, '
     '"entity" VARCHAR(100), "process_version" INTEGER, "trace" TEXT NOT NULL, '
     '"errors" TEXT NOT NULL, "record_ids" TEXT NOT NULL, "attempts" INTEGER NOT NULL, '
     '"claim" VARCHAR(36), "claimed_at" TIMESTAMP, "processed_at" TIMESTAMP, '
     'FOREIGN KEY ("source_id") REFERENCES "source" ("id") ON DELETE CASCADE)'),
    'CREATE INDEX IF NOT EXISTS "webhook_source_id" ON "webhook" ("source_id")',
    'CREATE INDEX IF NOT EXISTS "webhook_received_at" ON "webhook" ("received_at")',
    'CREATE INDEX IF NOT EXISTS "webhook_status" ON "webhook" ("status")',
    ('CREATE TABLE IF NOT EXISTS "attachment" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"webhook_id" INTEGER NOT NULL, "field" VARCHAR(200) NOT NULL, '
     '"filename" VARCHAR(255) NOT NULL, "content_type" VARCHAR(200) NOT NULL, '
     '"size" INTEGER NOT NULL, "data" BYTEA NOT NULL, '
     'FOREIGN KEY ("webhook_id") REFERENCES "webhook" ("id") ON DELETE CASCADE)'),
    'CREATE INDEX IF NOT EXISTS "attachment_webhook_id" ON "attachment" ("webhook_id")',
    ('CREATE TABLE IF NOT EXISTS "content_hash" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"source_id" INTEGER NOT NULL, "digest" VARCHAR(64) NOT NULL, "webhook_id" INTEGER NOT NULL, '
     '"received_at" TIMESTAMP NOT NULL, FOREIGN KEY ("source_id") REFERENCES "source" ("id") '
     'ON DELETE CASCADE, FOREIGN KEY ("webhook_id") REFERENCES "webhook" ("id") ON DELETE CASCADE)'),
    'CREATE INDEX IF NOT EXISTS "content_hash_source_id" ON "content_hash" ("source_id")',
    'CREATE INDEX IF NOT EXISTS "content_hash_webhook_id" ON "content_hash" ("webhook_id")',
    'CREATE INDEX IF NOT EXISTS "content_hash_received_at" ON "content_hash" ("received_at")',
    ('CREATE UNIQUE INDEX IF NOT EXISTS "content_hash_source_id_digest" '
     'ON "content_hash" ("source_id", "digest")'),
    ('CREATE TABLE IF NOT EXISTS "event" ("id" VARCHAR(40) NOT NULL PRIMARY KEY, '
     '"type" VARCHAR(100) NOT NULL, "data" TEXT NOT NULL, "webhook_id" INTEGER, '
     '"source_id" INTEGER, "entity" VARCHAR(100), "hub" VARCHAR(64), "actor" VARCHAR(100), '
     '"created_at" TIMESTAMP NOT NULL, "fanned_out" BOOLEAN NOT NULL, '
     'FOREIGN KEY ("webhook_id") REFERENCES "webhook" ("id") ON DELETE SET NULL, '
     'FOREIGN KEY ("source_id") REFERENCES "source" ("id") ON DELETE SET NULL)'),
    'CREATE INDEX IF NOT EXISTS "event_webhook_id" ON "event" ("webhook_id")',
    'CREATE INDEX IF NOT EXISTS "event_source_id" ON "event" ("source_id")',
    'CREATE INDEX IF NOT EXISTS "event_created_at" ON "event" ("created_at")',
    ('CREATE INDEX IF NOT EXISTS "event_fanned_out_created_at" ON "event" ("fanned_out", '
     '"created_at")'),
    ('CREATE TABLE IF NOT EXISTS "push_connection" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"name" VARCHAR(100) NOT NULL, "url" TEXT NOT NULL, "version" VARCHAR(20) NOT NULL, '
     '"enabled" BOOLEAN NOT NULL, "disabled_reason" TEXT, "event_types" TEXT NOT NULL, '
     '"entities" TEXT NOT NULL, "sources" TEXT NOT NULL, "condition" TEXT, '
     '"headers" TEXT NOT NULL, "auth_type" VARCHAR(10) NOT NULL, "auth_username" VARCHAR(200), '
     '"auth_secret" TEXT, "secret" TEXT NOT NULL, "secret_hint" VARCHAR(16) NOT NULL, '
     '"previous_secret" TEXT, "previous_secret_expires_at" TIMESTAMP, '
     '"attach_files" BOOLEAN NOT NULL, "created_at" TIMESTAMP NOT NULL, '
     '"updated_at" TIMESTAMP NOT NULL)'),
    'CREATE UNIQUE INDEX IF NOT EXISTS "push_connection_name" ON "push_connection" ("name")',
    ('CREATE TABLE IF NOT EXISTS "hub" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"name" VARCHAR(64) NOT NULL, "description" TEXT NOT NULL, "client_id" VARCHAR(40) NOT NULL, '
     '"key_hash" VARCHAR(64) NOT NULL, "key_prefix" VARCHAR(16) NOT NULL, "secret" TEXT NOT NULL, '
     '"secret_hint" VARCHAR(16) NOT NULL, "created_at" TIMESTAMP NOT NULL, "rotated_at" TIMESTAMP)'),
    'CREATE UNIQUE INDEX IF NOT EXISTS "hub_name" ON "hub" ("name")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "hub_client_id" ON "hub" ("client_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "hub_key_hash" ON "hub" ("key_hash")',
    ('CREATE TABLE IF NOT EXISTS "hub_destination" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"hub_id" INTEGER NOT NULL, "event_type" VARCHAR(100) NOT NULL, "url" TEXT NOT NULL, '
     '"username" VARCHAR(200), "password" TEXT, "enabled" BOOLEAN NOT NULL, '
     '"disabled_reason" TEXT, "updated_at" TIMESTAMP NOT NULL, '
     'FOREIGN KEY ("hub_id") REFERENCES "hub" ("id") ON DELETE CASCADE)'),
    'CREATE INDEX IF NOT EXISTS "hub_destination_hub_id" ON "hub_destination" ("hub_id")',
    ('CREATE UNIQUE INDEX IF NOT EXISTS "hub_destination_hub_id_event_type" '
     'ON "hub_destination" ("hub_id", "event_type")'),
    ('CREATE TABLE IF NOT EXISTS "delivery" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"event_id" VARCHAR(40) NOT NULL, "connection_id" INTEGER, "destination_id" INTEGER, '
     '"status" VARCHAR(20) NOT NULL, "attempts" INTEGER NOT NULL, "next_attempt_at" TIMESTAMP, '
     '"last_code" INTEGER, "last_error" TEXT, "created_at" TIMESTAMP NOT NULL, '
     '"updated_at" TIMESTAMP NOT NULL, FOREIGN KEY ("event_id") REFERENCES "event" ("id") '
     'ON DELETE CASCADE, FOREIGN KEY ("connection_id") REFERENCES "push_connection" ("id") '
     'ON DELETE CASCADE, FOREIGN KEY ("destination_id") REFERENCES "hub_destination" ("id") '
     'ON DELETE CASCADE)'),
    'CREATE INDEX IF NOT EXISTS "delivery_event_id" ON "delivery" ("event_id")',
    'CREATE INDEX IF NOT EXISTS "delivery_connection_id" ON "delivery" ("connection_id")',
    'CREATE INDEX IF NOT EXISTS "delivery_destination_id" ON "delivery" ("destination_id")',
    ('CREATE INDEX IF NOT EXISTS "delivery_status_next_attempt_at" ON "delivery" ("status", '
     '"next_attempt_at")'),
    ('CREATE INDEX IF NOT EXISTS "delivery_connection_id_status" ON "delivery" ("connection_id", '
     '"status")'),
    ('CREATE TABLE IF NOT EXISTS "delivery_attempt" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"delivery_id" INTEGER NOT NULL, "connection_id" INTEGER, "destination_id" INTEGER, '
     '"event_id" VARCHAR(40) NOT NULL, "event_type" VARCHAR(100) NOT NULL, '
     '"attempt" INTEGER NOT NULL, "created_at" TIMESTAMP NOT NULL, "url" TEXT NOT NULL, '
     '"request_headers" TEXT NOT NULL, "request_body" TEXT NOT NULL, '
     '"response_code" INTEGER NOT NULL, "response_headers" TEXT NOT NULL, '
     '"response_body" TEXT NOT NULL, "error" TEXT, "duration_ms" INTEGER NOT NULL, '
     '"succeeded" BOOLEAN NOT NULL, FOREIGN KEY ("delivery_id") REFERENCES "delivery" ("id") '
     'ON DELETE CASCADE, FOREIGN KEY ("connection_id") REFERENCES "push_connection" ("id") '
     'ON DELETE CASCADE, FOREIGN KEY ("destination_id") REFERENCES "hub_destination" ("id") '
     'ON DELETE CASCADE)'),
    ('CREATE INDEX IF NOT EXISTS "delivery_attempt_delivery_id" '
     'ON "delivery_attempt" ("delivery_id")'),
    ('CREATE INDEX IF NOT EXISTS "delivery_attempt_connection_id" '
     'ON "delivery_attempt" ("connection_id")'),
    ('CREATE INDEX IF NOT EXISTS "delivery_attempt_destination_id" '
     'ON "delivery_attempt" ("destination_id")'),
    ('CREATE INDEX IF NOT EXISTS "delivery_attempt_created_at" '
     'ON "delivery_attempt" ("created_at")'),
    ('CREATE INDEX IF NOT EXISTS "delivery_attempt_connection_id_created_at" '
     'ON "delivery_attempt" ("connection_id", "created_at")'),
    ('CREATE INDEX IF NOT EXISTS "delivery_attempt_destination_id_created_at" '
     'ON "delivery_attempt" ("destination_id", "created_at")'),
    ('CREATE TABLE IF NOT EXISTS "entity" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"code" VARCHAR(100) NOT NULL, "caption" VARCHAR(200) NOT NULL, '
     '"form_id" VARCHAR(36) NOT NULL, "enabled" BOOLEAN NOT NULL, "created_at" TIMESTAMP NOT NULL)'),
    'CREATE UNIQUE INDEX IF NOT EXISTS "entity_code" ON "entity" ("code")',
    ('CREATE TABLE IF NOT EXISTS "lookup" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"code" VARCHAR(100) NOT NULL, "caption" VARCHAR(200) NOT NULL, '
     '"created_at" TIMESTAMP NOT NULL)'),
    'CREATE UNIQUE INDEX IF NOT EXISTS "lookup_code" ON "lookup" ("code")',
    ('CREATE TABLE IF NOT EXISTS "field" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"entity_id" INTEGER NOT NULL, "code" VARCHAR(100) NOT NULL, '
     '"caption" VARCHAR(200) NOT NULL, "net_type" VARCHAR(40) NOT NULL, '
     '"required" BOOLEAN NOT NULL, "lookup_id" INTEGER, "position" INTEGER NOT NULL, '
     'FOREIGN KEY ("entity_id") REFERENCES "entity" ("id") ON DELETE CASCADE, '
     'FOREIGN KEY ("lookup_id") REFERENCES "lookup" ("id") ON DELETE RESTRICT)'),
    'CREATE INDEX IF NOT EXISTS "field_entity_id" ON "field" ("entity_id")',
    'CREATE INDEX IF NOT EXISTS "field_lookup_id" ON "field" ("lookup_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "field_entity_id_code" ON "field" ("entity_id", "code")',
    ('CREATE TABLE IF NOT EXISTS "generation" ("name" VARCHAR(50) NOT NULL PRIMARY KEY, '
     '"token" VARCHAR(32) NOT NULL)'),
    ('CREATE TABLE IF NOT EXISTS "idempotency_key" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"source_id" INTEGER NOT NULL, "key" VARCHAR(255) NOT NULL, "webhook_id" INTEGER NOT NULL, '
     '"created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("source_id") REFERENCES "source" ("id") '
     'ON DELETE CASCADE, FOREIGN KEY ("webhook_id") REFERENCES "webhook" ("id") ON DELETE CASCADE)'),
    'CREATE INDEX IF NOT EXISTS "idempotency_key_source_id" ON "idempotency_key" ("source_id")',
    'CREATE INDEX IF NOT EXISTS "idempotency_key_webhook_id" ON "idempotency_key" ("webhook_id")',
    'CREATE INDEX IF NOT EXISTS "idempotency_key_created_at" ON "idempotency_key" ("created_at")',
    ('CREATE UNIQUE INDEX IF NOT EXISTS "idempotency_key_source_id_key" '
     'ON "idempotency_key" ("source_id", "key")'),
    ('CREATE TABLE IF NOT EXISTS "login_failure" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"key" VARCHAR(64) NOT NULL, "failed_at" TIMESTAMP NOT NULL)'),
    ('CREATE INDEX IF NOT EXISTS "login_failure_key_failed_at" ON "login_failure" ("key", '
     '"failed_at")'),
    ('CREATE TABLE IF NOT EXISTS "lookup_row" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"lookup_id" INTEGER NOT NULL, "row_id" VARCHAR(100) NOT NULL, "name" VARCHAR(200) NOT NULL, '
     '"aliases" TEXT NOT NULL, FOREIGN KEY ("lookup_id") REFERENCES "lookup" ("id") '
     'ON DELETE CASCADE)'),
    'CREATE INDEX IF NOT EXISTS "lookup_row_lookup_id" ON "lookup_row" ("lookup_id")',
    ('CREATE UNIQUE INDEX IF NOT EXISTS "lookup_row_lookup_id_row_id" '
     'ON "lookup_row" ("lookup_id", "row_id")'),
    ('CREATE TABLE IF NOT EXISTS "outbox_job" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"func" VARCHAR(200) NOT NULL, "args" TEXT NOT NULL, "queue" VARCHAR(100) NOT NULL, '
     '"unique" BOOLEAN NOT NULL, "created_at" TIMESTAMP NOT NULL)'),
    'CREATE INDEX IF NOT EXISTS "outbox_job_created_at" ON "outbox_job" ("created_at")',
    ('CREATE TABLE IF NOT EXISTS "process" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"name" VARCHAR(100) NOT NULL, "is_default" BOOLEAN NOT NULL, "sources" TEXT NOT NULL, '
     '"active_version" INTEGER, "created_at" TIMESTAMP NOT NULL)'),
    'CREATE UNIQUE INDEX IF NOT EXISTS "process_name" ON "process" ("name")',
    ('CREATE TABLE IF NOT EXISTS "process_version" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"process_id" INTEGER NOT NULL, "number" INTEGER NOT NULL, "definition" TEXT NOT NULL, '
     '"based_on" INTEGER, "created_at" TIMESTAMP NOT NULL, '
     'FOREIGN KEY ("process_id") REFERENCES "process" ("id") ON DELETE CASCADE)'),
    'CREATE INDEX IF NOT EXISTS "process_version_process_id" ON "process_version" ("process_id")',
    ('CREATE UNIQUE INDEX IF NOT EXISTS "process_version_process_id_number" '
     'ON "process_version" ("process_id", "number")'),
    ('CREATE TABLE IF NOT EXISTS "record" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, '
     '"entity" VARCHAR(100) NOT NULL, "data" TEXT NOT NULL, "webhook_id" INTEGER, '
     '"source_id" INTEGER, "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, '
     'FOREIGN KEY ("webhook_id") REFERENCES "webhook" ("id") ON DELETE SET NULL, '
     'FOREIGN KEY ("source_id") REFERENCES "source" ("id") ON DELETE SET NULL)'),
    'CREATE INDEX IF NOT EXISTS "record_entity" ON "record" ("entity")',
    'CREATE INDEX IF NOT EXISTS "record_webhook_id" ON "record" ("webhook_id")',
    'CREATE INDEX IF NOT EXISTS "record_source_id" ON "record" ("source_id")',
    'CREATE INDEX IF NOT EXISTS "record_created_at" ON "record" ("created_at")',
    ('CREATE TABLE IF NOT EXISTS "record_key" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"record_id" VARCHAR(36) NOT NULL, "entity" VARCHAR(100) NOT NULL, '
     '"fields" VARCHAR(300) NOT NULL, "digest" VARCHAR(64) NOT NULL, '
     'FOREIGN KEY ("record_id") REFERENCES "record" ("id") ON DELETE CASCADE)'),
    'CREATE INDEX IF NOT EXISTS "record_key_record_id" ON "record_key" ("record_id")',
    ('CREATE UNIQUE INDEX IF NOT EXISTS "record_key_entity_fields_digest" '
     'ON "record_key" ("entity", "fields", "digest")'),
    ('CREATE TABLE IF NOT EXISTS "user" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"name" VARCHAR(100) NOT NULL, "role" VARCHAR(20) NOT NULL, '
     '"password_hash" VARCHAR(255) NOT NULL, "created_at" TIMESTAMP NOT NULL, '
     '"last_login_at" TIMESTAMP)'),
    'CREATE UNIQUE INDEX IF NOT EXISTS "user_name" ON "user" ("name")',
    ('CREATE TABLE IF NOT EXISTS "web_session" ("id" SERIAL NOT NULL PRIMARY KEY, '
     '"user_id" INTEGER NOT NULL, "secret_hash" VARCHAR(64) NOT NULL, '
     '"created_at" TIMESTAMP NOT NULL, "last_seen_at" TIMESTAMP NOT NULL, '
     'FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)'),
    'CREATE INDEX IF NOT EXISTS "web_session_user_id" ON "web_session" ("user_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "web_session_secret_hash" ON "web_session" ("secret_hash")',
)


def up(migrator: SchemaMigrator, db: peewee.Database) -> None:
    """Create every table and index."""
    statements = SQLITE if isinstance(db, peewee.SqliteDatabase) else POSTGRESQL
    migrator.migrate(*[migrator.sql(statement) for statement in statements])


def down(migrator: SchemaMigrator, db: peewee.Database) -> None:
    """Drop every table, referencing tables first."""
    migrator.migrate(*[migrator.drop_table(table) for table in reversed(TABLES)])
