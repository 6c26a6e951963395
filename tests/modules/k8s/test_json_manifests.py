"""JSON manifests read through ``jsonsrc`` give exactly what reading them as YAML gives:
the same objects at the same lines, and the same diagnostics (with lines inside objects)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from albform.modules.k8s import ingest
from albform.modules.k8s.jsonsrc import json_manifest
from albform.modules.k8s.testing import synthetic_cluster


def both(text: str) -> tuple[Any, Any]:
    fast = ingest.parse_manifests(text, "c.json")
    slow = ingest.parse_manifests(text, "c.yaml")  # the YAML reader, lines from its nodes
    return fast, slow


def summary(parsed: Any) -> Any:
    """Objects and diagnostics, lines included (file names aside: they differ by design)."""
    objects, diags = parsed
    return ([(o.data, o.source.start_line) for o in objects],
            [(d.summary, d.detail, d.subject.start_line, d.subject.start_column)
             for d in diags])


@pytest.mark.parametrize("indent", [None, 0, 1, 2])
def test_a_cluster_list_reads_the_same_as_yaml(indent: int | None) -> None:
    items = synthetic_cluster(3, 4, 4)
    text = json.dumps({"apiVersion": "v1", "kind": "List", "items": items}, indent=indent)
    fast, slow = both(text)
    assert summary(fast) == summary(slow)
    assert len(fast[0]) == len(items)
    if indent is not None:  # one object per line range: the lines differ from object to object
        assert len({o.source.start_line for o in fast[0]}) == len(items)


def test_typed_lists_and_single_objects_read_the_same_as_yaml() -> None:
    services = [o for o in synthetic_cluster(1, 3, 0) if o["kind"] == "Service"]
    for doc in ({"apiVersion": "v1", "kind": "ServiceList",
                 "items": [{k: v for k, v in s.items() if k != "kind"} for s in services]},
                services[0]):
        fast, slow = both(json.dumps(doc, indent=2))
        assert summary(fast) == summary(slow) and fast[0]


def test_an_object_needing_a_diagnostic_is_reported_at_the_yaml_line() -> None:
    items = synthetic_cluster(1, 2, 0)
    service = next(o for o in items if o["kind"] == "Service")
    service["spec"]["ports"] = "eighty"  # a mistyped field: the line of "ports"
    text = json.dumps({"apiVersion": "v1", "kind": "List", "items": items}, indent=2)
    fast, slow = both(text)
    assert summary(fast) == summary(slow)
    assert fast[1].has_errors()
    line = fast[1][0].subject.start_line
    assert '"ports"' in text.splitlines()[line - 1]


@pytest.mark.parametrize("text", ["", "{", '{"a": 1} {"b": 2}', "[1, 2", '{"items": [1,, 2]}',
                                  "kind: List\nitems: []\n"])
def test_text_that_is_not_one_json_document_goes_to_the_yaml_reader(text: str) -> None:
    assert json_manifest(text) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                 max_size=3),
    max_leaves=10)


@settings(max_examples=200)
@given(doc=st.dictionaries(st.text(max_size=5), json_values, max_size=4),
       items=st.lists(json_values, max_size=4), indent=st.sampled_from([None, 1, 3]))
def test_decoding_matches_json_loads(doc: dict[str, Any], items: list[Any],
                                     indent: int | None) -> None:
    text = json.dumps({**doc, "items": items}, indent=indent)
    manifest = json_manifest(text)
    assert manifest is not None and manifest.data == json.loads(text)
    assert manifest.item_lines is not None and len(manifest.item_lines) == len(items)
