"""Read marks in a state file (``ResourceState.mark``, ``engine/state/private.py``): they
travel in the instance's ``private`` blob beside secret digests and another writer's keys,
round-trip through the codec and the decoded-state memo, and are nowhere else in the file."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from albform.engine.addrs import ResourceAddress
from albform.engine.secrets import SecretDigest
from albform.engine.state.codec import decode_state, encode_state
from albform.engine.state.decoded_memo import StateMemo
from albform.engine.state.model import ResourceState, State
from albform.engine.state.private import MARK_KEY, PRIVATE_KEY

POOL = ResourceAddress("avi_pool", "p")
MARK = "30.2.1|1|1796579013882018"
OFFICIAL = {"e2bfb730-ecaa-11e6-8f88-34363bc7c4c0": {"create": 1}, "schema_version": "0"}


def _private(doc: object) -> str:
    """A JSON private in the form a decode leaves what remains of one (compact, sorted)."""
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"))
    return base64.b64encode(text.encode()).decode()


def _instance(raw: bytes) -> dict[str, object]:
    instance: dict[str, object] = json.loads(raw)["resources"][0]["instances"][0]
    return instance


@settings(max_examples=40, deadline=None)
@given(mark=st.text(min_size=1, max_size=40),
       foreign=st.sampled_from([None, OFFICIAL, {"k": [1, 2]}]),
       digest=st.booleans())
def test_a_mark_round_trips_beside_digests_and_another_writers_keys(
        mark: str, foreign: dict[str, object] | None, digest: bool) -> None:
    attributes: dict[str, object] = {"name": "p"}
    if digest:
        attributes["key"] = SecretDigest("scrypt$0$abc")
    state = State(lineage="l").with_resources([ResourceState(
        POOL, attributes, mark=mark, sensitive_attributes=(("key",),) if digest else (),
        extra={"private": _private(foreign)} if foreign is not None else {})])
    raw = encode_state(state)
    private = json.loads(base64.b64decode(str(_instance(raw)["private"])))
    assert private[MARK_KEY] == mark
    assert (PRIVATE_KEY in private) == digest
    assert {k: v for k, v in private.items() if k not in (MARK_KEY, PRIVATE_KEY)} \
        == (foreign or {})
    assert decode_state(raw) == state


def test_a_private_that_is_not_json_is_kept_and_holds_no_mark() -> None:
    foreign = base64.b64encode(b"\x00\x01 not json").decode()
    state = State(lineage="l").with_resources([ResourceState(
        POOL, {"name": "p"}, mark=MARK, extra={"private": foreign})])
    raw = encode_state(state)
    assert _instance(raw)["private"] == foreign
    decoded = decode_state(raw)
    assert decoded.resources[0].mark is None
    assert decoded.resources[0].extra == {"private": foreign}


def test_a_mark_is_in_the_private_blob_only() -> None:
    state = State(lineage="l").with_resources([ResourceState(POOL, {"name": "p"}, mark=MARK)])
    raw = encode_state(state)
    assert MARK.encode() not in raw and MARK_KEY.encode() not in raw
    assert set(_instance(raw)) >= {"private"}
    unmarked = encode_state(State(lineage="l").with_resources([ResourceState(
        POOL, {"name": "p"})]))
    assert "private" not in _instance(unmarked)  # nothing to keep: no blob written


def test_the_memo_keeps_marks(tmp_path: Path) -> None:
    state = State(lineage="l").with_resources([
        ResourceState(POOL, {"name": "p"}, mark=MARK),
        ResourceState(ResourceAddress("avi_pool", "q"), {"name": "q"})])
    raw = encode_state(state)
    StateMemo(tmp_path, tmp_path / "s.tfstate", b"k" * 32).save(raw, decode_state(raw))
    loaded = StateMemo(tmp_path, tmp_path / "s.tfstate", b"k" * 32).load(raw)
    assert loaded is not None and loaded == state
    assert [r.mark for r in loaded.resources] == [MARK, None]
