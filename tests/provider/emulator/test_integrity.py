"""Referential integrity and naming rules: 409/400/403 with the recorded messages, atomic
refusals, system defaults, refs in every accepted input form, version gating."""

from __future__ import annotations

import pytest
from emuclient import Client


def _pool(client: Client, name: str, **extra: object) -> dict[str, object]:
    r = client.post("/api/pool", {"name": name, **extra})
    assert r.status_code == 201, r.text
    body: dict[str, object] = r.json()
    return body


def test_duplicate_name_is_409_with_recorded_text(client: Client) -> None:
    _pool(client, "dup-pool")
    r = client.post("/api/pool", {"name": "dup-pool"})
    assert r.status_code == 409
    assert r.json() == {"error": "Pool with this Name and Tenant ref already exists."}
    # Cloud-scoped names: same VRF name in another cloud is fine, in the same cloud is not.
    vrf = client.post("/api/vrfcontext", {"name": "global"})
    assert vrf.status_code == 409
    assert vrf.json()["error"] == (
        "Vrf context with this Name, Tenant ref and Cloud ref already exists.")
    cloud = client.post("/api/cloud", {"name": "second-cloud"})
    assert cloud.status_code == 201, cloud.text
    in_cloud = client.post("/api/vrfcontext", {"name": "red", "cloud_ref": cloud.json()["url"]})
    in_default = client.post("/api/vrfcontext", {"name": "red"})
    assert (in_cloud.status_code, in_default.status_code) == (201, 201)


def test_refs_accepted_in_every_input_form(client: Client, emulator: object) -> None:
    hm = client.by_name("healthmonitor", "System-HTTP")
    forms = [hm["url"], hm["url"] + "#System-HTTP", f"/api/healthmonitor/{hm['uuid']}",
             "/api/healthmonitor?name=System-HTTP", "/api/healthmonitor/?name=System-HTTP",
             f"https://elsewhere.example//api/healthmonitor/{hm['uuid']}"]
    for i, form in enumerate(forms):
        pool = _pool(client, f"ref-form-{i}", health_monitor_refs=[form])
        assert pool["health_monitor_refs"] == [hm["url"] + "#System-HTTP"], form


@pytest.mark.parametrize(("ref", "message"), [
    ("/api/healthmonitor?name=no-such-monitor", "HealthMonitor object not found"),
    ("/api/healthmonitor/healthmonitor-00000000-0000-4000-8000-000000000000",
     "HealthMonitor object not found"),
    ("System-HTTP", None),  # a bare name is not a ref
])
def test_unresolvable_ref_is_400(client: Client, ref: str, message: str | None) -> None:
    r = client.post("/api/pool", {"name": "bad-ref", "health_monitor_refs": [ref]})
    assert r.status_code == 400
    if message:
        assert r.json() == {"error": message}
    assert client.get("/api/pool?name=bad-ref").json()["count"] == 0


def test_ref_of_wrong_type_is_400(client: Client) -> None:
    pool = _pool(client, "typed-pool")
    wrong = str(pool["url"]).replace("/api/pool/", "/api/healthmonitor/")
    r = client.post("/api/pool", {"name": "typed-2", "health_monitor_refs": [wrong]})
    assert r.status_code == 400


def test_delete_referenced_is_403_and_atomic(client: Client) -> None:
    pool = _pool(client, "held-pool")
    group = client.post("/api/poolgroup", {"name": "holder", "members": [
        {"pool_ref": pool["url"]}]})
    assert group.status_code == 201, group.text
    r = client.delete(f"/api/pool/{pool['uuid']}")
    assert r.status_code == 403
    assert r.json() == {"error": "Cannot delete, object is referred by: ['PoolGroup holder']",
                        "obj_name": "held-pool"}
    assert client.get(f"/api/pool/{pool['uuid']}").status_code == 200
    refs = client.get(f"/api/poolgroup?refers_to=pool:{pool['uuid']}").json()
    assert [g["name"] for g in refs["results"]] == ["holder"]
    assert client.delete(f"/api/poolgroup/{group.json()['uuid']}").status_code == 204
    assert client.delete(f"/api/pool/{pool['uuid']}").status_code == 204


