"""Lock records, the lock error's wording and the retry policy."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albform import __version__
from albform.engine.state.lock import (
    LockError,
    LockInfo,
    StateLockedError,
    acquire_with_retry,
)

TEXT = st.text(max_size=20)


@given(st.builds(LockInfo, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT))
def test_lock_info_round_trips_through_json(info: LockInfo) -> None:
    assert LockInfo.from_json(info.to_json()) == info


def test_lock_info_uses_terraforms_field_names_and_order() -> None:
    info = LockInfo.new("OperationTypeApply", path="terraform.tfstate")
    doc = json.loads(info.to_json())
    assert list(doc) == ["ID", "Operation", "Info", "Who", "Version", "Created", "Path"]
    assert re.fullmatch(r"[0-9a-f-]{36}", doc["ID"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z", doc["Created"])
    assert "@" in doc["Who"] and doc["Version"] == f"albform {__version__}"
    assert "\n" not in info.to_json()


def test_a_terraform_written_record_parses() -> None:
    raw = ('{"ID":"be8126e9-442a-13ae-9218-5ee54455fa43","Operation":"OperationTypeApply",'
           '"Info":"","Who":"root@vm","Version":"1.11.4",'
           '"Created":"2026-11-25T08:45:10.619588958Z","Path":"terraform.tfstate"}')
    info = LockInfo.from_json(raw)
    assert info.id == "be8126e9-442a-13ae-9218-5ee54455fa43" and info.who == "root@vm"
    assert info.to_json() == raw


@pytest.mark.parametrize("raw", ["not json", "[]", '{"Operation": "x"}'])
def test_garbage_lock_info_is_a_lock_error(raw: str) -> None:
    with pytest.raises(LockError):
        LockInfo.from_json(raw)


def test_locked_error_names_the_holder_in_terraforms_words() -> None:
    holder = LockInfo("11111111-2222", "OperationTypeApply", "", "ci@runner", "1.11.4",
                      "2026-11-25T08:45:10.619588958Z", "terraform.tfstate")
    text = str(StateLockedError(holder, "resource temporarily unavailable"))
    assert text.startswith("Error acquiring the state lock\n\n"
                           "Error message: resource temporarily unavailable\nLock Info:\n")
    assert "  ID:        11111111-2222\n  Path:      terraform.tfstate\n" in text
    assert "  Operation: OperationTypeApply\n  Who:       ci@runner\n" in text
    assert "  Created:   2026-11-25 08:45:10.619588958 +0000 UTC\n" in text
    assert 'disable locking with the "-lock=false"' in text


class Contended:
    """A lock that is held for the first ``busy`` attempts."""

    def __init__(self, busy: int) -> None:
        self.busy = busy
        self.attempts = 0

    def lock(self, info: LockInfo) -> str:
        self.attempts += 1
        if self.attempts <= self.busy:
            raise StateLockedError(LockInfo("holder", "OperationTypeApply"))
        return info.id


def run(locker: Contended, timeout: float) -> tuple[list[float], str | None]:
    now = [100.0]
    sleeps: list[float] = []

    def sleep(s: float) -> None:
        sleeps.append(s)
        now[0] += s

    try:
        got = acquire_with_retry(locker, LockInfo("mine", "op"), timeout, sleep=sleep,
                                 clock=lambda: now[0])
    except StateLockedError as exc:
        assert exc.holder.id == "holder"
        return sleeps, None
    return sleeps, got


def test_zero_timeout_tries_once() -> None:
    locker = Contended(busy=1)
    assert run(locker, 0) == ([], None)
    assert locker.attempts == 1


def test_backoff_doubles_and_is_capped_at_16_seconds() -> None:
    assert run(Contended(busy=7), 120) == ([1, 2, 4, 8, 16, 16, 16], "mine")


def test_retry_stops_at_the_timeout() -> None:
    locker = Contended(busy=100)
    sleeps, got = run(locker, 10)
    assert got is None and sleeps == [1, 2, 4, 3] and locker.attempts == 5


def test_other_errors_are_not_retried() -> None:
    class Broken:
        def lock(self, info: LockInfo) -> str:
            raise LockError("backend down")

    with pytest.raises(LockError):
        acquire_with_retry(Broken(), LockInfo("x", "op"), 60, sleep=pytest.fail)
