"""Fixtures: one loopback emulator per test module and an AviProvider connected to it through
the real client (``albform.provider.client``); ``raw`` is a second connection for out-of-band
edits (what another admin or AKO would do)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from albform.provider.client import AviClient, ClientConfig
from albform.provider.emulator.server import RunningEmulator, start_emulator
from albform.provider.resources.provider import AviProvider
from albform.provider.schema.table import load_table

PASSWORD = "test-password"


def connect(emu: RunningEmulator, **changes: object) -> AviClient:
    config = ClientConfig(controller=emu.url, password=PASSWORD, api_version="30.2.1")
    return AviClient.connect(config.with_changes(**changes) if changes else config)


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with start_emulator(password=PASSWORD) as emu:
        yield emu


@pytest.fixture(scope="module")
def provider(emulator: RunningEmulator) -> Iterator[AviProvider]:
    with connect(emulator) as client:
        yield AviProvider(client, load_table())


@pytest.fixture(scope="module")
def raw(emulator: RunningEmulator) -> Iterator[AviClient]:
    with connect(emulator) as client:
        yield client
