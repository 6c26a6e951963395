"""Benchmark: synthesizing N avi_pool resources with albform's pure-Python constructs vs the
real cdktf 0.21 runtime (jsii + Node.js), in the same run, through the same app code.

Each pool has a name, a reference to a shared data source, one server and a description
interpolating another pool's name (one cross reference), as in docs/terraform-compat.md §7's
measurement (1,000 resources: cdktf build 1.25 s + synth 0.17 s). Prints build and synth
times for each, the output size, and the ratio cdktf / pure-Python. The real-cdktf half is
skipped with a reason when cdktf or node is missing. Also checks both outputs are
byte-identical (the figures compare equal work).

    .venv/bin/python benchmarks/cdktf_synth.py [--resources 1000]
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import tempfile
import time
from pathlib import Path
from types import ModuleType


def build(lib: ModuleType, outdir: Path, n: int) -> object:
    app = lib.App(outdir=str(outdir))
    stack = lib.Stack(app, "bench")
    lib.LocalBackend(stack, path="terraform.tfstate")
    lib.AviProvider(stack, "avi")
    cloud = lib.DataAviCloud(stack, "cloud", name="Default-Cloud")
    previous = None
    for i in range(n):
        previous = lib.AviPool(
            stack, f"pool{i}", name=f"pool-{i}", cloud_ref=cloud.id,
            servers=[{"ip": [{"addr": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
                              "type": "V4"}], "port": "80"}],
            description="after " + (previous.get("name") if previous else "none"))
    return app


def measure(lib: ModuleType, outdir: Path, n: int) -> tuple[float, float, bytes]:
    start = time.perf_counter()
    app = build(lib, outdir, n)
    built = time.perf_counter()
    app.synth()  # type: ignore[attr-defined]
    done = time.perf_counter()
    data = (outdir / "stacks" / "bench" / "cdk.tf.json").read_bytes()
    return built - start, done - built, data


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=1000)
    n = parser.parse_args().resources
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        pure = importlib.import_module("albform.modules.cdktf")
        pure_import = time.perf_counter() - start
        p_build, p_synth, p_data = measure(pure, Path(tmp) / "pure", n)
        print(f"{n} avi_pool resources, output {len(p_data) / 1024:.0f} KiB")
        print(f"pure-Python constructs: import {pure_import:.3f} s, build {p_build:.3f} s, "
              f"synth {p_synth:.3f} s, total {p_build + p_synth:.3f} s")
        if shutil.which("node") is None:
            print("real cdktf: skipped (node is not on PATH)")
            return 0
        try:
            start = time.perf_counter()
            interop = importlib.import_module("albform.modules.cdktf.interop")
            real_import = time.perf_counter() - start
        except ImportError as err:
            print(f"real cdktf: skipped ({err}; pip install 'albform[cdktf]')")
            return 0
        r_build, r_synth, r_data = measure(interop, Path(tmp) / "real", n)
        p_total = p_build + p_synth
        print(f"real cdktf 0.21:        import {real_import:.3f} s, build {r_build:.3f} s, "
              f"synth {r_synth:.3f} s, total {r_build + r_synth:.3f} s")
        print(f"ratio cdktf / pure: build {r_build / p_build:.1f}x, "
              f"synth {r_synth / p_synth:.1f}x, "
              f"build+synth {(r_build + r_synth) / (p_build + p_synth):.1f}x, "
              f"with import {(real_import + r_build + r_synth) / (pure_import + p_total):.1f}x")
        print("outputs byte-identical:", p_data == r_data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
