"""Apply/refresh progress lines in Terraform's words, rendered from engine hook events.

Like Terraform, an operation still running after 10 s gets a heartbeat line every 10 s
(``avi_pool.web: Still creating... [10s elapsed]``), so a long apply never looks hung.

Lines go out through ``LineWriter`` (``views/lines.py``): flushed as written on a terminal,
once a second in a pipe or a CI log.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from albform.cli.views.lines import LineWriter
from albform.engine.addrs import ResourceAddress
from albform.engine.changes import Action

HEARTBEAT_SECONDS = 10
# Terraform's progress phrases, shared with the JSON UI (views/json_ui.py).
START_MESSAGES = {
    Action.CREATE: "Creating...",
    Action.UPDATE: "Modifying...",
    Action.DELETE: "Destroying...",
    Action.READ: "Reading...",
}
_STILL = {
    Action.CREATE: "Still creating...",
    Action.UPDATE: "Still modifying...",
    Action.DELETE: "Still destroying...",
    Action.READ: "Still reading...",
}
DONE_MESSAGES = {
    Action.CREATE: "Creation complete",
    Action.UPDATE: "Modifications complete",
    Action.DELETE: "Destruction complete",
    Action.READ: "Read complete",
}


class ProgressView:
    """Implements ``albform.engine.hooks.Hook``; thread-safe (one lock around the table of
    running operations; ``LineWriter`` is thread-safe itself)."""

    def __init__(self, *, heartbeat: float = HEARTBEAT_SECONDS) -> None:
        self._lock = threading.Lock()
        self._heartbeat = heartbeat
        # (address, action) -> [start time, seconds elapsed at which the next line is due]
        self._running: dict[tuple[ResourceAddress, Action], list[float]] = {}
        self._ticker: threading.Thread | None = None
        self._lines = LineWriter()

    def _echo(self, text: str) -> None:
        self._lines.write(text)

    def flush(self) -> None:
        self._lines.flush()

    def pre_refresh_all(self, addresses: Sequence[ResourceAddress]) -> None:
        # One line per object of the state (50,000 in a large plan), as Terraform prints,
        # in one write: unbuffered (PYTHONUNBUFFERED=1, as containers and CI runners often
        # set), a write per line is a system call per line that hands the interpreter lock
        # to another thread mid-refresh.
        if addresses:
            self._lines.write("\n".join(f"{a}: Refreshing state..." for a in addresses))

    def post_refresh(self, address: ResourceAddress, gone: bool) -> None:
        pass

    def pre_apply(self, address: ResourceAddress, action: Action) -> None:
        text = START_MESSAGES.get(action)
        if text:
            self._echo(f"{address}: {text}")
            with self._lock:
                self._running[(address, action)] = [time.monotonic(), self._heartbeat]
                if self._ticker is None:
                    self._ticker = threading.Thread(target=self._tick, daemon=True,
                                                    name="albform-heartbeat")
                    self._ticker.start()

    def post_apply(self, address: ResourceAddress, action: Action, error: str | None,
                   elapsed: float) -> None:
        with self._lock:
            self._running.pop((address, action), None)
        done = DONE_MESSAGES.get(action)
        if done and error is None:
            self._echo(f"{address}: {done} after {int(elapsed)}s")

    def _tick(self) -> None:
        """Every second, a heartbeat line for each operation past its next 10 s mark (daemon
        thread: it idles once nothing runs)."""
        while True:
            time.sleep(1.0)
            now = time.monotonic()
            with self._lock:
                for (address, action), timing in self._running.items():
                    elapsed = now - timing[0]
                    if elapsed >= timing[1]:
                        self._echo(f"{address}: {_STILL[action]} [{int(timing[1])}s elapsed]")
                        timing[1] += self._heartbeat

    def state_persisted(self, serial: int) -> None:
        pass

    def message(self, text: str) -> None:
        self._echo(text)
