"""The intent journal: its codec round-trips any intent and survives a torn last line, the file
journal is durable under concurrent records (group commit: no record returns before a sync that
began after its write has ended, and none waits for a sync that cannot cover it) and rewrites
atomically."""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albform.engine.addrs import ModuleStep, ResourceAddress
from albform.engine.state import journal as journal_module
from albform.engine.state.journal import (
    OPERATIONS,
    FileJournal,
    Intent,
    JournalError,
    MemoryJournal,
    decode_intents,
    encode_intent,
    intents_digest,
)

names = st.from_regex(r"[a-z_][a-z0-9_-]{0,12}", fullmatch=True)
keys = st.none() | st.integers(0, 10_000) | st.text(min_size=0, max_size=12)
addresses = st.builds(
    lambda module, t, n, k: ResourceAddress(f"avi_{t}", n, key=k,
                                            module=tuple(ModuleStep(m) for m in module)),
    st.lists(names, max_size=2), names, names, keys)
json_atoms = st.none() | st.booleans() | st.integers(-2**53, 2**53) | st.text(max_size=20)
json_values = st.recursive(json_atoms, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                           max_leaves=8)
intents = st.builds(Intent, st.sampled_from(OPERATIONS), addresses,
                    st.dictionaries(st.text(max_size=10), json_values, max_size=4),
                    st.none() | st.text(max_size=20),
                    st.none() | st.from_regex(r"[0-9a-f]{8}", fullmatch=True))


@given(st.lists(intents, max_size=6))
def test_codec_round_trips_any_intents(recorded: list[Intent]) -> None:
    data = b"".join(encode_intent(i) for i in recorded)
    assert decode_intents(data) == recorded
    assert data.count(b"\n") == len(recorded)  # one line each, whatever the text holds


@given(st.lists(intents, min_size=1, max_size=4), st.data())
def test_a_torn_last_line_is_ignored(recorded: list[Intent], data: st.DataObject) -> None:
    whole = b"".join(encode_intent(i) for i in recorded)
    last = encode_intent(recorded[-1])
    cut = data.draw(st.integers(0, len(last) - 1))  # the newline never made it
    torn = whole[:len(whole) - len(last) + cut]
    assert decode_intents(torn) == recorded[:-1]


def test_a_damaged_line_names_the_file_and_line(tmp_path: Path) -> None:
    good = encode_intent(Intent("create", ResourceAddress.parse("avi_pool.p"), {"uuid": "x"}))
    path = tmp_path / "j"
    path.write_bytes(good + b"{not json\n" + good)
    with pytest.raises(JournalError, match=f"{path}:2: not an albform intent record"):
        FileJournal(path).pending()


def test_digest_tells_journals_apart() -> None:
    a = Intent("create", ResourceAddress.parse("avi_pool.a"), {"uuid": "1"})
    b = Intent("delete", ResourceAddress.parse("avi_pool.a"), {"uuid": "1"})
    assert intents_digest([]) == ""
    assert intents_digest([a]) != intents_digest([b]) != intents_digest([a, b])


