"""The provider, the state and the refresh opened while the configuration decodes
(cli/opening_ahead.py), through the real CLI and the embedded emulator: a plan made that way
still sees what changed on the controller and uses variables in the provider block; errors
in the configuration are reported as before (nothing about the controller is shown, the state
and its lock are left as they were); settings it cannot know early (a function in the
provider block) are opened the usual way; warnings come before the controller line."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import Any

import pytest

from albform.cli import opening_ahead
from albform.cli.main import main

CONFIG = """
variable "tenant" {
  default = "admin"
}

provider "avi" {
  avi_tenant = var.tenant
}

resource "avi_healthmonitor" "hm" {
  name = "ahead-hm"
  type = "HEALTH_MONITOR_TCP"
}
""" + "".join(f"""
resource "avi_pool" "p{i}" {{
  name                = "ahead-pool-{i}"
  default_server_port = 80
  health_monitor_refs = [avi_healthmonitor.hm.id]
}}
""" for i in range(3))


def _applied(albform: Any, tmp_path: Path, config: str = CONFIG) -> tuple[Path, str]:
    work = tmp_path / "cfg"
    work.mkdir()
    (work / "main.tf").write_text(config)
    chdir = "-chdir=" + str(work)
    applied = albform(chdir, "apply", "-auto-approve")
    assert applied.code == 0, applied.out + applied.err
    return work, chdir


def _in_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *args: str,
                ) -> tuple[int, str, str, list[Any]]:
    """``albform ARGS`` in this process (exit code, stdout, stderr), and what each
    ``OpeningAhead.take`` returned."""
    taken: list[Any] = []
    take = opening_ahead.OpeningAhead.take

    def spy(self: Any, *a: Any) -> Any:
        taken.append(take(self, *a))
        return taken[-1]

    monkeypatch.setattr(opening_ahead.OpeningAhead, "take", spy)
    monkeypatch.setenv("ALBFORM_EMULATOR_DB", str(tmp_path / "emulator.db"))
    for key in ("AVI_CONTROLLER", "AVI_USERNAME", "AVI_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            pytest.raises(SystemExit) as stopped:
        main(list(args))
    return int(stopped.value.code or 0), out.getvalue(), err.getvalue(), taken


def test_a_plan_opened_ahead_sees_what_changed_on_the_controller(
        albform: Any, tmp_path: Path, out_of_band_client: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _, chdir = _applied(albform, tmp_path)
    code, out, err, taken = _in_process(monkeypatch, tmp_path, chdir, "plan",
                                        "-detailed-exitcode", "-no-color")
    assert code == 0, out + err
    assert len(taken) == 1 and taken[0] is not None  # opened ahead, and used
    assert "No changes." in out

    with out_of_band_client(tmp_path / "emulator.db") as client:
        edited = client.get_by_name("pool", "ahead-pool-1")
        assert edited is not None
        client.replace_object("pool", edited["uuid"], {**edited, "default_server_port": 81})
    code, out, err, taken = _in_process(monkeypatch, tmp_path, chdir, "plan",
                                        "-detailed-exitcode", "-no-color")
    assert code == 2, out + err
    assert taken[0] is not None
    assert "# avi_pool.p1 will be updated in-place" in out and "81 -> 80" in out
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in out
    assert err.count("Avi controller: the embedded emulator") == 1

    # Nothing read ahead without a refresh.
    code, out, err, taken = _in_process(monkeypatch, tmp_path, chdir, "plan",
                                        "-refresh=false", "-detailed-exitcode", "-no-color")
    assert code == 0, out + err
    assert taken == []


def test_an_error_in_the_configuration_is_reported_as_before(albform: Any,
                                                             tmp_path: Path) -> None:
    work, chdir = _applied(albform, tmp_path)
    state = (work / "terraform.tfstate").read_bytes()
    (work / "main.tf").write_text(CONFIG + """
