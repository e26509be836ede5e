"""The UI's plumbing: secret key, sessions, login required, roles per page, CSRF, headers,
error pages."""

from __future__ import annotations

import os
import stat

import pytest
from flask import Flask

from app import create_app
from core import login_throttle, web
from core.auth import Role
from core.db import db
from core.users import User, WebSession, create_user
from tests.conftest import REDIS_URL
from tests.ui_session import PASSWORD, UiSession, browser, csrf_token

COOKIE, DOMAIN = "hookhub_session", "hookhub.test"


def test_the_secret_key_is_made_once_under_data_dir_and_kept(tmp_path):
    first, second = Flask("a"), Flask("b")
    for app in (first, second):
        app.config.update(DATA_DIR=str(tmp_path / "data"), SECRET_KEY=None)
        web.ensure_secret_key(app)
    key_file = tmp_path / "data" / "secret_key"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert len(key_file.read_text()) == 64
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert sorted(os.listdir(tmp_path / "data")) == ["secret_key"]


def test_a_configured_secret_key_is_used_and_nothing_is_written(tmp_path):
    app = Flask("a")
    app.config.update(DATA_DIR=str(tmp_path), SECRET_KEY="from-the-environment")
    web.ensure_secret_key(app)
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert os.listdir(tmp_path) == []


@pytest.fixture
def visitor(app):
    """A browser that has not logged in."""
    return browser(app)


def test_pages_send_the_visitor_to_log_in_first(visitor):
    response = visitor.get("/inbox?status=failed")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/inbox?status%3Dfailed"


def log_in(client, name: str, password: str, next_url: str | None = None):
    token = csrf_token(client.get("/login").text)
    url = f"/login?next={next_url}" if next_url else "/login"
    return client.post(url, data={"name": name, "password": password, "csrf_token": token})


def test_login_takes_the_right_password_and_goes_where_asked(visitor):
    create_user("ada", Role.ADMIN, PASSWORD)
    wrong = log_in(visitor, "ada", "wrong password")
    assert wrong.status_code == 401
    assert "Wrong name or password." in wrong.text
    assert visitor.get("/inbox").status_code == 302
    right = log_in(visitor, "ada", PASSWORD, "/inbox")
    assert (right.status_code, right.headers["Location"]) == (302, "/inbox")
    assert visitor.get("/inbox").status_code == 200


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_login_never_sends_the_user_off_site(visitor, target):
    create_user("ada", Role.ADMIN, PASSWORD)
    assert log_in(visitor, "ada", PASSWORD, target).headers["Location"] == "/"


def test_a_viewer_lands_on_records(visitor):
    create_user("vic", Role.VIEWER, PASSWORD)
    assert log_in(visitor, "vic", PASSWORD).headers["Location"] == "/records"
    assert visitor.get("/").headers["Location"] == "/records"


@pytest.mark.parametrize("path", ["/inbox", "/sources", "/entities", "/lookups", "/tokens", "/users"])
def test_admin_pages_are_403_for_viewers(viewer_ui, path):
    response = viewer_ui.get(path)
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    assert "This page is for admin users; you are logged in as viewer." in response.text


@pytest.mark.parametrize("path", ["/sources", "/tokens", "/users", "/lookups", "/inbox/1/reprocess"])
def test_every_form_needs_the_csrf_token(admin_ui, path):
    response = admin_ui.client.post(path, data={"name": "x", "code": "X"})
    assert response.status_code == 400
    assert "The CSRF token is missing." in response.text
    wrong = admin_ui.client.post(path, data={"name": "x", "csrf_token": "forged"})
    assert (wrong.status_code, "The CSRF token is invalid." in wrong.text) == (400, True)


def test_the_json_api_needs_no_csrf_token(client, admin):
    response = client.post("/api/v1/lookups", json={"code": "Industries"}, headers=admin)
    assert response.status_code == 201


def test_a_session_ends_after_its_maximum_age(admin_ui, monkeypatch):
    assert admin_ui.get("/sources").status_code == 200
    monkeypatch.setitem(admin_ui.client.application.config, "SESSION_MAX_AGE_SECONDS", 0)
    assert admin_ui.get("/sources").status_code == 302


def test_logout_ends_the_session(admin_ui):
    assert admin_ui.get("/logout").status_code == 405
    response = admin_ui.submit("/logout")
    assert (response.status_code, response.headers["Location"]) == (302, "/login")
    assert admin_ui.get("/sources").status_code == 302


def copy_of(ui: UiSession):
    """A second browser holding a copy of this one's session cookie."""
    thief = browser(ui.client.application)
    thief.set_cookie(COOKIE, ui.client.get_cookie(COOKIE, DOMAIN).value, domain=DOMAIN)
    return thief


