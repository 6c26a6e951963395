"""mypy checks nested blocks of the generated constructs (``blocks.py`` TypedDicts): a
misspelt field inside ``servers[].ip`` is a type error, a correct configuration is not — in
the pure style and on the real cdktf runtime (``interop``, whose classes are made at run
time and declared for type checkers by the generated ``interop_classes.pyi``)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]

CORRECT = '''
from albform.modules.cdktf import App, AviPool, AviVsvip, Stack
from albform.modules.cdktf.blocks import IpAddr, Server

stack = Stack(App(), "s")
addr: IpAddr = {"addr": "10.0.0.1", "type": "V4"}
server: Server = {"ip": addr, "port": 80}
AviPool(stack, "p", name="p", servers=[server, {"ip": {"addr": "10.0.0.2", "type": "V4"}}])
AviPool(stack, "q", name="q", servers={"ip": addr})  # one block as a mapping
AviVsvip(stack, "v", name="v",
         vip=[{"vip_id": "1", "ip_address": {"addr": "10.0.0.9", "type": "V4"}}])
'''

MISSPELT = '''
from albform.modules.cdktf import App, AviPool, Stack

stack = Stack(App(), "s")
AviPool(stack, "p", name="p", servers=[{"ip": {"adr": "10.0.0.1", "type": "V4"}}])
AviPool(stack, "q", name="q", servers=[{"ip": {"addr": "10.0.0.1"}, "prot": 80}])
'''


INTEROP_CORRECT = '''
from cdktf import App, TerraformStack

from albform.modules.cdktf.interop import AviPool, AviProvider, DataAviCloud

stack = TerraformStack(App(), "s")
AviProvider(stack, "avi")
cloud = DataAviCloud(stack, "c", name="Default-Cloud")
AviPool(stack, "p", name="p", cloud_ref=cloud.id, servers=[
    {"ip": {"addr": "10.0.0.1", "type": "V4"}, "port": 80}])
'''

INTEROP_WRONG = '''
from cdktf import App, TerraformStack

from albform.modules.cdktf.interop import AviPool, DataAviCloud

stack = TerraformStack(App(), "s")
AviPool(stack, "p", name="p", servers=[{"ip": "10.0.0.1"}])
AviPool(stack, "q", name="q", servers=[{"ip": {"adr": "10.0.0.1", "type": "V4"}}])
AviPool(stack, "r", nme="r")
DataAviCloud(stack, "c", name=["Default-Cloud"])
'''

HAS_CDKTF = importlib.util.find_spec("cdktf") is not None


def run_mypy(tmp_path: Path, snippets: dict[str, str]) -> list[tuple[str, int]]:
    """(file, line) of every mypy error in ``snippets`` (file name -> source), checked
    against this checkout (mypy cannot see through the editable install, so ``albform`` is
    a symlink to the repo)."""
    (tmp_path / "path").mkdir()
    (tmp_path / "path" / "albform").symlink_to(REPO, target_is_directory=True)
    for name, source in snippets.items():
        (tmp_path / name).write_text(source, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
         "--no-error-summary", "--cache-dir", str(tmp_path / "cache"), *snippets],
        cwd=tmp_path, env={"MYPYPATH": str(tmp_path / "path"), "PATH": ""},
        capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode in (0, 1), result.stderr
    found = re.findall(r"^(\w+\.py):(\d+): error:", result.stdout, re.MULTILINE)
    return [(name, int(line)) for name, line in found]


@pytest.fixture(scope="module")
def mypy_errors(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, int]]:
    """One mypy run over every snippet (the interop ones when cdktf is installed)."""
    snippets = {"correct.py": CORRECT, "misspelt.py": MISSPELT}
    if HAS_CDKTF:
        snippets |= {"interop_correct.py": INTEROP_CORRECT, "interop_wrong.py": INTEROP_WRONG}
    return run_mypy(tmp_path_factory.mktemp("mypy"), snippets)


def _lines(errors: list[tuple[str, int]], name: str) -> list[int]:
    return sorted({line for file, line in errors if file == name})


def test_mypy_rejects_misspelt_nested_fields_and_accepts_correct_ones(
        mypy_errors: list[tuple[str, int]]) -> None:
    assert _lines(mypy_errors, "correct.py") == []
    assert _lines(mypy_errors, "misspelt.py") == [5, 6]


@pytest.mark.skipif(not HAS_CDKTF, reason="the cdktf extra is not installed")
def test_mypy_checks_the_interop_classes_arguments_and_nested_fields(
        mypy_errors: list[tuple[str, int]]) -> None:
    assert _lines(mypy_errors, "interop_correct.py") == []
    # A nested field of the wrong type, a misspelt nested field, a misspelt argument, an
    # argument of the wrong type on a data source.
    assert _lines(mypy_errors, "interop_wrong.py") == [7, 8, 9, 10]
