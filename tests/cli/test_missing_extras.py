"""Without an optional extra the user is told which one to install, once, and never gets a
traceback. The extra's package is made unimportable by a stand-in earlier on PYTHONPATH that
raises what Python raises for an absent module."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _without(tmp_path: Path, package: str) -> dict[str, str]:
    (tmp_path / "shadow" / package).mkdir(parents=True)
    (tmp_path / "shadow" / package / "__init__.py").write_text(
        f"raise ModuleNotFoundError(\"No module named '{package}'\", name={package!r})\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AVI_", "ALBFORM_"))}
    return {**env, "PYTHONPATH": str(tmp_path / "shadow"),
            "ALBFORM_EMULATOR_DB": str(tmp_path / "emulator.db")}


def test_live_cluster_without_the_k8s_extra_says_so_once(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "albform", "cluster", "plan", "--in-cluster",
                           "-no-color"], cwd=tmp_path, env=_without(tmp_path, "kubernetes"),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("Error: Cannot read the cluster") == 1
    assert "needs the 'kubernetes' package (pip install 'albform[k8s]')" in proc.stderr


def test_cdktf_example_without_the_cdktf_extra_says_which_extra(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(REPO / "examples" / "cdktf-lb-demo" / "main.py"),
                           "--cdktf", "--outdir", str(tmp_path / "out")], cwd=tmp_path,
                          env=_without(tmp_path, "cdktf"), capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "pip install 'albform[cdktf]'" in proc.stderr
    assert not (tmp_path / "out").exists()
