"""Helpers for the HCL reader tests: write a module from a dict of file texts."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

Writer = Callable[..., Path]


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    def _write(files: dict[str, str], under: str = "root") -> Path:
        root = tmp_path / under
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
        return root
    return _write
