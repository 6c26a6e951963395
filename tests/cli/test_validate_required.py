"""``albform validate`` reports a required argument missing inside nested blocks (from the
schema) with its file:line, instead of the controller's HTTP 400 at apply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

CONFIG = """\
resource "avi_network" "vlan" {
  name = "vlan"
  configured_subnets {
    prefix {
      ip_addr {
        addr = "10.0.0.0"
      }
    }
  }
}
"""


def test_validate_names_each_missing_nested_argument_with_its_line(albform: Any,
                                                                   tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CONFIG)
    result = albform("validate", "-no-color")
    assert result.code == 1
    shown = result.out + result.err
    assert f"on {tmp_path / 'main.tf'} line 4:" in shown  # prefix {: mask missing
    assert "The argument 'mask' is required by avi_network.configured_subnets.prefix" in shown
    assert f"on {tmp_path / 'main.tf'} line 5:" in shown  # ip_addr {: type missing
    assert ("The argument 'type' is required by avi_network.configured_subnets.prefix.ip_addr"
            in shown)
    assert "Success" not in shown
