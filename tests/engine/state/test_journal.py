"""The intent journal: its codec round-trips any intent and survives a torn last line, the file
journal is durable under concurrent records (group commit) and rewrites atomically."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albform.engine.addrs import ModuleStep, ResourceAddress
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
