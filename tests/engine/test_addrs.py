from __future__ import annotations

import json
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albform.engine.addrs import AddressError, ModuleStep, ResourceAddress

idents = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,12}", fullmatch=True)
keys = st.one_of(st.none(), st.integers(min_value=0, max_value=10**6), st.text(max_size=12))
addresses = st.builds(
    ResourceAddress,
    type=idents,
    name=idents,
    key=keys,
    module=st.lists(st.builds(ModuleStep, idents, keys), max_size=3).map(tuple),
    mode=st.sampled_from(["managed", "data"]),
)


@given(addresses)
def test_parse_round_trips_str(address: ResourceAddress) -> None:
    assert ResourceAddress.parse(str(address)) == address


@given(st.lists(addresses, max_size=20))
def test_sort_key_is_total_with_mixed_keys(items: list[ResourceAddress]) -> None:
    ordered = sorted(items)
    assert all(not (b < a) for a, b in pairwise(ordered))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("avi_pool.web", ResourceAddress("avi_pool", "web")),
        ('avi_pool.web["k"]', ResourceAddress("avi_pool", "web", "k")),
        ("module.x.avi_pool.web[0]", ResourceAddress("avi_pool", "web", 0, (ModuleStep("x"),))),
        ("data.avi_cloud.default", ResourceAddress("avi_cloud", "default", mode="data")),
    ],
)
def test_parse_examples(text: str, expected: ResourceAddress) -> None:
    assert ResourceAddress.parse(text) == expected
    assert str(expected) == text


@pytest.mark.parametrize("text", ["", "avi_pool", "module.x", "avi_pool.web[", "1abc.x"])
def test_parse_rejects_garbage_with_reason(text: str) -> None:
    with pytest.raises(AddressError, match="address"):
        ResourceAddress.parse(text)


def test_hash_survives_pickling_into_another_process() -> None:
    import pickle
    import subprocess
    import sys

    address = ResourceAddress.parse('module.m["k"].avi_pool.web[2]')
    code = ("import pickle,sys; a=pickle.loads(sys.stdin.buffer.read()); "
            "from albform.engine.addrs import ResourceAddress as R; "
            "b=R.parse(str(a)); print(hash(a)==hash(b) and {a: 1}.get(b) == 1)")
    out = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(address),
                         capture_output=True, check=True,
                         env={"PYTHONHASHSEED": "12345", **__import__("os").environ})
    assert out.stdout.strip() == b"True"


_FEW = st.sampled_from(["a", "b"])
_close = st.builds(ResourceAddress, type=_FEW, name=_FEW,
                   key=st.sampled_from([None, 0, 1, "0", "a"]),
                   module=st.lists(st.builds(ModuleStep, _FEW, st.sampled_from([None, 0])),
                                   max_size=1).map(tuple),
                   mode=st.sampled_from(["managed", "data"]))


@given(_close, _close)
def test_equal_exactly_when_every_field_is(a: ResourceAddress, b: ResourceAddress) -> None:
    fields = (a.type, a.name, a.key, a.module, a.mode)
    same = fields == (b.type, b.name, b.key, b.module, b.mode)
    assert (a == b) is same and (a != b) is not same
    assert not same or hash(a) == hash(b)
    assert (a == (a.type, a.name)) is False
    # Equal hashes decide nothing alone: the same with b's hash made a's (a collision).
    collided = ResourceAddress(b.type, b.name, b.key, b.module, b.mode)
    object.__setattr__(collided, "_hash", hash(a))
    assert (a == collided) is same


@given(st.text())
def test_string_keys_are_written_as_json_strings(key: str) -> None:
    """The quick path for plain keys writes exactly what JSON's string form is (Terraform's
    address syntax), and parses back."""
    address = ResourceAddress("avi_pool", "p", key)
    assert str(address) == f"avi_pool.p[{json.dumps(key, ensure_ascii=False)}]"
    assert ResourceAddress.parse(str(address)) == address
