"""A secret Terraform (or the official provider) kept in clear in its state becomes a digest the
moment albform reads the state: the clear value never reaches a state albform writes, and a
later rotation of the secret is still detected."""

from __future__ import annotations

import json

from albform.engine.schema import AttributeSchema, ResourceSchema
from albform.engine.secrets import SecretDigest, digest_clear_values, sensitive_changed
from albform.engine.state.codec import decode_state, encode_state

SCHEMA = ResourceSchema("avi_healthmonitor", {
    "name": AttributeSchema("name", required=True),
    "authentication": AttributeSchema("authentication", type="object", fields={
        "username": AttributeSchema("username"),
        "password": AttributeSchema("password", sensitive=True)}),
    "key": AttributeSchema("key", sensitive=True),
})

TERRAFORM_STATE = {
    "version": 4, "terraform_version": "1.11.4", "serial": 7,
    "lineage": "2a0c7f4e-7b7e-4f59-9d54-0c2b5f3e9a11", "outputs": {},
    "resources": [{"mode": "managed", "type": "avi_healthmonitor", "name": "hm",
                   "provider": 'provider["registry.terraform.io/vmware/avi"]',
                   "instances": [{"schema_version": 0, "attributes": {
                       "name": "hm", "key": "pem-secret",
                       "authentication": {"username": "u", "password": "hunter2"}},
                       "sensitive_attributes": []}]}],
    "check_results": None,
}


def test_clear_secrets_are_digested_on_read_and_never_written_back() -> None:
    state = decode_state(json.dumps(TERRAFORM_STATE), {"avi_healthmonitor": SCHEMA})
    attrs = state.resources[0].attributes
    assert isinstance(attrs["key"], SecretDigest) and attrs["key"].matches("pem-secret")
    password = attrs["authentication"]["password"]
    assert isinstance(password, SecretDigest) and password.matches("hunter2")
    assert attrs["authentication"]["username"] == "u"
    # The configured secret unchanged: no change; rotated: a change.
    assert sensitive_changed("hunter2", password) is False
    assert sensitive_changed("rotated", password) is True
    written = encode_state(state, {"avi_healthmonitor": SCHEMA})
    assert b"hunter2" not in written and b"pem-secret" not in written


def test_without_a_schema_nothing_is_touched() -> None:
    state = decode_state(json.dumps(TERRAFORM_STATE))
    assert state.resources[0].attributes["key"] == "pem-secret"


def test_digest_clear_values_leaves_digests_markers_and_nulls_alone() -> None:
    digest = SecretDigest.of("x")
    attrs = {"key": digest, "authentication": {"password": "<sensitive>"}, "other": None}
    assert digest_clear_values(attrs, [("key",), ("authentication", "password"),
                                       ("other",)]) is attrs
    listed = {"authentication": [{"password": "a"}, {"password": None}]}
    out = digest_clear_values(listed, [("authentication", "password")])
    assert isinstance(out["authentication"][0]["password"], SecretDigest)
    assert out["authentication"][1]["password"] is None
    assert listed["authentication"][0]["password"] == "a"  # the input is not modified
