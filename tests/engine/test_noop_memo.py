"""The no-op memo's digests and file (``engine/noop_memo.py``): a digest depends on the values
only — not on how the process happened to build them (shared objects, interned strings, which
``marshal``'s later versions record) — and on every value; entries are kept for one state
file's digest, under the user's key. The memo's use in a plan is tested end to end in
``tests/integration/test_noop_memo.py``."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from albform.engine import noop_memo as noop_memo_module
from albform.engine.addrs import ResourceAddress
from albform.engine.config import Lifecycle, ResourceConfig
from albform.engine.noop_memo import NoopMemo, Verdicts, entry_key, noop_memo
from albform.engine.secrets import KEY_ENV
from albform.engine.values import UNKNOWN

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20)
attributes = st.dictionaries(st.text(), json_values, max_size=6)

ADDRESS = ResourceAddress("avi_pool", "p")


def memo(tmp_path: Path, state: str = "0" * 64, key: bytes = b"k" * 32) -> NoopMemo:
    return NoopMemo(tmp_path / "memo.bin", key, state)


def rebuilt(value: Any) -> Any:
    """``value`` built again, differently: every string a fresh, uninterned object, nothing
    shared."""
    if isinstance(value, str):
        return "".join([value[:1], value[1:]]) if value else "".join([])
    if isinstance(value, dict):
        return {rebuilt(k): rebuilt(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rebuilt(v) for v in value]
    return copy.copy(value)


@settings(max_examples=200, deadline=None)
@given(attributes)
def test_a_digest_depends_on_the_values_not_on_how_they_were_built(tmp_path_factory: Any,
                                                                   attrs: dict[str, Any]) -> None:
    m = memo(tmp_path_factory.mktemp("m"))
    rc = ResourceConfig(ADDRESS, attrs)
    first = m.digest(rc, attrs)
    assert first is not None
    interned = {sys.intern(k): v for k, v in attrs.items()}
    assert m.digest(rc, rebuilt(attrs)) == first == m.digest(rc, interned)
    assert m.digest(rc, json.loads(json.dumps(attrs))) == first
    # One object in two places, or two equal objects: the same values.
    assert m.digest(rc, {"a": attrs, "b": attrs}) == \
        m.digest(rc, {"a": attrs, "b": rebuilt(attrs)})
    assert m.digest(rc, {**attrs, "\0extra": 1}) != first


@settings(max_examples=100, deadline=None)
@given(attributes, attributes)
def test_different_values_have_different_digests(tmp_path_factory: Any, a: dict[str, Any],
                                                 b: dict[str, Any]) -> None:
    m = memo(tmp_path_factory.mktemp("m"))
    same = _typed(a) == _typed(b)
    assert (m.digest(ResourceConfig(ADDRESS, a), a) ==
            m.digest(ResourceConfig(ADDRESS, b), b)) == same


def _typed(value: Any) -> Any:
    """``value`` in order, each scalar as its type and repr (1, 1.0 and True are equal in
    Python, 0.0 and -0.0 too: not to the controller)."""
    if isinstance(value, dict):
        return [(k, _typed(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, repr(value))


def test_the_lifecycle_type_and_key_are_part_of_a_digest(tmp_path: Path) -> None:
    attrs = {"name": "p"}
    m = memo(tmp_path)
    base = m.digest(ResourceConfig(ADDRESS, attrs), attrs)
    others = [
        m.digest(ResourceConfig(ADDRESS, attrs, lifecycle=Lifecycle(
            ignore_changes=(("description",),))), attrs),
        m.digest(ResourceConfig(ADDRESS, attrs, lifecycle=Lifecycle(ignore_all_changes=True)),
                 attrs),
        m.digest(ResourceConfig(ADDRESS, attrs, lifecycle=Lifecycle(
            create_before_destroy=True)), attrs),
        m.digest(ResourceConfig(ResourceAddress("avi_vsvip", "p"), attrs), attrs),
        memo(tmp_path, key=b"other key").digest(ResourceConfig(ADDRESS, attrs), attrs),
    ]
    assert base is not None and len({base, *others}) == len(others) + 1


def test_unknown_values_are_not_digested(tmp_path: Path) -> None:
    attrs = {"name": UNKNOWN}
    assert memo(tmp_path).digest(ResourceConfig(ADDRESS, attrs), attrs) is None


def test_entries_are_read_back_only_for_the_same_state_and_key(tmp_path: Path) -> None:
    kept = memo(tmp_path)
    kept.keep({entry_key(ADDRESS): b"d" * 16}, ("basis",))
    again = memo(tmp_path)
    assert again.remembered == {entry_key(ADDRESS): b"d" * 16} and again.basis == ("basis",)
    assert memo(tmp_path, state="1" * 64).remembered == {}
    assert memo(tmp_path, key=b"x" * 32).remembered == {}


def test_no_memo_without_a_state_digest_and_entry_keys(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert noop_memo(tmp_path, tmp_path / "s.tfstate", None, env) is None
    made = noop_memo(tmp_path, tmp_path / "s.tfstate", "0" * 64, env)
    assert made is not None and made.path.parent == tmp_path / ".albform" / "noop-memo"
    nested = ResourceAddress.parse('module.m.avi_pool.p["a"]')
    assert entry_key(nested) == 'module.m.avi_pool.p["a"]'
    assert entry_key(ResourceAddress.parse('avi_pool.p["a"]')) == ("avi_pool", "p", "a")


class Basis:
    """A provider's ``CanonicalBasis`` side: facts given in some order."""

    def __init__(self, facts: list[tuple[str, str]]) -> None:
        self.facts = facts

    def memoizable(self, type_name: str) -> bool:
        return True

    def canonical_basis(self) -> Any:
        return ("v1", list(self.facts))

    def basis_holds(self, basis: Any) -> bool:
        return True


