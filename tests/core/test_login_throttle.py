"""Login throttling: per name and per address, exponential and capped, shared by every app."""

from __future__ import annotations

import datetime as dt

import pytest

from app import create_app
from core import login_throttle
from core.auth import Role
from core.db import db, utcnow
from core.login_throttle import LoginFailure
from core.users import create_user
from core.views import throttled_message
from tests.conftest import REDIS_URL
from tests.ui_session import PASSWORD, browser, csrf_token

HERE = "127.0.0.1"


class Clock:
    """The throttle's idea of now, moved by the test."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr("core.login_throttle.utcnow", clock)
    return clock


@pytest.fixture
def ada(app):
    return create_user("ada", Role.ADMIN, PASSWORD)


def attempt(app, name: str, password: str = "wrong password", address: str = HERE, **headers):
    """One login from a fresh browser at this client address."""
    visitor = browser(app)
    token = csrf_token(visitor.get("/login").text)
    return visitor.post("/login", data={"name": name, "password": password, "csrf_token": token},
                        environ_base={"REMOTE_ADDR": address}, headers=headers)


def refused(response) -> tuple[int, str, bool]:
    """Status, Retry-After and whether the login page shows the throttle's message."""
    message = throttled_message(int(response.headers.get("Retry-After", "0") or 0))
    return response.status_code, response.headers.get("Retry-After"), message in response.text