def test_cloud_delete_blocked_is_400_and_empty_cloud_goes(client: Client) -> None:
    cloud = client.post("/api/cloud", {"name": "busy-cloud"}).json()
    pool = _pool(client, "cloud-pool", cloud_ref=cloud["url"])
    assert str(pool["vrf_ref"]).endswith("#global")
    r = client.delete(f"/api/cloud/{cloud['uuid']}")
    assert r.status_code == 400
    assert r.json()["error"] == "Cannot delete, object is referred by: ['Pool cloud-pool']"
    assert client.delete(f"/api/pool/{pool['uuid']}").status_code == 204
    # Its own global/management VRFs and Default-Group go with it.
    assert client.delete(f"/api/cloud/{cloud['uuid']}").status_code == 204
    leftovers = client.get(f"/api/vrfcontext?cloud_ref.uuid={cloud['uuid']}").json()
    assert leftovers["count"] == 0


def test_system_defaults_cannot_be_deleted_or_renamed(client: Client) -> None:
    profile = client.by_name("applicationprofile", "System-HTTP")
    r = client.delete(f"/api/applicationprofile/{profile['uuid']}")
    assert r.status_code == 403
    assert r.json() == {"error": "Cannot delete system default object"}
    renamed = dict(profile, name="Renamed")
    assert client.put(f"/api/applicationprofile/{profile['uuid']}", renamed).status_code == 403
    # Editing is allowed.
    edited = dict(profile, description="edited")
    r = client.put(f"/api/applicationprofile/{profile['uuid']}", edited)
    assert r.status_code == 200 and r.json()["description"] == "edited"


def test_singleton_delete_is_405(client: Client) -> None:
    r = client.delete("/api/systemconfiguration/default")
    assert r.status_code == 405
    assert r.json() == {"detail": "Method 'DELETE' not allowed."}


def test_unknown_keys_are_ignored_and_defaults_filled(client: Client) -> None:
    vs = client.post("/api/virtualservice", {
        "name": "ignore-keys", "services": [{"port": 443, "enable_ssl": True}],
        "application_profile_name": "System-Secure-HTTP"})
    assert vs.status_code == 201, vs.text
    body = vs.json()
    assert "application_profile_name" not in body
    assert body["application_profile_ref"].endswith("#System-HTTP")
    assert body["ssl_profile_ref"].endswith("#System-Standard-PFS")
    assert body["services"][0]["port_range_end"] == 443
    assert client.delete(f"/api/virtualservice/{body['uuid']}").status_code == 204


def test_newer_field_than_requested_version_is_400(client: Client) -> None:
    r = client.post("/api/pool", {"name": "gated", "append_port": "NEVER"},
                    headers={"X-Avi-Version": "20.1.1"})
    assert r.status_code == 400
    assert r.json() == {"error": "Incoming request (v20_1_1) has field (append_port) introduced "
                                 "in later versions(v21_1_1)."}
    ok = client.post("/api/pool", {"name": "gated", "append_port": "NEVER"},
                     headers={"X-Avi-Version": "22.1.1"})
    assert ok.status_code == 201, ok.text
    assert ok.headers["AVI_API_VERSION"] == "22.1.1"
    # Read back in the older format, the newer field is left out.
    old = client.get(f"/api/pool/{ok.json()['uuid']}", headers={"X-Avi-Version": "20.1.1"})
    assert "append_port" not in old.json()


def test_unknown_tenant_is_403(client: Client) -> None:
    r = client.get("/api/pool", headers={"X-Avi-Tenant": "nope"})
    assert r.status_code == 403
    assert r.json() == {"error": "Tenant 'nope' does not exist!"}


def test_string_scalars_are_coerced(client: Client) -> None:
    r = client.post("/api/tenant", {"name": "coerced", "local": "true"})
    assert r.status_code == 201 and r.json()["local"] is True
    assert client.delete(f"/api/tenant/{r.json()['uuid']}").status_code == 204


