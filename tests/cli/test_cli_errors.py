"""User mistakes and held resources get a clear error and exit 1, never a traceback (the
``albform`` fixture fails any run whose stderr has one), and nothing is lost."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CONTROLLER = REPO / "examples" / "lb-demo" / "controller"


def _config(tmp_path: Path) -> Path:
    work = tmp_path / "cfg"
    shutil.copytree(CONTROLLER, work)
    return work


def test_unknown_flag_is_a_usage_error_with_exit_1(albform: Any) -> None:
    result = albform("plan", "--no-such-flag")
    assert result.code == 1
    assert "No such option" in result.err


def test_invalid_target_address_is_reported(albform: Any, tmp_path: Path) -> None:
    result = albform("-chdir=" + str(_config(tmp_path)), "plan", "-target=not an address")
    assert result.code == 1
    assert "Invalid -target address" in result.err


def test_corrupt_state_is_reported_and_left_untouched(albform: Any, tmp_path: Path) -> None:
    work = _config(tmp_path)
    (work / "terraform.tfstate").write_text("{not json")
    result = albform("-chdir=" + str(work), "plan")
    assert result.code == 1
    assert "Failed to load state" in result.err
    assert (work / "terraform.tfstate").read_text() == "{not json"


def test_an_emulator_database_that_cannot_be_opened_is_an_error(albform: Any,
                                                                   tmp_path: Path) -> None:
    # ALBFORM_EMULATOR_DB naming a directory: the child emulator says why it cannot start,
    # albform shows it as an error (the fixture fails on any traceback, the child's too).
    (tmp_path / "a-directory").mkdir()
    result = albform("-chdir=" + str(_config(tmp_path)), "plan",
                     env={"ALBFORM_EMULATOR_DB": str(tmp_path / "a-directory")})
    assert result.code == 1
    assert "Error: Avi controller error" in result.err
    assert "did not start" in result.err and "unable to open database file" in result.err


def test_held_lock_names_its_holder_then_force_unlock_releases_it(albform: Any,
                                                                   tmp_path: Path) -> None:
    from albform.engine.state.backends.local import LocalBackend
    from albform.engine.state.lock import LockInfo

    work = _config(tmp_path)
    backend = LocalBackend(work / "terraform.tfstate")
    info = LockInfo.new("OperationTypeApply", path=str(work / "terraform.tfstate"))
    lock_id = backend.lock(info)
    try:
        blocked = albform("-chdir=" + str(work), "plan")
        assert blocked.code == 1
        assert "Error acquiring the state lock" in blocked.err
        assert lock_id in blocked.err  # the holder's ID, to pass to force-unlock
    finally:
        backend.unlock(lock_id)
    assert albform("-chdir=" + str(work), "plan").code == 0


def test_saved_plan_applied_after_state_moved_is_stale(albform: Any, tmp_path: Path) -> None:
    work = _config(tmp_path)
    first = albform("-chdir=" + str(work), "plan", "-out=tfplan")
    assert first.code == 0, first.err
    assert "Saved the plan to: tfplan" in first.out
    # Someone else applies in between: the state moves on.
    assert albform("-chdir=" + str(work), "apply", "-auto-approve").code == 0
    before = (work / "terraform.tfstate").read_bytes()
    stale = albform("-chdir=" + str(work), "apply", "tfplan")
    assert stale.code == 1
    assert "Saved plan is stale" in stale.err
    assert (work / "terraform.tfstate").read_bytes() == before


def test_saved_plan_applies_exactly(albform: Any, tmp_path: Path) -> None:
    work = _config(tmp_path)
    assert albform("-chdir=" + str(work), "plan", "-out=tfplan").code == 0
    applied = albform("-chdir=" + str(work), "apply", "tfplan")
    assert applied.code == 0, applied.err
    assert "Apply complete! Resources: 2 imported, 2 added, 2 changed, 0 destroyed." in applied.out
    listed = albform("-chdir=" + str(work), "state", "list")
    assert listed.out.split() == ["avi_cloud.default", "avi_ipamdnsproviderprofile.ipam",
                                  "avi_network.vlan2900", "avi_serviceenginegroup.default"]
    output = albform("-chdir=" + str(work), "output", "-json")
    assert json.loads(output.out)["vip_network"]["value"].startswith("network-")


def test_apply_without_approval_is_cancelled_and_changes_nothing(albform: Any,
                                                                  tmp_path: Path) -> None:
    work = _config(tmp_path)
    result = albform("-chdir=" + str(work), "apply", input="no\n")
    assert result.code == 1
    assert "Apply cancelled." in result.err
    assert not (work / "terraform.tfstate").exists()


def test_validate_reports_problems_with_file_and_line(albform: Any, tmp_path: Path) -> None:
    work = tmp_path / "bad"
    work.mkdir()
    (work / "main.tf").write_text(
        'resource "avi_pool" "web" {\n  name = "web"\n  no_such_field = 1\n}\n')
    result = albform("-chdir=" + str(work), "validate")
    assert result.code == 1
    assert "main.tf line 3" in result.err
    good = albform("-chdir=" + str(_config(tmp_path)), "validate")
    assert good.code == 0, good.err
    assert "Success! The configuration is valid." in good.out


def test_reference_to_an_attribute_the_type_lacks_is_an_error(albform: Any,
                                                              tmp_path: Path) -> None:
    work = tmp_path / "attr"
    work.mkdir()
    (work / "main.tf").write_text(
        'resource "avi_pool" "p" {\n  name = "p"\n}\n\n'
        'output "ok" {\n  value = avi_pool.p.lb_algorithm\n}\n\n'
        'output "bad" {\n  value = avi_pool.p.lb_algoritm\n}\n')
    result = albform("-chdir=" + str(work), "plan")
    assert result.code == 1
    assert "Unsupported attribute" in result.err
    assert 'Did you mean "lb_algorithm"?' in result.err
    assert "line 10" in result.err
