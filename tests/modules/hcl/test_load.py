"""The loader end to end: variables, expansion, dynamic blocks, references, lifecycle,
moved/import, provider and backend blocks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from albform.engine.addrs import ResourceAddress
from albform.engine.config import AVI_PROVIDER
from albform.engine.values import UNKNOWN, Deferred, resolve_deferred
from albform.modules.hcl.cache import ParseCache
from albform.modules.hcl.load import load_configuration

A = ResourceAddress.parse


def _load(root: Path, **kw: Any) -> Any:
    kw.setdefault("env", {})
    config, diags = load_configuration(root, **kw)
    assert not diags.has_errors(), "\n".join(map(str, diags))
    return config


VARS = """
variable "name" {
  default = "from-default"
}
variable "ports" {
  type    = list(number)
  default = [1]
}
resource "avi_pool" "p" {
  name        = var.name
  description = jsonencode(var.ports)
}
"""


def test_variable_precedence(write, tmp_path: Path) -> None:
    root = write({"main.tf": VARS})

    def name(**kw: Any) -> Any:
        return _load(root, **kw).by_address()[A("avi_pool.p")].attributes

    assert name()["name"] == "from-default"
    assert name(env={"TF_VAR_name": "env"})["name"] == "env"
    (root / "terraform.tfvars").write_text('name = "tfvars"\n')
    assert name(env={"TF_VAR_name": "env"})["name"] == "tfvars"
    (root / "b.auto.tfvars.json").write_text('{"name": "auto-json"}')
    assert name()["name"] == "auto-json"
    extra = tmp_path / "extra.tfvars"
    extra.write_text('name = "var-file"\nports = [8, 9]\n')
    got = name(var_files=[extra])
    assert got == {"name": "var-file", "description": "[8,9]"}
    got = name(var_files=[extra], variables={"name": "cli", "ports": "[80, \"443\"]"})
    assert got == {"name": "cli", "description": "[80,443]"}  # "443" converted to number


def test_undeclared_cli_variable_is_an_error_file_variable_a_warning(write, tmp_path) -> None:
    root = write({"main.tf": VARS, "terraform.tfvars": 'nmae = "x"\n'})
    _, diags = load_configuration(root, env={}, variables={"prots": "[1]"})
    assert [(d.severity.value, d.summary) for d in diags] == [
        ("warning", "Value for undeclared variable"), ("error", "Value for undeclared variable")]
    assert 'Did you mean "name"?' in diags[0].detail
    assert diags[0].subject is not None and diags[0].subject.start_line == 1


def test_count_for_each_and_dynamic_blocks(write) -> None:
    root = write({"main.tf": """
        locals {
          pools = {
            web = { port = 80, backends = ["10.0.0.1", "10.0.0.2"] }
            api = { port = 8080, backends = [] }
          }
        }
        resource "avi_pool" "by_key" {
          for_each     = local.pools
          name         = "${each.key}-pool"
          default_server_port = each.value.port
          dynamic "servers" {
            for_each = each.value.backends
            iterator = backend
            content {
              ip {
                addr = backend.value
                type = "V4"
              }
              description = "backend ${backend.key}"
            }
          }
        }
        resource "avi_healthmonitor" "hm" {
          count = 2
          name  = "hm-${count.index}"
          type  = "HEALTH_MONITOR_HTTP"
        }
    """})
    by = _load(root).by_address()
    assert sorted(map(str, by)) == ['avi_healthmonitor.hm[0]', 'avi_healthmonitor.hm[1]',
                                    'avi_pool.by_key["api"]', 'avi_pool.by_key["web"]']
    web = by[A('avi_pool.by_key["web"]')].attributes
    assert web["default_server_port"] == 80
    assert web["servers"] == [
        {"ip": [{"addr": "10.0.0.1", "type": "V4"}], "description": "backend 0"},
        {"ip": [{"addr": "10.0.0.2", "type": "V4"}], "description": "backend 1"}]
    assert by[A('avi_pool.by_key["api"]')].attributes["servers"] == []
    assert by[A("avi_healthmonitor.hm[1]")].attributes["name"] == "hm-1"


def test_references_become_deferred_with_instance_addresses(write) -> None:
    root = write({"main.tf": """
        resource "avi_healthmonitor" "hm" {
          count = 2
          name  = "hm-${count.index}"
          type  = "HEALTH_MONITOR_HTTP"
        }
        data "avi_cloud" "c" {
          name = "Default-Cloud"
        }
        locals {
          cloud = data.avi_cloud.c.id
        }
        resource "avi_pool" "p" {
          name                = "p"
          cloud_ref           = local.cloud
          health_monitor_refs = avi_healthmonitor.hm[*].id
          description         = "first ${avi_healthmonitor.hm[0].name}"
          servers {
            ip {
              addr = "10.0.0.1"
              type = "V4"
            }
            hostname = upper(data.avi_cloud.c.name)
          }
        }
        output "hm_names" {
          value = [for h in avi_healthmonitor.hm : h.name]
        }
    """})
    config = _load(root)
    pool = config.by_address()[A("avi_pool.p")]
    attrs = pool.attributes
    assert isinstance(attrs["cloud_ref"], Deferred)
    assert attrs["cloud_ref"].references == {A("data.avi_cloud.c")}
    assert attrs["health_monitor_refs"].references == {A("avi_healthmonitor.hm[0]"),
                                                       A("avi_healthmonitor.hm[1]")}
    assert attrs["description"].references == {A("avi_healthmonitor.hm[0]")}
    # nested blocks keep their literal parts; only the reference is deferred
    assert attrs["servers"][0]["ip"] == [{"addr": "10.0.0.1", "type": "V4"}]
    assert isinstance(attrs["servers"][0]["hostname"], Deferred)
    assert pool.dependencies() == {A("data.avi_cloud.c"), A("avi_healthmonitor.hm[0]"),
                                   A("avi_healthmonitor.hm[1]")}
    planned = {
        A("data.avi_cloud.c"): {"id": "/api/cloud/c-1", "name": "default-cloud"},
        A("avi_healthmonitor.hm[0]"): {"id": UNKNOWN, "name": "hm-0"},
        A("avi_healthmonitor.hm[1]"): {"id": "/api/healthmonitor/h-1", "name": "hm-1"},
    }
    resolved = resolve_deferred(dict(attrs), planned.__getitem__)
    assert resolved["cloud_ref"] == "/api/cloud/c-1"
    assert resolved["health_monitor_refs"] == [UNKNOWN, "/api/healthmonitor/h-1"]
    assert resolved["description"] == "first hm-0"
    assert resolved["servers"][0]["hostname"] == "DEFAULT-CLOUD"
    (output,) = config.outputs
    assert resolve_deferred(output.value, planned.__getitem__) == ["hm-0", "hm-1"]


def test_lifecycle_moved_import_provider_backend(write) -> None:
    root = write({"main.tf": """
        terraform {
          required_providers {
            avi = { source = "vmware/avi", version = "30.2.1" }
          }
          backend "local" {
            path = "state/terraform.tfstate"
          }
        }
        variable "password" {
          sensitive = true
          default   = "pw"
        }
        provider "avi" {
          avi_controller = "127.0.0.1:9443"
          avi_username   = "admin"
          avi_password   = var.password
          avi_tenant     = "admin"
        }
        resource "avi_pool" "web" {
          name     = "web"
          provider = avi
          lifecycle {
            prevent_destroy       = true
            create_before_destroy = true
            ignore_changes        = [description, servers[0].enabled]
          }
        }
        resource "avi_pool" "all" {
          name = "all"
          lifecycle {
            ignore_changes = all
          }
        }
        moved {
          from = avi_pool.old
          to   = avi_pool.web
        }
        import {
          to = avi_pool.all
          id = "pool-${upper("abc")}"
        }
    """})
    config = _load(root)
    web = config.by_address()[A("avi_pool.web")]
    assert web.provider == AVI_PROVIDER
    assert web.lifecycle.prevent_destroy and web.lifecycle.create_before_destroy
    assert web.lifecycle.ignore_changes == (("description",), ("servers", 0, "enabled"))
    assert config.by_address()[A("avi_pool.all")].lifecycle.ignore_all_changes
    assert [(str(m.from_address), str(m.to_address)) for m in config.moved] == \
        [("avi_pool.old", "avi_pool.web")]
    assert [(str(i.to_address), i.id) for i in config.imports] == [("avi_pool.all", "pool-ABC")]
    assert config.provider_config == {"avi_controller": "127.0.0.1:9443",
                                      "avi_username": "admin", "avi_password": "pw",
                                      "avi_tenant": "admin"}
    assert config.backend == ("local", {"path": "state/terraform.tfstate"})
    assert web.source is not None and web.source.start_line == 20


def test_locals_cycle_is_reported_once(write) -> None:
    root = write({"main.tf": """
        locals {
          a = local.b
          b = local.a
        }
        resource "avi_pool" "p" {
          name = local.a
        }
    """})
    _, diags = load_configuration(root, env={})
    assert [d.summary for d in diags.errors()] == ["Cycle in local values"]


def test_files_and_templates_resolve_against_the_configuration(write) -> None:
    root = write({
        "main.tf": """
            resource "avi_sslkeyandcertificate" "cert" {
              name = "c"
              certificate {
                certificate = file("${path.module}/certs/app.crt")
              }
              key = templatefile("tpl/key.tftpl", { names = ["a", "b"] })
            }
        """,
        "certs/app.crt": "-----BEGIN CERTIFICATE-----\nMIIB\n",
        "tpl/key.tftpl": "%{ for n in names ~}\nkey-${n}\n%{ endfor ~}\n",
    })
    attrs = _load(root).by_address()[A("avi_sslkeyandcertificate.cert")].attributes
    assert attrs["certificate"] == [{"certificate": "-----BEGIN CERTIFICATE-----\nMIIB\n"}]
    assert attrs["key"] == "key-a\nkey-b\n"


def test_single_file_and_missing_paths(tmp_path: Path) -> None:
    _, diags = load_configuration(tmp_path / "nope", env={})
    assert [d.summary for d in diags] == ["No configuration files"]
    (tmp_path / "one.tf").write_text('resource "avi_tenant" "t" {\n  name = "t"\n}\n')
    config, diags = load_configuration(tmp_path / "one.tf", env={})
    assert not diags and [str(r.address) for r in config.resources] == ["avi_tenant.t"]


class _AllUnknown(dict):  # type: ignore[type-arg]
    """Like the planner's mapping for an object not yet created: every key is unknown."""

    def get(self, key: Any, default: Any = None) -> Any:
        return UNKNOWN


