"""Fixtures: a real emulator over loopback HTTP, and a logged-in ``requests`` client."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from albform.provider.emulator import RunningEmulator, start_emulator

sys.path.insert(0, str(Path(__file__).parent))

from emuclient import PASSWORD, Client


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with start_emulator(password=PASSWORD) as emu:
        yield emu


@pytest.fixture()
def client(emulator: RunningEmulator) -> Client:
    return Client(emulator.url)
