"""Fixtures for the corpus integration tests: one loopback emulator per test module, seeded
with the objects a real test controller would already hold (``PREEXISTING``), and a
connection that configurations are planned through (``open_provider`` with the
configuration's own ``provider "avi"`` arguments, pointed at that emulator).

Objects a fresh controller lacks but the provider's examples look up by name are created
here, never skipped: each entry says why a real environment has it. Objects only one
configuration needs (a second cloud would make every lookup of ``global`` ambiguous) are
created around that case instead (``test_corpus_plan.SETUP``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from albform.provider.client import AviClient, ClientConfig
from albform.provider.emulator.server import RunningEmulator, start_emulator

PASSWORD = "corpus-test-password"

# (type, body, why a real environment has it). Bodies are the minimum the emulator accepts.
PREEXISTING: tuple[tuple[str, dict[str, object], str], ...] = (
    ("wafcrs", {"name": "CRS-2021-2", "version": "CRS-2021-2", "release_date": "2021-06-01",
                "description": "Core rule set 2021-2", "integrity": "0" * 64, "groups": []},
     "CRS rule sets are downloaded from the Avi portal onto WAF-enabled controllers; the "
     "WAF examples pin CRS-2021-2"),
    ("wafapplicationsignatureprovider", {"name": "System-WafApplicationSignatures-Trustwave"},
     "the application-signature provider of controllers with a WAF subscription (20.1/21.1)"),
)


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with start_emulator(password=PASSWORD) as emu:
        config = ClientConfig(controller=emu.url, password=PASSWORD, api_version="30.2.1")
        with AviClient.connect(config) as client:
            for objtype, body, _ in PREEXISTING:
                client.create_object(objtype, body)
        yield emu


@pytest.fixture(scope="module")
def emulator_password() -> str:
    return PASSWORD
