"""Terraform JSON syntax (.tf.json, CDKTF's cdk.tf.json) loads into the same Configuration as
the native syntax would, with file:line diagnostics."""

from __future__ import annotations

import json
from pathlib import Path

from albform.engine.addrs import ResourceAddress
from albform.engine.values import Deferred
from albform.modules.hcl.load import load_configuration

CDK = {
    "//": {"metadata": {"backend": "http", "stackName": "avi-prod", "version": "0.21.0"},
           "outputs": {}},
    "provider": {"avi": [{"avi_controller": "${var.controller}", "avi_username": "admin",
                          "avi_password": "${var.password}", "avi_tenant": "admin",
                          "avi_version": "30.2.1"}]},
    "terraform": {"required_providers": {"avi": {"source": "vmware/avi", "version": "30.2.1"}},
                  "backend": {"http": {"address": "http://127.0.0.1:8080/state"}}},
    "variable": {"controller": {"type": "string", "default": "127.0.0.1:9443"},
                 "password": {"type": "string", "sensitive": True},
                 "ports": {"type": "list(number)", "default": [80, 443]}},
    "locals": {"prefix": "web"},
    "data": {"avi_cloud": {"default": {"name": "Default-Cloud"}}},
    "resource": {
        "avi_pool": {"web_pool": {
            "//": {"metadata": {"path": "avi-prod/web_pool", "uniqueId": "web_pool"}},
            "name": "${local.prefix}-pool",
            "cloud_ref": "${data.avi_cloud.default.id}",
            "servers": [{"ip": [{"addr": "10.0.0.1", "type": "V4"}], "port": "80"}],
            "lifecycle": {"ignore_changes": ["description"]},
        }},
        "avi_virtualservice": {"web_vs": {
            "count": 2,
            "name": "${upper(local.prefix)}-${count.index}",
            "pool_ref": "${avi_pool.web_pool.id}",
            "services": [{"port": "${var.ports[count.index]}"}],
            "depends_on": ["avi_pool.web_pool"],
        }},
    },
    "output": {"pool_id": {"value": "${avi_pool.web_pool.id}"}},
}


def test_cdktf_synth_output_loads(tmp_path: Path) -> None:
    (tmp_path / "cdk.tf.json").write_text(json.dumps(CDK, indent=2))
    config, diags = load_configuration(tmp_path, variables={"password": "s3cret"}, env={})
    assert not diags, [str(d) for d in diags]
    by = config.by_address()
    pool = by[ResourceAddress.parse("avi_pool.web_pool")]
    assert pool.attributes["name"] == "web-pool"
    assert pool.attributes["servers"] == [{"ip": [{"addr": "10.0.0.1", "type": "V4"}],
                                           "port": "80"}]
    assert "//" not in pool.attributes
    assert pool.lifecycle.ignore_changes == (("description",),)
    cloud_ref = pool.attributes["cloud_ref"]
    assert isinstance(cloud_ref, Deferred)
    assert cloud_ref.references == {ResourceAddress.parse("data.avi_cloud.default")}
    assert cloud_ref.evaluate(lambda a: {"id": "https://c/api/cloud/cloud-1"}) == \
        "https://c/api/cloud/cloud-1"
    vs1 = by[ResourceAddress.parse("avi_virtualservice.web_vs[1]")]
    assert vs1.attributes["name"] == "WEB-1"
    assert vs1.attributes["services"] == [{"port": 443}]
    assert vs1.depends_on == (ResourceAddress.parse("avi_pool.web_pool"),)
    assert vs1.dependencies() == {ResourceAddress.parse("avi_pool.web_pool")}
    assert config.provider_config["avi_controller"] == "127.0.0.1:9443"
    assert config.provider_config["avi_password"] == "s3cret"
    assert config.backend == ("http", {"address": "http://127.0.0.1:8080/state"})
    assert config.by_address()[ResourceAddress.parse("data.avi_cloud.default")].attributes == \
        {"name": "Default-Cloud"}
    (output,) = config.outputs
    assert isinstance(output.value, Deferred)


def test_json_errors_point_at_lines(tmp_path: Path) -> None:
    text = '{\n  "resource": {\n    "avi_pool": {\n      "p": {\n        "name": "${var.nope}"\n' \
           '      }\n    }\n  }\n}\n'
    (tmp_path / "main.tf.json").write_text(text)
    _, diags = load_configuration(tmp_path, env={})
    (error,) = diags
    assert error.summary == "Reference to undeclared input variable"
    assert error.subject is not None and error.subject.start_line == 5
    assert error.subject.filename.endswith("main.tf.json")


def test_json_syntax_error_has_line(tmp_path: Path) -> None:
    (tmp_path / "bad.tf.json").write_text('{\n  "resource": {\n    "avi_pool": [1,,]\n}}\n')
    _, diags = load_configuration(tmp_path, env={})
    assert [d.summary for d in diags] == ["Invalid JSON configuration"]
    assert diags[0].subject is not None and diags[0].subject.start_line == 3


def test_json_meta_blocks(tmp_path: Path) -> None:
    doc = {
        "variable": {"ips": {"type": "list(string)", "default": ["10.0.0.1", "10.0.0.2"]},
                     "mode": {"default": "a", "validation": [{
                         "condition": "${contains([\"a\", \"b\"], var.mode)}",
                         "error_message": "bad"}]}},
        "resource": {"avi_pool": {
            "p": {"name": "p", "provider": "avi",
                  "dynamic": {"servers": {"for_each": "${var.ips}", "iterator": "s",
                                          "content": {"ip": [{"addr": "${s.value}",
                                                              "type": "V4"}]}}},
                  "lifecycle": {"ignore_changes": "all", "prevent_destroy": True}},
            "q": {"for_each": "${toset(var.ips)}", "name": "q-${each.key}",
                  "depends_on": ["avi_pool.p"]}}},
        "moved": [{"from": "avi_pool.old", "to": "avi_pool.p"}],
        "import": {"to": "avi_pool.p", "id": "pool-1"},
    }
    (tmp_path / "main.tf.json").write_text(json.dumps(doc))
    config, diags = load_configuration(tmp_path, env={})
    assert not diags, [str(d) for d in diags]
    p = config.by_address()[ResourceAddress.parse("avi_pool.p")]
    assert p.attributes["servers"] == [{"ip": [{"addr": "10.0.0.1", "type": "V4"}]},
                                       {"ip": [{"addr": "10.0.0.2", "type": "V4"}]}]
    assert p.lifecycle.ignore_all_changes and p.lifecycle.prevent_destroy
    q = config.by_address()[ResourceAddress.parse('avi_pool.q["10.0.0.2"]')]
    assert q.attributes["name"] == "q-10.0.0.2"
    assert q.depends_on == (ResourceAddress.parse("avi_pool.p"),)
    assert [(str(m.from_address), str(m.to_address)) for m in config.moved] == \
        [("avi_pool.old", "avi_pool.p")]
    assert [(str(i.to_address), i.id) for i in config.imports] == [("avi_pool.p", "pool-1")]
