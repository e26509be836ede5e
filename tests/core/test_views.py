"""Pages of core: the dashboard, API tokens, users."""

from __future__ import annotations

import re

import pytest

from core.auth import ApiToken, Role
from core.db import utcnow
from core.users import User, WebSession, authenticate
from tests.ui_session import PASSWORD, UiSession, browser, csrf_token


def test_the_dashboard_shows_every_slot(admin_ui):
    html = admin_ui.get("/").text
    titles = re.findall(r'<h2 id="[a-z_]+-title">([^<]+)</h2>', html)
    assert titles == ["Webhooks received", "Webhooks by status", "Recent errors",
                      "Failing push connections"]
    assert 'id="failing_push_connections"' in html


def test_a_token_is_shown_once_and_works(admin_ui, client):
    response = admin_ui.submit("/tokens", {"name": "crm-sync", "role": "viewer"})
    assert response.status_code == 201
    secret = re.search(r'id="shown-secret">([^<]+)<', response.text).group(1)
    token = ApiToken.get(ApiToken.name == "crm-sync")
    assert (token.role, token.prefix) == ("viewer", secret[:10])
    listing = admin_ui.get("/tokens").text
    assert secret not in listing and f"{secret[:10]}…" in listing
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/records", headers=headers).status_code == 200
    assert client.get("/api/v1/sources", headers=headers).status_code == 403
    revoked = admin_ui.submit(f"/tokens/{token.id}/revoke")
    assert revoked.status_code == 302
    assert client.get("/api/v1/records", headers=headers).json["reason"] == "invalid_token"


def test_a_token_needs_a_name_and_a_role(admin_ui):
    response = admin_ui.submit("/tokens", {"name": "", "role": "owner"})
    assert response.status_code == 400
    assert '<small class="error" id="err-name">Length must be between 1 and 100.</small>' in response.text
    assert "Must be one of: admin, viewer." in response.text
    assert ApiToken.select().where(ApiToken.name == "").count() == 0


def test_revoking_an_unknown_token_is_404(admin_ui):
    assert admin_ui.submit("/tokens/999999/revoke").status_code == 404


def test_admins_add_and_remove_users(app, admin_ui):
    response = admin_ui.submit("/users", {"name": "bea", "role": "viewer",
                                          "password": "long enough"})
    assert response.status_code == 302
    bea = User.get(User.name == "bea")
    assert bea.role == "viewer"
    duplicate = admin_ui.submit("/users", {"name": "bea", "role": "admin",
                                           "password": "long enough"})
    assert duplicate.status_code == 409
    assert "User &#39;bea&#39; already exists." in duplicate.text
    bea_browser = browser(app)
    token = csrf_token(bea_browser.get("/login").text)
    assert bea_browser.post("/login", data={"name": "bea", "password": "long enough",
                                       "csrf_token": token}).status_code == 302
    assert bea_browser.get("/records").status_code == 200
    assert admin_ui.submit(f"/users/{bea.id}/delete").status_code == 302
    assert not User.select().where(User.name == "bea").exists()
    assert bea_browser.get("/records").status_code == 302


def test_an_admin_cannot_remove_themselves(admin_ui):
    response = admin_ui.submit(f"/users/{admin_ui.user.id}/delete")
    assert response.status_code == 409
    assert "You cannot remove yourself." in response.text


def test_every_page_links_to_the_password_page(viewer_ui):
    assert '<a class="btn btn-quiet" href="/password">Password</a>' in viewer_ui.get("/records").text
    page = viewer_ui.get("/password")
    assert page.status_code == 200
    for name in ("current_password", "new_password", "repeat_password"):
        assert f'name="{name}" type="password"' in page.text


NEW_PASSWORD = "a brand new password"