def test_unset_attributes_of_unknown_objects_stay_unknown(write) -> None:
    root = write({"main.tf": """
        resource "avi_vsvip" "v" {
          name = "v"
        }
        resource "avi_virtualservice" "vs" {
          name      = "vs"
          vsvip_ref = avi_vsvip.v.id
          description = "vip ${avi_vsvip.v.uuid}"
        }
    """})
    vs = _load(root).by_address()[A("avi_virtualservice.vs")]
    unknown = resolve_deferred(dict(vs.attributes), lambda a: _AllUnknown())
    assert unknown["vsvip_ref"] is UNKNOWN and unknown["description"] is UNKNOWN
    known = resolve_deferred(dict(vs.attributes), lambda a: {"id": "/api/vsvip/1",
                                                            "uuid": "vsvip-1"})
    assert known == {"name": "vs", "vsvip_ref": "/api/vsvip/1", "description": "vip vsvip-1"}


def test_null_means_unset(write) -> None:
    root = write({"main.tf": """
        variable "tenant" {
          default = null
        }
        resource "avi_pool" "p" {
          name       = "p"
          tenant_ref = var.tenant
          servers {
            ip {
              addr = "10.0.0.1"
              type = null
            }
          }
        }
        resource "avi_pool" "q" {
          name = null
        }
    """})
    config, diags = load_configuration(root, env={})
    # A null required argument is missing, in a nested block (ip.type) as at the top (name).
    assert [(d.summary, d.subject.start_line if d.subject else 0) for d in diags] == \
        [("Missing required argument", 9), ("Missing required argument", 15)]
    attrs = config.by_address()[A("avi_pool.p")].attributes
    assert attrs == {"name": "p", "servers": [{"ip": [{"addr": "10.0.0.1"}]}]}


