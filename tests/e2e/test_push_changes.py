"""Push edits through the REST API of `serve` reach a running worker at the next event.

A real `app.py serve`, a real `app.py worker` that keeps delivering, and a receiver on
127.0.0.1 that records what it gets and verifies signatures as a Standard Webhooks receiver
would.
"""

from __future__ import annotations

import json
import re
import threading
import time

import pytest
from standardwebhooks.webhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from tests.e2e.conftest import Hookhub, fresh_database_url, http, wait_for

pytestmark = pytest.mark.e2e
SETTINGS = {"HOOKHUB_EGRESS_ALLOW": '["127.0.0.1/32"]', "HOOKHUB_PUSH_SWEEP_SECONDS": "1"}
EVENT = "webhook.received"


@pytest.fixture
def hookhub(backend, tmp_path, private_redis):
    hub = Hookhub(tmp_path, fresh_database_url(backend, tmp_path, "push_changes"),
                  private_redis.url, SETTINGS)
    yield hub
    hub.stop()


class Receiver:
    """What the receiver on 127.0.0.1 got, by path: (webhook's Name, request) in order."""

    def __init__(self, server):
        self.server = server
        server.expect_request(re.compile(r"^/hook/.*")).respond_with_data("ok")

    def url(self, name: str) -> str:
        return self.server.url_for(f"/hook/{name}")

    def got(self, name: str) -> list[tuple[str, object]]:
        return [(request.get_json()["data"]["payload"]["Name"], request)
                for request, _ in list(self.server.log) if request.path == f"/hook/{name}"]

    def names(self, name: str) -> list[str]:
        return [marker for marker, _ in self.got(name)]


def signed_by(request, secret: str) -> bool:
    """Whether a Standard Webhooks receiver holding this secret accepts the request."""
    try:
        Verifier(secret).verify(request.get_data(as_text=True), dict(request.headers))
    except WebhookVerificationError:
        return False
    return True


class Scenario:
    """A served hookhub, its worker, an inline source, and one connection that gets everything."""

    def __init__(self, hub: Hookhub, receiver: Receiver):
        self.hub, self.receiver, self.sent = hub, receiver, 0
        self.source = hub.create_source("landing")
        hub.serve(rq_workers=0)
        hub.worker()
        self.steady = self.connection("steady")

    def connection(self, name: str, enable: bool = True) -> dict:
        created = self.hub.api("POST", "/push-connections", {
            "name": name, "url": self.receiver.url(name), "event_types": [EVENT]})
        assert created.status == 201, created.body
        if enable:
            assert self.hub.api("POST", f"/push-connections/{created.json()['id']}/enable"
                                ).json()["enabled"] is True
        return created.json()

    def event(self, *expected: str) -> str:
        """Post a webhook (one webhook.received event); return once the steady connection and
        the expected receivers have it.

        The worker sends every delivery of a fan-out batch before it claims the next, so when
        an event has arrived, whatever the events before it caused has arrived too.
        """
        self.sent += 1
        marker = f"n{self.sent}"
        r = http("POST", self.source["webhook_url"],
                 json.dumps({"EntityName": "FormSubmit", "Name": marker}).encode(),
                 {"Content-Type": "application/json"})
        assert r.status == 200, r.body
        for name in ("steady", *expected):
            wait_for(lambda name=name: marker in self.receiver.names(name),
                     f"{name} to get {marker}")
        return marker


