"""Every attribute the official provider's HCL corpus sets exists in our engine schemas
(acceptance-test configs and examples from vmware/terraform-provider-avi)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import hcl2
import pytest

from albform.engine.schema import AttributeSchema
from albform.provider.schema import data_source_schema, resource_schema

META_ARGUMENTS = {"count", "for_each", "depends_on", "dynamic", "lifecycle", "provider"}
PROVIDER_ONLY_TYPES = {"avi_server", "avi_fileservice", "avi_useraccount"}
PROVIDER_ONLY_FIELDS = {("avi_pool", "ignore_servers")}
# Older examples set fields the 30.2.1 API no longer has.
REMOVED_FIELDS = {("avi_pool", "apic_epg_name")}


def _unknown(fields: Mapping[str, AttributeSchema], body: Mapping[str, Any], tf: str,
             path: tuple[str, ...] = ()) -> list[str]:
    out = []
    for key, value in body.items():
        if key.startswith("__") or key in META_ARGUMENTS:
            continue
        attr = fields.get(key)
        if attr is None:
            if (tf, ".".join((*path, key))) not in PROVIDER_ONLY_FIELDS | REMOVED_FIELDS:
                out.append(f"{tf}.{'.'.join((*path, key))}")
            continue
        if attr.fields is not None:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    out += _unknown(attr.fields, item, tf, (*path, key))
    return out


def test_corpus_attributes_exist_in_the_schema(shared_dir: Path):
    corpus = shared_dir / "tf-corpus"
    if not corpus.is_dir():
        pytest.skip("../shared/tf-corpus is absent")
    files = sorted(corpus.rglob("*.tf"))
    unknown: list[str] = []
    blocks = 0
    for path in files:
        with path.open() as handle:
            document = hcl2.load(handle)
        for kind, schema_of in (("resource", resource_schema), ("data", data_source_schema)):
            for entry in document.get(kind, []):
                for label, instances in entry.items():
                    tf = label.strip('"')
                    if not tf.startswith("avi_") or tf in PROVIDER_ONLY_TYPES:
                        continue
                    schema = schema_of(tf)
                    for body in instances.values():
                        blocks += 1
                        unknown += _unknown(schema.attributes, body, tf)
    assert len(files) > 100 and blocks > 400
    assert unknown == []
