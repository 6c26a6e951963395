"""albform and the official vmware/avi provider share state files, in both directions.

1. A state albform writes is typed as the official provider types it: every attribute of the
   provider's schema present, strings where its Go schema says ``TypeString`` (``"true"``,
   ``"80"``), nested objects as blocks (lists of objects). Real ``terraform`` reads it.
2. A state the official provider wrote for the same objects is adopted by albform with an
   empty plan. The fixture is built from the provider's read path (``avi/utils.go`` 30.2.1:
   ``APIRead`` GETs ``/api/<type>/<uuid>?skip_default=true``, ``PreprocessAPIRes`` formats
   flags and numbers of ``validateBool``/``validateInteger``/``validateFloat`` string fields
   with ``strconv``, ``APIDataToSchema`` keeps the schema's keys and turns nested objects into
   one-element sets, ``SetIDFromObj`` sets ``id`` to the object's ``url``).
3. A state an earlier albform wrote (ids ``/api/<type>/<uuid>``) still plans empty, and its
   ids are kept for their objects (``provider/resources/object_ids.py``, rule 2).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from albform.provider.client import AviClient, ClientConfig
from albform.provider.emulator.certs import self_signed
from albform.provider.emulator.server import RunningEmulator, start_emulator
from albform.provider.schema.official_view import (
    go_format,
    load_official,
    nested_block,
    official_block,
)

PASSWORD = "interchange-password"

CONFIG = """
resource "avi_healthmonitor" "hm" {
  name         = "interchange-hm"
  type         = "HEALTH_MONITOR_HTTP"
  send_interval = 7
  http_monitor {
    http_request = "GET /healthz HTTP/1.0"
    http_response_code = ["HTTP_2XX"]
  }
}

resource "avi_pool" "web" {
  name                = "interchange-pool"
  default_server_port = 8080
  enabled             = false
  health_monitor_refs = [avi_healthmonitor.hm.id]
  servers {
    ip {
      addr = "10.1.0.1"
      type = "V4"
    }
    port  = 8081
    ratio = 3
  }
  servers {
    ip {
      addr = "10.1.0.2"
      type = "V4"
    }
  }
}

resource "avi_vsvip" "vip" {
  name = "interchange-vip"
  vip {
    vip_id = "1"
    ip_address {
      addr = "10.9.0.10"
      type = "V4"
    }
  }
}

resource "avi_virtualservice" "vs" {
  name          = "interchange-vs"
  pool_ref      = avi_pool.web.id
  vsvip_ref     = avi_vsvip.vip.id
  enabled       = true
  services {
    port       = 80
  }
  services {
    port       = 443
    enable_ssl = false
  }
}
"""

# More of the types the interchange issue names: a cloud, a certificate with its (withheld)
# private key, and a GSLB service (with the leader's gslb site configuration it needs).
MORE = """
resource "avi_cloud" "c" {
  name  = "interchange-cloud"
  vtype = "CLOUD_NONE"
  dhcp_enabled = true
}

resource "avi_sslkeyandcertificate" "cert" {
  name = "interchange-cert"
  type = "SSL_CERTIFICATE_TYPE_VIRTUALSERVICE"
  certificate {
    certificate = <<-EOT
CERT_PEM
EOT
  }
  key = <<-EOT
KEY_PEM
EOT
}

resource "avi_gslb" "default" {
  name                = "Default"
  leader_cluster_uuid = "cluster-emulated"
  dns_configs {
    domain_name = "interchange.example.com"
  }
  sites {
    name         = "leader"
    cluster_uuid = "cluster-emulated"
    member_type  = "GSLB_ACTIVE_MEMBER"
    username     = "admin"
    password     = "site-password"
    ip_addresses {
      addr = "127.0.0.1"
      type = "V4"
    }
  }
}

resource "avi_gslbservice" "gs" {
  name         = "interchange-gs"
  domain_names = ["app.interchange.example.com"]
  depends_on   = [avi_gslb.default]
  groups {
    name      = "g1"
    priority  = 10
    algorithm = "GSLB_ALGORITHM_ROUND_ROBIN"
    members {
      ip {
        addr = "10.20.0.1"
        type = "V4"
      }
      ratio = 2
    }
  }
}
"""


def _config(prefix: str) -> tuple[str, str]:
    """The configuration and the certificate's private key in it."""
    cert, key = _self_signed()
    more = MORE.replace("CERT_PEM", cert.strip()).replace("KEY_PEM", key.strip())
    return (CONFIG + more).replace("interchange-", prefix), key.strip() + "\n"


def _self_signed() -> tuple[str, str]:
    made = self_signed("interchange.example.com")
    return made.cert_pem.decode(), made.key_pem.decode()


TYPES = ("avi_healthmonitor", "avi_pool", "avi_vsvip", "avi_virtualservice", "avi_cloud",
         "avi_sslkeyandcertificate", "avi_gslb", "avi_gslbservice")
NAMES = ("hm", "web", "vip", "vs", "c", "cert", "default", "gs")


