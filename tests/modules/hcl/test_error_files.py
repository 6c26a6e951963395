"""Each error_files/*.tf marks its mistakes with ``# ERROR: <summary>`` on the offending line;
loading it must report exactly those error summaries at exactly those lines, and no others
(and never raise)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from albform.modules.hcl.cache import ParseCache
from albform.modules.hcl.load import load_configuration

ERROR_FILES = sorted((Path(__file__).parent / "error_files").glob("*.tf"))
MARKER = re.compile(r"#\s*ERROR:\s*(.+?)\s*$")


def _expected(path: Path) -> set[tuple[int, str]]:
    found = set()
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        m = MARKER.search(line)
        if m:
            found.add((number, m.group(1)))
    return found


@pytest.mark.parametrize("path", ERROR_FILES, ids=lambda p: p.name)
def test_error_file(path: Path) -> None:
    _, diags = load_configuration(path, env={}, cache=ParseCache(None))
    actual = set()
    for error in diags.errors():
        assert error.subject is not None, f"no file:line for {error}"
        assert error.subject.filename == str(path)
        actual.add((error.subject.start_line, error.summary))
    assert actual == _expected(path), "\n".join(str(e) for e in diags.errors())


def test_error_files_exist() -> None:
    assert len(ERROR_FILES) >= 7
