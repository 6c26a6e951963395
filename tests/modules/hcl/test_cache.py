"""The parse cache: an unchanged re-load reads each file once and parses none; a changed
file is re-parsed; corrupt or planted cache entries are ignored and never executed."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from albform.modules.hcl.cache import ParseCache
from albform.modules.hcl.load import CACHE_DIR, load_configuration

MAIN = """
module "app" {
  source = "./app"
  name   = "shop"
}
resource "avi_tenant" "t" {
  name = "t"
}
"""
APP = """
variable "name" {}
resource "avi_pool" "p" {
  name = "${var.name}-pool"
}
"""


def _setup(write: Any) -> Path:
    return write({"main.tf": MAIN, "vars.tf.json": '{"locals": {"x": 1}}', "app/main.tf": APP})


def test_unchanged_reload_reads_each_file_once_and_parses_nothing(write) -> None:
    root = _setup(write)
    cold = ParseCache(root / CACHE_DIR)
    first, diags = load_configuration(root, env={}, cache=cold)
    assert not diags
    assert (cold.reads, cold.parses) == (3, 3)
    warm = ParseCache(root / CACHE_DIR)  # a new process: only the disk cache survives
    second, diags = load_configuration(root, env={}, cache=warm)
    assert not diags
    assert (warm.reads, warm.parses) == (3, 0)
    assert [r.address for r in first.resources] == [r.address for r in second.resources]
    assert [dict(r.attributes) for r in first.resources] == \
        [dict(r.attributes) for r in second.resources]


def test_changed_file_is_reparsed(write) -> None:
    root = _setup(write)
    load_configuration(root, env={})
    (root / "app" / "main.tf").write_text(APP.replace("-pool", "-members"))
    cache = ParseCache(root / CACHE_DIR)
    config, _ = load_configuration(root, env={}, cache=cache)
    assert cache.parses == 1
    names = {r.attributes["name"] for r in config.resources}
    assert names == {"t", "shop-members"}


def test_corrupt_and_planted_entries_are_misses(write, tmp_path: Path) -> None:
    root = _setup(write)
    load_configuration(root, env={})
    entries = sorted((root / CACHE_DIR).glob("*.pickle"))
    assert len(entries) == 3
    marker = tmp_path / "pwned"
    entries[0].write_bytes(b"not a pickle")
    entries[1].write_bytes(pickle.dumps(marker.touch))  # would run code if unpickled freely
    cache = ParseCache(root / CACHE_DIR)
    config, diags = load_configuration(root, env={}, cache=cache)
    assert not diags and len(config.resources) == 2
    assert cache.parses == 2
    assert not marker.exists()


def test_unwritable_cache_directory_is_not_an_error(write) -> None:
    root = _setup(write)
    (root / ".albform").write_text("a file where the cache directory would go")
    cache = ParseCache(root / CACHE_DIR)
    _, diags = load_configuration(root, env={}, cache=cache)
    assert not diags and cache.parses == 3


def test_files_with_errors_are_not_cached(write) -> None:
    root = write({"main.tf": 'resource "avi_pool" "p" {\n  name = \n}\n'})
    for _ in range(2):
        cache = ParseCache(root / CACHE_DIR)
        _, diags = load_configuration(root, env={}, cache=cache)
        assert diags.has_errors() and cache.parses == 1


def test_parallel_parse_gives_the_same_trees(write, monkeypatch) -> None:
    import threading

    import albform.modules.hcl.cache as cache_module

    root = write({f"f{i}.tf": f'resource "avi_tenant" "t{i}" {{\n  name = "t{i}"\n}}\n'
                  for i in range(4)})
    serial = ParseCache(None)
    expected = load_configuration(root, env={}, cache=serial)[0]
    pools: list[int] = []

    class Recording(cache_module.ProcessPoolExecutor):  # type: ignore[misc]
        def __init__(self, workers: int, **kw: Any) -> None:
            pools.append(workers)
            super().__init__(workers, **kw)

    monkeypatch.setattr(cache_module, "PARALLEL_THRESHOLD", 0)
    monkeypatch.setattr(cache_module, "ProcessPoolExecutor", Recording)
    parallel = ParseCache(None)
    config, diags = load_configuration(root, env={}, cache=parallel)
    assert not diags and parallel.parses == 4
    assert [(r.address, dict(r.attributes), r.source) for r in config.resources] == \
        [(r.address, dict(r.attributes), r.source) for r in expected.resources]
    if threading.active_count() == 1:
        assert (pools and pools[0] >= 2) or (cache_module.os.cpu_count() or 1) < 2


def test_non_utf8_file_is_a_diagnostic_with_its_line(write) -> None:
    root = write({"main.tf": 'resource "avi_tenant" "t" {\n  name = "x"\n}\n'})
    (root / "bad.tf").write_bytes(b'locals {\n  a = "caf\xe9"\n}\n')
    _, diags = load_configuration(root, env={}, cache=ParseCache(None))
    assert [(d.summary, d.subject.start_line if d.subject else 0) for d in diags] == \
        [("Invalid file encoding", 2)]
