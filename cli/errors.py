"""Turning failures of lower layers into user-facing diagnostics at the CLI edge.

User mistakes and environment problems (a held lock, a stale plan, an unreachable controller,
an unreadable state file) are reported as ``Error:`` blocks with exit code 1 — never a
traceback. Anything not listed here is a bug and propagates with its traceback.
"""

from __future__ import annotations

from albform.engine.addrs import AddressError
from albform.engine.diagnostics import Diagnostic, DiagnosticsError
from albform.engine.planfile import PlanFileError, StalePlanError
from albform.engine.provider import ProviderError
from albform.engine.state.backends.base import BackendError, StaleStateError
from albform.engine.state.codec import StateFormatError
from albform.engine.state.journal import JournalError
from albform.engine.state.lock import LockError, StateLockedError

# (exception type, fixed summary) — most specific first.
_SUMMARIES: tuple[tuple[type[BaseException], str], ...] = (
    (StateLockedError, "Error acquiring the state lock"),
    (LockError, "Error with the state lock"),
    (StaleStateError, "Failed to persist state"),
    (BackendError, "State backend error"),
    (StateFormatError, "Failed to load state"),
    (JournalError, "Failed to use the intent journal"),
    (StalePlanError, "Saved plan is stale"),
    (PlanFileError, "Failed to load the saved plan"),
    (AddressError, "Invalid address"),
    (ProviderError, "Avi controller error"),
    (OSError, "File or network error"),
)


def diagnostics_for(exc: BaseException) -> list[Diagnostic] | None:
    """The diagnostics to show for ``exc``, or None when it is a bug (let it raise)."""
    if isinstance(exc, DiagnosticsError):
        return list(exc.diagnostics)
    for kind, summary in _SUMMARIES:
        if isinstance(exc, kind):
            detail = str(exc)
            if detail.startswith(summary):
                detail = detail[len(summary):].lstrip("\n: ")
            if isinstance(exc, ProviderError) and exc.detail and exc.detail not in detail:
                detail = f"{detail}\n{exc.detail}".strip()
            return [Diagnostic.error(summary, detail)]
    return None
