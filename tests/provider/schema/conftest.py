"""Fixtures for the schema table tests: the Swagger files, read independently of the
generator, so that tests compare the table against the source rather than against itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def swagger_dir(shared_dir: Path) -> Path:
    path = shared_dir / "avi" / "swagger"
    if not path.is_dir():
        pytest.skip("../shared/avi/swagger is absent")
    return path


@pytest.fixture(scope="session")
def swagger_docs(swagger_dir: Path) -> dict[str, dict[str, Any]]:
    docs = {}
    for path in sorted(swagger_dir.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if "swagger" in doc:
            docs[path.stem] = doc
    return docs


@pytest.fixture(scope="session")
def main_definitions(swagger_docs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each object's own definition from its own 30.2.1 file (``Pool`` from Pool.json)."""
    return {stem: doc["definitions"][stem] for stem, doc in swagger_docs.items()
            if stem in doc["definitions"] and doc["info"]["version"] == "30.2.1"}


@pytest.fixture(scope="session")
def all_definitions(swagger_docs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every definition of the 30.2.1 files, first file (alphabetically) wins."""
    out: dict[str, dict[str, Any]] = {}
    for doc in swagger_docs.values():
        if doc["info"]["version"] != "30.2.1":
            continue
        for name, definition in doc["definitions"].items():
            out.setdefault(name, definition)
    return out