def _self_signed_pem() -> tuple[str, str]:
    from albform.provider.emulator.certs import self_signed

    pair = self_signed("app.example")
    return pair.cert_pem.decode(), pair.key_pem.decode()


def test_sensitive_values_never_leave(client: Client, emulator: object) -> None:
    cert, key = _self_signed_pem()
    r = client.post("/api/sslkeyandcertificate", {
        "name": "secret-cert", "key": key, "key_passphrase": "",
        "certificate": {"certificate": cert}})
    assert r.status_code == 201, r.text
    made = r.json()
    assert "key" not in made and made["key_passphrase"] == ""
    assert key not in r.text
    assert made["certificate"]["subject"]["common_name"] == "albform Avi controller emulator"
    assert made["key_params"]["algorithm"] == "SSL_KEY_ALGORITHM_EC"
    got = client.get(f"/api/sslkeyandcertificate/{made['uuid']}")
    assert got.json()["key"] == "<sensitive>" and key not in got.text
    # Sending the mask back keeps the stored secret.
    again = client.put(f"/api/sslkeyandcertificate/{made['uuid']}", got.json())
    assert again.status_code == 200, again.text
    stored = emulator.controller.store.get(made["uuid"])  # type: ignore[attr-defined]
    assert stored.body["key"] == key
    # Nested sensitive fields are masked too.
    cloud = client.post("/api/cloud", {"name": "vc-cloud", "vtype": "CLOUD_VCENTER",
                                       "vcenter_configuration": {"username": "u",
                                                                 "password": "hunter2",
                                                                 "vcenter_url": "vc"}},
                        headers={"X-Avi-Version": "30.2.1"})
    assert cloud.status_code == 201, cloud.text
    assert "hunter2" not in cloud.text
    shown = client.get(f"/api/cloud/{cloud.json()['uuid']}", headers={"X-Avi-Version": "30.2.1"})
    assert shown.json()["vcenter_configuration"]["password"] == "<sensitive>"


def test_required_fields_and_enums_are_checked(client: Client) -> None:
    r = client.post("/api/healthmonitor", {"name": "no-type"})
    assert r.status_code == 400
    assert r.json() == {"error": '{"type": "This field is required."}'}
    r = client.post("/api/pool", {"name": "bad-enum", "lb_algorithm": "LB_ALGORITHM_MAGIC"})
    assert r.status_code == 400 and "lb_algorithm" in r.json()["error"]
    assert client.post("/api/pool", {"name": "no-name-given"}).status_code == 201
    assert client.post("/api/pool", {}).status_code == 400


def test_tenant_edit_of_shared_profile_is_copy_on_write(client: Client) -> None:
    assert client.post("/api/tenant", {"name": "cow"}).status_code == 201
    tenant = Client(client.url)
    tenant.tenant = "cow"
    shared = tenant.by_name("healthmonitor", "System-TCP")
    assert shared["tenant_ref"].endswith("/api/tenant/admin")
    edited = dict(shared, send_interval=30)
    r = tenant.put(f"/api/healthmonitor/{shared['uuid']}", edited)
    assert r.status_code == 200, r.text
    copy = r.json()
    assert copy["uuid"] != shared["uuid"] and copy["name"] == "System-TCP"
    assert "/api/tenant/tenant-" in copy["tenant_ref"]
    # The tenant now sees only its copy; admin's original is unchanged.
    mine = tenant.get("/api/healthmonitor?name=System-TCP").json()
    assert [m["uuid"] for m in mine["results"]] == [copy["uuid"]]
    assert mine["results"][0]["send_interval"] == 30
    assert client.by_name("healthmonitor", "System-TCP")["send_interval"] == shared["send_interval"]
    # A tenant cannot delete admin's object; deleting its copy re-exposes the original.
    assert tenant.delete(f"/api/healthmonitor/{shared['uuid']}").status_code == 403
    assert tenant.delete(f"/api/healthmonitor/{copy['uuid']}").status_code == 204
    assert tenant.by_name("healthmonitor", "System-TCP")["uuid"] == shared["uuid"]


