"""Secret digests (engine.secrets, state.private): a changed secret is a change, an unchanged
one is not, the state file holds neither the secret nor anything Terraform cannot read."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from albform.engine.addrs import ResourceAddress
from albform.engine.diff import diff_attributes
from albform.engine.schema import AttributeSchema, ResourceSchema
from albform.engine.secrets import (
    KEY_ENV,
    SecretDigest,
    digest_sent,
    keep_digests,
    sensitive_changed,
    without_digests,
)
from albform.engine.state.codec import decode_state, encode_state
from albform.engine.state.model import OutputState, ResourceState, State
from albform.engine.state.private import split_digests

SCHEMA = ResourceSchema("avi_healthmonitor", {
    "name": AttributeSchema("name"),
    "authentication": AttributeSchema("authentication", type="object", fields={
        "username": AttributeSchema("username"),
        "password": AttributeSchema("password", sensitive=True)}),
    "key": AttributeSchema("key", sensitive=True),
})
SECRETS = st.text(max_size=12) | st.integers(-5, 5)
# Digests are slow on purpose (scrypt): few examples, no deadline.
SLOW = settings(max_examples=15, deadline=None)


@SLOW
@given(SECRETS, SECRETS)
def test_a_digest_matches_its_value_only(value: object, other: object) -> None:
    digest = SecretDigest.of(value)
    assert digest.matches(value)
    assert digest.matches(other) == (json.dumps(other) == json.dumps(value))


@SLOW
@given(st.text(min_size=1, max_size=12), st.text(min_size=1, max_size=12))
def test_diff_sees_a_rotated_secret_and_only_then(old: str, new: str) -> None:
    sent = {"name": "hm", "authentication": {"username": "u", "password": old}, "key": old}
    answer = {"name": "hm", "authentication": {"username": "u", "password": "<sensitive>"}}
    state = digest_sent(SCHEMA, sent, answer, None)
    assert isinstance(state["key"], SecretDigest)
    assert diff_attributes(SCHEMA, sent, state) == ()
    rotated = {**sent, "authentication": {"username": "u", "password": new}}
    changes = diff_attributes(SCHEMA, rotated, state)
    assert [c.path for c in changes] == ([] if new == old else [("authentication", "password")])


def test_the_rule_for_values_the_state_does_not_know() -> None:
    assert sensitive_changed("x", None) is False  # imported: nothing to compare with
    assert sensitive_changed("x", "<sensitive>") is False
    assert sensitive_changed("x", "clear") is None  # a clear value compares as any other
    assert sensitive_changed("x", SecretDigest.of("y")) is True


def test_a_digest_under_another_key_counts_as_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    unkeyed = SecretDigest.of("pw")
    monkeypatch.setenv(KEY_ENV, "team-key")
    keyed = SecretDigest.of("pw")
    assert keyed.matches("pw") and not unkeyed.matches("pw")
    monkeypatch.setenv(KEY_ENV, "another-key")
    assert not keyed.matches("pw")
    monkeypatch.delenv(KEY_ENV)
    assert unkeyed.matches("pw") and not keyed.matches("pw")


def test_refresh_keeps_digests_and_requests_never_carry_them() -> None:
    digest = SecretDigest.of("pw")
    prior = {"authentication": {"username": "u", "password": digest}, "key": digest}
    refreshed = {"authentication": {"username": "v", "password": "<sensitive>"}}
    kept = keep_digests(prior, refreshed, SCHEMA.sensitive_paths())
    assert keep_digests(prior, refreshed, []) is refreshed  # a type without secrets
    assert kept == {"authentication": {"username": "v", "password": digest}, "key": digest}
    assert without_digests(kept) == {"authentication": {"username": "v"}}
    # What apply records when the configuration left the secret alone: the earlier digest.
    after = digest_sent(SCHEMA, {"name": "hm"}, {"name": "hm"}, prior)
    assert after["key"] is digest


def _state_with_digest() -> tuple[State, SecretDigest]:
    digest = SecretDigest.of("hunter2")
    resource = ResourceState(ResourceAddress("avi_healthmonitor", "hm"), {
        "name": "hm", "authentication": {"username": "u", "password": digest}})
    return State(serial=3, lineage="0b7d5e0e-8f6d-4c37-9d53-8a2a3c1f0f11",
                 outputs={"pw": OutputState("hunter2", "string", True)}
                 ).with_resources([resource]), digest


def test_the_state_file_keeps_the_digest_in_private_only() -> None:
    state, digest = _state_with_digest()
    raw = encode_state(state, {"avi_healthmonitor": SCHEMA})
    assert b"hunter2" not in raw and digest.encode() not in raw
    doc = json.loads(raw)
    instance = doc["resources"][0]["instances"][0]
    assert "password" not in instance["attributes"]["authentication"]
    assert [{"type": "get_attr", "value": "authentication"},
            {"type": "get_attr", "value": "password"}] in instance["sensitive_attributes"]
    private = json.loads(base64.b64decode(instance["private"], validate=True))
    assert private == {"albform_secret_digests": [[["authentication", "password"], digest]]}
    assert doc["outputs"]["pw"]["value"] is None
    back = decode_state(raw).resources[0]
    assert isinstance(back.attributes["authentication"]["password"], SecretDigest)
    assert back.attributes["authentication"]["password"].matches("hunter2")
    assert "private" not in back.extra
    assert encode_state(decode_state(raw), {"avi_healthmonitor": SCHEMA}) == raw


def test_a_foreign_private_blob_is_kept_beside_the_digests() -> None:
    state, digest = _state_with_digest()
    foreign = base64.b64encode(b'{"schema_version":"1"}').decode()
    r = state.resources[0]
    state = state.with_resources([ResourceState(r.address, r.attributes,
                                                extra={"private": foreign})])
    back = decode_state(encode_state(state)).resources[0]
    assert back.extra["private"] == foreign
    assert back.attributes["authentication"]["password"] == digest


@pytest.mark.terraform
@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
def test_terraform_reads_a_state_holding_digests(tmp_path: Path) -> None:
    digest = SecretDigest.of("hunter2")
    provider = 'provider["terraform.io/builtin/terraform"]'
    address = ResourceAddress("terraform_data", "secret")
    state = State(serial=1, lineage="0b7d5e0e-8f6d-4c37-9d53-8a2a3c1f0f11",
                  outputs={"pw": OutputState("hunter2", "string", True)}).with_resources([
        ResourceState(address, {"id": "x", "input": digest, "output": None,
                                "triggers_replace": None}, provider=provider)])
    (tmp_path / "s.tfstate").write_bytes(encode_state(state))
    env = {**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null", "TF_IN_AUTOMATION": "1",
           "CHECKPOINT_DISABLE": "1"}
    terraform = shutil.which("terraform")
    assert terraform is not None
    for args in (["state", "list", "-state=s.tfstate"],
                 ["state", "show", "-state=s.tfstate", "terraform_data.secret"],
                 ["show", "-json", "s.tfstate"]):
        done = subprocess.run([terraform, *args], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120, env=env)
        assert done.returncode == 0, (args, done.stderr)
        assert "hunter2" not in done.stdout and digest not in done.stdout
    shown = json.loads(done.stdout)["values"]
    assert shown["root_module"]["resources"][0]["address"] == "terraform_data.secret"
    assert shown["outputs"]["pw"] == {"sensitive": True, "type": "string"} or \
        shown["outputs"]["pw"].get("value") is None


# A digest made once (scrypt is slow on purpose): the property below is about where it sits,
# beside plain scalars of every type, in objects nested in lists and tuples at any depth.
_DIGEST = SecretDigest.of("hunter2")
_PLAIN_VALUES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) \
    | st.text(max_size=4)
_KEYS = st.text("abcdef", min_size=1, max_size=3)


def _nested(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return (st.lists(inner, max_size=3) | st.lists(inner, max_size=3).map(tuple)
            | st.dictionaries(_KEYS, inner | st.just(_DIGEST), max_size=3))


@given(st.dictionaries(_KEYS, st.recursive(_PLAIN_VALUES, _nested, max_leaves=15)
                       | st.just(_DIGEST), max_size=4))
def test_split_digests_finds_every_digest_at_its_path(attributes: dict[str, Any]) -> None:
    expected = _digests_in(attributes, ())  # asks isinstance of every value
    stripped, found = split_digests(attributes)
    assert found == expected
    assert (stripped is attributes) == (not expected)  # a copy only when there are digests
    assert _digests_in(stripped, ()) == []
    assert _digests_in(attributes, ()) == expected  # the input is left as it was


def _digests_in(node: Any, at: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    if isinstance(node, SecretDigest):
        return [(at, str(node))]
    if isinstance(node, Mapping):
        return [d for key, value in node.items() for d in _digests_in(value, (*at, key))]
    if isinstance(node, list | tuple):
        return [d for index, value in enumerate(node) for d in _digests_in(value, (*at, index))]
    return []