def test_for_each_keys_known_values_from_resources(write) -> None:
    root = write({"main.tf": """
        resource "avi_pool" "web" {
          name = "web"
        }
        resource "avi_poolgroup" "pg" {
          for_each = { web = avi_pool.web.id, static = "/api/pool/p-static" }
          name     = each.key
          members {
            pool_ref = each.value
          }
        }
        resource "avi_poolgroup" "bad" {
          for_each = toset([avi_pool.web.name])
          name     = each.key
        }
    """})
    config, diags = load_configuration(root, env={})
    assert [(d.summary, d.subject.start_line if d.subject else 0) for d in diags] == \
        [("Invalid for_each argument", 13)]
    by = config.by_address()
    web = by[A('avi_poolgroup.pg["web"]')].attributes["members"][0]["pool_ref"]
    assert web.references == {A("avi_pool.web")}
    assert resolve_deferred(web, lambda a: {"id": "/api/pool/p-1"}) == "/api/pool/p-1"
    assert by[A('avi_poolgroup.pg["static"]')].attributes["members"] == \
        [{"pool_ref": "/api/pool/p-static"}]


def test_variable_files_hold_constants_only(write, tmp_path: Path) -> None:
    root = write({"main.tf": VARS})
    bad = tmp_path / "bad.tfvars"
    bad.write_text('name = "ok"\nports = [var.name]\n')
    broken = tmp_path / "broken.tfvars.json"
    broken.write_text('{"name": }')
    _, diags = load_configuration(root, env={}, var_files=[bad, broken])
    found = [(d.summary, d.subject.filename if d.subject else "", d.subject.start_line
              if d.subject else 0) for d in diags]
    assert found == [("Variables not allowed", str(bad), 2),
                     ("Invalid JSON variables file", str(broken), 1)]


