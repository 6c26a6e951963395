"""Every example folder has a README that says what it shows and how to run it: a shell block
with the command lines, and every file or folder of the example named (issue 14 item 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FOLDERS = sorted(p for p in EXAMPLES.iterdir() if p.is_dir() and not p.name.startswith("."))


@pytest.mark.parametrize("folder", FOLDERS, ids=[p.name for p in FOLDERS])
def test_example_folder_has_a_readme_naming_its_parts(folder: Path) -> None:
    readme = folder / "README.md"
    assert readme.is_file(), f"{folder.name} has no README.md"
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# "), "a title first"
    assert "```sh" in text, "how to run it, as shell command lines"
    parts = [p.name for p in folder.iterdir() if p.name not in ("README.md", "__pycache__")
             and not p.name.startswith(".")]
    unnamed = [name for name in parts if name not in text]
    assert not unnamed, f"{folder.name}/README.md does not mention {unnamed}"
