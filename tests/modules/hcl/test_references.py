"""The references the plan JSON lists for an expression (``modules/hcl/references.py``), as
``terraform show -json`` 1.11 printed them for the same expressions (see
tests/cli/test_config_references.py for the comparison with a live terraform), and the
blocks as written that ``load_configuration`` hands the engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from albform.engine.config_blocks import Expression
from albform.modules.hcl.expressions import parse_expression
from albform.modules.hcl.load import load_configuration
from albform.modules.hcl.references import describe, references, subject


@pytest.mark.parametrize(("text", "expected"), [
    ("var.name", ["var.name"]),
    ("var.obj.a.b", ["var.obj.a.b", "var.obj.a", "var.obj"]),
    ("local.tags[\"a\"]", ["local.tags[\"a\"]", "local.tags"]),
    ("var.ports[count.index]", ["var.ports", "count.index"]),
    ("each.value.x", ["each.value.x", "each.value"]),
    ("avi_pool.p", ["avi_pool.p"]),
    ("avi_pool.p.uuid", ["avi_pool.p.uuid", "avi_pool.p"]),
    ("avi_pool.p[0].uuid", ["avi_pool.p[0].uuid", "avi_pool.p[0]", "avi_pool.p"]),
    ("avi_pool.p[\"k\"]", ["avi_pool.p[\"k\"]", "avi_pool.p"]),
    ("avi_pool.p.0.uuid", ["avi_pool.p[0].uuid", "avi_pool.p[0]", "avi_pool.p"]),
    ("data.avi_cloud.c.uuid", ["data.avi_cloud.c.uuid", "data.avi_cloud.c"]),
    ("module.m", ["module.m"]),
    ("module.m.out", ["module.m.out", "module.m"]),
    ("module.m.out.x", ["module.m.out.x", "module.m.out", "module.m"]),
    ("module.m[0]", ["module.m[0]", "module.m"]),
    ("module.m[0].out", ["module.m[0].out", "module.m[0]"]),
    ("avi_pool.p[*].uuid", ["avi_pool.p"]),
    ("(var.obj).a", ["var.obj"]),
    ("var.obj[avi_pool.o.uuid].c[local.k]",
     ["var.obj", "avi_pool.o.uuid", "avi_pool.o", "local.k"]),
    ("[for k, v in var.obj : \"${k}${v.b}${local.k}\" if v != null]", ["var.obj", "local.k"]),
    ("\"${var.name}-${var.name}\"", ["var.name", "var.name"]),
    ("{ a = var.x, (local.k) = 1 }", ["var.x", "local.k"]),
    ("upper(path.module) == terraform.workspace ? count.index : -1",
     ["path.module", "terraform.workspace", "count.index"]),
    ("var", []),
    ("x", []),  # one name alone (a for's name out of scope): no subject
    ("x.y", ["x.y"]),  # any other root is a resource type
])
def test_references_in_terraforms_order_and_forms(text: str, expected: list[str]) -> None:
    assert references(parse_expression(text, 1)) == expected


def test_constants_are_what_needs_no_variable_and_no_function() -> None:
    assert describe(parse_expression("[1 + 2, \"a\", { k = \"v\" }, null]", 1)) == \
        Expression((), [3, "a", {"k": "v"}, None], is_constant=True)
    assert describe(parse_expression("upper(\"x\")", 1)) == Expression()
    assert describe(parse_expression("var.x", 1)) == Expression(("var.x",))
    assert subject(parse_expression("avi_pool.p", 1)) == "avi_pool.p"
    assert subject(parse_expression("module.m", 1)) == "module.m"


def test_loaded_configuration_keeps_blocks_as_written(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('''
variable "ip" {
  default = "10.0.0.1"
}
data "avi_cloud" "c" {
  name = "Default-Cloud"
}
resource "avi_pool" "p" {
  name      = "p"
  cloud_ref = data.avi_cloud.c.id
  servers {
    ip {
      addr = var.ip
      type = "V4"
    }
  }
  servers {
    ip {
      addr = "10.0.0.2"
      type = "V4"
    }
  }
  lifecycle {
    create_before_destroy = true
  }
}
''')
    config, diags = load_configuration(tmp_path, env={})
    assert not diags.has_errors(), list(diags)
    assert config.describe_written is not None
    written = config.describe_written()
    pool, cloud = written.resources  # managed first, then data
    assert (pool.address, cloud.address) == ("avi_pool.p", "data.avi_cloud.c")
    assert pool.expressions["cloud_ref"] == Expression(("data.avi_cloud.c.id",
                                                        "data.avi_cloud.c"))
    servers = pool.expressions["servers"]
    assert isinstance(servers, tuple) and len(servers) == 2
    first_ip = servers[0]["ip"]
    assert isinstance(first_ip, tuple)
    assert first_ip[0]["addr"] == Expression(("var.ip",))
    assert first_ip[0]["type"] == Expression((), "V4", is_constant=True)
    assert "lifecycle" not in pool.expressions
    assert written.variables[0].default == "10.0.0.1"


def test_json_nested_blocks_are_blocks_as_terraform_decodes_them(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text('''{
  "variable": {"ip": {"default": "10.0.0.1"}},
  "resource": {"avi_pool": {"p": {
    "name": "p",
    "servers": [{"ip": {"addr": "${var.ip}", "type": "V4"}, "port": 80}]
  }}}
}''')
    config, diags = load_configuration(tmp_path, env={})
    assert not diags.has_errors(), list(diags)
    assert config.describe_written is not None
    (pool,) = config.describe_written().resources
    assert pool.expressions["name"] == Expression((), "p", is_constant=True)
    (server,) = pool.expressions["servers"]  # type: ignore[misc]
    assert server["port"] == Expression((), 80, is_constant=True)
    (ip,) = server["ip"]  # type: ignore[misc]
    assert ip["addr"] == Expression(("var.ip",))
