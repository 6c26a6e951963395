"""``open_provider``: the embedded emulator (persistent across runs) and a configured
controller (provider arguments or AVI_* environment variables)."""

from __future__ import annotations

from pathlib import Path

import pytest

from albform.engine.provider import ProviderError, ReadRequest
from albform.provider.emulator.server import RunningEmulator
from albform.provider.factory import EMULATOR_DB, open_provider, start_early


def test_embedded_emulator_keeps_objects_between_runs(tmp_path: Path) -> None:
    with open_provider({}, workdir=tmp_path, env={}) as provider:
        made = provider.create("avi_pool", {"name": "persisted"}).attributes
        emulator_url = provider.api.session.base_url  # type: ignore[attr-defined]
        assert emulator_url.startswith("http://127.0.0.1:")
    assert (tmp_path / EMULATOR_DB).is_file()
    with open_provider({"avi_tenant": "admin"}, workdir=tmp_path, env={}) as provider:
        again = provider.read(ReadRequest("avi_pool", made)).attributes
        assert again is not None and again["name"] == "persisted"
        cloud = provider.read_data_source("avi_cloud", {"name": "Default-Cloud"})
        assert not cloud.diagnostics, "built-ins are seeded once, not once per run"
        provider.delete("avi_pool", made)
    with open_provider({}, workdir=tmp_path, env={}) as provider:
        assert provider.read(ReadRequest("avi_pool", made)).attributes is None


def test_configured_controller_by_arguments_and_by_environment(emulator: RunningEmulator,
                                                               tmp_path: Path) -> None:
    args = {"avi_controller": emulator.url, "avi_password": "test-password",
            "avi_version": "30.2.1", "avi_username": None}
    with open_provider(args, workdir=tmp_path, env={}) as provider:
        made = provider.create("avi_stringgroup", {"name": "by-args",
                                                   "type": "SG_TYPE_STRING"}).attributes
    env = {"AVI_CONTROLLER": emulator.url, "AVI_PASSWORD": "test-password"}
    with open_provider({}, workdir=tmp_path, env=env) as provider:
        assert provider.read(ReadRequest("avi_stringgroup", made)).attributes is not None
        provider.delete("avi_stringgroup", made)
    assert not (tmp_path / EMULATOR_DB).exists(), "no emulator when a controller is set"


def test_bad_provider_configuration_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProviderError, match="avi_colour"), \
            open_provider({"avi_controller": "10.0.0.1", "avi_colour": "blue"},
                          workdir=tmp_path, env={}):
        pass
    with pytest.raises(ProviderError, match=r"timeout"), \
            open_provider({"avi_controller": "10.0.0.1", "avi_api_timeout": "soon"},
                          workdir=tmp_path, env={}):
        pass


def test_albform_emulator_db_shares_one_controller(tmp_path: Path) -> None:
    shared = tmp_path / "shared" / "controller.db"
    env = {"ALBFORM_EMULATOR_DB": str(shared)}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with open_provider({}, workdir=tmp_path / "a", env=env) as provider:
        made = provider.create("avi_pool", {"name": "shared-pool"}).attributes
    with open_provider({}, workdir=tmp_path / "b", env=env) as provider:
        assert provider.read(ReadRequest("avi_pool", made)).attributes is not None
    assert shared.is_file()
    assert not (tmp_path / "a" / EMULATOR_DB).exists()


def test_an_early_emulator_serves_the_run_or_is_stopped(emulator: RunningEmulator,
                                                        tmp_path: Path) -> None:
    assert start_early(tmp_path, {}) is None  # no database here yet: nothing is made
    with open_provider({}, workdir=tmp_path, env={}) as provider:
        made = provider.create("avi_pool", {"name": "early"}).attributes
    early = start_early(tmp_path, {})
    assert early is not None
    assert start_early(tmp_path, {"AVI_CONTROLLER": emulator.url}) is None
    with open_provider({}, workdir=tmp_path, env={}, early=early) as provider:
        assert provider.read(ReadRequest("avi_pool", made)).attributes is not None
        assert provider.api.session.config.password == early.password  # type: ignore[attr-defined]
    early.abandon()  # handed over: nothing left to stop
    # The configuration names a controller after all: the early emulator is stopped.
    early = start_early(tmp_path, {})
    assert early is not None
    child = early._proc
    args = {"avi_controller": emulator.url, "avi_password": "test-password",
            "avi_version": "30.2.1"}
    with open_provider(args, workdir=tmp_path, env={}, early=early) as provider:
        assert provider.read(ReadRequest("avi_pool", made)).attributes is None
    assert child is not None and child.poll() is not None
