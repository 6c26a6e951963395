"""``albform cluster render`` through click: JSON/YAML output, masked keys, file:line errors
with exit 1 and no traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from albform.cli.commands.cluster_render import render_command

DEMO = Path(__file__).resolve().parents[3] / "examples" / "lb-demo"
CASE = Path(__file__).parent / "cases" / "sni_secure_host" / "input.yaml"


def _args(*extra: str) -> list[str]:
    return ["--manifests", str(DEMO / "manifests"), "--ako-config",
            str(DEMO / "avi-k8s-config.yaml"), *extra]


def _case_args(case: Path, tmp_path: Path) -> list[str]:
    """A table case's objects and settings as a manifest and a ConfigMap file."""
    spec = yaml.safe_load(case.read_text())
    (tmp_path / "objects.yaml").write_text(yaml.safe_dump_all(spec["objects"]))
    cm = {"kind": "ConfigMap", "data": {k: v if isinstance(v, str) else json.dumps(v)
                                        for k, v in spec["config"].items()}}
    (tmp_path / "cm.yaml").write_text(yaml.safe_dump(cm))
    return ["--manifests", str(tmp_path / "objects.yaml"), "--ako-config",
            str(tmp_path / "cm.yaml")]


def test_render_json_and_yaml_agree() -> None:
    runner = CliRunner()
    as_json = runner.invoke(render_command, _args(), standalone_mode=False)
    assert as_json.exit_code == 0 and as_json.return_value == 0, as_json.output
    document = json.loads(as_json.output)
    assert [(e["type"], e["name"]) for e in document["objects"]][:2] == [
        ("vsvip", "kubeadm-cluster--default-lb-demo"),
        ("pool", "kubeadm-cluster--default-lb-demo-TCP-80")]
    as_yaml = runner.invoke(render_command, [*_args(), "-o", "yaml"], standalone_mode=False)
    assert yaml.safe_load(as_yaml.output) == document


def test_private_keys_are_masked(tmp_path: Path) -> None:
    result = CliRunner().invoke(render_command, [*_case_args(CASE, tmp_path), "--objects-only"],
                                standalone_mode=False)
    assert result.return_value == 0, result.output
    certs = [e for e in json.loads(result.output) if e["type"] == "sslkeyandcertificate"]
    assert certs and certs[0]["body"]["key"] == "(sensitive value)"
    assert "PRIVATE KEY" not in result.output


def test_errors_are_file_line_and_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: Service\nmetadata: {name: [\n")
    result = CliRunner().invoke(render_command, ["--manifests", str(bad), "--ako-config",
                                                 str(DEMO / "avi-k8s-config.yaml")],
                                standalone_mode=False)
    assert result.exception is None
    assert result.return_value == 1
    assert result.output.startswith(f"Error: {bad}:4")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("flags", [["-o", "json"], ["--report"]])
def test_json_lists_crd_status_and_skipped_inputs(tmp_path: Path, flags: list[str]) -> None:
    """``-o json`` (and the older ``--report``): the CRD statuses AKO would set and the
    warnings naming what is skipped, beside the objects."""
    case = Path(__file__).parent / "cases" / "hostrule_duplicate_fqdn" / "input.yaml"
    result = CliRunner().invoke(render_command, [*_case_args(case, tmp_path), *flags],
                                standalone_mode=False)
    assert result.return_value == 0, result.output
    document = json.loads(result.stdout)
    assert list(document) == ["objects", "crds", "diagnostics"]
    assert [(c["name"], c["status"]) for c in document["crds"]] == [
        ("hr-first", "Accepted"), ("hr-second", "Rejected")]
    assert document["crds"][1]["error"] == "duplicate fqdn foo.com found in default/hr-first"
    assert [d["summary"] for d in document["diagnostics"]] == ["HostRule rejected"]
    assert document["diagnostics"][0]["where"].startswith(str(tmp_path / "objects.yaml"))
    assert any(o["type"] == "virtualservice" for o in document["objects"])


def test_objects_only_prints_the_bare_list(tmp_path: Path) -> None:
    """``--objects-only``: the entries alone, the same as the document's ``objects``."""
    case = Path(__file__).parent / "cases" / "hostrule_duplicate_fqdn" / "input.yaml"
    runner = CliRunner()
    bare = runner.invoke(render_command, [*_case_args(case, tmp_path), "--objects-only"],
                         standalone_mode=False)
    full = runner.invoke(render_command, _case_args(case, tmp_path), standalone_mode=False)
    assert bare.return_value == 0 and full.return_value == 0, bare.output
    entries = json.loads(bare.stdout)
    assert isinstance(entries, list) and entries
    assert entries == json.loads(full.stdout)["objects"]
    assert set(entries[0]) == {"type", "name", "tenant", "body"}


@pytest.mark.parametrize("case", ["ssorule_oauth_evh", "hostrule_use_regex",
                                  "httprule_sni_reencrypt", "ingress_passthrough",
                                  "route_secure_edge", "route_reencrypt_naming",
                                  "route_evh_insecure_none", "istio_enabled_pools"])
def test_crd_cases_render_with_secrets_masked(case: str, tmp_path: Path) -> None:
    """Every object type the CRDs add renders (the provider has a schema for it), and the
    OAuth secrets an SSORule puts in a VS body are masked like private keys."""
    path = Path(__file__).parent / "cases" / case / "input.yaml"
    result = CliRunner().invoke(render_command, _case_args(path, tmp_path),
                                standalone_mode=False)
    assert result.exception is None and result.return_value == 0, result.output
    assert "my-client-secret" not in result.output and "my-server-secret" not in result.output
    assert '"key": "key"' not in result.output and "istio-key" not in result.output
    assert json.loads(result.stdout)


def test_yaml_prints_certificates_as_literal_blocks(tmp_path: Path) -> None:
    """A PEM certificate reads in ``-o yaml`` as it does in a manifest (a ``|`` block, one
    line per line), not as a quoted scalar with a blank line between its lines."""
    result = CliRunner().invoke(render_command, [*_case_args(CASE, tmp_path), "-o", "yaml"],
                                standalone_mode=False)
    assert result.return_value == 0, result.output
    assert "certificate: |\n" in result.output
    assert "\n        MIIB\n        -----END CERTIFICATE-----\n" in result.output
    certs = [e for e in yaml.safe_load(result.output)["objects"]
             if e["type"] == "sslkeyandcertificate"]
    assert certs[0]["body"]["certificate"]["certificate"] == \
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


@given(st.recursive(st.text() | st.booleans() | st.integers() | st.none(),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8))
def test_yaml_output_reads_back_as_the_document(document: Any) -> None:
    """Whatever the strings hold (newlines, trailing spaces, tabs, quotes), ``-o yaml``
    parses back to the very document ``-o json`` prints."""
    from albform.cli.commands.cluster_render import _Dumper

    text = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    assert yaml.safe_load(text) == document
