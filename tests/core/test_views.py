"""Pages of core: the dashboard, API tokens, users."""

from __future__ import annotations

import re

from core.auth import ApiToken
from core.users import User
from tests.ui_session import browser, csrf_token


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
    assert admin_ui.submit(f"/users/{bea.id}/delete").status_code == 302
    assert not User.select().where(User.name == "bea").exists()


def test_an_admin_cannot_remove_themselves(admin_ui):
    response = admin_ui.submit(f"/users/{admin_ui.user.id}/delete")
    assert response.status_code == 409
    assert "You cannot remove yourself." in response.text