def test_inline_vip_gets_an_auto_vsvip(client: Client) -> None:
    r = client.post("/api/virtualservice", {"name": "legacy", "services": [{"port": 80}],
                                            "vip": [{"ip_address": {"addr": "10.7.7.7",
                                                                    "type": "V4"}}]})
    assert r.status_code == 201, r.text
    vs = r.json()
    assert "vip" not in vs and vs["vsvip_ref"].endswith("#vsvip-legacy-Default-Cloud")
    vsvip = client.by_name("vsvip", "vsvip-legacy-Default-Cloud")
    assert vsvip["vip"][0]["ip_address"]["addr"] == "10.7.7.7"
    # An update with a new inline VIP changes the same VsVip.
    body = client.get(f"/api/virtualservice/{vs['uuid']}").json()
    body.pop("vsvip_ref")
    body["vip"] = [{"ip_address": {"addr": "10.7.7.8", "type": "V4"}}]
    assert client.put(f"/api/virtualservice/{vs['uuid']}", body).status_code == 200
    again = client.by_name("vsvip", "vsvip-legacy-Default-Cloud")
    assert again["uuid"] == vsvip["uuid"] and again["vip"][0]["ip_address"]["addr"] == "10.7.7.8"
    # It goes with the VS; an explicitly created VsVip of that naming style would not.
    assert client.delete(f"/api/virtualservice/{vs['uuid']}").status_code == 204
    assert client.get("/api/vsvip?name=vsvip-legacy-Default-Cloud").json()["count"] == 0


@pytest.mark.parametrize(("obj_type", "body", "field"), [
    ("virtualservice", {"name": "both", "pool_ref": "/api/pool?name=dup-pool",
                        "pool_group_ref": "/api/poolgroup?name=both-pg"}, "pool_ref"),
    ("virtualservice", {"name": "orphan-child", "type": "VS_TYPE_VH_CHILD"}, "vh_parent_vs_ref"),
    ("vrfcontext", {"name": "routes", "static_routes": [
        {"route_id": "1", "prefix": {"ip_addr": {"addr": "10.0.0.0", "type": "V4"}, "mask": 8},
         "next_hop": {"addr": "10.0.0.1", "type": "V4"}},
        {"route_id": "1", "prefix": {"ip_addr": {"addr": "11.0.0.0", "type": "V4"}, "mask": 8},
         "next_hop": {"addr": "10.0.0.1", "type": "V4"}}]}, "static_routes"),
    ("network", {"name": "outside", "configured_subnets": [{
        "prefix": {"ip_addr": {"addr": "10.60.0.0", "type": "V4"}, "mask": 24},
        "static_ip_ranges": [{"type": "STATIC_IPS_FOR_VIP", "range": {
            "begin": {"addr": "10.61.0.1", "type": "V4"},
            "end": {"addr": "10.61.0.9", "type": "V4"}}}]}]}, "static_ip_ranges"),
])
def test_cross_field_rules(client: Client, obj_type: str, body: dict[str, object],
                           field: str) -> None:
    client.post("/api/pool", {"name": "dup-pool"})
    client.post("/api/poolgroup", {"name": "both-pg"})
    r = client.post(f"/api/{obj_type}", body, headers={"X-Avi-Version": "30.2.1"})
    assert r.status_code == 400, r.text
    assert field in r.json()["error"]


def test_vh_child_with_a_parent_is_accepted(client: Client) -> None:
    parent = client.post("/api/virtualservice", {"name": "vh-parent", "type": "VS_TYPE_VH_PARENT",
                                                 "services": [{"port": 443}]})
    assert parent.status_code == 201, parent.text
    child = client.post("/api/virtualservice", {
        "name": "vh-child", "type": "VS_TYPE_VH_CHILD", "vh_parent_vs_ref": parent.json()["url"],
        "vh_domain_name": ["app.example.com"]})
    assert child.status_code == 201, child.text
    assert client.delete(f"/api/virtualservice/{parent.json()['uuid']}").status_code == 403
