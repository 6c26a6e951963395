"""Apply then destroy of every example leaves the controller as it began: objects albform
created are deleted, built-in objects it imported and changed (``Default-Cloud``,
``Default-Group``) get their original values back, and the outputs go with the objects.

The embedded emulator's database is compared before and after (every object's body but the
modification timestamp, the reference graph, the IPAM allocations). ``examples/drift-job``
holds no configuration of its own (it runs ``drift`` on a cluster), so it is not applied; of
``examples/gslb-demo`` the leader's configuration is (its GslbServices need member sites a
standalone leader is told about, see ``tests/cli/test_gslb_demo.py``).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
LB_DEMO = EXAMPLES / "lb-demo"


def controller_snapshot(db: Path) -> dict[str, Any]:
    """Everything the emulator stores about the controller's configuration."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        objects = {}
        for obj_type, uuid, body in conn.execute("SELECT type, uuid, body FROM objects"):
            fields = json.loads(body)
            fields.pop("_last_modified", None)  # a timestamp: any write changes it
            objects[(obj_type, uuid)] = fields
        refs = sorted(conn.execute("SELECT src, dst FROM refs"))
        allocations = sorted(conn.execute("SELECT * FROM ip_alloc"))
    return {"objects": objects, "refs": refs, "allocations": allocations}


def _ok(result: Any) -> Any:
    assert result.code == 0, result.out + result.err
    return result


def _assert_as_fresh(fresh: dict[str, Any], now: dict[str, Any]) -> None:
    changed = {key for key in fresh["objects"].keys() | now["objects"].keys()
               if fresh["objects"].get(key) != now["objects"].get(key)}
    assert not changed, {key: (fresh["objects"].get(key), now["objects"].get(key))
                         for key in sorted(changed)}
    assert now["refs"] == fresh["refs"]
    assert now["allocations"] == fresh["allocations"]


def test_nsx_alb_setup_destroy_restores_the_controller(albform: Any, tmp_path: Path) -> None:
    chdir, state = f"-chdir={EXAMPLES / 'nsx-alb-setup'}", f"-state={tmp_path / 'tf.tfstate'}"
    _ok(albform(chdir, "plan", state))
    fresh = controller_snapshot(tmp_path / "emulator.db")
    _ok(albform(chdir, "apply", "-auto-approve", state))
    assert controller_snapshot(tmp_path / "emulator.db") != fresh

    destroyed = _ok(albform(chdir, "destroy", "-auto-approve", "-no-color", state))
    # Outputs are deleted with the objects, never evaluated against objects going away.
    assert '- lb_demo_vip = "172.19.0.' in destroyed.out
    assert "Destroy complete! Resources: 11 destroyed." in destroyed.out
    _assert_as_fresh(fresh, controller_snapshot(tmp_path / "emulator.db"))
    left = json.loads((tmp_path / "tf.tfstate").read_text())
    assert left["resources"] == [] and left["outputs"] == {}


def test_lb_demo_destroy_restores_the_controller(albform: Any, tmp_path: Path) -> None:
    controller = [f"-chdir={LB_DEMO / 'controller'}", f"-state={tmp_path / 'c.tfstate'}"]
    cluster = ["--manifests", str(LB_DEMO / "manifests"),
               "--ako-config", str(LB_DEMO / "avi-k8s-config.yaml"),
               "--controller-facts", str(LB_DEMO / "controller-facts.yaml"),
               f"-state={tmp_path / 'k.tfstate'}"]
    _ok(albform(*controller[:1], "plan", *controller[1:]))
    fresh = controller_snapshot(tmp_path / "emulator.db")
    _ok(albform(*controller[:1], "apply", "-auto-approve", *controller[1:]))
    _ok(albform("cluster", "apply", "-auto-approve", *cluster))

    _ok(albform("cluster", "destroy", "-auto-approve", *cluster))
    _ok(albform(*controller[:1], "destroy", "-auto-approve", *controller[1:]))
    _assert_as_fresh(fresh, controller_snapshot(tmp_path / "emulator.db"))


def test_cdktf_lb_demo_destroy_restores_the_controller(albform: Any, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CDKTF_OUTDIR"}
    synth = subprocess.run([sys.executable, str(EXAMPLES / "cdktf-lb-demo" / "main.py")],
                           cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240,
                           check=False)
    assert synth.returncode == 0, synth.stderr
    _apply_then_destroy_leaves_it_fresh(albform, tmp_path,
                                        tmp_path / "cdktf.out" / "stacks" / "lb-demo")


def _apply_then_destroy_leaves_it_fresh(albform: Any, tmp_path: Path, directory: Path,
                                        *args: str) -> None:
    chdir = f"-chdir={directory}"
    _ok(albform(chdir, "plan", *args))
    fresh = controller_snapshot(tmp_path / "emulator.db")
    _ok(albform(chdir, "apply", "-auto-approve", *args))
    assert controller_snapshot(tmp_path / "emulator.db") != fresh
    _ok(albform(chdir, "destroy", "-auto-approve", *args))
    _assert_as_fresh(fresh, controller_snapshot(tmp_path / "emulator.db"))


def test_pr_review_destroy_restores_the_controller(albform: Any, tmp_path: Path) -> None:
    _apply_then_destroy_leaves_it_fresh(albform, tmp_path, EXAMPLES / "pr-review",
                                        f"-state={tmp_path / 'tf.tfstate'}")


def test_gslb_leader_destroy_restores_the_controller(albform: Any, tmp_path: Path) -> None:
    """The GSLB demo's leader configuration (its GslbServices are destroyed by
    ``tests/cli/test_gslb_demo.py``, which needs a standalone leader)."""
    _apply_then_destroy_leaves_it_fresh(albform, tmp_path, EXAMPLES / "gslb-demo" / "leader",
                                        f"-state={tmp_path / 'tf.tfstate'}")
