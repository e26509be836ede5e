"""A web worker killed mid-request: no acknowledged webhook lost, no record written twice.

Several clients post to an inline and a deferred source of a real `serve` while gunicorn workers
(never the arbiter) are SIGKILLed. Each kill takes the worker that holds a request of ours whose
body is half sent, so every kill provably lands on a request in flight; the clients' requests on
the same worker die with it. Answered or not, whatever was stored is processed exactly once.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlencode

import psutil
import pytest

from tests.e2e.conftest import Hookhub, fresh_database_url, wait_for
from tests.e2e.test_chaos import CANADA, post_form
from tests.e2e.test_outages import report
from tests.integrations.inbound.test_endpoint import FIELDS

pytestmark = pytest.mark.e2e
CLIENTS = 6
KILLS = 3
ANSWERS_BETWEEN_KILLS = 30
# Short grace, sweeps and leases, so that what a killed worker left stored is processed within
# seconds; a body read deadline far beyond any wait of the test, so the held request stays open.
SETTINGS = {"HOOKHUB_INLINE_GRACE_SECONDS": "2", "HOOKHUB_SWEEP_SECONDS": "1",
            "HOOKHUB_CLAIM_LEASE_SECONDS": "5", "HOOKHUB_BODY_READ_TIMEOUT_SECONDS": "300"}
DRAIN_SECONDS = 180.0


@dataclass
class Post:
    email: str
    source: str
    status: int  # 0: no answer (the connection broke)
    webhook_id: int | None


def lead(email: str) -> dict:
    return {**FIELDS, "Email": email, "CountryId": CANADA}


class Clients:
    """Threads that post leads, each with an email of its own, as fast as they are answered."""

    def __init__(self, sources: list[dict]):
        self.sources = sources
        self.posts: list[Post] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True)
                        for i in range(CLIENTS)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def _run(self, client: int) -> None:
        n = 0
        while not self.stopping.is_set():
            source = self.sources[(client + n) % len(self.sources)]
            email = f"client{client}-{n}@example.com"
            try:
                r = post_form(source["webhook_url"], lead(email))
                post = Post(email, source["name"], r.status,
                            r.json()["id"] if r.status in (200, 202) else None)
            except (OSError, http.client.HTTPException):
                post = Post(email, source["name"], 0, None)
            self.posts.append(post)
            n += 1

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(60)


def web_workers(hub: Hookhub) -> list[int]:
    """The pids of gunicorn's workers (the children of its arbiter, a child of serve)."""
    arbiter = next(pid for pid, argv in hub.children().items() if "gunicorn" in argv)
    return sorted(hub.children(arbiter))


def holder(hub: Hookhub, client_port: int) -> int | None:
    """The web worker that has accepted our connection from client_port, if one has yet."""
    for pid in web_workers(hub):
        try:
            connections = psutil.Process(pid).net_connections(kind="tcp")
        except psutil.Error:
            continue
        if any(c.raddr and c.raddr.port == client_port and c.laddr.port == hub.port
               for c in connections):
            return pid
    return None


def hold_request(hub: Hookhub, source: dict, email: str) -> socket.socket:
    """Send a webhook's headers and half its body, and keep the connection open."""
    body = urlencode(lead(email)).encode()
    path = source["webhook_url"].removeprefix(hub.base)
    sock = socket.create_connection(("127.0.0.1", hub.port), timeout=60)
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Content-Type: application/x-www-form-urlencoded\r\n"
                 f"Content-Length: {len(body)}\r\n\r\n".encode() + body[:len(body) // 2])
    return sock


def unanswered(sock: socket.socket) -> bool:
    """Whether the server closed the connection without a byte of answer."""
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def settled(hub: Hookhub, at_least: int) -> list[dict]:
    """Every stored webhook, once there are at_least of them and all are processed."""
    webhooks = hub.webhooks()
    done = len(webhooks) >= at_least and all(w["status"] == "processed" for w in webhooks)
    return webhooks if done else []


def test_web_worker_killed_mid_request(backend, tmp_path, private_redis):
    hub = Hookhub(tmp_path, fresh_database_url(backend, tmp_path, "webkill"), private_redis.url,
                  SETTINGS)
    try:
        sources = [hub.create_source("inline"), hub.create_source("batch", "--deferred")]
        hub.serve(rq_workers=1)
        clients = Clients(sources)
        clients.start()
        held: list[Post] = []
        busy_at_kill = []
        for k in range(KILLS):
            seen = len(clients.posts)
            wait_for(lambda s=seen: len(clients.posts) >= s + ANSWERS_BETWEEN_KILLS,
                     "the clients' traffic to go on", timeout=120)
            source = sources[k % len(sources)]
            sock = hold_request(hub, source, f"held{k}@example.com")
            with sock:
                pid = wait_for(lambda s=sock: holder(hub, s.getsockname()[1]),
                               "a web worker to take the held request")
                busy_at_kill.append(sum(1 for c in psutil.Process(pid).net_connections("tcp")
                                        if c.laddr.port == hub.port and c.raddr) - 1)
                os.kill(pid, signal.SIGKILL)
                assert unanswered(sock), "the killed worker's request got no answer"
            held.append(Post(f"held{k}@example.com", source["name"], 0, None))
            wait_for(lambda p=pid: p not in web_workers(hub) and len(web_workers(hub)) == 2,
                     "gunicorn to replace the killed worker")
        seen = len(clients.posts)
        wait_for(lambda: len(clients.posts) >= seen + ANSWERS_BETWEEN_KILLS,
                 "traffic after the last kill", timeout=120)
        clients.stop()

        posts = clients.posts + held
        assert {p.status for p in posts} <= {0, 200, 202}
        acked = {p.webhook_id: p.email for p in posts if p.status}
        lost = {p.email for p in posts if not p.status}
        webhooks = {w["id"]: w for w in wait_for(lambda: settled(hub, len(acked)),
                                                 "every stored webhook processed",
                                                 timeout=DRAIN_SECONDS, interval=0.5)}
        assert set(acked) <= set(webhooks), "an acknowledged webhook was lost"
        assert {(w["status"], w["attempts"], len(w["records"])) for w in webhooks.values()} == {
            ("processed", 1, 1)}
        records = hub.records("Lead")
        emails = {r["webhook_id"]: r["data"]["Email"] for r in records}
        assert len(records) == len(emails) == len(webhooks), "one record per webhook"
        assert set(emails) == set(webhooks)
        assert {r["id"] for r in records} == {w["records"][0] for w in webhooks.values()}
        assert {i: emails[i] for i in acked} == acked
        stored_unanswered = {i: e for i, e in emails.items() if i not in acked}
        assert set(stored_unanswered.values()) <= lost
        assert len(set(emails.values())) == len(emails), "a post stored twice"
        report(f"web worker SIGKILL x{KILLS} [{backend}]",
               {"posts": len(posts), "acknowledged": len(acked), "no_answer": len(lost),
                "no_answer_but_stored": len(stored_unanswered),
                "client_connections_on_killed_worker": busy_at_kill,
                "lost": 0, "duplicates": 0})
    finally:
        hub.stop()
