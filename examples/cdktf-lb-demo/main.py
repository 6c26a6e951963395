"""The lb-demo walkthrough as a CDKTF app: the controller setup of
``examples/lb-demo/controller/main.tf.json`` (IPAM on Default-Cloud with network
"VLAN 2900", Default-Group active/active) plus the cluster module (what AKO would create for
``examples/lb-demo/manifests``), in one stack ``lb-demo``.

    python main.py                      # pure-Python constructs (albform.modules.cdktf)
    python main.py --cdktf              # the same app on the real cdktf runtime (interop)
    python main.py --outdir DIR         # default: ./cdktf.out (or $CDKTF_OUTDIR)
    albform -chdir=cdktf.out/stacks/lb-demo plan

``cdktf synth`` also works: ``cdktf.json`` runs ``python main.py --cdktf``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
DEMO = HERE.parent / "lb-demo"
STACK = "lb-demo"


def _addr(addr: str) -> dict[str, str]:
    return {"addr": addr, "type": "V4"}


def build(lib: ModuleType, outdir: Path, with_cluster: bool = True,
          manifests: Path = DEMO / "manifests") -> Any:
    """The app, built from ``lib`` (``albform.modules.cdktf`` or its ``interop``), with the
    cluster module for the Kubernetes objects in ``manifests``."""
    app = lib.App(outdir=str(outdir))
    stack = lib.Stack(app, STACK)
    # cdktf-cli requires a version constraint; albform implements the provider for 30.2.
    lib.AviProvider(stack, "avi", version="~> 30.2")
    # Relative to the stack directory, so the output is the same on every machine.
    lib.LocalBackend(stack, path=f"terraform.{STACK}.tfstate")

    network = lib.AviNetwork(
        stack, "vlan2900", name="VLAN 2900", cloud_ref="/api/cloud?name=Default-Cloud",
        dhcp_enabled=False,
        configured_subnets=[{
            "prefix": {"ip_addr": _addr("172.19.0.0"), "mask": 24},
            "static_ip_ranges": [{
                "type": "STATIC_IPS_FOR_VIP",
                "range": {"begin": _addr("172.19.0.100"), "end": _addr("172.19.0.150")},
            }],
        }])
    ipam = lib.AviIpamdnsproviderprofile(
        stack, "ipam", name="lb-demo-ipam", type="IPAMDNS_TYPE_INTERNAL",
        internal_profile={"usable_networks": [{"nw_ref": network.id}]})
    cloud = lib.AviCloud(stack, "default", name="Default-Cloud", vtype="CLOUD_NONE",
                         ipam_provider_ref=ipam.id)
    cloud.import_from("Default-Cloud")
    seg = lib.AviServiceenginegroup(stack, "default-group", name="Default-Group",
                                    ha_mode="HA_MODE_SHARED_PAIR", min_scaleout_per_vs=2)
    seg.override_logical_id("default")
    seg.import_from("Default-Group")
    lib.Output(stack, "vip_network", value=network.uuid)

    if with_cluster:
        stack_dir = outdir.resolve() / "stacks" / STACK
        rel = lambda p: os.path.relpath(p, stack_dir)  # noqa: E731
        # The VIP comes from the IPAM profile set up above: create the cluster's objects after.
        lib.AkoCluster(
            stack, "kubeadm", manifests=[rel(manifests)],
            ako_config=rel(DEMO / "avi-k8s-config.yaml"),
            controller_facts=rel(DEMO / "controller-facts.yaml"), depends_on=[cloud, seg])
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cdktf", action="store_true", help="use the real cdktf runtime")
    parser.add_argument("--outdir", type=Path,
                        default=Path(os.environ.get("CDKTF_OUTDIR") or "cdktf.out"))
    parser.add_argument("--no-cluster", action="store_true", help="controller setup only")
    args = parser.parse_args(argv)
    try:
        lib = importlib.import_module("albform.modules.cdktf.interop" if args.cdktf
                                      else "albform.modules.cdktf")
    except ModuleNotFoundError as exc:
        if exc.name not in ("cdktf", "constructs", "jsii"):
            raise
        print(f"error: --cdktf runs the app on the real cdktf runtime, which is not installed "
              f"(no module {exc.name!r}): pip install 'albform[cdktf]', or run without --cdktf "
              "for albform's pure-Python constructs", file=sys.stderr)
        return 1
    app = build(lib, args.outdir, with_cluster=not args.no_cluster)
    app.synth()
    print(f"synthesized {args.outdir / 'stacks' / STACK / 'cdk.tf.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
