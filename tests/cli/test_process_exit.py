"""cli/process_exit.py: the hard exit keeps what a normal exit guarantees (output, exit
handlers, status, working threads) and skips only the freeing; without ``enable`` nothing
changes. Each case runs in its own interpreter (a hard exit would end pytest's)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PRELUDE = """
import atexit, sys, threading, time
from albform.cli import process_exit

class Noisy:
    def __del__(self):
        sys.stdout.write("freed\\n")

def command():
    big = Noisy()
    process_exit.keep(big)
    return 3
"""


def _run(body: str) -> subprocess.CompletedProcess[str]:
    code = PRELUDE + textwrap.dedent(body)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)


def test_hard_exit_skips_freeing_but_keeps_output_handlers_and_status() -> None:
    done = _run("""
        process_exit.enable()
        atexit.register(lambda: print("exit handler ran"))
        sys.stdout.write("partial line without newline")
        process_exit.exit_process(command())
    """)
    assert done.returncode == 3
    assert done.stdout.startswith("partial line without newline")
    assert "exit handler ran" in done.stdout
    assert "freed" not in done.stdout  # kept alive, never freed one by one


def test_without_enable_nothing_is_kept_and_the_exit_is_ordinary() -> None:
    done = _run("""
        atexit.register(lambda: print("exit handler ran"))
        code = command()
        print("after command")
        process_exit.exit_process(code)
    """)
    assert done.returncode == 3
    assert "exit handler ran" in done.stdout
    # Not kept: freed when command() returned, before the line printed after it.
    assert done.stdout.startswith("freed\nafter command\n")


@pytest.mark.parametrize("daemon", [False, True])
def test_a_working_thread_is_waited_for_as_a_normal_exit_would(daemon: bool) -> None:
    done = _run(f"""
        process_exit.enable()
        def work():
            time.sleep(0.5)
            print("thread finished", flush=True)
        threading.Thread(target=work, daemon={daemon}).start()
        process_exit.exit_process(command())
    """)
    assert done.returncode == 3
    if daemon:
        # Abandoned by a normal exit too: the hard exit may end the process at once.
        assert "thread finished" not in done.stdout
    else:
        assert "thread finished" in done.stdout


def test_a_closed_stdout_falls_back_to_the_normal_exit() -> None:
    code = PRELUDE + textwrap.dedent("""
        process_exit.enable()
        sys.stdout.write("x" * 1000)  # stays in the buffer: stdout is a pipe
        sys.stdin.readline()  # until the reader has gone
        process_exit.exit_process(command())
    """)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # a buffered stdout
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader goes away, as `albform plan | head -1` does
    proc.stdin.write("go\n")
    proc.stdin.close()
    err = proc.stderr.read()
    status = proc.wait(timeout=60)
    # Python's own report of a broken pipe at exit (status 120), not a silent success.
    assert status == 120, err
    assert "BrokenPipeError" in err


def test_the_console_entry_point_enables_the_hard_exit() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import sys\n"
         "from albform.cli import main as m, process_exit\n"
         "seen = []\n"
         "real = process_exit.exit_process\n"
         "def spy(code):\n"
         "    seen.append(process_exit._enabled)\n"
         "    print('enabled' if process_exit._enabled else 'ordinary')\n"
         "    real(code)\n"
         "process_exit.exit_process = spy\n"
         "sys.argv = ['albform', 'version']\n"
         "m.run()\n"],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "albform" in done.stdout.lower()
    assert done.stdout.strip().endswith("enabled")


def test_a_profiler_wrapping_the_entry_point_still_writes_its_results(tmp_path: Path) -> None:
    out = tmp_path / "profile.out"
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out), "-m", "albform",
                           "version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.is_file() and out.stat().st_size > 0
