"""Configurations checked against the official provider's schema (``check_body``).

Every configuration in the shared corpus was written for the official provider, so each
``avi_*`` body there must fit the generated view (a check of the generator: a missing
attribute or a wrong block/argument shape shows here); and every configuration albform itself
synthesizes or ships (the CDKTF example's ``cdk.tf.json``, the HCL examples) must fit it too,
so real Terraform with the official provider accepts them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hcl2
import pytest

from albform.provider.schema.official_view import check_body

REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO.parent / "shared" / "tf-corpus"


def _unquote(text: str) -> str:
    return text[1:-1] if text.startswith('"') and text.endswith('"') else text


def _hcl_bodies(path: Path) -> Iterator[tuple[str, str, bool, dict[str, Any]]]:
    doc = hcl2.loads(path.read_text())
    for kind in ("resource", "data"):
        for entry in doc.get(kind, []):
            for tf_type, named in entry.items():
                for name, body in named.items():
                    yield _unquote(tf_type), _unquote(name), kind == "data", body


def _json_bodies(doc: dict[str, Any]) -> Iterator[tuple[str, str, bool, dict[str, Any]]]:
    for kind in ("resource", "data"):
        for tf_type, named in doc.get(kind, {}).items():
            for name, body in named.items():
                yield tf_type, name, kind == "data", body


def _problems(bodies: Iterator[tuple[str, str, bool, dict[str, Any]]]) -> list[str]:
    out: list[str] = []
    for tf_type, name, data, body in bodies:
        if tf_type.startswith("avi_"):
            out += [f"{name}: {p}" for p in check_body(tf_type, body, data=data)]
    return out


CORPUS_FILES = sorted(CORPUS.rglob("*.tf")) if CORPUS.is_dir() else []
# Written for an older provider: the argument is gone from 30.2.1 (and from the Avi API; see
# tests/integration/corpus_expectations.txt).
OLDER_PROVIDER = {"examples/modules/nia/pool/main.tf": [
    'lb_pool: avi_pool: an argument named "apic_epg_name" is not expected here']}


@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/tf-corpus is not beside the checkout")
def test_the_whole_corpus_fits_the_official_view() -> None:
    problems: dict[str, list[str]] = {}
    checked = 0
    for path in CORPUS_FILES:
        try:
            found = _problems(_hcl_bodies(path))
        except Exception as exc:  # a file python-hcl2 cannot read is not this test's subject
            if "avi_" in path.read_text():
                problems[str(path.relative_to(CORPUS))] = [f"unreadable: {exc}"]
            continue
        checked += 1
        if found:
            problems[str(path.relative_to(CORPUS))] = found
    assert checked >= 150
    assert problems == OLDER_PROVIDER


def test_the_checker_finds_what_the_provider_rejects() -> None:
    assert check_body("avi_pool", {"name": "p", "servers": [{"ip": [{"addr": "1.1.1.1",
                                                                     "type": "V4"}]}]}) == []
    assert check_body("avi_pool", {"nme": "p"}) == [
        'avi_pool: an argument named "nme" is not expected here',
        'avi_pool: the argument "name" is required']
    assert check_body("avi_gslbservice", {"name": "g"}) == [
        'avi_gslbservice: the argument "domain_names" is required',
        'avi_gslbservice: the argument "groups" is required']
    assert check_body("avi_pool", {"name": "p", "servers": [{"port": "80"}]}) == [
        'avi_pool.servers[0]: the argument "ip" is required']
    assert check_body("avi_pool", {"name": "p", "enabled": {"__is_block__": True}}) == [
        'avi_pool: blocks of type "enabled" are not expected here']
    assert check_body("avi_nothing", {}) != []


EXAMPLE_FILES = sorted([*(REPO / "examples").rglob("*.tf"),
                        *(REPO / "examples").rglob("*.tf.json")])


def test_there_are_examples_to_check() -> None:
    assert len(EXAMPLE_FILES) >= 4


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_shipped_examples_fit_the_official_view(path: Path) -> None:
    bodies = (_json_bodies(json.loads(path.read_text())) if path.name.endswith(".json")
              else _hcl_bodies(path))
    assert _problems(bodies) == []


def test_the_cdktf_example_synthesizes_what_the_official_provider_accepts(
        tmp_path: Path) -> None:
    env = {**os.environ, "CDKTF_OUTDIR": str(tmp_path / "out")}
    proc = subprocess.run([sys.executable, str(REPO / "examples" / "cdktf-lb-demo" / "main.py")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    stacks = sorted((tmp_path / "out" / "stacks").glob("*/cdk.tf.json"))
    assert stacks
    bodies = 0
    for stack in stacks:
        doc = json.loads(stack.read_text())
        assert doc["terraform"]["required_providers"]["avi"]["source"] == "vmware/avi"
        assert doc["terraform"]["required_providers"]["avi"]["version"]
        bodies += sum(1 for _ in _json_bodies(doc))
        assert _problems(_json_bodies(doc)) == []
    assert bodies > 0
