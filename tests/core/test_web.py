"""The UI's plumbing: secret key, login required, roles per page, CSRF, headers, error pages."""

from __future__ import annotations

import os
import stat

import pytest
from flask import Flask

from core import web
from core.auth import Role
from core.users import create_user
from tests.ui_session import PASSWORD, browser, csrf_token


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


def test_pages_may_not_be_framed_cached_or_sniffed(admin_ui):
    headers = admin_ui.get("/sources").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"].startswith("default-src 'self'; img-src 'self' data:;")


def test_a_missing_page_is_an_html_page(admin_ui):
    response = admin_ui.get("/sources/999999")
    assert (response.status_code, response.mimetype) == (404, "text/html")
    assert "Source 999999 does not exist." in response.text


@pytest.mark.parametrize(("query", "message"), [
    ("page=0", "page must be an integer from 1 to 1000000000."),
    ("size=x", "size must be an integer from 1 to 100."),
])
def test_bad_paging_is_a_400_page(admin_ui, query, message):
    response = admin_ui.get(f"/lookups/Countries?{query}")
    assert response.status_code == 400
    assert message in response.text
