"""A real server in a thread and a real Chromium: the fixtures of the browser tests."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

from app import create_app, init_database
from core.auth import Role
from core.db import db
from core.users import create_user
from tests.conftest import BACKENDS, PG_DB, REDIS_URL, database_url

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
WIDTHS = (1280, 390)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "correct horse battery"


@dataclass
class Live:
    """The running server: its base URL and its database."""

    url: str
    backend: str
    database: object
    app: object

    def post(self, path: str, body: bytes, content_type: str,
             headers: dict | None = None) -> tuple[int, dict]:
        """POST to the server as an outside sender would; the status and the JSON answer."""
        request = urllib.request.Request(self.url + path, data=body, method="POST",
                                         headers={"Content-Type": content_type, **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as err:
            return err.code, json.load(err)

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict]:
        """GET a JSON answer from the server."""
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as err:
            return err.code, json.load(err)


@pytest.fixture(scope="package", params=BACKENDS)
def live(request, tmp_path_factory):
    """The app on a fresh database, served by werkzeug in a thread on a free port."""
    tmp = tmp_path_factory.mktemp(f"live-{request.param}")
    app = create_app({"DATABASE_URL": database_url(request.param, tmp, f"{PG_DB}_live"),
                      "REDIS_URL": REDIS_URL, "DATA_DIR": str(tmp),
                      "EGRESS_ALLOW": ["127.0.0.1/32"]})
    with app.app_context():
        init_database()
        create_user("ada", Role.ADMIN, PASSWORD)
        create_user("vic", Role.VIEWER, PASSWORD)
    database = db.obj
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield Live(f"http://127.0.0.1:{server.server_port}", request.param, database, app)
    server.shutdown()
    thread.join(timeout=10)
    database.close()


@pytest.fixture(autouse=True)
def _bind_live(live):
    """Point the shared database proxy at the live server's database for this test."""
    db.initialize(live.database)
    db.connect(reuse_if_open=True)
    yield


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live) -> Page:
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900},
                                  base_url=live.url, accept_downloads=True)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.on("dialog", lambda dialog: dialog.accept())
    yield tab
    context.close()


def log_in(page: Page, name: str) -> None:
    """Log in through the login form."""
    page.goto("/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_load_state()


def shoot(page: Page, live: Live, name: str) -> None:
    """Check the page fits each width (nothing widens it past the screen) and screenshot it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"{name} is {overflow}px wide at {width}px"
        if live.backend == BACKENDS[0]:
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})

