"""Mangled configurations never raise: every outcome is diagnostics with file:line."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from albform.modules.hcl.cache import ParseCache
from albform.modules.hcl.load import load_configuration

SAMPLE = '''variable "ports" {
  type    = list(number)
  default = [80, 443]
}
locals {
  names = { for p in var.ports : "p${p}" => p }
}
resource "avi_pool" "web" {
  for_each = local.names
  name     = "${each.key}-${upper("x")}"
  servers {
    ip {
      addr = cidrhost("10.0.0.0/24", each.value % 250)
      type = "V4"
    }
  }
  lifecycle {
    ignore_changes = [description]
  }
}
output "ids" {
  value = [for p in avi_pool.web : p.id]
}
'''
JSON_SAMPLE = ('{"resource": {"avi_pool": {"p": {"name": "${var.n}", "count": 2, '
               '"servers": [{"ip": [{"addr": "10.0.0.${count.index}"}]}]}}}, '
               '"variable": {"n": {"default": "x"}}}')

ROBUST = settings(max_examples=40, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture])
edits = st.lists(st.tuples(st.integers(0, len(SAMPLE)), st.integers(0, 6),
                           st.sampled_from(["", "}", "{", "\"", "${", "(", "=", "[", "\n",
                                            "%{", "<<EOT\n", "#", "x.", "..."])),
                 min_size=1, max_size=3)


def _mangle(text: str, changes: list[tuple[int, int, str]]) -> str:
    for position, length, insert in changes:
        position = min(position, len(text))
        text = text[:position] + insert + text[position + length:]
    return text


def _check(path: Path) -> None:
    _, diags = load_configuration(path, env={}, cache=ParseCache(None))
    for diag in diags.errors():
        assert diag.subject is not None, str(diag)
        assert diag.subject.start_line >= 1


@ROBUST
@given(edits)
def test_mangled_native_syntax_gives_diagnostics(tmp_path: Path, changes) -> None:
    path = tmp_path / "main.tf"
    path.write_text(_mangle(SAMPLE, changes))
    _check(path)


@ROBUST
@given(st.lists(st.tuples(st.integers(0, len(JSON_SAMPLE)), st.integers(0, 4),
                          st.sampled_from(["", "}", "{", "\"", "${", "[", ",", ":", "1"])),
                min_size=1, max_size=3))
def test_mangled_json_syntax_gives_diagnostics(tmp_path: Path, changes) -> None:
    path = tmp_path / "main.tf.json"
    path.write_text(_mangle(JSON_SAMPLE, changes))
    _check(path)
