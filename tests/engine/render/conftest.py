"""Golden-file support: ``pytest tests/engine/render --update-goldens`` (or
``ALBFORM_UPDATE_GOLDENS=1``) rewrites ``golden/*`` from the current output instead of
comparing."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite golden files from the current output")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    update = bool(request.config.getoption("--update-goldens", default=False)) or \
        os.environ.get("ALBFORM_UPDATE_GOLDENS") == "1"

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        if not path.exists():
            pytest.fail(f"golden file {path} is missing; run with --update-goldens")
        assert text == path.read_text(encoding="utf-8"), f"output differs from {path}"

    return check