resource "avi_pool" "bad" {
  name    = "ahead-bad"
  no_such = 1
}
""")
    failed = albform(chdir, "plan", "-no-color")
    # As before: the error with its file and line, and nothing else — the controller is
    # never named — and the state and its lock are left as they were.
    assert (failed.code, failed.out) == (1, "")
    assert failed.err == (
        "╷\n│ Error: Unsupported argument\n│\n"
        f"│   on {work / 'main.tf'} line 35:\n│   with avi_pool.bad,\n│\n"
        "│ An argument named 'no_such' is not expected in avi_pool.\n╵\n")
    assert (work / "terraform.tfstate").read_bytes() == state
    assert not (work / ".terraform.tfstate.lock.info").exists()
    (work / "main.tf").write_text(CONFIG)
    again = albform(chdir, "plan", "-detailed-exitcode", "-no-color")
    assert again.code == 0, again.out + again.err


def test_an_error_in_a_new_directory_leaves_no_emulator_database(albform: Any,
                                                                 tmp_path: Path) -> None:
    work = tmp_path / "cfg"
    work.mkdir()
    (work / "main.tf").write_text(CONFIG + 'resource "avi_pool" "bad" {\n  no_such = 1\n}\n')
    failed = albform("-chdir=" + str(work), "plan", "-no-color")
    assert failed.code == 1 and "no_such" in failed.err
    assert not (tmp_path / "emulator.db").exists()
    assert not (work / ".albform" / "emulator.db").exists()


def test_settings_not_known_early_are_opened_as_usual(albform: Any, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      ) -> None:
    config = CONFIG.replace("avi_tenant = var.tenant", 'avi_tenant = lower("ADMIN")')
    _, chdir = _applied(albform, tmp_path, config)
    code, out, err, taken = _in_process(monkeypatch, tmp_path, chdir, "plan",
                                        "-detailed-exitcode", "-no-color")
    assert code == 0, out + err
    assert taken == [None]
    assert err.count("Avi controller: the embedded emulator") == 1


def test_warnings_come_before_the_controller_line(albform: Any, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _, chdir = _applied(albform, tmp_path)
    monkeypatch.setenv("AVI_TENNANT", "admin")
    code, out, err, taken = _in_process(monkeypatch, tmp_path, chdir, "plan", "-no-color")
    assert code == 0, out + err
    assert taken[0] is not None
    warning = err.index("Unknown environment variable AVI_TENNANT")
    assert warning < err.index("Avi controller: the embedded emulator")
    assert os.environ.get("AVI_TENNANT") == "admin"


def test_a_state_written_while_waiting_for_the_lock_drops_what_was_read_ahead(
        albform: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another run writes the state between the reads ahead and this run's lock: the early
    reads and the collection listings read before the lock are not used."""
    from albform.provider.resources.provider import AviProvider

    _, chdir = _applied(albform, tmp_path)
    take = opening_ahead.OpeningAhead.take
    forgotten: list[Any] = []
    other_run: list[Any] = []

    def take_then_other_run(self: Any, *a: Any) -> Any:
        opened = take(self, *a)
        other_run.append(albform(chdir, "state", "rm", "avi_pool.p2"))
        return opened

    forget = AviProvider.forget_listings
    monkeypatch.setattr(opening_ahead.OpeningAhead, "take", take_then_other_run)
    monkeypatch.setattr(AviProvider, "forget_listings",
                        lambda self: (forgotten.append(self), forget(self))[1])
    code, out, err, taken = _in_process(monkeypatch, tmp_path, chdir, "plan",
                                        "-detailed-exitcode", "-no-color")
    assert other_run and other_run[0].code == 0, other_run[0].out + other_run[0].err
    # The state as the other run left it: p2 is no longer managed, so it is planned anew.
    assert code == 2, out + err
    assert taken and taken[0] is not None
    assert "# avi_pool.p2 will be created" in out
    assert "Plan: 1 to add, 0 to change, 0 to destroy." in out
    assert len(forgotten) == 1


def test_an_unchanged_state_keeps_what_was_read_ahead(
        albform: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from albform.provider.resources.provider import AviProvider

    _, chdir = _applied(albform, tmp_path)
    forgotten: list[Any] = []
    monkeypatch.setattr(AviProvider, "forget_listings", lambda self: forgotten.append(self))
    code, out, err, taken = _in_process(monkeypatch, tmp_path, chdir, "plan",
                                        "-detailed-exitcode", "-no-color")
    assert code == 0, out + err
    assert taken and taken[0] is not None and forgotten == []


def test_a_refused_login_is_tried_once(albform: Any, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A remote controller refusing the credentials: one login attempt, not one ahead and
    one again, and the error opening the provider shows."""
    from albform.provider.client.session import AviSession
    from albform.provider.emulator import start_emulator

    work = tmp_path / "cfg"
    work.mkdir()
    (work / "main.tf").write_text(CONFIG)
    logins: list[Any] = []
    login = AviSession._login_locked

    def counted(self: Any) -> None:
        logins.append(self)
        login(self)

    monkeypatch.setattr(AviSession, "_login_locked", counted)
    with start_emulator(password="right-secret") as emu:
        monkeypatch.setenv("AVI_CONTROLLER", emu.url)
        monkeypatch.setenv("AVI_USERNAME", "admin")
        monkeypatch.setenv("AVI_PASSWORD", "wrong-secret")
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                pytest.raises(SystemExit) as stopped:
            main(["-chdir=" + str(work), "plan", "-no-color"])
    assert stopped.value.code == 1
    assert "Error: Avi controller error" in err.getvalue()
    assert "login to" in err.getvalue() and "failed" in err.getvalue()
    assert len(logins) == 1
