"""The command line: init-db, create-source, create-token, rotate-key, revoke-key."""

from __future__ import annotations

import json

from core.auth import authenticate
from integrations.inbound.sources import authenticate as authenticate_source


def test_create_source_json_prints_name_key_and_url(app):
    result = app.test_cli_runner().invoke(args=["create-source", "Landingi", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert list(printed) == ["name", "api_key", "webhook_url"]
    assert printed["webhook_url"] == f"http://127.0.0.1:5000/webhooks/{printed['api_key']}"
    assert authenticate_source(printed["api_key"]).name == "Landingi"


def test_create_source_twice_is_an_error(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["create-source", "x"])
    result = runner.invoke(args=["create-source", "x"])
    assert result.exit_code != 0


def test_create_token_prints_a_working_token(app):
    result = app.test_cli_runner().invoke(args=["create-token", "--role", "viewer"])
    assert authenticate(result.output.strip()).role == "viewer"


def test_rotate_and_revoke_keys(app, client):
    runner = app.test_cli_runner()
    key = json.loads(runner.invoke(args=["create-source", "s", "--json"]).output)["api_key"]
    new_key = runner.invoke(args=["rotate-key", "s"]).output.strip()
    assert client.post(f"/webhooks/{key}", json={}).status_code == 401
    assert client.post(f"/webhooks/{new_key}", json={}).status_code == 200
    assert runner.invoke(args=["revoke-key", "s"]).exit_code == 0
    assert client.post(f"/webhooks/{new_key}", json={}).status_code == 401
