"""The decoded-state memo (``engine/state/decoded_memo.py``): it gives back exactly what
decoding gives, and only for the very bytes, key and installation it was made from."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from albform.engine.addrs import ResourceAddress
from albform.engine.secrets import SecretDigest
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
    # A read ahead finds the same memo entries (it hands the memo the digest it made).
    ahead = LocalBackend(path, memo=StateMemo(tmp_path, path, KEY))
    assert ahead.read_ahead() == changed
    assert ahead._memo is not None and ahead._memo.hits == 1
    path.write_bytes(encode_state(_state(serial=8)))
    other = LocalBackend(path, memo=StateMemo(tmp_path, path, KEY))
    assert other.read_ahead() == decode_state(path.read_bytes())
    assert other._memo is not None and other._memo.hits == 0


def _kinds(value: Any, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], type]:
    """The exact type of every string in ``value``, by place."""
    if isinstance(value, dict):
        return {p: t for k, v in value.items() for p, t in _kinds(v, (*path, k)).items()}
    if isinstance(value, list):
        return {p: t for i, v in enumerate(value) for p, t in _kinds(v, (*path, i)).items()}
    return {path: type(value)} if isinstance(value, str) else {}


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=4))
attributes = st.dictionaries(st.text(max_size=4), st.recursive(
    json_leaf, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                       st.dictionaries(st.text(max_size=4), inner, max_size=3)),
    max_leaves=12), max_size=5)


def _with_digests(value: Any, draw: st.DataObject) -> Any:
    """``value`` with some of its strings made secret digests."""
    if isinstance(value, dict):
        return {k: _with_digests(v, draw) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_digests(v, draw) for v in value]
    if isinstance(value, str) and draw.draw(st.booleans()):
        return SecretDigest(value)
    return value


@settings(max_examples=100, deadline=None)
@given(st.lists(attributes, min_size=1, max_size=4), st.data())
def test_secret_digests_come_back_as_digests_in_their_places(
        bodies: list[dict[str, Any]], data: st.DataObject) -> None:
    state = State(serial=3, lineage="l").with_resources([
        ResourceState(ResourceAddress("avi_sslkeyandcertificate", f"c{i}"),
                      {**_with_digests(body, data), "key": SecretDigest(f"d{i}")})
        for i, body in enumerate(bodies)])
    with tempfile.TemporaryDirectory() as tmp:
        StateMemo(Path(tmp), Path(tmp) / "s.tfstate", KEY).save(b"raw", state)
        again = StateMemo(Path(tmp), Path(tmp) / "s.tfstate", KEY).load(b"raw")
    assert again == state
    for before, after in zip(state.resources, again.resources, strict=True):
        assert _kinds(after.attributes) == _kinds(before.attributes)
