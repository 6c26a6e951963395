"""Benchmark: load + evaluate a generated N-resource HCL configuration (default 5,000).

Measures a cold load (python-hcl2 parses every file; the parse cache is filled), a warm
re-load with unchanged files in a fresh process-like cache (disk hit: each file read once,
nothing parsed), and, when ``terraform`` is on PATH, ``terraform validate`` and
``terraform plan -refresh=false`` on an equivalent ``terraform_data`` configuration.

    .venv/bin/python benchmarks/hcl_load.py [--resources 5000] [--files 10] [--no-terraform]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import pickle
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from albform.modules.hcl.cache import ParseCache
from albform.modules.hcl.load import CACHE_DIR, load_configuration

# Variables and locals both configurations share.
VARIABLES = """
variable "prefix" {
  default = "bench"
}
variable "least_conn" {
  type    = bool
  default = true
}
locals {
  algorithm = var.least_conn ? "LB_ALGORITHM_LEAST_CONNECTIONS" : "LB_ALGORITHM_ROUND_ROBIN"
}
"""

HEADER = VARIABLES + """resource "avi_healthmonitor" "hm" {
  name = "${var.prefix}-hm"
  type = "HEALTH_MONITOR_HTTP"
}
"""

POOL = """
resource "avi_pool" "p{i}" {{
  name                = "${{var.prefix}}-pool-{i}"
  lb_algorithm        = local.algorithm
  default_server_port = {port}
  health_monitor_refs = [avi_healthmonitor.hm.id]
  servers {{
    ip {{
      addr = "10.{a}.{b}.1"
      type = "V4"
    }}
    port = 80 + {m}
  }}
  servers {{
    ip {{
      addr = "10.{a}.{b}.2"
      type = "V4"
    }}
    ratio = {m} % 3 + 1
  }}
  lifecycle {{
    ignore_changes = [description]
  }}
}}
"""

TF_HEADER = VARIABLES + """resource "terraform_data" "hm" {
  input = { name = "${var.prefix}-hm", type = "HEALTH_MONITOR_HTTP" }
}
"""

TF_POOL = """
resource "terraform_data" "p{i}" {{
  input = {{
    name                = "${{var.prefix}}-pool-{i}"
    lb_algorithm        = local.algorithm
    default_server_port = {port}
    health_monitor_refs = [terraform_data.hm.id]
    servers = [
      {{ ip = {{ addr = "10.{a}.{b}.1", type = "V4" }}, port = 80 + {m} }},
      {{ ip = {{ addr = "10.{a}.{b}.2", type = "V4" }}, ratio = {m} % 3 + 1 }},
    ]
  }}
  lifecycle {{
    ignore_changes = [triggers_replace]
  }}
}}
"""


def generate(directory: Path, resources: int, files: int, header: str, block: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "main.tf").write_text(header)
    per_file = -(-(resources - 1) // files)
    for f in range(files):
        chunk = range(f * per_file, min((f + 1) * per_file, resources - 1))
        text = "".join(block.format(i=i, port=8000 + i % 100, a=i // 256 % 256, b=i % 256,
                                    m=i % 7) for i in chunk)
        (directory / f"pools_{f:02d}.tf").write_text(text)


def generate_json(directory: Path, resources: int) -> None:
    """The same configuration in Terraform JSON syntax (as CDKTF writes it)."""
    directory.mkdir(parents=True, exist_ok=True)
    pools = {}
    for i in range(resources - 1):
        a, b, m = i // 256 % 256, i % 256, i % 7
        pools[f"p{i}"] = {
            "name": f"${{var.prefix}}-pool-{i}", "lb_algorithm": "${local.algorithm}",
            "default_server_port": 8000 + i % 100,
            "health_monitor_refs": ["${avi_healthmonitor.hm.id}"],
            "servers": [{"ip": [{"addr": f"10.{a}.{b}.1", "type": "V4"}], "port": f"${{80 + {m}}}"},
                        {"ip": [{"addr": f"10.{a}.{b}.2", "type": "V4"}],
                         "ratio": f"${{{m} % 3 + 1}}"}],
            "lifecycle": {"ignore_changes": ["description"]},
        }
    doc = {
        "variable": {"prefix": {"default": "bench"},
                     "least_conn": {"type": "bool", "default": True}},
        "locals": {"algorithm": "${var.least_conn ? \"LB_ALGORITHM_LEAST_CONNECTIONS\" : "
                                "\"LB_ALGORITHM_ROUND_ROBIN\"}"},
        "resource": {"avi_healthmonitor": {"hm": {"name": "${var.prefix}-hm",
                                                  "type": "HEALTH_MONITOR_HTTP"}},
                     "avi_pool": pools},
    }
    (directory / "cdk.tf.json").write_text(json.dumps(doc, indent=2))


def timed(label: str, fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    print(f"{label:<52} {elapsed:8.2f} s")
    return elapsed


def run_terraform(directory: Path, *args: str) -> None:
    env = {**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null", "CHECKPOINT_DISABLE": "1",
           "TF_IN_AUTOMATION": "1"}
    result = subprocess.run(["terraform", *args, "-no-color"], cwd=directory, env=env,
                            capture_output=True, text=True, check=False)
    if result.returncode not in (0, 2):
        raise SystemExit(f"terraform {' '.join(args)} failed:\n{result.stderr[-2000:]}")


def _decode_reference(config_dir: Path) -> None:
    """The disk cache's decode (authenticated JSON → trees) against what the same trees cost
    to unpickle (the former format, unsafe on a working tree), measured here on one run."""
    entries = sorted((config_dir / CACHE_DIR).glob("*.json"))
    cache = ParseCache(config_dir / CACHE_DIR)
    digests = [e.stem for e in entries]
    gc.disable()  # as load_configuration does
    start = time.perf_counter()
    trees = [cache._read_disk(d) for d in digests]
    json_time = time.perf_counter() - start
    assert all(t is not None for t in trees)
    blobs = [pickle.dumps((t[0], list(t[1])), protocol=pickle.HIGHEST_PROTOCOL)
             for t in trees if t is not None]
    start = time.perf_counter()
    for blob in blobs:
        pickle.loads(blob)
    pickle_time = time.perf_counter() - start
    gc.enable()
    print(f"cache decode of {len(entries)} entries: {json_time:.2f} s (verified JSON); "
          f"pickle of the same trees: {pickle_time:.2f} s; ratio {json_time / pickle_time:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=5000)
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--no-terraform", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="albform-hcl-bench-"))
    try:
        config_dir = work / "albform"
        generate(config_dir, args.resources, args.files, HEADER, POOL)
        size = sum(p.stat().st_size for p in config_dir.glob("*.tf"))
        print(f"configuration: {args.resources} resources in {args.files + 1} files, "
              f"{size / 1e6:.2f} MB")
        results: dict[str, object] = {}

        def load(cache: ParseCache) -> None:
            config, diags = load_configuration(config_dir, env={}, cache=cache)
            assert not diags.has_errors(), [str(d) for d in diags.errors()[:5]]
            assert len(config.resources) == args.resources
            results["cache"] = cache

        cold_cache = ParseCache(config_dir / CACHE_DIR)
        cold = timed("albform cold load (python-hcl2 parse + evaluate)", lambda: load(cold_cache))
        warm_cache = ParseCache(config_dir / CACHE_DIR)
        warm = timed("albform re-load, unchanged files (disk cache)", lambda: load(warm_cache))
        warm_reads, warm_parses = warm_cache.reads, warm_cache.parses
        timed("albform re-load in the same process (memory cache)", lambda: load(warm_cache))
        files = args.files + 1
        print(f"cold: {cold_cache.reads} reads, {cold_cache.parses} parses; "
              f"re-load: {warm_reads} reads of {files} files, {warm_parses} parses")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of this process: {peak:.0f} MB")
        _decode_reference(config_dir)
        print(f"re-load vs cold: {cold / warm:.1f}x faster "
              f"(target: re-load < 3 s: {'met' if warm < 3 else 'NOT met'})")
        json_dir = work / "json"
        generate_json(json_dir, args.resources)

        def load_json() -> None:
            config, diags = load_configuration(json_dir, env={}, cache=ParseCache(None))
            assert not diags.has_errors(), [str(d) for d in diags.errors()[:5]]
            assert len(config.resources) == args.resources

        timed("albform cold load of the same as cdk.tf.json", load_json)
        if args.no_terraform or shutil.which("terraform") is None:
            print("terraform: skipped (not on PATH or --no-terraform)")
            return
        tf_dir = work / "terraform"
        generate(tf_dir, args.resources, args.files, TF_HEADER, TF_POOL)
        run_terraform(tf_dir, "init", "-input=false")
        validate = timed("terraform validate (terraform_data equivalent)",
                         lambda: run_terraform(tf_dir, "validate"))
        plan = timed("terraform plan -refresh=false (terraform_data)",
                     lambda: run_terraform(tf_dir, "plan", "-refresh=false", "-input=false",
                                           "-lock=false"))
        print(f"ratios: albform cold / terraform validate = {cold / validate:.2f}; "
              f"albform re-load / terraform validate = {warm / validate:.2f}; "
              f"albform re-load / terraform plan = {warm / plan:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
