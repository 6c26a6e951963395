"""``OpeningAhead``: for ``plan`` and ``apply`` of an HCL configuration, the provider
connected, the state read and the refresh's reads started while the resources still decode.

The refresh needs the state and the controller, not the resources, and the root module's
provider and backend settings are known once its files are parsed
(``modules/hcl/rootblocks.early_settings``). The loader calls ``start`` with them, and before
the resources decode it opens the provider, opens the backend, reads the state without its
lock (``StateBackend.read_ahead``) and starts the refresh's reads on helper threads
(``engine/planning_refresh.ReadsAhead``): the controller (the embedded emulator's own process,
or a remote one) answers while albform decodes. The state is read on the loading thread, not
beside it: both are the interpreter's own work, which two threads would only share out (and
measurably slow down, fighting over its lock), while the reads mostly wait.

Once the configuration is loaded, ``take`` hands over what was opened when the
configuration's settings are the ones it was opened with, and shows then what opening shows
(unknown ``AVI_*`` variables, the controller line), where the command showed it before.
Otherwise — errors in the configuration, other settings, anything that failed while opening
ahead — ``discard`` closes it all and the command opens as it always did, so every error is
reported as before; but a provider that could not be opened (a login refused, a controller
out of reach) is not opened twice: ``take`` raises that error where opening it would have.
Nothing here takes the lock or writes: the state is read again under the lock and used only
if unchanged, and the refresh uses an early read only for that very state object asked with
the same mark. When the state did change (another run wrote it while this one waited for the
lock), the command drops the early reads and the provider's collection listings read before
the lock (``operations._open``): that run's writes may postdate them.
"""

from __future__ import annotations

import contextlib
from typing import Any

from albform.cli.workspace import Workspace, announce_controller
from albform.engine.planning_refresh import ReadsAhead
from albform.engine.provider import ProviderError


class OpeningAhead:
    """See the module docstring. ``start`` is the loader's ``settings_known``."""

    def __init__(self, ws: Workspace, emulator: Any, parallelism: int) -> None:
        self._ws = ws
        self._emulator = emulator  # what Workspace.start_emulator_early returned
        self._parallelism = parallelism
        self._settings: tuple[Any, Any] | None = None
        self._stack = contextlib.ExitStack()  # what was opened ahead, closed by discard
        self._opened: tuple[Any, Any, ReadsAhead | None] | None = None
        self._announced: list[str] = []
        self._failure: ProviderError | None = None  # the provider could not be opened
        self._done = False

    @classmethod
    def closed_by(cls, stack: contextlib.ExitStack[Any], ws: Workspace, emulator: Any,
                  parallelism: int) -> OpeningAhead:
        """One whose ``discard`` ``stack`` calls (a no-op once taken)."""
        ahead = cls(ws, emulator, parallelism)
        stack.callback(ahead.discard)
        return ahead

    @property
    def took_emulator(self) -> bool:
        """Whether the early emulator was handed over here (the command must not use it: it
        is started at most once)."""
        return self._settings is not None

    def start(self, provider_config: dict[str, Any], backend: Any) -> None:
        from albform.provider.factory import open_provider

        if self._emulator is None and not (provider_config.get("avi_controller")
                                           or self._ws.env.get("AVI_CONTROLLER")):
            # The embedded emulator, not started early: it has no database yet (nothing was
            # applied here, so there is nothing to refresh), and starting it would make one
            # even if the configuration turns out wrong.
            return
        self._settings = (provider_config, backend)
        try:
            provider = self._stack.enter_context(open_provider(
                provider_config, workdir=self._ws.workdir, env=self._ws.env,
                announce=self._announced.append, early=self._emulator))
        except ProviderError as exc:
            # Not tried again with the same settings: a second login would fail alike, and
            # count twice against the account on a real controller. ``take`` raises it
            # where opening the provider would have.
            self._failure = exc
            return
        except Exception:  # the command opens again, and reports what fails then
            return
        try:
            opened = self._ws.open_backend(backend, provider)
            state = opened.read_ahead()
            reads = None
            if state is not None:
                reads = ReadsAhead(state, provider, self._parallelism)
                # Closed last in, first out: the reads end before their connection closes.
                self._stack.callback(reads.answers)
            self._opened = (provider, opened, reads)
        except Exception:  # the command opens again, and reports what fails then
            self._opened = None

    def take(self, config: Any, stack: contextlib.ExitStack[Any],
             ) -> tuple[Any, Any, ReadsAhead | None] | None:
        """(provider, backend, reads) opened for ``config``'s settings, now closed with
        ``stack``; None (all of it discarded) when there is nothing of use. Raises the
        ``ProviderError`` opening the provider with these settings met."""
        if self._settings is None or self._done:
            return None
        opened = self._opened
        if self._settings != (config.provider_config, config.backend):
            self.discard()
            return None
        if self._failure is not None:
            self.discard()
            self._ws.warn_unknown_variables()  # what opening the provider shows first
            raise self._failure
        if opened is None:
            self.discard()
            return None
        self._done = True
        stack.enter_context(self._stack)
        self._ws.warn_unknown_variables()
        for line in self._announced:
            announce_controller(line)
        return opened

    @staticmethod
    def still_current(reads: ReadsAhead, state: Any, provider: Any) -> ReadsAhead | None:
        """``reads`` when they were made of ``state``, the state read under the lock; else
        None: another run wrote the state while this one waited for the lock, and what was
        read ahead may predate its writes — the early reads (the refresh reads those objects
        again by itself) and the provider's collection listings kept for names."""
        if reads.state is state:
            return reads
        reads.answers()
        forget = getattr(provider, "forget_listings", None)
        if forget is not None:
            forget()
        return None

    def discard(self) -> None:
        """Close what was opened ahead, once its reads are over (idempotent; nothing after
        ``take`` handed it over)."""
        if self._done:
            return
        self._done = True
        self._stack.close()
