"""Configurations of the core object types, written the way HCL users write them: numbers and
booleans as strings, single nested blocks as one-element lists, refs by name query, by bare
name or by another resource's id. Shared by the CRUD and refresh tests (imported through
``sys.path`` because test folders are not packages)."""

from __future__ import annotations

import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def self_signed_pem(common_name: str) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM).decode(),
            key.private_bytes(serialization.Encoding.PEM,
                              serialization.PrivateFormat.TraditionalOpenSSL,
                              serialization.NoEncryption()).decode())


def core_cases(prefix: str) -> list[tuple[str, dict[str, Any]]]:
    """(resource type, configuration) in dependency order; names start with ``prefix``."""
    cert, key = self_signed_pem(f"{prefix}.example.com")
    p = prefix
    return [
        ("avi_tenant", {"name": f"{p}-tenant", "local": "true",
                        "config_settings": [{"tenant_vrf": "false"}]}),
        ("avi_cloud", {"name": f"{p}-cloud", "vtype": "CLOUD_NONE", "mtu": "1500",
                       "dhcp_enabled": "false"}),
        ("avi_network", {"name": f"{p}-net", "cloud_ref": "/api/cloud/?name=Default-Cloud",
                         "configured_subnets": [{
                             "prefix": [{"ip_addr": [{"addr": "10.50.0.0", "type": "V4"}],
                                         "mask": "24"}],
                             "static_ip_ranges": [{"range": [{
                                 "begin": [{"addr": "10.50.0.10", "type": "V4"}],
                                 "end": [{"addr": "10.50.0.99", "type": "V4"}]}],
                                 "type": "STATIC_IPS_FOR_VIP"}]}]}),
        ("avi_ipamdnsproviderprofile", {
            "name": f"{p}-ipam", "type": "IPAMDNS_TYPE_INTERNAL",
            "internal_profile": [{"usable_networks": [
                {"nw_ref": f"/api/network?name={p}-net"}]}]}),
        ("avi_serviceenginegroup", {"name": f"{p}-seg", "max_se": "4",
                                    "ha_mode": "HA_MODE_SHARED",
                                    "cloud_ref": "/api/cloud?name=Default-Cloud"}),
        ("avi_applicationprofile", {"name": f"{p}-app", "type": "APPLICATION_PROFILE_TYPE_HTTP",
                                    "http_profile": [{"connection_multiplexing_enabled": "true",
                                                      "x_forwarded_proto_enabled": "true"}]}),
        ("avi_networkprofile", {"name": f"{p}-tcp", "profile": [{
            "type": "PROTOCOL_TYPE_TCP_PROXY",
            "tcp_proxy_profile": [{"idle_connection_timeout": "300"}]}]}),
        ("avi_healthmonitor", {"name": f"{p}-hm", "type": "HEALTH_MONITOR_HTTP",
                               "send_interval": "5", "receive_timeout": "2",
                               "http_monitor": [{"http_request": "GET /healthz HTTP/1.0",
                                                 "http_response_code": ["HTTP_2XX"]}]}),
        ("avi_stringgroup", {"name": f"{p}-sg", "type": "SG_TYPE_STRING",
                             "kv": [{"key": "/api"}, {"key": "/static"}]}),
        ("avi_sslkeyandcertificate", {"name": f"{p}-cert", "type":
                                      "SSL_CERTIFICATE_TYPE_VIRTUALSERVICE",
                                      "certificate": [{"certificate": cert}], "key": key}),
        ("avi_pool", {"name": f"{p}-pool", "lb_algorithm": "LB_ALGORITHM_ROUND_ROBIN",
                      "default_server_port": "8080",
                      "health_monitor_refs": [f"/api/healthmonitor?name={p}-hm"],
                      "servers": [
                          {"ip": [{"addr": "10.1.0.12", "type": "V4"}], "port": "8080"},
                          {"ip": [{"addr": "10.1.0.2", "type": "V4"}], "port": "8080",
                           "ratio": "2"},
                      ]}),
        ("avi_poolgroup", {"name": f"{p}-pg", "members": [
            {"pool_ref": f"/api/pool?name={p}-pool", "ratio": "10"}]}),
        ("avi_vsdatascriptset", {"name": f"{p}-ds", "datascript": [
            {"evt": "VS_DATASCRIPT_EVT_HTTP_REQ", "script": "avi.vs.log('hello')"}]}),
        ("avi_httppolicyset", {"name": f"{p}-hps", "http_request_policy": [{"rules": [{
            "name": "api", "index": "1", "enable": "true",
            "match": [{"path": [{"match_criteria": "BEGINS_WITH",
                                 "string_group_refs": [f"/api/stringgroup?name={p}-sg"]}]}],
            "switching_action": [{"action": "HTTP_SWITCHING_SELECT_POOLGROUP",
                                  "pool_group_ref": f"/api/poolgroup?name={p}-pg"}]}]}]}),
        ("avi_l4policyset", {"name": f"{p}-l4", "l4_connection_policy": [{"rules": [{
            "name": "r1", "index": "1",
            "match": [{"port": [{"match_criteria": "IS_IN", "ports": ["8443"]}]}],
            "action": [{"select_pool": [{"action_type": "L4_RULE_ACTION_SELECT_POOL",
                                         "pool_ref": f"/api/pool?name={p}-pool"}]}]}]}]}),
        ("avi_vsvip", {"name": f"{p}-vip", "vip": [
            {"vip_id": "0", "ip_address": [{"addr": "10.90.0.5", "type": "V4"}]}]}),
        ("avi_virtualservice", {
            "name": f"{p}-vs", "vsvip_ref": f"/api/vsvip?name={p}-vip",
            "pool_group_ref": f"/api/poolgroup?name={p}-pg",
            "application_profile_ref": f"/api/applicationprofile?name={p}-app",
            "network_profile_ref": "System-TCP-Proxy",
            "ssl_key_and_certificate_refs": [f"/api/sslkeyandcertificate?name={p}-cert"],
            "services": [{"port": "80"}, {"port": "443", "enable_ssl": "true"}],
            "http_policies": [{"index": "11",
                               "http_policy_set_ref": f"/api/httppolicyset?name={p}-hps"}],
            "vs_datascripts": [{"index": "1",
                                "vs_datascript_set_ref": f"/api/vsdatascriptset?name={p}-ds"}],
        }),
    ]
