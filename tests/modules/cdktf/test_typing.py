"""mypy checks nested blocks of the generated constructs (``blocks.py`` TypedDicts): a
misspelt field inside ``servers[].ip`` is a type error, a correct configuration is not."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

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


def run_mypy(tmp_path: Path) -> list[tuple[str, int]]:
    """(file, line) of every mypy error in the two snippets, checked against this checkout
    (mypy cannot see through the editable install, so ``albform`` is a symlink to the repo)."""
    (tmp_path / "path").mkdir()
    (tmp_path / "path" / "albform").symlink_to(REPO, target_is_directory=True)
    (tmp_path / "correct.py").write_text(CORRECT, encoding="utf-8")
    (tmp_path / "misspelt.py").write_text(MISSPELT, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
         "--no-error-summary", "--cache-dir", str(tmp_path / "cache"),
         "correct.py", "misspelt.py"],
        cwd=tmp_path, env={"MYPYPATH": str(tmp_path / "path"), "PATH": ""},
        capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode in (0, 1), result.stderr
    found = re.findall(r"^(\w+\.py):(\d+): error:", result.stdout, re.MULTILINE)
    return [(name, int(line)) for name, line in found]


def test_mypy_rejects_misspelt_nested_fields_and_accepts_correct_ones(tmp_path: Path) -> None:
    errors = run_mypy(tmp_path)
    assert [e for e in errors if e[0] == "correct.py"] == []
    assert sorted({line for name, line in errors if name == "misspelt.py"}) == [5, 6]
