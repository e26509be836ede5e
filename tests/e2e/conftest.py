"""End-to-end harness: real `app.py serve` and `app.py worker` processes, a private Redis, HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest
import redis as redis_lib

from tests.conftest import BACKENDS, PG_DB, database_url

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
WAIT_SECONDS = 60.0
STOP_SECONDS = 15.0


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], Any], what: str, timeout: float = WAIT_SECONDS,
             interval: float = 0.1) -> Any:
    """Poll until predicate returns something truthy; fail the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None) -> Response:
    """One HTTP request; 4xx and 5xx are returned, not raised."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return Response(resp.status, dict(resp.headers), resp.read())
    except urllib.error.HTTPError as exc:
        return Response(exc.code, dict(exc.headers), exc.read())


def stop_process(proc: subprocess.Popen) -> None:
    """Terminate a process we started, then kill whatever is left of its process group."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(STOP_SECONDS)


class RedisServer:
    """A private redis-server on a fixed port, which a test may kill and start again."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.workdir / "redis.log", "ab") as log:
            self.proc = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--maxmemory-policy", "noeviction",
                 "--dir", str(self.workdir)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(self.ping, f"redis-server on port {self.port}")

    def ping(self) -> bool:
        try:
            return redis_lib.Redis(port=self.port, socket_connect_timeout=1).ping()
        except redis_lib.exceptions.ConnectionError:
            return False

    def kill(self) -> None:
        """Stop the server at once, as a crash would (its data is gone)."""
        self.proc.kill()
        self.proc.wait(STOP_SECONDS)

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)


class Hookhub:
    """One hookhub installation (database, Redis, data folder) and the processes it runs."""

    def __init__(self, workdir: Path, database_url: str, redis_url: str | None,
                 settings: dict[str, str] | None = None):
        self.workdir = workdir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update(DATABASE_URL=database_url, HOOKHUB_DATA_DIR=str(workdir / "data"),
                   PYTHONUNBUFFERED="1", **(settings or {}))
        if redis_url:
            env["REDIS_URL"] = redis_url
        self.env = env
        self.procs: list[subprocess.Popen] = []
        self.served: subprocess.Popen | None = None
        self.token = self.cli("create-token", "--role", "admin").strip()

    def cli(self, *args: str, input: str | None = None) -> str:
        """Run `python app.py ARGS` to completion (given input on stdin) and return what it printed."""
        done = subprocess.run([sys.executable, APP, *args], env=self.env, cwd=self.workdir,
                              input=input, capture_output=True, text=True, timeout=WAIT_SECONDS)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def create_source(self, name: str, *options: str) -> dict:
        """Create a source through the CLI: {name, api_key, webhook_url}."""
        return json.loads(self.cli("create-source", name, "--json", "--base-url", self.base,
                                   *options))

    def start(self, name: str, *args: str) -> subprocess.Popen:
        """Start `python app.py ARGS` in its own process group, logging to NAME.log."""
        return self.launch(name, [sys.executable, APP, *args])

    def launch(self, name: str, argv: list[str]) -> subprocess.Popen:
        """Start a command in its own process group, logging to NAME.log."""
        with open(self.workdir / f"{name}.log", "ab") as log:
            proc = subprocess.Popen(argv, env=self.env, cwd=self.workdir, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def serve(self, rq_workers: int | None = 1, demo: bool = False) -> subprocess.Popen:
        """Start `app.py serve` (gunicorn and RQ workers) and wait until it answers.

        With rq_workers=None the option is left out, as ./run.sh leaves it.
        """
        args = ["serve", "--port", str(self.port)]
        if rq_workers is not None:
            args += ["--rq-workers", str(rq_workers)]
        if demo:
            args.append("--demo")
        self.served = self.start("serve", *args)
        self.wait_listening(self.served, "serve")
        return self.served

    def production(self, *options: str) -> subprocess.Popen:
        """Start the web server as README's Production section does, and wait until it answers."""
        proc = self.launch("gunicorn", [sys.executable, "-m", "gunicorn", "-c", "python:core.server",
                                        "-w", "2", "-b", f"127.0.0.1:{self.port}", *options,
                                        "app:create_app()"])
        self.wait_listening(proc, "gunicorn")
        return proc

    def wait_listening(self, proc: subprocess.Popen, name: str) -> None:
        wait_for(lambda: self.reachable() or proc.poll() is not None, f"{name} to listen")
        assert proc.poll() is None, self.log(name)

    def children(self, pid: int | None = None) -> dict[int, list[str]]:
        """The live child processes of a process (by default serve's): pid -> command line."""
        found = {}
        for child in psutil.Process(pid or self.served.pid).children():
            try:
                if child.status() != psutil.STATUS_ZOMBIE:
                    found[child.pid] = child.cmdline()
            except psutil.Error:
                continue  # it ended meanwhile
        return found

    def rq_worker_pids(self) -> list[int]:
        """The pids of the RQ workers serve runs."""
        return sorted(pid for pid, argv in self.children().items() if argv[-1:] == ["worker"])

    def worker(self) -> subprocess.Popen:
        """Start one `app.py worker`."""
        return self.start("worker", "worker")

    def reachable(self) -> bool:
        try:
            return http("GET", f"{self.base}/healthz").status in (200, 503)
        except OSError:
            return False

    def log(self, name: str) -> str:
        return (self.workdir / f"{name}.log").read_text(errors="replace")

    def api(self, method: str, path: str, payload: Any = None, body: bytes | None = None,
            content_type: str = "application/json") -> Response:
        """Call the REST API as admin."""
        headers = {"Authorization": f"Bearer {self.token}"}
        if payload is not None:
            body = json.dumps(payload).encode()
        if body is not None:
            headers["Content-Type"] = content_type
        return http(method, f"{self.base}/api/v1{path}", body, headers)

    def webhooks(self, **filters: Any) -> list[dict]:
        """Every stored webhook matching the filters, newest first, through the paged API."""
        items: list[dict] = []
        before = None
        while True:
            query = "&".join(f"{k}={v}" for k, v in {**filters, "limit": 500,
                                                     "before": before}.items() if v is not None)
            page = self.api("GET", f"/webhooks?{query}").json()
            items += page["items"]
            before = page["next_before"]
            if before is None:
                return items

    def records(self, entity: str) -> list[dict]:
        """Every record of an entity, through the paged API."""
        items: list[dict] = []
        while True:
            page = self.api("GET", f"/records?entity={entity}&limit=500&offset={len(items)}").json()
            items += page["items"]
            if len(items) >= page["total"]:
                return items

    def stop(self) -> None:
        """Stop every process, then print the logs' tails (pytest shows them when a test failed)."""
        for proc in reversed(self.procs):
            stop_process(proc)
        for log in sorted(self.workdir.glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-60:]
            print(f"--- last lines of {log.name}", *tail, sep="\n")


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie has ended)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def fresh_database_url(backend: str, workdir: Path, module: str) -> str:
    """A fresh database of this backend; PostgreSQL gets a database of its own per test module."""
    return database_url(backend, workdir / "data", f"{PG_DB}_{module}")


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def private_redis(tmp_path):
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()
