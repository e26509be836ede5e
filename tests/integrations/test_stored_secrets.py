"""reencrypt-secrets: every stored secret moves to the newest key and still means the same."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from standardwebhooks.webhooks import Webhook as Verifier

from core.secretbox import unseal
from integrations.hubs import service as hubs
from integrations.push import connections
from integrations.push import jobs as push_jobs
from integrations.push.connections import PushConnection
from integrations.stored_secrets import Report, reencrypt
from tests.integrations.push_fixtures import enabled_connection

OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


@pytest.fixture
def use_keys(app):
    """Configure ENCRYPTION_KEYS (with a SECRET_KEY whose derived key fits nothing stored)."""
    saved = {k: app.config.get(k) for k in ("ENCRYPTION_KEYS", "SECRET_KEY")}

    def use(*keys: str) -> None:
        app.config.update(ENCRYPTION_KEYS=list(keys), SECRET_KEY="not the one that sealed")
        app.extensions.pop("hookhub.secretbox", None)

    yield use
    app.config.update(saved)
    app.extensions.pop("hookhub.secretbox", None)


def test_every_secret_moves_to_the_newest_key_and_signs_as_before(push_app, receiver, use_keys):
    server = receiver()
    server.expect_request("/hook").respond_with_data("ok")
    use_keys(OLD_KEY)
    conn, first = enabled_connection(server.url_for("/hook"), auth={"type": "bearer", "token": "t"})
    second = connections.rotate_secret(conn, 3600)
    hub, shown = hubs.create_hub("hub_2")
    hubs.set_destination(hub, "record.created", server.url_for("/hub"), "ann", "pw")
    use_keys(NEW_KEY, OLD_KEY)
    assert reencrypt() == Report(reencrypted=5, unreadable=[])
    use_keys(NEW_KEY)
    conn = PushConnection.get_by_id(conn.id)
    assert [unseal(s) for s in (conn.previous_secret, conn.secret, conn.auth_secret)] == [
        first, second, "t"]
    assert unseal(hubs.Hub.get_by_id(hub.id).secret) == shown["signing_secret"]
    assert unseal(hubs.HubDestination.get().password) == "pw"
    assert push_jobs.ping_connection(conn.id)["code"] == 200
    request, _ = server.log[-1]
    body, headers = request.get_data(as_text=True), dict(request.headers)
    assert len(headers["Webhook-Signature"].split(" ")) == 2
    for secret in (first, second):
        assert Verifier(secret).verify(body, headers)["type"] == "ping"
    assert headers["Authorization"] == "Bearer t"


def test_what_no_key_decrypts_is_named_and_left_alone(app, use_keys):
    use_keys(OLD_KEY)
    conn, _ = enabled_connection("https://crm.example.com/hook")
    sealed = conn.secret
    use_keys(NEW_KEY)
    assert reencrypt() == Report(reencrypted=0, unreadable=["push connection 'crm': signing secret"])
    assert PushConnection.get_by_id(conn.id).secret == sealed


def test_the_command_prints_the_counts_and_fails_on_what_it_cannot_read(app, use_keys):
    use_keys(OLD_KEY)
    enabled_connection("https://crm.example.com/hook")
    use_keys(NEW_KEY, OLD_KEY)
    done = app.test_cli_runner().invoke(args=["reencrypt-secrets"])
    assert (done.exit_code, done.output) == (0, "re-encrypted 1 stored secret(s) with the newest key\n")
    use_keys(OLD_KEY)
    done = app.test_cli_runner().invoke(args=["reencrypt-secrets"])
    assert (done.exit_code, done.stdout, done.stderr) == (
        1, "re-encrypted 0 stored secret(s) with the newest key\n",
        "1 cannot be decrypted with any configured key and were left as they are: "
        "push connection 'crm': signing secret\n")
