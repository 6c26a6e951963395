"""The parse cache: an unchanged re-load reads each file once and parses none; a changed
file is re-parsed; corrupt, planted or forged cache entries are ignored and never executed;
entries are data (JSON) bound to their source and authenticated by a key outside the tree."""

from __future__ import annotations

import hashlib
import hmac
import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from albform.modules.hcl.cache import BINDING, ParseCache
from albform.modules.hcl.load import CACHE_DIR, load_configuration
from albform.modules.hcl.parse import parse_hcl
from albform.modules.hcl.syntax import File
from albform.modules.hcl.tree_codec import TreeFormatError, decode_file, encode_file

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


@pytest.fixture(autouse=True)
def _key_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The MAC key lives in the user's cache directory: a private one per test."""
    home = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


def _names(root: Path) -> set[str]:
    config, diags = load_configuration(root, env={}, cache=ParseCache(root / CACHE_DIR))
    assert not diags, [str(d) for d in diags]
    return {r.attributes["name"] for r in config.resources}


def test_entries_are_data_bound_to_their_source(write, _key_home: Path) -> None:
    root = _setup(write)
    load_configuration(root, env={})
    entries = sorted((root / CACHE_DIR).glob("*"))
    assert len(entries) == 3 and all(e.suffix == ".json" for e in entries)
    for entry in entries:
        mac, _, payload = entry.read_bytes().partition(b"\n")
        assert len(mac) == 64
        # Sealed for what it was made from (format, versions, the source's digest), which is
        # not stored: the MAC covers it.
        assert BINDING.startswith("albform-parse-cache/2|albform-")
        key = (_key_home / "albform" / "parse-cache.key").read_bytes()
        assert mac == hmac.new(key, f"{BINDING}|{entry.stem}".encode() + b"\0"
                               + payload, hashlib.sha256).hexdigest().encode()
        assert isinstance(json.loads(payload), list | dict)  # data: JSON, never pickle
    assert (root / ".albform" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_corrupt_and_planted_entries_are_misses(write, tmp_path: Path) -> None:
    root = _setup(write)
    load_configuration(root, env={})
    entries = sorted((root / CACHE_DIR).glob("*.json"))
    marker = tmp_path / "pwned"
    # A malicious pickle, under the entry's name and under the old .pickle name.
    payload = pickle.dumps(marker.touch)
    entries[0].write_bytes(payload)
    entries[0].with_suffix(".pickle").write_bytes(payload)
    entries[1].write_bytes(b"not json at all")
    cache = ParseCache(root / CACHE_DIR)
    config, diags = load_configuration(root, env={}, cache=cache)
    assert not diags and len(config.resources) == 2
    assert cache.parses == 2
    assert not marker.exists()


def _forge(entry: Path, key: bytes, old: str, new: str) -> None:
    """Rewrite a real entry's tree and seal it with ``key`` for the entry's own binding
    (which anyone can compute)."""
    payload = entry.read_bytes().partition(b"\n")[2].replace(old.encode(), new.encode())
    binding = f"{BINDING}|{entry.stem}".encode()
    entry.write_bytes(hmac.new(key, binding + b"\0" + payload, hashlib.sha256).hexdigest()
                      .encode() + b"\n" + payload)


def test_a_forged_entry_never_changes_what_is_planned(write, _key_home: Path) -> None:
    root = _setup(write)
    assert _names(root) == {"t", "shop-pool"}
    forged = 0
    for entry in (root / CACHE_DIR).glob("*.json"):
        if b"-pool" in entry.read_bytes():
            # Signed with a key the attacker chose, and unsigned with the MAC line kept.
            _forge(entry, b"0" * 64, "-pool", "-evil")
            forged += 1
    assert forged == 1
    assert _names(root) == {"t", "shop-pool"}
    # The same forgery under the real key would be accepted: the key is what protects, and
    # it lives outside the working tree (in the user's cache directory).
    key = (_key_home / "albform" / "parse-cache.key").read_bytes()
    assert (root / CACHE_DIR).resolve() not in (_key_home / "albform").resolve().parents
    for entry in (root / CACHE_DIR).glob("*.json"):
        if b"-pool" in entry.read_bytes():
            _forge(entry, key, "-pool", "-evil")
    assert _names(root) == {"t", "shop-evil"}


def test_a_key_others_may_write_is_not_trusted(write, _key_home: Path) -> None:
    root = _setup(write)
    load_configuration(root, env={})
    key_file = _key_home / "albform" / "parse-cache.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    key_file.chmod(0o666)
    cache = ParseCache(root / CACHE_DIR)
    load_configuration(root, env={}, cache=cache)
    assert cache.parses == 3 and cache.directory is None


@settings(max_examples=200)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=5), max_leaves=30))
def test_any_document_decodes_or_is_refused(doc: Any) -> None:
    try:
        file, _ = decode_file(doc)
    except TreeFormatError:
        return
    assert isinstance(file, File)


def test_every_corpus_file_round_trips_through_the_data_form() -> None:
    corpus = Path(__file__).resolve().parents[3] / ".." / "shared" / "tf-corpus"
    files = sorted(corpus.rglob("*.tf"))
    if not files:
        pytest.skip("../shared/tf-corpus is not here")
    for path in files:
        parsed, diags = parse_hcl(path.read_text(), str(path))
        if parsed is None or diags.has_errors():
            continue
        doc = json.loads(json.dumps(encode_file(parsed, diags)))
        assert decode_file(doc) == (parsed, diags), path


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
