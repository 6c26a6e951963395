"""The decoded-state memo (``engine/state/decoded_memo.py``): it gives back exactly what
decoding gives, and only for the very bytes, key and installation it was made from."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings

from albform.engine.addrs import ResourceAddress
from albform.engine.state.backends.local import LocalBackend
from albform.engine.state.codec import decode_state, encode_state
from albform.engine.state.decoded_memo import StateMemo
from albform.engine.state.model import ResourceState, State
from tests.engine.state.test_codec import states

KEY = b"k" * 32


@settings(max_examples=60, deadline=None)
@given(states())
def test_the_memo_gives_back_what_decoding_gives(state: State) -> None:
    raw = encode_state(state)
    decoded = decode_state(raw)
    with tempfile.TemporaryDirectory() as tmp:
        StateMemo(Path(tmp), Path(tmp) / "terraform.tfstate", KEY).save(raw, decoded)
        again = StateMemo(Path(tmp), Path(tmp) / "terraform.tfstate", KEY)  # a new run
        assert again.load(raw) == decoded
        assert again.hits == 1


def _state(serial: int = 1) -> State:
    return State(serial=serial, lineage="l").with_resources([ResourceState(
        ResourceAddress("avi_pool", "p"), {"name": "p", "servers": [{"port": 80}]})])


def test_other_bytes_another_key_or_a_changed_entry_are_misses(tmp_path: Path) -> None:
    raw = encode_state(_state())
    memo = StateMemo(tmp_path, tmp_path / "s.tfstate", KEY)
    memo.save(raw, decode_state(raw))
    assert memo.load(encode_state(_state(serial=2))) is None
    assert StateMemo(tmp_path, tmp_path / "s.tfstate", b"x" * 32).load(raw) is None
    assert StateMemo(tmp_path, tmp_path / "other.tfstate", KEY).load(raw) is None
    entry = memo.path.read_bytes()
    memo.path.write_bytes(entry.replace(b"servers", b"servere"))
    assert memo.load(raw) is None
    assert memo.hits == 0


def test_the_local_backend_reads_through_the_memo(tmp_path: Path) -> None:
    path = tmp_path / "terraform.tfstate"
    path.write_bytes(encode_state(_state()))
    memo = StateMemo(tmp_path, path, KEY)
    first = LocalBackend(path, memo=memo).read()
    assert memo.hits == 0 and memo.path.exists()
    assert LocalBackend(path, memo=memo).read() == first == decode_state(path.read_bytes())
    assert memo.hits == 1
    path.write_bytes(encode_state(_state(serial=7)))  # changed behind its back
    changed = LocalBackend(path, memo=memo).read()
    assert changed is not None and changed.serial == 7
    assert memo.hits == 1
