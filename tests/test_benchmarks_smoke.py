"""Every benchmark runs as shipped: ``benchmarks/smoke.py`` starts each one at a tiny size in a
subprocess of its own (``benchmarks/k8s_translate.py`` once failed on an import for weeks
because nothing ran it). The figures are not looked at; only that each script exits 0."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SMOKE = REPO / "benchmarks" / "smoke.py"


def _smoke(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SMOKE), *args], capture_output=True, text=True,
                          cwd=REPO, stdin=subprocess.DEVNULL, timeout=280)


def test_every_benchmark_runs_at_a_tiny_size() -> None:
    done = _smoke()
    assert done.returncode == 0, done.stdout + done.stderr
    listed = _smoke("--list").stdout.split()
    ran = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("ok ")]
    assert ran == listed and len(listed) >= 10


def test_a_broken_or_unlisted_benchmark_fails_by_name(tmp_path: Path) -> None:
    # The smoke module runs from a copy beside a known script that fails and a new script it
    # has no tiny arguments for.
    bench = tmp_path / "benchmarks"
    bench.mkdir()
    (bench / "smoke.py").write_text(SMOKE.read_text())
    (bench / "plan_noop.py").write_text("raise ImportError('cannot import name deploy')\n")
    (bench / "new_figure.py").write_text("print('figures')\n")
    done = subprocess.run([sys.executable, str(bench / "smoke.py")], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 1
    assert "FAIL new_figure.py" in done.stdout and "has no tiny arguments" in done.stdout
    assert "FAIL plan_noop.py" in done.stdout and "cannot import name deploy" in done.stdout
    assert "0 passed, 2 failed" in done.stdout
