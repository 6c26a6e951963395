"""How long the human plan is when a cluster's Deployments scale by one pod each.

    .venv/bin/python benchmarks/pool_plan_lines.py [--services 7] [--baseline REV]

A synthetic cluster — the lb-demo nodes plus ``--services`` LoadBalancer Services, each with
an EndpointSlice of three pods — is applied with ``albform cluster apply`` against the
embedded controller emulator (after the lb-demo controller setup). Then every Service gets
one more endpoint and ``albform cluster plan -no-color`` runs: the figure is the number of
lines of that plan, and how many of them are ``-> null`` lines or ``~ servers`` blocks (noise:
only ``+ servers`` blocks are real changes).

With ``--baseline REV`` the same steps also run with albform as of git revision ``REV``
(extracted to a temporary directory and put first on ``PYTHONPATH``), in the same run, and
the ratio of line counts is printed (issue 13, defect 6: pool servers matched by ip + port).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "lb-demo"


def service(i: int, pods: int) -> str:
    endpoints = "".join(
        f"- addresses: [10.244.{1 + (i % 2)}.{10 + 4 * i + p}]\n"
        f"  conditions: {{ready: true, serving: true, terminating: false}}\n"
        f"  nodeName: kubeadm-worker{1 + (i % 2)}\n" for p in range(pods))
    return f"""---
apiVersion: v1
kind: Service
metadata: {{name: svc{i}, namespace: default}}
spec:
  type: LoadBalancer
  selector: {{app: svc{i}}}
  ports: [{{port: 80, targetPort: 8080, protocol: TCP}}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: svc{i}-abcde
  namespace: default
  labels: {{kubernetes.io/service-name: svc{i}}}
addressType: IPv4
ports: [{{name: '', port: 8080, protocol: TCP}}]
endpoints:
{endpoints}"""


def write_manifests(folder: Path, services: int, pods: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nodes.yaml").write_text((DEMO / "manifests" / "nodes.yaml").read_text())
    (folder / "services.yaml").write_text("".join(service(i, pods) for i in range(services)))
    return folder


def run(root: Path | None, work: Path, services: int) -> dict[str, int]:
    """Apply the cluster, scale every Service by one pod, return figures of the plan."""
    env = {**os.environ, "ALBFORM_EMULATOR_DB": str(work / "emulator.db")}
    if root is not None:
        env["PYTHONPATH"] = str(root)
    albform = [sys.executable, "-m", "albform"]
    cluster = ["--ako-config", str(DEMO / "avi-k8s-config.yaml"), "--controller-facts",
               str(DEMO / "controller-facts.yaml"), f"-state={work / 'cluster.tfstate'}",
               "-no-color"]

    def call(*args: str) -> str:
        done = subprocess.run([*albform, *args], env=env, cwd=work, capture_output=True,
                              text=True, check=False)
        if done.returncode not in (0, 2):
            raise SystemExit(f"albform {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    call(f"-chdir={DEMO / 'controller'}", "apply", "-auto-approve", "-no-color",
         f"-state={work / 'controller.tfstate'}")
    before = write_manifests(work / "manifests", services, pods=3)
    call("cluster", "apply", "-auto-approve", *cluster, "--manifests", str(before))
    scaled = write_manifests(work / "scaled", services, pods=4)
    text = call("cluster", "plan", *cluster, "--manifests", str(scaled))
    objects = call("state", "list", f"-state={work / 'cluster.tfstate'}").split()
    lines = text.splitlines()
    return {"objects": len(objects), "lines": len(lines),
            "null_lines": sum("-> null" in line for line in lines),
            "changed_server_blocks": sum(line.strip() == "~ servers {" for line in lines),
            "added_server_blocks": sum(line.strip() == "+ servers {" for line in lines)}


def baseline_tree(rev: str, into: Path) -> Path:
    """albform as of ``rev``, importable as ``albform`` from the returned directory."""
    tree = into / "tree"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    (into / "albform").symlink_to(tree)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=7)
    parser.add_argument("--baseline", help="git revision to compare with (same run)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pool-plan-lines-") as tmp:
        root = Path(tmp)
        figures = {"current": run(None, _mkdir(root / "current"), args.services)}
        if args.baseline:
            old = baseline_tree(args.baseline, _mkdir(root / "baseline-src"))
            figures["baseline"] = run(old, _mkdir(root / "baseline"), args.services)
    for name, f in figures.items():
        print(f"{name:9} {f['objects']} objects: plan of {f['lines']} lines, "
              f"{f['added_server_blocks']} '+ servers', {f['changed_server_blocks']} "
              f"'~ servers', {f['null_lines']} '-> null'")
    if "baseline" in figures:
        ratio = figures["current"]["lines"] / figures["baseline"]["lines"]
        print(f"current / baseline lines: {ratio:.2f}")


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


if __name__ == "__main__":
    main()
