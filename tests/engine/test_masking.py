"""One masking rule for every view: the schema's sensitive flags, at any nesting level."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from albform.engine.schema import SENSITIVE_TEXT, AttributeSchema, ResourceSchema
from albform.engine.values import UNKNOWN

SCHEMA = ResourceSchema("avi_x", {
    "name": AttributeSchema("name"),
    "key": AttributeSchema("key", sensitive=True),
    "servers": AttributeSchema("servers", "list", element_type="object", fields={
        "ip": AttributeSchema("ip"),
        "auth": AttributeSchema("auth", "object", fields={
            "password": AttributeSchema("password", sensitive=True)})}),
})
SECRET = st.text(min_size=1, max_size=8).map(lambda t: f"secret-{t}")


@given(key=SECRET, passwords=st.lists(SECRET, max_size=3))
def test_no_sensitive_value_survives_masking(key: str, passwords: list[str]) -> None:
    body = {"name": "x", "key": key, "servers": [
        {"ip": f"10.0.0.{i}", "auth": {"password": p}} for i, p in enumerate(passwords)]}
    masked = SCHEMA.masked(body)
    assert "secret-" not in repr(masked)
    assert masked["key"] == SENSITIVE_TEXT and masked["name"] == "x"
    assert [s["auth"]["password"] for s in masked["servers"]] == [SENSITIVE_TEXT] * len(
        passwords)
    assert [s["ip"] for s in masked["servers"]] == [s["ip"] for s in body["servers"]]


def test_null_and_unknown_values_reveal_nothing_and_stay() -> None:
    assert SCHEMA.masked({"key": None}) == {"key": None}
    assert SCHEMA.masked({"key": UNKNOWN})["key"] is UNKNOWN
