"""Reference parsing and the canonical form (refs.py)."""

from __future__ import annotations

import uuid as uuidlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from albform.provider.resources.refs import (
    ObjectRef,
    _parse_api_form,
    _parse_url_form,
    canonical_path,
    looks_like_uuid,
    parse_ref,
    ref_uuid,
    to_canonical_if_path,
)

POOL = "pool-6426d0be-cce9-4cfe-afaf-64f18e916bd9"


@pytest.mark.parametrize("text", [
    f"https://10.10.1.1/api/pool/{POOL}#web",
    f"https://ctrl.example:8443//api/pool/{POOL}",
    f"/api/pool/{POOL}",
    f"/api/pool/{POOL}/",
    f"api/pool/{POOL}",
    POOL,
])
def test_uuid_forms_parse_to_one_canonical_path(text: str) -> None:
    ref = parse_ref(text, "pool")
    assert ref == ObjectRef("pool", uuid=POOL)
    assert ref.path() == f"/api/pool/{POOL}"


@pytest.mark.parametrize(("text", "expected"), [
    ("/api/pool?name=web", ObjectRef("pool", name="web")),
    ("/api/pool/?name=web", ObjectRef("pool", name="web")),
    ("/api/cloud/?tenant=admin&name=Default-Cloud",
     ObjectRef("cloud", name="Default-Cloud", tenant="admin")),
    ("/api/vrfcontext?name=global&cloud=aws", ObjectRef("vrfcontext", name="global",
                                                         cloud="aws")),
    ("https://h/api/tenant?name=t1", ObjectRef("tenant", name="t1")),
])
def test_name_queries(text: str, expected: ObjectRef) -> None:
    ref = parse_ref(text, None)
    assert ref == expected
    assert not ref.is_resolved
    with pytest.raises(ValueError, match="not resolved"):
        ref.path()


def test_bare_words_need_a_target_type() -> None:
    assert parse_ref("admin", None) is None
    assert parse_ref("admin", "tenant") == ObjectRef("tenant", uuid="admin")
    assert parse_ref("System-HTTP", "applicationprofile") == ObjectRef(
        "applicationprofile", name="System-HTTP")
    # A uuid of another type is taken as a name, not silently retyped.
    assert parse_ref(POOL, "vsvip") == ObjectRef("vsvip", name=POOL)
    assert parse_ref("   ", "pool") is None


def test_non_refs_are_left_alone() -> None:
    assert to_canonical_if_path("hello") == "hello"
    assert to_canonical_if_path("/api/pool?name=x") == "/api/pool?name=x"
    assert to_canonical_if_path(f"https://h/api/pool/{POOL}#p") == f"/api/pool/{POOL}"


@given(st.sampled_from(["pool", "vsvip", "virtualservice", "cloud", "healthmonitor"]),
       st.uuids(version=4), st.sampled_from(["https://10.0.0.1", "https://a.b:9443", ""]),
       st.text(alphabet="abcdefghij-_.", max_size=8))
def test_every_url_form_canonicalises_to_the_same_path(objtype: str, u: uuidlib.UUID,
                                                       host: str, name: str) -> None:
    uuid = f"{objtype}-{u}"
    assert looks_like_uuid(uuid, objtype)
    suffix = f"#{name}" if name else ""
    url = f"{host}/api/{objtype}/{uuid}{suffix}"
    assert to_canonical_if_path(url) == canonical_path(objtype, uuid)
    assert parse_ref(url, None) == parse_ref(uuid, objtype)


def test_ref_uuid_is_what_the_engine_asks_for_a_ref() -> None:
    uuid = "pool-0b6d7c7e-3b3a-4c4e-9a55-0a1f2e3d4c5b"
    assert ref_uuid(f"/api/pool/{uuid}") == uuid
    assert ref_uuid(f"https://10.0.0.1/api/pool/{uuid}#web") == uuid
    assert ref_uuid(uuid) == uuid
    assert ref_uuid("/api/tenant/admin") == "admin"
    assert ref_uuid("/api/pool?name=web") is None
    assert ref_uuid("web") is None
    assert ref_uuid(None) is None and ref_uuid(3) is None


_NAME_CHARS = st.characters(codec="utf-8") | st.sampled_from("&%+#;=?:/ \t\n\\abc-_.")
# Names as pieces: plain text, and what the url parser decodes or splits on.
_NAMES = st.lists(st.text(_NAME_CHARS, max_size=3) | st.sampled_from(
    ["%41", "%2f", "%e2%82%ac", "%zz", "+", "&x=1", "=", ";", "web-1"]), max_size=4).map("".join)


@settings(max_examples=500)
@given(st.sampled_from(["pool", "VsVip", "http-policy_set", "x"]), st.sampled_from(["", "/"]),
       _NAMES, st.sampled_from(["", "&tenant=t", "#n", " "]))
def test_plain_name_queries_read_as_the_url_parser_reads_them(
        objtype: str, slash: str, name: str, tail: str) -> None:
    """``/api/<type>?name=<n>`` is read without the url parser when nothing in it is
    special to that parser; whatever the name, the answer is the parser's."""
    text = f"/api/{objtype}{slash}?name={name}{tail}"
    assert _parse_api_form.__wrapped__(text) == _parse_url_form(text)
