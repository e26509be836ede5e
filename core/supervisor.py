"""The processes `serve` runs: gunicorn and the RQ workers, each a child of one small supervisor.

gunicorn serves `app:create_app()` built fresh in its own process, never inside the command
line's app context, so `g` and the session start empty on every request. The workers are not
gunicorn's children (its arbiter reaps every child it has): the supervisor starts a worker again
when it exits, after a pause that grows while it keeps failing, and on SIGTERM or SIGINT stops
them all before it returns. Each worker runs in a process group of its own, so that what it
leaves behind when killed (RQ's scheduler is a forked process, holding the worker's Redis
connections, one of them perhaps blocked on taking the next job) is killed with it, and so that
a Ctrl-C in a terminal reaches it once, through the supervisor.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)

RESTART_DELAYS = (1, 2, 5, 10, 30)  # seconds before the next start, by failures in a row
HEALTHY_SECONDS = 60  # a worker that ran this long before it exited has not been failing
STOP_SECONDS = 30
TICK_SECONDS = 0.2


@dataclass
class Child:
    """One process the supervisor keeps running."""

    name: str
    argv: list[str]
    own_group: bool
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0
    start_at: float = 0.0  # when to start it again, after it exited

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def exit_reason(code: int) -> str:
    """How a process ended, in words: 'code 1' or 'signal 9'."""
    return f"signal {-code}" if code < 0 else f"code {code}"


class Supervisor:
    """Run the web server and the workers until a signal stops them (or the web server ends)."""

    def __init__(self, web: list[str], worker: list[str], workers: int, env: dict[str, str]):
        self.web = Child("web server", web, own_group=False)
        self.workers = [Child("rq worker", worker, own_group=True) for _ in range(workers)]
        self.env = env
        self.stop_signal: int | None = None

    def run(self) -> int:
        """Supervise until stopped; return the exit code."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        code = 0
        try:
            for child in (self.web, *self.workers):
                self._start(child)
            while self.stop_signal is None:
                if not self.web.running():
                    code = self.web.proc.returncode or 1
                    log.error("web server pid %d exited (%s); stopping", self.web.proc.pid,
                              exit_reason(self.web.proc.returncode))
                    break
                for child in self.workers:
                    self._tend(child)
                time.sleep(TICK_SECONDS)
        finally:
            self._stop_all()
        return code

    def _on_signal(self, signum: int, frame) -> None:
        self.stop_signal = signum

    def _start(self, child: Child) -> None:
        child.proc = subprocess.Popen(child.argv, env=self.env,
                                      process_group=0 if child.own_group else None)
        child.started_at = time.monotonic()
        log.info("started %s pid %d", child.name, child.proc.pid)

    def _tend(self, child: Child) -> None:
        """Start a worker again once its pause after exiting is over."""
        if child.running():
            return
        now = time.monotonic()
        if child.start_at == 0.0:
            _kill_group(child)
            ran = now - child.started_at
            child.failures = 1 if ran >= HEALTHY_SECONDS else child.failures + 1
            delay = RESTART_DELAYS[min(child.failures, len(RESTART_DELAYS)) - 1]
            child.start_at = now + delay
            log.warning("%s pid %d exited (%s); starting another in %d s", child.name,
                        child.proc.pid, exit_reason(child.proc.returncode), delay)
        elif now >= child.start_at:
            child.start_at = 0.0
            self._start(child)

    def _stop_all(self) -> None:
        running = [c for c in (self.web, *self.workers) if c.running()]
        if self.stop_signal is not None:
            log.info("stopping on %s", signal.Signals(self.stop_signal).name)
        for child in running:
            child.proc.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for child in running:
            try:
                child.proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s pid %d did not stop in %d s; killing it", child.name,
                            child.proc.pid, STOP_SECONDS)
                child.proc.kill()
                child.proc.wait()
        for child in self.workers:
            _kill_group(child)


def _kill_group(child: Child) -> None:
    """Kill whatever is left in the process group of a child that has exited."""
    if child.own_group and child.proc is not None:
        try:
            os.killpg(child.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