def test_after_five_failures_each_try_waits_longer_up_to_the_cap(app, ada, clock, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_THROTTLE_MAX_DELAY_SECONDS", 50)
    assert [attempt(app, "ada").status_code for _ in range(5)] == [401] * 5
    response = attempt(app, "ada")
    assert refused(response) == (429, "15", True)
    assert "Too many failed logins. Try again in 15 seconds." in response.text
    assert '<input name="name" type="text" value="ada"' in response.text
    # The right password is not even checked while the wait lasts.
    assert refused(attempt(app, "ada", PASSWORD)) == (429, "15", True)
    clock.advance(14)
    assert refused(attempt(app, "ada")) == (429, "1", True)
    assert "Try again in 1 second." in attempt(app, "ada").text
    clock.advance(1)
    assert attempt(app, "ada").status_code == 401
    assert refused(attempt(app, "ada")) == (429, "30", True)
    clock.advance(30)
    assert attempt(app, "ada").status_code == 401
    assert refused(attempt(app, "ada")) == (429, "50", True)
    clock.advance(50)
    assert attempt(app, "ada", PASSWORD).status_code == 302


def test_failures_count_per_name_from_any_address(app, ada, clock):
    create_user("bob", Role.VIEWER, PASSWORD)
    for n in range(5):
        assert attempt(app, "ada", address=f"127.0.0.{n + 2}").status_code == 401
    assert refused(attempt(app, "ada", PASSWORD, address="127.0.0.9")) == (429, "15", True)
    assert attempt(app, "bob", address="127.0.0.9").status_code == 401
    assert attempt(app, "bob", PASSWORD, address="127.0.0.9").status_code == 302


def test_failures_count_per_address_for_any_name(app, ada, clock):
    for name in ("ada", "bob", "carol", "dan", "eve"):
        assert attempt(app, name, address="127.0.0.2").status_code == 401
    assert refused(attempt(app, "ada", PASSWORD, address="127.0.0.2")) == (429, "15", True)
    assert refused(attempt(app, "frank", address="127.0.0.2")) == (429, "15", True)
    assert attempt(app, "ada", PASSWORD, address="127.0.0.3").status_code == 302


def test_a_success_resets_the_names_count_but_not_the_addresss(app, ada, clock):
    for n in range(4):
        assert attempt(app, "ada", address=f"127.0.0.{n + 2}").status_code == 401
    assert attempt(app, "ada", PASSWORD, address="127.0.0.2").status_code == 302
    for n in range(4):
        assert attempt(app, "ada", address=f"127.0.0.{n + 10}").status_code == 401
    assert attempt(app, "ada", address="127.0.0.20").status_code == 401
    # 127.0.0.2 failed once, succeeded, and fails four times more: its five failures stand.
    for _ in range(4):
        attempt(app, "someone", address="127.0.0.2")
    assert refused(attempt(app, "ada", PASSWORD, address="127.0.0.2")) == (429, "15", True)


def test_failures_older_than_the_window_are_forgotten_and_purged(app, ada, clock):
    for _ in range(5):
        attempt(app, "ada")
    assert attempt(app, "ada").status_code == 429
    clock.advance(15 * 60)
    assert attempt(app, "ada", PASSWORD).status_code == 302
    attempt(app, "nobody")
    # Ada's five name rows went at her login; the address's five are past the window.
    assert LoginFailure.select().count() == 5 + 2
    assert login_throttle.purge() == 5
    assert LoginFailure.select().count() == 2


def test_names_that_exist_and_names_that_do_not_are_throttled_alike(app, ada, clock):
    answers = []
    for name, address in (("ada", "127.0.0.2"), ("nobody", "127.0.0.3")):
        failures = [attempt(app, name, address=address) for _ in range(5)]
        assert {(r.status_code, "Wrong name or password." in r.text) for r in failures} == {
            (401, True)}
        answers.append(refused(attempt(app, name, address=address)))
    assert answers == [(429, "15", True), (429, "15", True)]


def test_names_and_addresses_are_kept_only_as_keyed_hashes(app, clock):
    attempt(app, "my secret password", address="127.0.0.2")
    keys = [row.key for row in LoginFailure.select()]
    assert len(keys) == 2 and all(len(k) == 64 and "secret" not in k for k in keys)


def test_a_json_caller_gets_the_one_error_shape(app, ada, clock):
    json = {"Accept": "application/json"}
    wrong = attempt(app, "ada", **json)
    assert (wrong.status_code, wrong.json) == (401, {
        "code": 401, "status": "Unauthorized", "reason": "invalid_login",
        "message": "Wrong name or password.", "errors": []})
    for _ in range(4):
        attempt(app, "ada", **json)
    throttled = attempt(app, "ada", **json)
    assert (throttled.status_code, throttled.headers["Retry-After"], throttled.json) == (429, "15", {
        "code": 429, "status": "Too Many Requests", "reason": "login_throttled",
        "message": "Too many failed logins. Try again in 15 seconds.", "errors": []})


def test_two_apps_on_one_database_share_the_count(app, ada, clock):
    """Two create_app() on the same database stand for two gunicorn workers."""
    other = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"],
                        "REDIS_URL": REDIS_URL, "DATA_DIR": app.config["DATA_DIR"],
                        "SERVER_NAME": "hookhub.test"})
    db.initialize(app.extensions["hookhub.database"])
    for worker in (app, other, app, other, app):
        assert attempt(worker, "ada").status_code == 401
    assert refused(attempt(other, "ada", PASSWORD)) == (429, "15", True)
    assert refused(attempt(app, "ada", PASSWORD)) == (429, "15", True)


def test_the_limits_are_configurable(app, ada, clock, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_THROTTLE_FAILURES", 2)
    monkeypatch.setitem(app.config, "LOGIN_THROTTLE_DELAY_SECONDS", 3)
    attempt(app, "ada")
    attempt(app, "ada")
    assert refused(attempt(app, "ada")) == (429, "3", True)


@pytest.mark.parametrize(("wait", "message"), [
    (1, "Too many failed logins. Try again in 1 second."),
    (119, "Too many failed logins. Try again in 119 seconds."),
    (120, "Too many failed logins. Try again in 2 minutes."),
    (899, "Too many failed logins. Try again in 15 minutes."),
])
def test_the_wait_reads_in_seconds_then_minutes(wait, message):
    assert throttled_message(wait) == message
