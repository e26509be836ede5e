"""A source edited through one gunicorn worker counts at the next request in every other one.

Sources are authenticated from a cache in each web process; this drives the real `serve`
with its web workers warmed by concurrent posts, then edits the source through the API.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.conftest import Hookhub, fresh_database_url, http

pytestmark = pytest.mark.e2e
POSTS = 24


@pytest.fixture
def hookhub(backend, tmp_path, private_redis):
    hub = Hookhub(tmp_path, fresh_database_url(backend, tmp_path, "source_changes"),
                  private_redis.url)
    hub.serve(rq_workers=1)
    yield hub
    hub.stop()


def answers(url: str) -> set[int]:
    """The statuses of POSTS concurrent posts (spread over the web workers), as a set."""
    def post(n: int) -> int:
        return http("POST", url, f'{{"EntityName": "Lead", "Email": "p{n}@example.com"}}'.encode(),
                    {"Content-Type": "application/json"}).status

    with ThreadPoolExecutor(8) as pool:
        return set(pool.map(post, range(POSTS)))


def test_every_web_worker_sees_a_source_change_at_its_next_request(hookhub: Hookhub):
    source = hookhub.create_source("landing")
    [listed] = hookhub.api("GET", "/sources").json()["items"]
    url = source["webhook_url"]
    assert answers(url) == {200}

    assert hookhub.api("PATCH", f"/sources/{listed['id']}", {"deferred": True}).status == 200
    assert answers(url) == {202}

    rotated = hookhub.api("POST", f"/sources/{listed['id']}/rotate").json()
    assert answers(url) == {401}
    new_url = url.replace(source["api_key"], rotated["api_key"])
    assert answers(new_url) == {202}

    assert hookhub.api("POST", f"/sources/{listed['id']}/revoke").status in (200, 204)
    assert answers(new_url) == {401}
