"""Progress events: the engine reports through a ``Hook``; views render them.

The engine never prints. Hook methods may be called from worker threads, concurrently; a hook
must be thread-safe and must not raise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from albform.engine.addrs import ResourceAddress
from albform.engine.changes import Action


class Hook(Protocol):
    def pre_refresh_all(self, addresses: Sequence[ResourceAddress]) -> None:
        """A refresh starts reading these objects, in order: announced at once (50,000 at
        cluster scale), so a view can write their lines in one go."""
    def post_refresh(self, address: ResourceAddress, gone: bool) -> None: ...
    def pre_apply(self, address: ResourceAddress, action: Action) -> None: ...
    def post_apply(self, address: ResourceAddress, action: Action, error: str | None,
                   elapsed: float) -> None: ...
    def state_persisted(self, serial: int) -> None: ...
    def message(self, text: str) -> None: ...


class NullHook:
    """A hook that ignores every event (the default)."""

    def pre_refresh_all(self, addresses: Sequence[ResourceAddress]) -> None:
        for address in addresses:
            self.pre_refresh(address)

    def pre_refresh(self, address: ResourceAddress) -> None:
        """One object of ``pre_refresh_all``, for a subclass that takes them one by one."""

    def post_refresh(self, address: ResourceAddress, gone: bool) -> None:
        pass

    def pre_apply(self, address: ResourceAddress, action: Action) -> None:
        pass

    def post_apply(self, address: ResourceAddress, action: Action, error: str | None,
                   elapsed: float) -> None:
        pass

    def state_persisted(self, serial: int) -> None:
        pass

    def message(self, text: str) -> None:
        pass
