"""Manifest ingestion: files, directories, multi-document YAML, List kinds, kubectl JSON dumps,
and file:line diagnostics for bad input."""

from __future__ import annotations

import json
from pathlib import Path

from albform.modules.k8s.ingest import load_manifests, parse_manifests


def test_multi_document_yaml_keeps_each_objects_line() -> None:
    text = ("apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n# comment\n"
            "apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n")
    objects, diags = parse_manifests(text, "m.yaml")
    assert not diags
    assert [(o.kind, o.name, o.source.start_line if o.source else 0) for o in objects] == [
        ("Service", "a", 1), ("Node", "n1", 6)]
    assert objects[0].namespace == "default"


def test_list_kind_expands_items_and_infers_typed_list_kind() -> None:
    text = ("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n"
            "  metadata: {name: p1, namespace: x}\n"
            "---\napiVersion: v1\nkind: ServiceList\nitems:\n- metadata: {name: s1}\n")
    objects, diags = parse_manifests(text, "l.yaml")
    assert not diags
    assert [(o.kind, o.name, o.namespace) for o in objects] == [
        ("Pod", "p1", "x"), ("Service", "s1", "default")]
    assert objects[0].source is not None and objects[0].source.start_line == 4
    assert objects[1].source is not None and objects[1].source.start_line == 11


def test_kubectl_json_dump(tmp_path: Path) -> None:
    dump = {"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "n"},
         "spec": {"type": "LoadBalancer", "ports": [{"port": 80}]}}]}
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(dump, indent=2))
    objects, diags = load_manifests([path])
    assert not diags
    assert [(o.kind, o.name) for o in objects] == [("Service", "web")]
    assert objects[0].source is not None and objects[0].source.start_line == 5


def test_directory_is_read_recursively_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "b.yaml").write_text("apiVersion: v1\nkind: Node\nmetadata: {name: b}\n")
    (tmp_path / "sub" / "a.yml").write_text("apiVersion: v1\nkind: Node\nmetadata: {name: a}\n")
    (tmp_path / "notes.txt").write_text("not a manifest: [")
    objects, diags = load_manifests([tmp_path])
    assert not diags
    assert [o.name for o in objects] == ["b", "a"]


def test_bad_yaml_is_a_file_line_error_and_other_files_still_load(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: Node\nmetadata: {name: ok}\n")
    (tmp_path / "b.yaml").write_text("apiVersion: v1\nkind: Node\nmetadata:\n  name: [x\n")
    objects, diags = load_manifests([tmp_path])
    assert [o.name for o in objects] == ["ok"]
    assert len(diags) == 1 and diags.has_errors()
    text = str(diags[0])
    assert text.startswith(f"Error: {tmp_path / 'b.yaml'}:5")
    assert "Invalid YAML" in text


def test_objects_without_kind_or_name_are_errors_with_lines() -> None:
    text = "apiVersion: v1\nmetadata: {name: a}\n---\nkind: Service\nmetadata: {}\n---\n- 1\n"
    objects, diags = parse_manifests(text, "m.yaml")
    assert objects == []
    assert [(d.summary, d.subject.start_line if d.subject else 0) for d in diags] == [
        ("Invalid Kubernetes object", 1), ("Invalid Kubernetes object", 4),
        ("Invalid Kubernetes object", 7)]


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    objects, diags = load_manifests([tmp_path / "nope.yaml"])
    assert objects == [] and diags.has_errors()
    assert "Manifest not found" in str(diags[0])
