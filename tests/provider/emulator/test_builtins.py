"""A fresh emulator has a fresh controller's built-in objects (docs/avi-api.md §5.1), seeded
once."""

from __future__ import annotations

import pytest
from emuclient import Client

BUILTINS = [
    ("tenant", "admin"), ("cloud", "Default-Cloud"), ("vrfcontext", "global"),
    ("vrfcontext", "management"), ("serviceenginegroup", "Default-Group"),
    ("applicationprofile", "System-HTTP"), ("applicationprofile", "System-Secure-HTTP"),
    ("applicationprofile", "System-L4-Application"), ("networkprofile", "System-TCP-Proxy"),
    ("networkprofile", "System-UDP-Per-Pkt"), ("healthmonitor", "System-Ping"),
    ("healthmonitor", "System-Xternal-Python"), ("analyticsprofile", "System-Analytics-Profile"),
    ("applicationpersistenceprofile", "System-Persistence-Client-IP"),
    ("sslprofile", "System-Standard-PFS"), ("sslkeyandcertificate", "System-Default-Cert"),
    ("sslkeyandcertificate", "System-Default-Root-CA"),
    ("stringgroup", "System-Devices-Mobile"), ("role", "Tenant-Admin"),
    ("useraccountprofile", "Default-User-Account-Profile"),
    ("actiongroupconfig", "System-Alert-Level-Medium"),
    ("backupconfiguration", "Backup-Configuration"), ("wafprofile", "System-WAF-Profile"),
    ("protocolparser", "Default-TLS"),
]


@pytest.mark.parametrize(("obj_type", "name"), BUILTINS)
def test_builtin_present_once(client: Client, obj_type: str, name: str) -> None:
    found = client.by_name(obj_type, name)
    assert found["name"] == name


def test_per_cloud_objects_point_at_their_cloud(client: Client) -> None:
    cloud = client.by_name("cloud", "Default-Cloud")
    vrf = client.by_name("vrfcontext", "global")
    assert vrf["cloud_ref"] == cloud["url"] and vrf["system_default"] is True
    assert client.get("/api/tenant/admin").json()["uuid"] == "admin"
    sysconf = client.get("/api/systemconfiguration").json()
    assert sysconf["uuid"] == "default" and sysconf["url"].endswith("/api/systemconfiguration")
