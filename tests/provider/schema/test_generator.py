"""The generator is deterministic and the committed table is its current output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from albform.provider.schema.table import read_raw_table

REPO = Path(__file__).resolve().parents[3]
COMMITTED = REPO / "provider" / "schema" / "avi_schema.json.gz"


def _generate(swagger_dir: Path, out: Path) -> bytes:
    subprocess.run([sys.executable, str(REPO / "tools" / "gen_schema.py"), str(swagger_dir),
                    str(out)], check=True, capture_output=True)
    return out.read_bytes()


def test_regeneration_is_byte_identical_and_matches_the_committed_table(swagger_dir, tmp_path):
    first = _generate(swagger_dir, tmp_path / "a.json.gz")
    second = _generate(swagger_dir, tmp_path / "b.json.gz")
    assert first == second
    assert first == COMMITTED.read_bytes(), "run tools/gen_schema.py and commit the table"


def test_generator_refuses_a_missing_directory(tmp_path):
    result = subprocess.run([sys.executable, str(REPO / "tools" / "gen_schema.py"),
                             str(tmp_path / "nope"), str(tmp_path / "x.json.gz")],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "no Swagger directory" in result.stderr
    assert not (tmp_path / "x.json.gz").exists()


def test_table_header():
    raw = read_raw_table(COMMITTED.read_bytes())
    assert raw["swagger_version"] == "30.2.1"
    assert raw["generator"] == "tools/gen_schema.py"
