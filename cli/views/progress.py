"""Apply/refresh progress lines in Terraform's words, rendered from engine hook events."""

from __future__ import annotations

import threading

import click

from albform.engine.addrs import ResourceAddress
from albform.engine.changes import Action

_START = {
    Action.CREATE: "Creating...",
    Action.UPDATE: "Modifying...",
    Action.DELETE: "Destroying...",
    Action.READ: "Reading...",
}
_DONE = {
    Action.CREATE: "Creation complete",
    Action.UPDATE: "Modifications complete",
    Action.DELETE: "Destruction complete",
    Action.READ: "Read complete",
}


class ProgressView:
    """Implements ``albform.engine.hooks.Hook``; thread-safe (one lock around echo)."""

    def __init__(self, *, quiet: bool = False) -> None:
        self._lock = threading.Lock()
        self._quiet = quiet

    def _echo(self, text: str) -> None:
        if self._quiet:
            return
        with self._lock:
            click.echo(text)

    def pre_refresh(self, address: ResourceAddress) -> None:
        self._echo(f"{address}: Refreshing state...")

    def post_refresh(self, address: ResourceAddress, gone: bool) -> None:
        pass

    def pre_apply(self, address: ResourceAddress, action: Action) -> None:
        text = _START.get(action)
        if text:
            self._echo(f"{address}: {text}")

    def post_apply(self, address: ResourceAddress, action: Action, error: str | None,
                   elapsed: float) -> None:
        done = _DONE.get(action)
        if done and error is None:
            self._echo(f"{address}: {done} after {int(elapsed)}s")

    def state_persisted(self, serial: int) -> None:
        pass

    def message(self, text: str) -> None:
        self._echo(text)
