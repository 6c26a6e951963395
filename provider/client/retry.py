"""When and how long to wait before trying a request again (tenacity).

``RetryPolicy`` retries errors whose ``retriable`` is true — transport failures, 408/429,
5xx (not 501), "configuration disallowed during upgrade" — with exponential backoff and full
jitter, capped; a ``Retry-After`` from the controller is honoured as a floor. 4xx validation
errors are never retried. ``sleep`` and ``jitter`` are injectable so tests never sleep for
real. Re-login on 401/419 and 412 re-reads are the session's business, not this module's.

A policy builds its tenacity ``Retrying`` once and every call, from any thread, runs through
it: tenacity keeps a call's progress in that call's ``RetryCallState`` and its own scratch
state per thread, so calls never share one. Built per call it cost about as much again as
running it, on the interpreter lock every apply worker shares (issue 16 goal 2).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from albform.provider.client.errors import AviApiError, AviError

T = TypeVar("T")
log = logging.getLogger("albform.provider.client")


def is_retriable(error: BaseException) -> bool:
    return isinstance(error, AviError) and error.retriable


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 5
    initial_wait: float = 0.5
    max_wait: float = 30.0
    max_retry_after: float = 120.0  # never wait longer than this, whatever the server says
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)
    jitter: Callable[[], float] = field(default=random.random, repr=False, compare=False)
    _retrying: Retrying = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Frozen: set once here (module docstring: one ``Retrying`` per policy).
        object.__setattr__(self, "_retrying", Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self._tenacity_wait,
            retry=retry_if_exception(is_retriable),
            sleep=self.sleep,
            reraise=True,
            before_sleep=_log_retry,
        ))

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff for the wait after ``attempt`` (1-based)."""
        ceiling = min(self.max_wait, self.initial_wait * (2.0 ** (attempt - 1)))
        return ceiling * self.jitter()

    def wait_for(self, attempt: int, error: BaseException | None) -> float:
        wait = self.backoff(attempt)
        if isinstance(error, AviApiError) and error.retry_after is not None:
            wait = max(wait, min(error.retry_after, self.max_retry_after))
        return wait

    def call(self, fn: Callable[[], T], *, what: str | Callable[[], str] = "request") -> T:
        """Run ``fn`` until it succeeds, raises a non-retriable error, or attempts run out
        (then the last error is raised as is). ``what`` names the call in the retry log (a
        callable is asked only when a retry is logged)."""
        # ``what`` rides in the call's state (its kwargs), where the retry log finds it.
        result: T = self._retrying(_attempt, fn, what=what)
        return result

    def _tenacity_wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome is not None else None
        return self.wait_for(state.attempt_number, error)


def parse_retry_after(value: str | None, *, now: Callable[[], float] = time.time,
                      ) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())


def _attempt(fn: Callable[[], T], *, what: str | Callable[[], str]) -> T:
    return fn()


def _log_retry(state: RetryCallState) -> None:
    what = state.kwargs["what"]
    if callable(what):
        what = what()
    error = state.outcome.exception() if state.outcome is not None else None
    wait = state.next_action.sleep if state.next_action is not None else 0.0
    log.info("retrying %s after attempt %d failed (%s); waiting %.2fs",
             what, state.attempt_number, error, wait)


NO_RETRY = RetryPolicy(max_attempts=1)
