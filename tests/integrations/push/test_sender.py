"""Preparing an attempt: every header variable, auth, and the body left unsigned until sent."""

from __future__ import annotations

import json

from flask import g

from core.auth import Role, create_token
from integrations.push import connections
from integrations.push.events import Event, emit
from integrations.push.sender import prepare
from tests.integrations.push_fixtures import enabled_connection

TEMPLATE = ("{event.id}|{event.type}|{event.timestamp}|{webhook.id}|{source.id}|{source.name}|"
            "{hub.name}|{connection.name}|{connection.version}|{user.name}|{record.Email}")


def test_every_variable_is_filled(app):
    conn, _ = enabled_connection("http://127.0.0.1:9/hook", name="crm", version="7",
                                 headers=[{"name": "X-All", "value": TEMPLATE}],
                                 auth={"type": "basic", "username": "ann", "password": "pw"})
    token, _ = create_token("reprocessor", Role.ADMIN)
    with app.test_request_context():
        g.api_token = token
        emit("record.created", {"record": {"id": "r1", "entity": "Lead",
                                           "data": {"Email": "a@example.com"}},
                                "source": {"id": 3, "name": "landing"}})
    event = Event.get()
    send = prepare(event, connections.target(conn), delivery_id=5, attempt=2)
    assert send.headers == {
        "Content-Type": "application/json", "Authorization": "Basic YW5uOnB3",
        "X-All": f"{event.id}|record.created|{event.timestamp()}|||landing||crm|7|reprocessor|"
                 "a@example.com"}
    assert (send.delivery_id, send.attempt) == (5, 2)
    assert json.loads(send.body)["version"] == "7" and send.logged_body == send.body
    assert "webhook-signature" not in send.headers
