"""Property tests for the emulator's codecs: refs (render ⇄ parse) and PATCH semantics."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from albform.provider.emulator import refs
from albform.provider.emulator.objects import apply_patch

types = st.sampled_from(["pool", "vsvip", "virtualservice", "healthmonitor", "tenant"])
uuids = st.uuids().map(str)
names = st.text(alphabet=st.characters(blacklist_characters="#/?&=%", min_codepoint=33,
                                       max_codepoint=0x2FF), min_size=1, max_size=20)
hosts = st.sampled_from(["https://avi-controller", "http://127.0.0.1:8443", ""])


@given(types, uuids, names, hosts)
def test_rendered_refs_parse_back(obj_type: str, uuid: str, name: str, base: str) -> None:
    canonical = refs.canonical(obj_type, f"{obj_type}-{uuid}")
    body = {"x_ref": canonical, "nested": [{"y_refs": [canonical]}], "plain": canonical}
    rendered = refs.render(body, base, lambda _: name)
    assert rendered["plain"] == canonical  # only *_ref / *_refs fields are refs
    for value in (rendered["x_ref"], rendered["nested"][0]["y_refs"][0]):
        assert value == f"{base}{canonical}#{name}"
        spec = refs.parse(value)
        assert spec == refs.RefSpec(obj_type, uuid=f"{obj_type}-{uuid}")
    assert [v for _, _, v in refs.walk(body)] == [canonical, canonical]


@given(types, names)
def test_name_lookup_refs_parse(obj_type: str, name: str) -> None:
    from urllib.parse import quote

    spec = refs.parse(f"/api/{obj_type}/?name={quote(name)}&cloud=c1")
    assert spec == refs.RefSpec(obj_type, name=name, cloud="c1")
    assert refs.parse(name) is None  # a bare name is never a ref


json_scalars = st.one_of(st.integers(-5, 5), st.booleans(), st.text(max_size=3))
entries = st.dictionaries(st.sampled_from(["ip", "port", "ratio"]), json_scalars, min_size=1)


@given(st.lists(entries, max_size=5), st.lists(entries, max_size=3))
def test_patch_add_then_delete(existing: list[dict[str, Any]],
                               added: list[dict[str, Any]]) -> None:
    body = {"name": "p", "servers": existing, "scalar": 1}
    grown = apply_patch(body, {"add": {"servers": added}})
    assert grown["servers"][: len(existing)] == existing
    assert all(a in grown["servers"] for a in added)
    assert body["servers"] == existing  # the input is never mutated
    shrunk = apply_patch(grown, {"delete": {"servers": added}})
    assert all(a not in shrunk["servers"] for a in added)
    assert all(e in shrunk["servers"] for e in existing if e not in added and not any(
        all(k in e and e[k] == v for k, v in a.items()) for a in added))
    replaced = apply_patch(body, {"replace": {"servers": added, "scalar": 2}})
    assert replaced["servers"] == added and replaced["scalar"] == 2
    assert "scalar" not in apply_patch(body, {"delete": {"scalar": 1}})


_ref_keys = st.sampled_from(["a_ref", "b_refs", "plain", "c", "d_ref", "e_refs"])
_bodies = st.recursive(
    st.none() | st.integers(-3, 3) | st.booleans() | st.sampled_from(["/api/pool/p-1", "x"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_ref_keys, inner, max_size=4),
    max_leaves=20)


def _refs_in(body: Any) -> list[str]:
    """Every ref of ``body`` as walk's contract says, walking into every value."""
    found: list[str] = []
    if isinstance(body, dict):
        for key, value in body.items():
            if key.endswith("_ref") and isinstance(value, str):
                found.append(value)
            elif key.endswith("_refs") and isinstance(value, list):
                found.extend(v for v in value if isinstance(v, str))
            else:
                found.extend(_refs_in(value))
    elif isinstance(body, list):
        for item in body:
            found.extend(_refs_in(item))
    return found


@given(_bodies)
def test_walk_finds_every_ref_at_any_depth(body: Any) -> None:
    walked = list(refs.walk(body))
    assert [v for _, _, v in walked] == _refs_in(body)
    for container, key, value in walked:
        assert container[key] == value  # type: ignore[index]