def logged_in(app, name: str):
    """Another browser logged in as an existing user."""
    other = browser(app)
    token = csrf_token(other.get("/login").text)
    assert other.post("/login", data={"name": name, "password": PASSWORD,
                                      "csrf_token": token}).status_code == 302
    return other


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app):
    here = UiSession(app, Role.VIEWER, "vic")
    there = logged_in(app, "vic")
    copy = browser(app)
    copy.set_cookie("hookhub_session", here.client.get_cookie("hookhub_session", "hookhub.test").value,
                    domain="hookhub.test")
    assert [b.get("/records").status_code for b in (here.client, there, copy)] == [200, 200, 200]
    response = here.submit("/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                         "repeat_password": NEW_PASSWORD})
    assert (response.status_code, response.headers["Location"]) == (302, "/password")
    page = here.get("/password")
    assert "Your password is changed. Your other sessions are logged out." in page.text
    # This browser goes on (with a new session id); the other login and the copied cookie end.
    assert [b.get("/records").status_code for b in (here.client, there, copy)] == [200, 302, 302]
    assert WebSession.select().where(WebSession.user == here.user).count() == 1
    assert authenticate("vic", PASSWORD) is None
    assert authenticate("vic", NEW_PASSWORD).name == "vic"


@pytest.mark.parametrize(("form", "errors"), [
    ({"current_password": "not the password", "new_password": NEW_PASSWORD,
      "repeat_password": NEW_PASSWORD},
     {"current_password": "This is not your current password."}),
    ({"current_password": PASSWORD, "new_password": "short", "repeat_password": "short"},
     {"new_password": "A password has 8 to 1024 characters."}),
    ({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "repeat_password": "something else"},
     {"repeat_password": "The two new passwords differ."}),
    ({"current_password": "", "new_password": "", "repeat_password": ""},
     {"current_password": "This is not your current password.",
      "new_password": "A password has 8 to 1024 characters."}),
])
def test_a_password_change_says_what_is_wrong_and_changes_nothing(app, viewer_ui, form, errors):
    other = UiSession(app, Role.VIEWER, "vic-2")
    response = viewer_ui.submit("/password", form)
    assert response.status_code == 400
    shown = dict(re.findall(r'<small class="error" id="err-([a-z_]+)">([^<]+)</small>', response.text))
    assert shown == {field: message.replace("'", "&#39;") for field, message in errors.items()}
    assert authenticate(viewer_ui.user.name, PASSWORD).name == viewer_ui.user.name
    assert viewer_ui.get("/records").status_code == 200
    assert other.get("/records").status_code == 200


def test_the_password_form_needs_the_csrf_token(viewer_ui):
    response = viewer_ui.client.post("/password", data={"current_password": PASSWORD,
                                                        "new_password": NEW_PASSWORD,
                                                        "repeat_password": NEW_PASSWORD})
    assert (response.status_code, "The CSRF token is missing." in response.text) == (400, True)
    assert authenticate(viewer_ui.user.name, PASSWORD) is not None


def test_wrong_current_passwords_are_throttled_like_logins(viewer_ui, monkeypatch):
    frozen = utcnow()
    monkeypatch.setattr("core.login_throttle.utcnow", lambda: frozen)
    wrong = {"current_password": "not the password", "new_password": NEW_PASSWORD,
             "repeat_password": NEW_PASSWORD}
    assert [viewer_ui.submit("/password", wrong).status_code for _ in range(5)] == [400] * 5
    right = viewer_ui.submit("/password", {**wrong, "current_password": PASSWORD})
    assert (right.status_code, right.headers["Retry-After"]) == (429, "15")
    assert "Too many failed logins. Try again in 15 seconds." in right.text
    assert authenticate(viewer_ui.user.name, PASSWORD) is not None


def test_a_role_change_ends_that_users_sessions(app, admin_ui):
    vic = UiSession(app, Role.VIEWER, "vic")
    also_vic = logged_in(app, "vic")
    assert vic.get("/records").status_code == also_vic.get("/records").status_code == 200
    page = admin_ui.get(f"/users/{vic.user.id}")
    assert page.status_code == 200 and "2 open sessions" in page.text
    response = admin_ui.submit(f"/users/{vic.user.id}/role", {"role": "admin"})
    assert (response.status_code, response.headers["Location"]) == (302, f"/users/{vic.user.id}")
    assert "User vic is now admin; their sessions are logged out." in admin_ui.get(
        f"/users/{vic.user.id}").text
    assert User.get_by_id(vic.user.id).role == "admin"
    assert vic.get("/records").status_code == also_vic.get("/records").status_code == 302
    assert admin_ui.get("/sources").status_code == 200
    again = admin_ui.submit(f"/users/{vic.user.id}/role", {"role": "admin"})
    assert "User vic is admin already." in admin_ui.get(again.headers["Location"]).text


def test_a_role_must_be_one_of_the_roles(app, admin_ui):
    vic = UiSession(app, Role.VIEWER, "vic")
    response = admin_ui.submit(f"/users/{vic.user.id}/role", {"role": "owner"})
    assert response.status_code == 400
    assert "Must be one of: admin, viewer." in response.text
    assert vic.get("/records").status_code == 200


def test_an_admin_resets_another_users_password_and_their_sessions_end(app, admin_ui):
    vic = UiSession(app, Role.VIEWER, "vic")
    short = admin_ui.submit(f"/users/{vic.user.id}/password", {"password": "short"})
    assert short.status_code == 400
    assert '<small class="error" id="err-password">A password has 8 to 1024 characters.</small>' \
        in short.text
    assert vic.get("/records").status_code == 200
    response = admin_ui.submit(f"/users/{vic.user.id}/password", {"password": NEW_PASSWORD})
    assert response.status_code == 302
    assert "The password of vic is reset; their sessions are logged out." in admin_ui.get(
        response.headers["Location"]).text
    assert vic.get("/records").status_code == 302
    assert authenticate("vic", NEW_PASSWORD).name == "vic"
    assert admin_ui.get("/sources").status_code == 200


def test_an_admin_changes_their_own_password_and_role_elsewhere(admin_ui):
    page = admin_ui.get(f"/users/{admin_ui.user.id}")
    assert "Change your own password on the" in page.text
    assert 'action="/users/' not in page.text
    for path, form in (("role", {"role": "viewer"}), ("password", {"password": NEW_PASSWORD})):
        response = admin_ui.submit(f"/users/{admin_ui.user.id}/{path}", form)
        assert response.status_code == 409
        assert "Change your own password on the Password page; your role stays." in response.text
    assert User.get_by_id(admin_ui.user.id).role == "admin"
    assert admin_ui.get("/sources").status_code == 200


def test_the_users_page_links_to_each_user(app, admin_ui):
    vic = UiSession(app, Role.VIEWER, "vic")
    assert f'<a href="/users/{vic.user.id}">vic</a>' in admin_ui.get("/users").text
    assert admin_ui.get("/users/999999").status_code == 404
    assert vic.get(f"/users/{vic.user.id}").status_code == 403
