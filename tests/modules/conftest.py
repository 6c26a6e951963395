"""Fixtures shared by the front ends' tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment whose user key (what the memos are sealed under) lives in a folder of
    the test's own."""
    return {"XDG_CACHE_HOME": str(tmp_path / "user-cache")}
