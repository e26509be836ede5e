"""The browser tests' fixtures: `python app.py serve --demo` as ./run.sh starts it, a real Chromium."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from app import create_app
from core.db import db
from tests.conftest import BACKENDS, REDIS_URL
from tests.e2e.conftest import Hookhub, RedisServer, fresh_database_url

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
WIDTHS = (1280, 390)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "correct horse battery"
# A busy machine may take seconds for what a page waits on (a test job on the worker, say):
# every assertion waits this long for its condition, never a fixed pause.
WAIT_MS = 30_000
expect.set_options(timeout=WAIT_MS)


@dataclass
class Live:
    """The served hookhub: its base URL, and its database as this test process reaches it."""

    url: str
    backend: str
    database: object
    app: object
    hub: Hookhub

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


@contextmanager
def served(backend: str, tmp: Path) -> Iterator[Hookhub]:
    """`python app.py serve --demo` on a fresh database: the embedded default (SQLite and the
    embedded Redis), or PostgreSQL with a redis-server; logins made with `create-user`."""
    tmp.mkdir(parents=True, exist_ok=True)
    redis_server = RedisServer(tmp / "redis") if backend == "postgres" else None
    if redis_server:
        redis_server.start()
    hub = Hookhub(tmp, fresh_database_url(backend, tmp, tmp.name.replace("-", "_")),
                  redis_server.url if redis_server else None,
                  {"HOOKHUB_EGRESS_ALLOW": json.dumps(["127.0.0.1/32"])})
    try:
        hub.cli("create-user", "ada", "--role", "admin", "--password-stdin", input=PASSWORD + "\n")
        hub.cli("create-user", "vic", "--role", "viewer", "--password-stdin", input=PASSWORD + "\n")
        hub.serve(rq_workers=None, demo=True)
        yield hub
    finally:
        hub.stop()
        if redis_server:
            redis_server.stop()


@pytest.fixture(scope="package", params=BACKENDS)
def live(request, tmp_path_factory):
    """The served hookhub the browser tests share, per backend."""
    with served(request.param, tmp_path_factory.mktemp(f"live-{request.param}")) as hub:
        # This process reaches the same database (never the served process's Redis).
        app = create_app({"DATABASE_URL": hub.env["DATABASE_URL"], "REDIS_URL": REDIS_URL,
                          "DATA_DIR": hub.env["HOOKHUB_DATA_DIR"]})
        database = db.obj
        yield Live(hub.base, request.param, database, app, hub)
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


def new_tab(browser, live: Live) -> Page:
    """A tab in a browser context of its own (its own cookies); close its .context when done."""
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900},
                                  base_url=live.url, accept_downloads=True)
    context.set_default_timeout(WAIT_MS)
    tab = context.new_page()
    tab.on("dialog", lambda dialog: dialog.accept())
    return tab


@pytest.fixture
def page(browser, live) -> Page:
    tab = new_tab(browser, live)
    yield tab
    tab.context.close()


def log_in(page: Page, name: str) -> None:
    """Log in through the login form."""
    page.goto("/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_load_state()


# What sticks out past the right edge of the screen, for the message of a page that is too wide.
WIDER_THAN_SCREEN = """() => Array.from(document.querySelectorAll('body *'))
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(-3)
    .map(e => `${e.tagName.toLowerCase()}.${e.className} `
              + `(${Math.round(e.getBoundingClientRect().right)}px)`)"""


def shoot(page: Page, live: Live, name: str) -> None:
    """Check the page fits each width (nothing widens it past the screen) and screenshot it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        # The layout settles after a resize (and a page's late styles): wait for it, then judge.
        deadline = time.monotonic() + 5
        while (overflow := page.evaluate("document.documentElement.scrollWidth")) > width \
                and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        assert overflow <= width, (f"{name} is {overflow}px wide at {width}px: "
                                   f"{page.evaluate(WIDER_THAN_SCREEN)}")
        if live.backend == BACKENDS[0]:
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})