@pytest.fixture
def emulator() -> Iterator[RunningEmulator]:
    """One controller per test: the gslb configuration is a singleton."""
    with start_emulator(password=PASSWORD) as emu:
        yield emu


def _albform(work: Path, emu: RunningEmulator, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AVI_CONTROLLER": emu.url, "AVI_USERNAME": "admin",
           "AVI_PASSWORD": PASSWORD, "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "albform", f"-chdir={work}", *args],
                          env=env, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def _typed_as_declared(value: Any, facts: Mapping[str, Any], where: str) -> None:
    blocks = load_official()["blocks"]
    if value is None:
        return
    if facts.get("elem") in blocks:
        assert isinstance(value, list), where
        for item in value:
            inner_attrs = blocks[facts["elem"]]["attributes"]
            assert set(item) == set(inner_attrs), where
            for name, inner in item.items():
                _typed_as_declared(inner, inner_attrs[name], f"{where}.{name}")
        return
    if facts["type"] in ("list", "set"):
        assert isinstance(value, list), where
        for item in value:
            _typed_as_declared(item, {"type": facts.get("elem", "string")}, where)
        return
    expected = {"string": str, "bool": bool, "int": int, "float": (int, float)}[facts["type"]]
    assert isinstance(value, expected), (where, value, facts)


def test_albform_state_is_the_official_providers_and_terraform_reads_it(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(_config("interchange-")[0])
    applied = _albform(tmp_path, emulator, "apply", "-auto-approve", "-no-color")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    text = (tmp_path / "terraform.tfstate").read_text()
    assert "PRIVATE KEY" not in text and "site-password" not in text
    doc = json.loads(text)
    by_type = {r["type"]: r["instances"][0]["attributes"] for r in doc["resources"]}
    assert set(by_type) == set(TYPES)
    for tf_type, attrs in by_type.items():
        official = official_block(tf_type)
        assert official is not None
        assert set(attrs) == {*official["attributes"], "id"}, tf_type
        for name, value in attrs.items():
            if name != "id":
                _typed_as_declared(value, official["attributes"][name], f"{tf_type}.{name}")
    # ``id`` is what the provider's APIRead sets: the url of the object's GET answer.
    config = ClientConfig(controller=emulator.url, password=PASSWORD, api_version="30.2.1")
    with AviClient.connect(config) as client:
        for tf_type, attrs in by_type.items():
            raw = client.get_object(tf_type.removeprefix("avi_"), attrs["uuid"],
                                    params={"skip_default": "true"})
            assert raw is not None
            assert attrs["id"] == raw["url"] == \
                f"{emulator.url}/api/{tf_type.removeprefix('avi_')}/{attrs['uuid']}", tf_type
    pool = by_type["avi_pool"]
    assert pool["enabled"] == "false" and pool["default_server_port"] == "8080"
    first = next(s for s in pool["servers"] if s["ip"][0]["addr"] == "10.1.0.1")
    assert first["port"] == "8081" and first["ratio"] == "3"
    assert by_type["avi_virtualservice"]["services"][0]["port"] == "80"
    assert by_type["avi_healthmonitor"]["send_interval"] == "7"
    # albform reads its own state back: a re-plan is empty.
    replan = _albform(tmp_path, emulator, "plan", "-detailed-exitcode", "-no-color")
    assert replan.returncode == 0, replan.stdout + replan.stderr
    # Keys the controller returns that the provider's schema lacks (a cloud's apic_mode) are
    # not kept in state, and refresh does not report them as changed.
    assert "has changed" not in replan.stdout, replan.stdout

    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform binary not installed (the oracle half of this test)")
    listed = subprocess.run([terraform, "state", "list", "-state=terraform.tfstate"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert sorted(listed.stdout.split()) == sorted(f"{t}.{n}" for t, n in zip(
        TYPES, NAMES, strict=True))


# -- the other direction: a state the official provider wrote ------------------------------

_FORMATTERS = ("validateBool", "validateInteger", "validateFloat")


def _preprocess(obj: Mapping[str, Any], attrs: Mapping[str, Any]) -> dict[str, Any]:
    """PreprocessAPIRes + APIDataToSchema: schema keys only, flags/numbers formatted,
    nested objects as one-element sets."""
    blocks = load_official()["blocks"]
    out: dict[str, Any] = {}
    for key, value in obj.items():
        facts = attrs.get(key)
        if facts is None:
            continue
        elem = facts.get("elem")
        if elem in blocks:
            inner = nested_block(elem)["attributes"]
            items = value if isinstance(value, list) else [value]
            out[key] = [_preprocess(v, inner) for v in items]
        elif facts.get("validate") in _FORMATTERS and isinstance(value, bool | int | float):
            out[key] = go_format(value)
        else:
            out[key] = value
    return out


def _official_state(client: AviClient, objects: Mapping[tuple[str, str], str],
                    configured: Mapping[tuple[str, str], Mapping[str, Any]]) -> str:
    resources = []
    for (tf_type, name), obj_uuid in objects.items():
        api_type = tf_type.removeprefix("avi_")
        raw = client.get_object(api_type, obj_uuid, params={"skip_default": "true"})
        assert raw is not None
        block = official_block(tf_type)
        assert block is not None
        attributes: dict[str, Any] = {
            k: ([] if v.get("elem") in load_official()["blocks"] else None)
            for k, v in block["attributes"].items()}
        attributes.update(_preprocess(raw, block["attributes"]))
        attributes.update(configured.get((tf_type, name), {}))
        attributes["id"] = raw["url"]
        resources.append({"mode": "managed", "type": tf_type, "name": name,
                          "provider": 'provider["registry.terraform.io/vmware/avi"]',
                          "instances": [{"schema_version": 0, "attributes": attributes,
                                         "sensitive_attributes": [],
                                         "private": "bnVsbA=="}]})
    return json.dumps({"version": 4, "terraform_version": "1.11.4", "serial": 3,
                       "lineage": str(uuid.uuid4()), "outputs": {},
                       "resources": resources, "check_results": None}, indent=2)


def test_a_state_the_official_provider_wrote_is_adopted_with_an_empty_plan(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    first = tmp_path / "created"
    first.mkdir()
    config_text, key = _config("official-")
    (first / "main.tf").write_text(config_text)
    applied = _albform(first, emulator, "apply", "-auto-approve", "-no-color")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    ours = json.loads((first / "terraform.tfstate").read_text())
    uuids = {(r["type"], r["name"]): r["instances"][0]["attributes"]["uuid"]
             for r in ours["resources"]}
    config = ClientConfig(controller=emulator.url, password=PASSWORD, api_version="30.2.1")
    with AviClient.connect(config) as client:
        # Terraform keeps a sensitive argument's configured value in its state (the
        # controller never returns it): the provider's state holds the key in clear.
        official = _official_state(client, uuids, {
            ("avi_sslkeyandcertificate", "cert"): {"key": key},
            ("avi_gslb", "default"): {}})

    adopted = tmp_path / "adopted"
    adopted.mkdir()
    (adopted / "main.tf").write_text(config_text)
    (adopted / "terraform.tfstate").write_text(official)
    plan = _albform(adopted, emulator, "plan", "-detailed-exitcode", "-no-color")
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert "No changes." in plan.stdout
    # Its forms (url ids and refs, defaults left out) are read as albform's own, and the key
    # it kept in clear becomes a digest: no drift for these objects.
    assert "has changed" not in plan.stdout, plan.stdout
    # albform takes the state over: once it writes the state (an apply of one change here:
    # with nothing changed, a refresh-only apply leaves the file alone) it is in albform's
    # (= the provider's) form, secrets digested.
    (adopted / "main.tf").write_text(config_text.replace(
        'send_interval = 7', 'send_interval = 7\n  description = "taken over"'))
    applied = _albform(adopted, emulator, "apply", "-auto-approve", "-no-color")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "0 added, 1 changed, 0 destroyed" in applied.stdout
    text = (adopted / "terraform.tfstate").read_text()
    rewritten = json.loads(text)
    assert {(r["type"], r["name"]) for r in rewritten["resources"]} == set(uuids)
    assert "PRIVATE KEY" not in text  # albform's state keeps no secret in clear
    assert _ids(rewritten) == _ids(json.loads(official))  # the provider's ids, as written


def _ids(state: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    return {(r["type"], r["name"]): r["instances"][0]["attributes"]["id"]
            for r in state["resources"]}


def test_a_state_an_earlier_albform_wrote_keeps_its_ids_and_plans_empty(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(_config("earlier-")[0])
    applied = _albform(tmp_path, emulator, "apply", "-auto-approve", "-no-color")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    path = tmp_path / "terraform.tfstate"
    doc = json.loads(path.read_text())
    earlier = {}
    for r in doc["resources"]:
        attrs = r["instances"][0]["attributes"]
        assert attrs["id"].startswith(emulator.url + "/api/")
        attrs["id"] = f"/api/{r['type'].removeprefix('avi_')}/{attrs['uuid']}"
        earlier[(r["type"], r["name"])] = attrs["id"]
    path.write_text(json.dumps(doc, indent=2))

    plan = _albform(tmp_path, emulator, "plan", "-detailed-exitcode", "-no-color")
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert "No changes." in plan.stdout and "has changed" not in plan.stdout, plan.stdout
    # A refresh keeps them (the provider reads either spelling: the uuid is the last
    # segment); an object created from now on gets the provider's id.
    (tmp_path / "main.tf").write_text(_config("earlier-")[0] + """
resource "avi_stringgroup" "later" {
  name = "earlier-later"
  type = "SG_TYPE_STRING"
}
""")
    applied = _albform(tmp_path, emulator, "apply", "-auto-approve", "-no-color")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    ids = _ids(json.loads(path.read_text()))
    later = ids.pop(("avi_stringgroup", "later"))
    assert ids == earlier
    assert later.startswith(emulator.url + "/api/stringgroup/stringgroup-")
