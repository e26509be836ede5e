"""Two admins editing one process at the same moment through `serve`: no edit is lost.

Each round, two clients send their edit at once (released together by a barrier) to a real
`app.py serve` with two web workers; whatever order the server takes them in, the outcome is
the same.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from tests.e2e.conftest import Hookhub, Response, fresh_database_url
from tests.processes.helpers import definition

pytestmark = pytest.mark.e2e
ROUNDS = 5


@pytest.fixture
def hookhub(backend, tmp_path, private_redis):
    hub = Hookhub(tmp_path, fresh_database_url(backend, tmp_path, "concurrent_edits"),
                  private_redis.url)
    hub.serve()
    yield hub
    hub.stop()


def at_once(*requests: Callable[[], Response]) -> list[Response]:
    """Send the requests from threads of their own, released together; their answers in order."""
    barrier = threading.Barrier(len(requests))
    answers: list[Response | None] = [None] * len(requests)

    def send(i: int) -> None:
        barrier.wait()
        answers[i] = requests[i]()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(a is not None for a in answers), "a client got no answer within 60 s"
    return answers


def test_of_two_saves_from_one_version_one_is_saved_and_the_other_is_409(hookhub):
    [process] = hookhub.api("GET", "/processes").json()["items"]
    path = f"/processes/{process['id']}"
    for base in range(1, ROUNDS + 1):
        separators = [f"{base}a", f"{base}b"]
        answers = at_once(*(lambda s=s, b=base: hookhub.api("PUT", f"{path}/definition", {
            **definition({"parse": {"separator": s}}), "base_version": b}) for s in separators))
        assert sorted(a.status for a in answers) == [201, 409], [a.body for a in answers]
        [saved] = [s for s, a in zip(separators, answers, strict=True) if a.status == 201]
        [refused] = [a.json() for a in answers if a.status == 409]
        assert refused["reason"] == "stale_version"
        assert refused["message"] == (f"Process {process['id']} changed since version {base} you "
                                      f"edited (now version {base + 1}); reload and apply your "
                                      "change again.")
        now = hookhub.api("GET", path).json()
        assert now["version"] == base + 1
        assert now["definition"]["steps"][1]["options"] == {"separator": saved}


def test_two_rules_added_at_once_naming_no_version_are_both_kept(hookhub):
    [process] = hookhub.api("GET", "/processes").json()["items"]
    rules = f"/processes/{process['id']}/rules"
    for n in range(ROUNDS):
        ids = [f"r{n}a", f"r{n}b"]
        answers = at_once(*(lambda i=i: hookhub.api("POST", rules, {
            "id": i, "name": i, "actions": [{"action": "stop"}]}) for i in ids))
        assert [a.status for a in answers] == [201, 201]
        kept = {r["id"] for r in hookhub.api("GET", rules).json()["items"]}
        assert set(ids) <= kept
    assert hookhub.api("GET", f"/processes/{process['id']}").json()["version"] == 1 + 2 * ROUNDS
