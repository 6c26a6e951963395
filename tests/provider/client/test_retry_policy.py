"""Backoff arithmetic, Retry-After, and which errors are retried (no real sleeping)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albform.provider.client import BadRequest, RateLimited, RetryPolicy, ServerError
from albform.provider.client.retry import parse_retry_after


def test_backoff_doubles_up_to_the_cap():
    policy = RetryPolicy(initial_wait=0.5, max_wait=4.0, jitter=lambda: 1.0)
    assert [policy.backoff(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


@given(attempt=st.integers(1, 60), jitter=st.floats(0, 1),
       retry_after=st.one_of(st.none(), st.floats(0, 10_000)))
def test_waits_stay_within_bounds(attempt, jitter, retry_after):
    policy = RetryPolicy(initial_wait=0.25, max_wait=30.0, max_retry_after=120.0,
                         jitter=lambda: jitter)
    error = RateLimited(429, "slow down", retry_after=retry_after)
    wait = policy.wait_for(attempt, error)
    assert 0.0 <= wait <= 120.0
    if retry_after is not None:
        assert wait >= min(retry_after, 120.0)


def test_retriable_errors_are_retried_until_attempts_run_out(sleeps):
    policy = RetryPolicy(max_attempts=4, initial_wait=1.0, max_wait=10.0, sleep=sleeps,
                         jitter=lambda: 1.0)
    calls = []

    def fail():
        calls.append(1)
        raise ServerError(503, {"error": "INITIALIZING"})

    with pytest.raises(ServerError):
        policy.call(fail)
    assert len(calls) == 4 and sleeps.waits == [1.0, 2.0, 4.0]


def test_validation_errors_are_not_retried(sleeps):
    policy = RetryPolicy(sleep=sleeps)
    calls = []

    def fail():
        calls.append(1)
        raise BadRequest(400, {"error": "Invalid"})

    with pytest.raises(BadRequest):
        policy.call(fail)
    assert len(calls) == 1 and sleeps.waits == []


def test_success_after_failures_returns_the_value(sleeps):
    policy = RetryPolicy(sleep=sleeps, jitter=lambda: 0.0)
    outcomes = iter([RateLimited(429, "x", retry_after=2.0), ServerError(502, "y"), "ok"])

    def flaky():
        item = next(outcomes)
        if isinstance(item, Exception):
            raise item
        return item

    assert policy.call(flaky) == "ok"
    assert sleeps.waits == [2.0, 0.0]  # Retry-After is a floor even with zero jitter


def test_parse_retry_after_forms():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(" 0 ") == 0.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    when = datetime(2030, 1, 1, 0, 0, 10, tzinfo=UTC)
    now = datetime(2030, 1, 1, 0, 0, 0, tzinfo=UTC).timestamp()
    assert parse_retry_after(format_datetime(when, usegmt=True), now=lambda: now) == 10.0
