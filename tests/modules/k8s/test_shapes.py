"""Mistyped fields in manifests read from files are file:line errors, never a crash in the
translator (the API server would have refused them); realistic inputs pass untouched."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from albform.modules.k8s.ingest import load_manifests, parse_manifests
from albform.modules.k8s.load import ClusterInputs, load_cluster
from albform.modules.k8s.servers import NPL_POD_ANNOTATION as NPL
from albform.modules.k8s.settings import settings_from_values
from albform.modules.k8s.shapes import _all_errors, conforms, shape_errors
from albform.modules.k8s.translate import translate

REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "examples" / "lb-demo"
CASES = Path(__file__).parent / "cases"


@pytest.mark.parametrize(("text", "line", "message"), [
    ("kind: Service\nmetadata: {name: s}\nspec:\n  type: LoadBalancer\n  ports: oops\n",
     5, '"spec.ports" must be a list, not the string \'oops\''),
    ("kind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: '80'\n",
     5, '"spec.ports[0].port" must be an integer'),
    ("kind: Service\nmetadata:\n  name: s\n  labels: [a, b]\n",
     4, '"metadata.labels" must be a mapping, not a list'),
    ("kind: EndpointSlice\nmetadata: {name: e}\nendpoints:\n- addresses: 10.0.0.1\n",
     4, '"endpoints[0].addresses" must be a list'),
    ("kind: Ingress\nmetadata: {name: i}\nspec:\n  rules:\n    host: a.com\n",
     5, '"spec.rules" must be a list, not a mapping'),
    ("kind: Node\nmetadata: {name: n}\nspec:\n  podCIDRs: 10.0.0.0/24\n",
     4, '"spec.podCIDRs" must be a list'),
    ("kind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - {}\n",
     5, '"spec.ports[0].port" is required'),
    ("kind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  -\n",
     5, '"spec.ports[0]" must be a mapping, not null'),
    ("kind: Pod\nmetadata: {name: p}\nstatus: Running\n",
     3, '"status" must be a mapping, not the string \'Running\''),
    ("kind: Service\nmetadata:\n  name: ../../etc\n",
     3, '"metadata.name" must be a DNS-1123 name'),
    ("kind: Service\nmetadata: {name: s, namespace: 'a&b'}\n",
     2, '"metadata.namespace" must be a DNS-1123 name'),
    ("kind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: 99999\n",
     5, '"spec.ports[0].port" must be an integer from 1 to 65535'),
])
def test_mistyped_fields_are_file_line_errors(text: str, line: int, message: str) -> None:
    api = {"kind: Ingress": "networking.k8s.io/v1",
           "kind: EndpointSlice": "discovery.k8s.io/v1"}.get(text.split("\n")[0], "v1")
    objects, diags = parse_manifests(f"apiVersion: {api}\n" + text, "k8s/x.yaml")
    assert objects == []
    errors = diags.errors()
    assert errors, "expected an error"
    assert errors[0].subject is not None
    assert (errors[0].subject.filename, errors[0].subject.start_line) == ("k8s/x.yaml", line + 1)
    assert message in errors[0].detail


def test_misspelt_builtin_kind_is_a_warning() -> None:
    text = ("apiVersion: v1\nkind: Servicee\nmetadata: {name: s}\n---\n"
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n")
    objects, diags = parse_manifests(text, "k8s/x.yaml")
    assert [o.kind for o in objects] == ["Widget"]  # foreign kinds pass through, unchecked
    assert not diags.has_errors()
    [warning] = list(diags)
    assert warning.summary == "Unknown Kubernetes kind" and "'Servicee'" in warning.detail
    assert warning.subject is not None and warning.subject.start_line == 1


def test_npl_annotation_entries_that_are_not_objects_are_skipped() -> None:
    spec = yaml.safe_load((CASES / "npl_mode" / "input.yaml").read_text())
    config = {k: v if isinstance(v, str) else json.dumps(v) for k, v in spec["config"].items()}
    settings, _ = settings_from_values(config, {}, "input.yaml")
    assert settings is not None
    objects = spec["objects"]
    for obj in objects:
        if NPL in (obj.get("metadata", {}).get("annotations") or {}):
            obj["metadata"]["annotations"][NPL] = '[1, "x", null]'
    translation, _ = translate(objects, settings)
    pools = [o for o in translation.objects if o.api_type == "pool"]
    assert pools and all(not p.body.get("servers") for p in pools)


def test_realistic_inputs_have_no_shape_errors() -> None:
    objects, diags = load_manifests([DEMO / "manifests", DEMO / "manifests-scaled"])
    assert not diags.has_errors() and objects
    for case in sorted(CASES.glob("*/input.yaml")):
        for obj in yaml.safe_load(case.read_text())["objects"]:
            assert shape_errors(obj) == [], f"{case.parent.name}: {obj.get('kind')}"


JSON = st.recursive(st.none() | st.booleans() | st.integers(-5, 70000) | st.text(max_size=6),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=6)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _demo_documents() -> list[dict[str, Any]]:
    docs = []
    for path in sorted((DEMO / "manifests").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


@given(st.data())
def test_any_mistyped_field_is_an_error_or_translates(tmp_path_factory: Any,
                                                      data: st.DataObject) -> None:
    docs = _demo_documents()
    doc = data.draw(st.sampled_from(docs))
    path = data.draw(st.sampled_from([p for p in _paths(doc) if p[0] not in ("kind",)]))
    target: Any = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = data.draw(JSON)
    folder = tmp_path_factory.mktemp("m")
    (folder / "all.yaml").write_text(yaml.safe_dump_all(docs))
    translation, diags = load_cluster(ClusterInputs(
        (folder,), ako_config=DEMO / "avi-k8s-config.yaml",
        controller_facts=DEMO / "controller-facts.yaml"))
    assert translation is not None or diags.has_errors()


def _shaped_documents() -> list[dict[str, Any]]:
    from albform.modules.k8s.testing import synthetic_cluster

    return _demo_documents() + synthetic_cluster(2, 2, 3)


@settings(max_examples=400)
@given(st.data())
def test_the_quick_check_agrees_with_the_error_walk(data: st.DataObject) -> None:
    """``conforms`` (the compiled yes/no that spares most objects the walk) is true exactly
    when the walk that builds the messages finds nothing — for objects with any field
    replaced by any JSON value, or removed."""
    doc = copy.deepcopy(data.draw(st.sampled_from(_shaped_documents())))
    for _ in range(data.draw(st.integers(0, 2))):
        paths = _paths(doc)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        target: Any = doc
        for step in path[:-1]:
            target = target[step]
        if data.draw(st.booleans()):
            target[path[-1]] = data.draw(JSON)
        elif isinstance(target, dict):
            del target[path[-1]]
    assert conforms(doc) == (_all_errors(doc) == [])
    assert shape_errors(doc) == _all_errors(doc)[:5]
