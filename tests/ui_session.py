"""Log a test client in to the web UI and post its forms with the session's CSRF token."""

from __future__ import annotations

import contextvars
import re

from flask import Flask
from flask.testing import FlaskClient

from core.auth import Role
from core.users import create_user

PASSWORD = "correct horse battery"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token a page's forms carry."""
    return CSRF_INPUT.search(html).group(1)


class IsolatedClient(FlaskClient):
    """A test client whose every request has its own app context and `g`, as in production,
    although the test holds an app context open around its database transaction."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


def browser(app: Flask) -> IsolatedClient:
    """A fresh test client that keeps cookies like a browser."""
    return IsolatedClient(app, app.response_class, use_cookies=True)


class UiSession:
    """A test client logged in as a user of the given role."""

    def __init__(self, app: Flask, role: Role, name: str | None = None):
        self.client = client = browser(app)
        self.user = create_user(name or f"{role.value}-user", role, PASSWORD)
        token = csrf_token(client.get("/login").text)
        response = client.post("/login", data={"name": self.user.name, "password": PASSWORD,
                                               "csrf_token": token})
        assert response.status_code == 302, response.text
        self.token = csrf_token(client.get("/records").text)

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def submit(self, url: str, data: dict | None = None, **kwargs):
        """POST a form as the page would, CSRF token included."""
        return self.client.post(url, data={**(data or {}), "csrf_token": self.token}, **kwargs)