def test_a_copied_session_cookie_stops_working_at_logout(admin_ui):
    thief = copy_of(admin_ui)
    assert thief.get("/sources").status_code == 200
    assert admin_ui.submit("/logout").status_code == 302
    response = thief.get("/sources")
    assert (response.status_code, response.headers["Location"]) == (302, "/login?next=/sources")
    assert WebSession.select().where(WebSession.user == admin_ui.user).count() == 0


def test_logout_ends_only_this_browsers_session(app, admin_ui):
    other = browser(app)
    assert log_in(other, admin_ui.user.name, PASSWORD).status_code == 302
    assert admin_ui.submit("/logout").status_code == 302
    assert other.get("/sources").status_code == 200
    assert admin_ui.get("/sources").status_code == 302


def test_the_cookie_holds_a_random_session_secret_and_the_database_only_its_hash(admin_ui):
    session = admin_ui.client.application.session_interface.get_signing_serializer(
        admin_ui.client.application).loads(admin_ui.client.get_cookie(COOKIE, DOMAIN).value)
    assert sorted(session) == ["csrf_token", "sid"]
    assert session["sid"].startswith("hhs_") and len(session["sid"]) == 36
    row = WebSession.get(WebSession.user == admin_ui.user)
    assert row.secret_hash != session["sid"] and len(row.secret_hash) == 64
    assert session["sid"] not in row.secret_hash


def test_a_session_cookie_signed_with_another_key_or_made_up_is_refused(app, admin_ui):
    forged = browser(app)
    other_key = Flask("other")
    other_key.secret_key = "not-the-key"
    serializer = app.session_interface.get_signing_serializer(other_key)
    sid = app.session_interface.get_signing_serializer(app).loads(
        admin_ui.client.get_cookie(COOKIE, DOMAIN).value)["sid"]
    forged.set_cookie(COOKIE, serializer.dumps({"sid": sid}), domain=DOMAIN)
    assert forged.get("/sources").status_code == 302
    made_up = browser(app)
    made_up.set_cookie(COOKIE, app.session_interface.get_signing_serializer(app).dumps(
        {"sid": "hhs_" + "A" * 32, "user_id": admin_ui.user.id}), domain=DOMAIN)
    assert made_up.get("/sources").status_code == 302


def test_a_removed_users_sessions_end_with_them(app, admin_ui):
    ui = UiSession(app, Role.VIEWER, "gone")
    assert ui.get("/records").status_code == 200
    admin_ui.submit(f"/users/{ui.user.id}/delete")
    assert not User.select().where(User.name == "gone").exists()
    assert WebSession.select().where(WebSession.user == ui.user.id).count() == 0
    assert ui.get("/records").status_code == 302


def set_cookie_header(response) -> str:
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{COOKIE}=")]
    return header


def test_the_session_cookie_is_secure_over_https_only_by_default(app):
    plain = set_cookie_header(browser(app).get("/login"))
    assert "; Secure" not in plain and "; HttpOnly" in plain and "; SameSite=Lax" in plain
    secure = set_cookie_header(browser(app).get("/login", base_url="https://hookhub.test"))
    assert "; Secure" in secure and "; HttpOnly" in secure
    # Without PROXY_FIX a forwarded scheme is not believed.
    forwarded = browser(app).get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "; Secure" not in set_cookie_header(forwarded)


def test_session_cookie_secure_makes_it_secure_over_http_too(app, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    assert "; Secure" in set_cookie_header(browser(app).get("/login"))


def test_behind_a_trusted_proxy_the_forwarded_scheme_makes_it_secure(app):
    proxied = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"],
                          "REDIS_URL": REDIS_URL, "DATA_DIR": app.config["DATA_DIR"],
                          "SERVER_NAME": "hookhub.test", "PROXY_FIX": 1})
    db.initialize(app.extensions["hookhub.database"])
    forwarded = browser(proxied).get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "; Secure" in set_cookie_header(forwarded)
    assert "; Secure" not in set_cookie_header(browser(proxied).get("/login"))


def test_old_sessions_and_login_failures_are_purged_every_hour(app, admin_ui, monkeypatch):
    tasks = {t.name: t for t in app.extensions["hookhub.periodic"]}
    assert (tasks["purge-web-sessions"].every, tasks["purge-login-failures"].every) == (3600, 3600)
    assert tasks["purge-login-failures"].func is login_throttle.purge
    assert tasks["purge-web-sessions"].func() == 0
    monkeypatch.setitem(app.config, "SESSION_MAX_AGE_SECONDS", 0)
    assert tasks["purge-web-sessions"].func() == 1
    assert WebSession.select().count() == 0