def test_file_journal_keeps_every_concurrent_record(tmp_path: Path) -> None:
    path = tmp_path / "state" / ".terraform.tfstate.journal"
    journal = FileJournal(path)
    written = [Intent("create", ResourceAddress.parse(f"avi_pool.p{i}"), {"uuid": f"u{i}"})
               for i in range(200)]
    threads = [threading.Thread(target=lambda part=written[n::8]: [journal.record(i)
                                                                    for i in part])
               for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # A fresh reader (as the next process would be) sees all of them.
    assert sorted(FileJournal(path).pending(), key=str) == sorted(written, key=str)
    assert path.stat().st_mode & 0o777 == 0o600


def test_file_journal_replace_rewrites_and_empties(tmp_path: Path) -> None:
    path = tmp_path / "j"
    journal = FileJournal(path)
    a, b = (Intent("create", ResourceAddress.parse(f"avi_pool.{n}"), {"uuid": n})
            for n in "ab")
    journal.record(a)
    journal.record(b)
    journal.replace([b])
    assert journal.pending() == [b]
    journal.record(a)  # appends to the rewritten file, not to the old one
    assert FileJournal(path).pending() == [b, a]
    journal.replace([])
    assert not path.exists() and journal.pending() == []
    assert not list(tmp_path.iterdir())  # no temporary file left behind


def test_a_failed_write_fails_this_and_every_later_record(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    journal = FileJournal(blocker / "j")  # its directory is a file: cannot be created
    intent = Intent("create", ResourceAddress.parse("avi_pool.p"), {})
    with pytest.raises(JournalError, match="cannot write the journal"):
        journal.record(intent)
    with pytest.raises(JournalError, match="failed earlier"):
        journal.record(intent)


def test_memory_journal_follows_the_same_rules() -> None:
    journal = MemoryJournal()
    a = Intent("update", ResourceAddress.parse("avi_pool.a"), {"uuid": "1"}, "a")
    journal.record(a)
    assert journal.pending() == [a]
    journal.replace([])
    assert journal.pending() == []


class SyncedPrefix:
    """Stands in for the OS's data sync: remembers how many bytes of the journal a finished
    sync has made durable (the file's size when that sync began) and lets a test hold syncs."""

    def __init__(self, real: Callable[[int], None]) -> None:
        self._real = real
        self._lock = threading.Lock()
        self.durable = 0
        self.calls = 0
        self.hold_first: threading.Event | None = None  # the first sync waits for this
        self.first_entered = threading.Event()

    def __call__(self, fd: int) -> None:
        size = os.fstat(fd).st_size
        with self._lock:
            self.calls += 1
            first = self.calls == 1
        if first:
            self.first_entered.set()
            if self.hold_first is not None:
                assert self.hold_first.wait(timeout=60)
        time.sleep(random.random() / 300)  # syncs overlap and end in any order
        self._real(fd)
        with self._lock:
            self.durable = max(self.durable, size)

    def covers(self, path: Path, line: bytes) -> bool:
        data = path.read_bytes()
        return data.index(line) + len(line) <= self.durable


@pytest.fixture()
def synced(monkeypatch: pytest.MonkeyPatch) -> SyncedPrefix:
    spy = SyncedPrefix(journal_module._sync_data)
    monkeypatch.setattr(journal_module, "_sync_data", spy)
    return spy


def test_a_record_returns_only_once_a_sync_begun_after_its_write_has_ended(
        tmp_path: Path, synced: SyncedPrefix) -> None:
    """Rule 1 under concurrency: whatever the interleaving of writes and overlapping syncs,
    ``record`` returns only when its line lies within what a finished sync covered."""
    path = tmp_path / "j"
    journal = FileJournal(path)
    early: list[str] = []

    def worker(n: int) -> None:
        for i in range(25):
            intent = Intent("create", ResourceAddress.parse(f"avi_pool.p{n}_{i}"), {"u": i})
            journal.record(intent)
            if not synced.covers(path, encode_intent(intent)):
                early.append(str(intent.address))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert early == []
    assert len(FileJournal(path).pending()) == 16 * 25
    assert synced.calls < 16 * 25  # records still share syncs


def test_a_record_arriving_during_a_sync_does_not_wait_for_it(
        tmp_path: Path, synced: SyncedPrefix) -> None:
    """That sync began before the new line was written and cannot cover it: the new record
    writes and syncs at once instead of waiting for it and then for one more."""
    path = tmp_path / "j"
    journal = FileJournal(path)
    synced.hold_first = threading.Event()
    a = Intent("create", ResourceAddress.parse("avi_pool.a"), {"uuid": "a"})
    b = Intent("create", ResourceAddress.parse("avi_pool.b"), {"uuid": "b"})
    a_done, b_done = threading.Event(), threading.Event()
    first = threading.Thread(target=lambda: (journal.record(a), a_done.set()))
    first.start()
    assert synced.first_entered.wait(timeout=60)  # a's sync is under way, and held
    second = threading.Thread(target=lambda: (journal.record(b), b_done.set()))
    second.start()
    try:
        assert b_done.wait(timeout=60) and not a_done.is_set()
        assert synced.covers(path, encode_intent(b))
    finally:
        synced.hold_first.set()
        first.join()
        second.join()
    assert a_done.is_set() and FileJournal(path).pending() == [a, b]


def test_a_failed_sync_fails_its_record_and_every_later_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(journal_module, "_sync_data", broken)
    journal = FileJournal(tmp_path / "j")
    intent = Intent("create", ResourceAddress.parse("avi_pool.p"), {})
    with pytest.raises(JournalError, match="cannot sync the journal"):
        journal.record(intent)
    with pytest.raises(JournalError, match="failed earlier"):
        journal.record(intent)


def test_record_all_is_durable_in_one_write_and_one_sync(
        tmp_path: Path, synced: SyncedPrefix) -> None:
    """An apply's intents recorded ahead: returns once every line is covered by a finished
    sync, and one sync covers them all."""
    path = tmp_path / "j"
    journal = FileJournal(path)
    intents = [Intent("create", ResourceAddress.parse(f"avi_pool.p{i}"), {"uuid": f"u{i}"},
                      f"pool-{i}") for i in range(50)]
    journal.record_all(intents)
    assert all(synced.covers(path, encode_intent(i)) for i in intents)
    assert synced.calls == 1
    assert FileJournal(path).pending() == intents
