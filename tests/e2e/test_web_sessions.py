"""Sessions and login throttling across real gunicorn processes sharing one database."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlencode

import pytest

from tests.e2e.conftest import ROOT, WAIT_SECONDS, Hookhub, free_port, fresh_database_url, wait_for
from tests.ui_session import PASSWORD, csrf_token

pytestmark = pytest.mark.e2e
COOKIE = "hookhub_session"


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie-keeping HTTP client that reports redirects instead of following them."""

    def __init__(self):
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  NoRedirects)

    def request(self, url: str, form: dict | None = None) -> tuple[int, dict, str]:
        data = urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(url, data=data, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read().decode()

    def log_in(self, base: str, name: str, password: str) -> tuple[int, dict, str]:
        token = csrf_token(self.request(f"{base}/login")[2])
        return self.request(f"{base}/login", {"name": name, "password": password,
                                              "csrf_token": token})

    def cookie(self) -> str:
        return next(c.value for c in self.jar if c.name == COOKIE)


def gunicorn(hub: Hookhub, name: str) -> str:
    """Serve the app with gunicorn as the README's production setup does; return its URL."""
    port = free_port()
    with open(hub.workdir / f"{name}.log", "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-b",
                                 f"127.0.0.1:{port}", "app:create_app()"], env=hub.env, cwd=ROOT,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    hub.procs.append(proc)
    base = f"http://127.0.0.1:{port}"

    def listening() -> bool:
        assert proc.poll() is None, hub.log(name)
        try:
            return Browser().request(f"{base}/login")[0] == 200
        except OSError:
            return False

    wait_for(listening, f"{name} to listen")
    return base


@pytest.fixture
def two_servers(backend, tmp_path):
    """Two gunicorn servers, two workers each, on one database with one user, ada."""
    hub = Hookhub(tmp_path, fresh_database_url(backend, tmp_path, "web_sessions"), None)
    try:
        done = subprocess.run([sys.executable, str(ROOT / "app.py"), "create-user", "ada",
                               "--password-stdin"], env=hub.env, cwd=tmp_path, input=f"{PASSWORD}\n",
                              capture_output=True, text=True, timeout=WAIT_SECONDS)
        assert done.returncode == 0, done.stderr
        yield gunicorn(hub, "web-a"), gunicorn(hub, "web-b")
    finally:
        hub.stop()


def test_failed_logins_count_across_every_process(two_servers):
    first, second = two_servers
    for n in range(5):
        status, _, page = Browser().log_in(two_servers[n % 2], "ada", "wrong password")
        assert (status, "Wrong name or password." in page) == (401, True)
    for base in (first, second):
        status, headers, page = Browser().log_in(base, "ada", PASSWORD)
        wait = int(headers["Retry-After"])
        assert status == 429 and 1 <= wait <= 15
        assert re.search(r"Too many failed logins\. Try again in \d+ seconds?\.", page)


def test_a_copied_cookie_stops_working_in_every_process_at_logout(two_servers):
    first, second = two_servers
    owner = Browser()
    assert owner.log_in(first, "ada", PASSWORD)[0] == 302
    thief = Browser()
    thief.opener.addheaders = [("Cookie", f"{COOKIE}={owner.cookie()}")]
    assert thief.request(f"{second}/sources")[0] == 200
    token = csrf_token(owner.request(f"{first}/sources")[2])
    assert owner.request(f"{first}/logout", {"csrf_token": token})[0] == 302
    status, headers, _ = thief.request(f"{second}/sources")
    assert (status, headers["Location"]) == (302, "/login?next=/sources")