def test_unchanged_verdicts_on_the_same_facts_are_not_written_again(tmp_path: Path) -> None:
    facts = [("a", "1"), ("b", "2")]
    first = Verdicts(memo(tmp_path), Basis(facts))
    first.made[entry_key(ADDRESS)] = b"d" * 16
    first.keep()
    written = (tmp_path / "memo.bin").stat().st_mtime_ns
    (tmp_path / "memo.bin").touch()
    touched = (tmp_path / "memo.bin").stat().st_mtime_ns

    def again(made: bytes, given: list[tuple[str, str]]) -> int:
        v = Verdicts(memo(tmp_path), Basis(given))
        v.made[entry_key(ADDRESS)] = made
        v.keep()
        return (tmp_path / "memo.bin").stat().st_mtime_ns

    assert touched != written
    assert again(b"d" * 16, facts[::-1]) == touched  # same facts, other order
    assert again(b"e" * 16, facts) != touched
    assert memo(tmp_path).remembered == {entry_key(ADDRESS): b"e" * 16}
    again(b"e" * 16, [("a", "1"), ("b", "3")])
    assert memo(tmp_path).basis == ("v1", [("a", "1"), ("b", "3")])


def test_entries_are_bound_to_the_secret_digest_key_and_deepdiff(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stored secret digest made under another key compares as changed
    (``engine/secrets.py``), and deepdiff decides the diff of values without a schema: a
    verdict made under another key or deepdiff is not one a plan now would make."""
    monkeypatch.delenv(KEY_ENV, raising=False)
    memo(tmp_path).keep({entry_key(ADDRESS): b"d" * 16}, None)
    assert memo(tmp_path).remembered
    monkeypatch.setenv(KEY_ENV, "another key")
    assert memo(tmp_path).remembered == {}
    monkeypatch.delenv(KEY_ENV)
    monkeypatch.setattr(noop_memo_module, "package_fingerprint",
                        lambda module, dist: f"{module} upgraded")
    assert memo(tmp_path).remembered == {}