def test_provider_arguments_are_the_official_ones_and_extensions_point_to_env(
        tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'provider "avi" {\n  avi_csp_host = "console.cloud.vmware.com"\n'
        '  avi_api_timeout = 30\n  avi_ca_bundle = "ca.pem"\n}\n')
    _, diags = load_configuration(tmp_path, env={}, cache=ParseCache(None))
    errors = diags.errors()
    assert [(e.summary, e.subject.start_line if e.subject else None) for e in errors] == [
        ("Unsupported argument", 4)]
    # Terraform's wording, plus where albform reads the setting instead.
    assert errors[0].detail.startswith('An argument named "avi_ca_bundle" is not expected here.')
    assert "AVI_CA_BUNDLE" in errors[0].detail


EARLY_POOL = """
resource "avi_pool" "p" {
  name = "p"
}
"""


@pytest.mark.parametrize(("provider", "early"), [
    ("", True),
    ('provider "avi" {\n  avi_tenant = "admin"\n}\n', True),
    ('provider "avi" {\n  avi_tenant = var.tenant\n  avi_version = "${var.v}.1"\n}\n', True),
    ('provider "avi" {\n  avi_tenant = var.missing\n}\n', False),  # an error: not early
    ('provider "avi" {\n  avi_tenant = lower("ADMIN")\n}\n', False),  # a function
    ('provider "avi" {\n  avi_tenant = local.t\n}\nlocals {\n  t = "admin"\n}\n', False),
    ('provider "avi" {\n  avi_tenant = avi_pool.p.name\n}\n', False),
    ('provider "avi" {\n  avi_tenant = [for t in ["a"] : t][0]\n}\n', False),
    ('terraform {\n  backend "local" {\n    path = "x.tfstate"\n  }\n}\n', True),
    ('terraform {\n  backend "local" {\n    path = var.tenant\n  }\n}\n', False),
    ('provider "aws" {\n  region = "x"\n}\n', True),
])
def test_settings_known_early_are_the_configurations(write: Any, provider: str,
                                                     early: bool) -> None:
    """``settings_known`` gets exactly the configuration's provider arguments and backend,
    only when they are built from literals and input variables and come out without error;
    with it or without, the configuration and its diagnostics are the same."""
    root = write({"main.tf": 'variable "tenant" {\n  default = "admin"\n}\n'
                             'variable "v" {\n  default = "30.2"\n}\n' + provider + EARLY_POOL})
    told: list[tuple[Any, Any]] = []
    config, diags = load_configuration(root, env={},
                                       settings_known=lambda p, b: told.append((p, b)))
    plain_config, plain_diags = load_configuration(root, env={})
    assert [str(d) for d in diags] == [str(d) for d in plain_diags]
    assert (config.provider_config, config.backend, config.resources) == (
        plain_config.provider_config, plain_config.backend, plain_config.resources)
    assert told == ([(config.provider_config, config.backend)] if early else [])
