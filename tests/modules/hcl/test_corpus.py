"""Every configuration of the provider's corpus (../shared/tf-corpus) loads into resources that
are valid against the provider's schema table, or fails only with diagnostics naming a
genuinely unsupported construct, recorded with a reason in corpus_unsupported.txt."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from albform.engine.config import Configuration
from albform.engine.values import Deferred
from albform.modules.hcl.cache import ParseCache
from albform.modules.hcl.load import configuration_files, load_configuration
from albform.modules.hcl.schemas import UNCHECKED_TYPES
from albform.modules.hcl.testing import corpus_cases, write_dummy_values
from albform.provider.schema import data_source_schema, resource_schema

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "tf-corpus"
UNSUPPORTED_FILE = Path(__file__).with_name("corpus_unsupported.txt")
# Summaries that name a construct albform does not support (anything else is a reader bug).
UNSUPPORTED_SUMMARIES = {"Unsupported resource type", "Invalid resource type",
                         "Unsupported argument", "Invalid provider argument"}
CACHE = ParseCache(None)  # shared across cases; never writes into the read-only corpus


def _unsupported() -> dict[str, str]:
    entries: dict[str, str] = {}
    for line in UNSUPPORTED_FILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            path, _, reason = line.partition("|")
            entries[path.strip()] = reason.strip()
    return entries


def _cases() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return corpus_cases(CORPUS)


def _check_against_schema(config: Configuration) -> None:
    for resource in config.resources:
        if resource.type in UNCHECKED_TYPES:  # provider-only types without a table schema
            continue
        schema = data_source_schema(resource.type) if resource.address.is_data else \
            resource_schema(resource.type)
        _walk(resource.attributes, dict(schema.attributes), str(resource.address))


def _walk(value: Any, fields: dict[str, Any] | None, where: str) -> None:
    if fields is None or isinstance(value, Deferred):
        return
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, dict):
            continue
        for key, inner in item.items():
            if key == "ignore_servers":  # the official provider's own argument
                continue
            assert key in fields, f"{where}: {key} is not in the schema"
            nested = fields[key].fields
            _walk(inner, dict(nested) if nested is not None else None, f"{where}.{key}")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/tf-corpus is not available")
@pytest.mark.parametrize("path", _cases(), ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_configuration(path: Path, tmp_path: Path) -> None:
    relative = str(path.relative_to(CORPUS))
    var_files = [p for p in path.glob("*.tfvars") if p.name != "terraform.tfvars"] \
        if path.is_dir() else []
    dummy = write_dummy_values(configuration_files(path) if path.is_dir() else [path], CACHE,
                               tmp_path / "dummy.tfvars")
    config, diags = load_configuration(path, var_files=[dummy, *var_files], env={},
                                       cache=CACHE)
    unsupported = _unsupported()
    errors = diags.errors()
    if relative in unsupported:
        assert errors, f"{relative} now loads: remove it from corpus_unsupported.txt"
        for error in errors:
            assert error.summary in UNSUPPORTED_SUMMARIES, str(error)
            assert error.subject is not None and error.subject.start_line >= 1
        return
    assert not errors, "\n".join(str(e) for e in errors)
    assert config.resources or config.outputs or config.provider_config
    _check_against_schema(config)


def test_unsupported_list_names_real_files() -> None:
    for relative, reason in _unsupported().items():
        assert (CORPUS / relative).exists() or not CORPUS.is_dir(), relative
        assert re.search(r"\w{4,}", reason), f"{relative} needs a reason"
