"""Nested objects are blocks in the official provider's schema: native syntax must write them
as blocks (Terraform refuses ``ip = {...}``), JSON syntax may write them as values."""

from __future__ import annotations

import json
from pathlib import Path

from albform.modules.hcl.cache import ParseCache
from albform.modules.hcl.load import load_configuration

SERVERS = [{"ip": {"addr": "10.0.0.1", "type": "V4"}, "port": 80}]


def test_a_block_written_as_an_argument_is_refused_in_native_syntax(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "avi_pool" "p" {\n  name = "p"\n'
        '  servers = [{ ip = { addr = "10.0.0.1", type = "V4" }, port = 80 }]\n}\n')
    _, diags = load_configuration(tmp_path, env={}, cache=ParseCache(None))
    (error,) = diags.errors()
    assert error.summary == "Unsupported argument"
    assert error.subject is not None and error.subject.start_line == 3
    assert "Did you mean to define a block of type 'servers'?" in error.detail


def test_json_syntax_writes_blocks_as_values(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text(json.dumps(
        {"resource": {"avi_pool": {"p": {"name": "p", "servers": SERVERS}}}}))
    config, diags = load_configuration(tmp_path, env={}, cache=ParseCache(None))
    assert not diags.errors()
    (pool,) = config.resources
    assert pool.attributes["servers"][0]["port"] == 80