def test_every_push_change_counts_at_the_next_event(hookhub, receiver):
    got = Receiver(receiver())
    run = Scenario(hookhub, got)
    first = run.event()

    # Created and enabled while the worker runs: the next event reaches it.
    new = run.connection("new")
    second = run.event("new")
    assert got.names("new") == [second]

    # A new URL is used at once.
    patched = hookhub.api("PATCH", f"/push-connections/{new['id']}", {"url": got.url("moved")})
    assert patched.json()["url"] == got.url("moved")
    third = run.event("moved")
    assert (got.names("new"), got.names("moved")) == ([second], [third])

    # A rotated secret (no overlap) signs the next event; the old one no longer verifies.
    rotated = hookhub.api("POST", f"/push-connections/{new['id']}/rotate-secret",
                          {"overlap_seconds": 0}).json()["secret"]
    fourth = run.event("moved")
    [(marker, request)] = got.got("moved")[1:]
    assert marker == fourth
    assert signed_by(request, rotated) and not signed_by(request, new["secret"])

    # Disabled: nothing more.
    assert hookhub.api("POST", f"/push-connections/{new['id']}/disable").json()["enabled"] is False
    run.event()
    assert got.names("moved") == [third, fourth]

    # Enabled again: it receives again.
    hookhub.api("POST", f"/push-connections/{new['id']}/enable")
    sixth = run.event("moved")
    assert got.names("moved") == [third, fourth, sixth]

    # Deleted: nothing more, and everyone else still gets every event.
    assert hookhub.api("DELETE", f"/push-connections/{new['id']}").status == 204
    seventh = run.event()
    assert got.names("moved") == [third, fourth, sixth]

    # A hub destination: set, moved, removed, its hub deleted.
    hub = hookhub.api("POST", "/hubs", {"name": "loans"}).json()
    dest_url = f"/hubs/{hub['id']}/destinations/{EVENT}"
    assert hookhub.api("PUT", dest_url, {"url": got.url("hub")}).status == 200
    eighth = run.event("hub")
    [(marker, request)] = got.got("hub")
    assert marker == eighth and signed_by(request, hub["signing_secret"])
    hookhub.api("PUT", dest_url, {"url": got.url("hub-moved")})
    ninth = run.event("hub-moved")
    assert (got.names("hub"), got.names("hub-moved")) == ([eighth], [ninth])
    assert hookhub.api("DELETE", dest_url).status == 204
    run.event()
    assert hookhub.api("PUT", dest_url, {"url": got.url("hub-back")}).status == 200
    eleventh = run.event("hub-back")
    assert hookhub.api("DELETE", f"/hubs/{hub['id']}").status == 204
    twelfth = run.event()
    assert (got.names("hub"), got.names("hub-moved"), got.names("hub-back")) == (
        [eighth], [ninth], [eleventh])

    assert (got.names("new"), got.names("moved")) == ([second], [third, fourth, sixth])
    # The steady connection got every event, once, each signed with its secret.
    steady = got.got("steady")
    assert [marker for marker, _ in steady] == [f"n{i}" for i in range(1, 13)]
    assert all(signed_by(request, run.steady["secret"]) for _, request in steady)
    assert (first, seventh, twelfth) == ("n1", "n7", "n12")
    log = hookhub.api("GET", f"/push-connections/{run.steady['id']}/deliveries?limit=500").json()
    assert [(i["status"], i["response"]["code"]) for i in log["items"]] == [("succeeded", 200)] * 12


def test_a_retry_of_a_connection_enabled_meanwhile_is_sent(hookhub, receiver):
    """A delivery failed while its connection was off, retried once it is on again."""
    server = receiver()
    answers = iter([400])

    def answer(request):
        from werkzeug import Response

        return Response("no", status=next(answers, 200))

    server.expect_request("/flaky").respond_with_handler(answer)
    got = Receiver(server)
    run = Scenario(hookhub, got)
    flaky = hookhub.api("POST", "/push-connections", {
        "name": "flaky", "url": server.url_for("/flaky"), "event_types": [EVENT]}).json()
    base = f"/push-connections/{flaky['id']}"
    hookhub.api("POST", f"{base}/enable")
    run.event()
    [failed] = wait_for(lambda: [i for i in hookhub.api("GET", f"{base}/deliveries").json()[
        "items"] if i["delivery_status"] == "failed"], "the first delivery to fail")
    hookhub.api("POST", f"{base}/disable")
    run.event()
    hookhub.api("POST", f"{base}/enable")
    retried = hookhub.api("POST", f"/deliveries/{failed['delivery_id']}/retry")
    assert (retried.status, retried.json()["status"]) == (202, "pending")
    succeeded = wait_for(lambda: [i for i in hookhub.api("GET", f"{base}/deliveries").json()[
        "items"] if i["status"] == "succeeded"], "the retry to be sent")
    assert [(i["delivery_id"], i["attempt"]) for i in succeeded] == [(failed["delivery_id"], 2)]


def test_connectivity_tests_never_hold_a_web_worker(hookhub):
    """With no worker running, tests on both web workers still leave intake answering."""
    source = hookhub.create_source("landing")
    hookhub.serve(rq_workers=0)
    conn = hookhub.api("POST", "/push-connections", {
        "name": "crm", "url": "https://crm.example.com/in", "event_types": [EVENT]}).json()
    answers: list[tuple[int, float]] = []

    def click() -> None:
        started = time.monotonic()
        r = hookhub.api("POST", f"/push-connections/{conn['id']}/test")
        answers.append((r.status, time.monotonic() - started))

    clicks = [threading.Thread(target=click) for _ in range(4)]
    for thread in clicks:
        thread.start()
    started = time.monotonic()
    r = http("POST", source["webhook_url"], b'{"EntityName": "FormSubmit", "Name": "x"}',
             {"Content-Type": "application/json"})
    intake = time.monotonic() - started
    for thread in clicks:
        thread.join(60)
    assert r.status == 200 and intake < 10, f"intake answered {r.status} after {intake:.1f} s"
    assert [status for status, _ in answers] == [202] * 4
    assert max(seconds for _, seconds in answers) < 10
