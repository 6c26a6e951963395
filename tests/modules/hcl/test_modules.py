"""Module calls: local sources, inputs and outputs, count/for_each on modules, references
between modules and the root, depends_on a module, unsupported sources."""

from __future__ import annotations

from albform.engine.addrs import ResourceAddress
from albform.engine.values import Deferred, resolve_deferred
from albform.modules.hcl.load import load_configuration

A = ResourceAddress.parse

CHILD = {
    "modules/app/variables.tf": """
        variable "name" {
          type = string
        }
        variable "tenant_ref" {
          type    = string
          default = null
        }
        variable "ports" {
          type    = list(number)
          default = [80]
        }
    """,
    "modules/app/main.tf": """
        resource "avi_pool" "pool" {
          name       = "${var.name}-pool"
          tenant_ref = var.tenant_ref
        }
        resource "avi_virtualservice" "vs" {
          name     = var.name
          pool_ref = avi_pool.pool.id
          dynamic "services" {
            for_each = var.ports
            content {
              port = services.value
            }
          }
        }
        output "vs_name" {
          value = avi_virtualservice.vs.name
        }
        output "pool_id" {
          value = avi_pool.pool.id
        }
    """,
}


def test_local_module_with_inputs_outputs_and_count(write) -> None:
    root = write({**CHILD, "main.tf": """
        resource "avi_tenant" "t" {
          name = "team"
        }
        module "web" {
          source     = "./modules/app"
          name       = "web"
          tenant_ref = avi_tenant.t.id
          ports      = [80, 443]
        }
        module "many" {
          source = "./modules/app"
          count  = 2
          name   = "m${count.index}"
        }
        resource "avi_poolgroup" "pg" {
          name = "pg-${module.web.vs_name}"
          members {
            pool_ref = module.web.pool_id
          }
          depends_on = [module.many]
        }
        output "names" {
          value = module.many[*].vs_name
        }
    """})
    config, diags = load_configuration(root, env={})
    assert not diags, [str(d) for d in diags]
    by = config.by_address()
    assert sorted(str(a) for a in by) == [
        "avi_poolgroup.pg", "avi_tenant.t",
        "module.many[0].avi_pool.pool", "module.many[0].avi_virtualservice.vs",
        "module.many[1].avi_pool.pool", "module.many[1].avi_virtualservice.vs",
        "module.web.avi_pool.pool", "module.web.avi_virtualservice.vs"]
    vs = by[A("module.web.avi_virtualservice.vs")]
    assert vs.attributes["services"] == [{"port": 80}, {"port": 443}]
    assert vs.attributes["pool_ref"].references == {A("module.web.avi_pool.pool")}
    pool = by[A("module.web.avi_pool.pool")]
    assert pool.attributes["tenant_ref"].references == {A("avi_tenant.t")}
    assert "tenant_ref" not in by[A("module.many[1].avi_pool.pool")].attributes  # null: unset
    pg = by[A("avi_poolgroup.pg")]
    # the output refers to a resource attribute: evaluated by the engine against the plan
    assert pg.attributes["name"].references == {A("module.web.avi_virtualservice.vs")}
    member = pg.attributes["members"][0]["pool_ref"]
    assert isinstance(member, Deferred) and member.references == {A("module.web.avi_pool.pool")}
    assert resolve_deferred(member, lambda a: {"id": f"/api/pool/{a}"}) == \
        "/api/pool/module.web.avi_pool.pool"
    assert set(pg.depends_on) == {A("module.many[0].avi_pool.pool"),
                                  A("module.many[0].avi_virtualservice.vs"),
                                  A("module.many[1].avi_pool.pool"),
                                  A("module.many[1].avi_virtualservice.vs")}
    (names,) = config.outputs
    assert names.value.references == {A("module.many[0].avi_virtualservice.vs"),
                                      A("module.many[1].avi_virtualservice.vs")}
    planned = {A(f"module.many[{i}].avi_virtualservice.vs"): {"name": f"m{i}"} for i in (0, 1)}
    assert resolve_deferred(names.value, planned.__getitem__) == ["m0", "m1"]


def test_module_argument_mistakes_have_lines(write) -> None:
    root = write({**CHILD, "main.tf": """
        module "web" {
          source = "./modules/app"
          nmae   = "web"
        }
        module "gone" {
          source = "./modules/nothing"
        }
        module "reg" {
          source  = "vmware/avi-app/registry"
          version = "1.0"
        }
    """})
    _, diags = load_configuration(root, env={})
    found = sorted((d.subject.start_line if d.subject else 0, d.summary) for d in diags.errors())
    assert found == [(2, "Missing required argument"), (4, "Unsupported argument"),
                     (7, "Module not found"), (10, "Unsupported module source"),
                     (11, "Invalid registry module source")]
    assert any('Did you mean "name"?' in d.detail for d in diags)


def test_shipped_module(write) -> None:
    root = write({"main.tf": """
        module "shop" {
          source    = "albform/http-app"
          name      = "shop"
          vip       = "10.10.10.100"
          servers   = ["10.0.0.1", "10.0.0.2"]
          port      = 8080
        }
    """})
    config, diags = load_configuration(root, env={})
    assert not diags.has_errors(), [str(d) for d in diags]
    by = config.by_address()
    vs = by[A("module.shop.avi_virtualservice.this")]
    assert vs.attributes["name"] == "shop"
    pool = by[A("module.shop.avi_pool.this")]
    assert [s["ip"][0]["addr"] for s in pool.attributes["servers"]] == ["10.0.0.1", "10.0.0.2"]
    assert {s["port"] for s in pool.attributes["servers"]} == {8080}


def test_moved_blocks_inside_modules_and_imports_only_at_root(write) -> None:
    root = write({
        "modules/m/main.tf": """
            resource "avi_pool" "new" {
              name = "p"
            }
            moved {
              from = avi_pool.old
              to   = avi_pool.new
            }
            import {
              to = avi_pool.new
              id = "pool-1"
            }
        """,
        "main.tf": """
            module "a" {
              source = "./modules/m"
            }
            moved {
              from = module.a.avi_pool.older
              to   = module.a.avi_pool.old
            }
        """})
    config, diags = load_configuration(root, env={})
    assert [(str(m.from_address), str(m.to_address)) for m in config.moved] == [
        ("module.a.avi_pool.older", "module.a.avi_pool.old"),
        ("module.a.avi_pool.old", "module.a.avi_pool.new")]
    assert [(d.summary, d.subject.start_line if d.subject else 0) for d in diags] == \
        [("Invalid import block", 9)]


def test_broken_module_is_reported_once(write) -> None:
    root = write({
        "modules/bad/main.tf": 'output "x" {\n  value = \n}\n',
        "main.tf": """
            module "bad" {
              source = "./modules/bad"
            }
            resource "avi_tenant" "t" {
              name = module.bad.x
            }
        """})
    _, diags = load_configuration(root, env={})
    assert [d.summary for d in diags] == ["Invalid HCL syntax"]
    assert diags[0].subject is not None and diags[0].subject.filename.endswith("bad/main.tf")
