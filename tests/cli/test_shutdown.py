"""SIGTERM is a shutdown like SIGINT: the first sets the stop event, and a call hanging past
the grace period (or a second signal) aborts with KeyboardInterrupt; handlers are restored."""

from __future__ import annotations

import os
import signal
import time

import pytest

from albform.cli.shutdown import graceful_shutdown


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_first_signal_stops_and_the_grace_period_bounds_the_wait(
        capsys: pytest.CaptureFixture[str], sig: int) -> None:
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    with pytest.raises(KeyboardInterrupt), \
            graceful_shutdown(grace_s=0.2, abort_s=3600) as stop:
        os.kill(os.getpid(), sig)
        assert stop.wait(30)
        time.sleep(60)  # a call that never returns: the grace timer interrupts it
    err = capsys.readouterr().err
    assert "Gracefully shutting down..." in err
    assert "did not stop within 0.2 s of the signal. Exiting immediately." in err
    assert {s: signal.getsignal(s) for s in before} == before


def test_second_signal_aborts_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(KeyboardInterrupt), \
            graceful_shutdown(grace_s=3600, abort_s=3600) as stop:
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.wait(30)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(60)
    err = capsys.readouterr().err
    assert "Termination signal (SIGTERM) received." in err
    assert "Two interrupts received. Exiting immediately." in err
