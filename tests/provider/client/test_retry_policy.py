"""Backoff arithmetic, Retry-After, and which errors are retried (no real sleeping)."""

from __future__ import annotations

import logging
import threading
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


def test_a_call_builds_no_retrying_of_its_own(sleeps, monkeypatch):
    # The policy's one Retrying serves every call (retry.py's docstring).
    policy = RetryPolicy(sleep=sleeps, jitter=lambda: 1.0)

    def built(*args, **kwargs):
        raise AssertionError("a Retrying built per call")

    monkeypatch.setattr("albform.provider.client.retry.Retrying", built)
    outcomes = iter([ServerError(503, "busy"), "ok"])

    def flaky():
        item = next(outcomes)
        if isinstance(item, Exception):
            raise item
        return item

    assert policy.call(flaky) == "ok" and sleeps.waits == [0.5]


def test_threads_sharing_a_policy_retry_each_call_on_its_own():
    # Every thread fails its first two attempts at the same time as the others: each call
    # still counts its own attempts, waits its own backoff, and returns its own value.
    waits: list[float] = []
    policy = RetryPolicy(max_attempts=3, initial_wait=1.0, sleep=waits.append,
                         jitter=lambda: 1.0)
    threads = 8
    turn = threading.Barrier(threads)
    attempts: dict[int, int] = {}
    results: dict[int, str] = {}

    def work(n: int) -> None:
        def flaky() -> str:
            attempts[n] = attempts.get(n, 0) + 1
            turn.wait(timeout=30)
            if attempts[n] < 3:
                raise ServerError(503, "busy")
            return f"done {n}"
        results[n] = policy.call(flaky, what=f"call {n}")

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert results == {n: f"done {n}" for n in range(threads)}
    assert attempts == dict.fromkeys(range(threads), 3)
    assert sorted(waits) == [1.0] * threads + [2.0] * threads


def test_a_call_inside_another_keeps_both_counts(sleeps):
    policy = RetryPolicy(max_attempts=3, sleep=sleeps, jitter=lambda: 1.0)
    outer: list[int] = []
    inner: list[int] = []

    def inside() -> str:
        inner.append(1)
        raise ServerError(502, "inner")

    def outside() -> str:
        outer.append(1)
        with pytest.raises(ServerError):
            policy.call(inside, what="inner")
        if len(outer) < 3:
            raise ServerError(503, "outer")
        return "ok"

    assert policy.call(outside, what="outer") == "ok"
    assert len(outer) == 3 and len(inner) == 9


def test_the_retry_log_names_the_call_being_retried(sleeps, caplog):
    policy = RetryPolicy(max_attempts=2, sleep=sleeps, jitter=lambda: 0.0)

    def fail() -> None:
        raise ServerError(503, "busy")

    with caplog.at_level(logging.INFO, logger="albform.provider.client"):
        for what in ("create pool pool-1", "GET /api/vrfcontext"):
            with pytest.raises(ServerError):
                policy.call(fail, what=what)
    retried = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retrying")]
    assert len(retried) == 2
    assert retried[0].startswith("retrying create pool pool-1 after attempt 1 failed")
    assert retried[1].startswith("retrying GET /api/vrfcontext after attempt 1 failed")
