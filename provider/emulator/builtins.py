"""The objects a fresh controller has (docs/avi-api.md §5.1), created once per store.

All live in tenant ``admin`` and are marked system defaults (editable, never deletable or
renamable). Creating them goes through the normal write path, so they get the same defaults,
refs and reference-graph rows as user objects. ``seed`` is idempotent: a persistent store is
seeded on first start only.
"""

from __future__ import annotations

from typing import Any

from albform.provider.emulator.context import CLUSTER_UUID, RequestContext
from albform.provider.emulator.objects import Controller
from albform.provider.emulator.store import StoredObject

SEEDED_KEY = "seeded"

_APP_PROFILES = (
    ("System-HTTP", "APPLICATION_PROFILE_TYPE_HTTP"),
    ("System-Secure-HTTP", "APPLICATION_PROFILE_TYPE_HTTP"),
    ("System-L4-Application", "APPLICATION_PROFILE_TYPE_L4"),
    ("System-SSL-Application", "APPLICATION_PROFILE_TYPE_SSL"),
    ("System-DNS", "APPLICATION_PROFILE_TYPE_DNS"),
    ("System-Syslog", "APPLICATION_PROFILE_TYPE_SYSLOG"),
    ("System-Secure-HTTP-VDI", "APPLICATION_PROFILE_TYPE_HTTP"),
)
_NET_PROFILES = (
    ("System-TCP-Proxy", "PROTOCOL_TYPE_TCP_PROXY"),
    ("System-TCP-Fast-Path", "PROTOCOL_TYPE_TCP_FAST_PATH"),
    ("System-UDP-Fast-Path", "PROTOCOL_TYPE_UDP_FAST_PATH"),
    ("System-UDP-Per-Pkt", "PROTOCOL_TYPE_UDP_FAST_PATH"),
    ("System-UDP-No-SNAT", "PROTOCOL_TYPE_UDP_FAST_PATH"),
    ("System-UDP-Fast-Path-VDI", "PROTOCOL_TYPE_UDP_FAST_PATH"),
)
_MONITORS = (
    ("System-HTTP", "HEALTH_MONITOR_HTTP"), ("System-HTTPS", "HEALTH_MONITOR_HTTPS"),
    ("System-Ping", "HEALTH_MONITOR_PING"), ("System-TCP", "HEALTH_MONITOR_TCP"),
    ("System-UDP", "HEALTH_MONITOR_UDP"), ("System-DNS", "HEALTH_MONITOR_DNS"),
    ("System-SCTP", "HEALTH_MONITOR_SCTP"), ("System-Xternal-Perl", "HEALTH_MONITOR_EXTERNAL"),
    ("System-Xternal-Shell", "HEALTH_MONITOR_EXTERNAL"),
    ("System-Xternal-Python", "HEALTH_MONITOR_EXTERNAL"),
)
_PERSISTENCE = (
    ("System-Persistence-Client-IP", "PERSISTENCE_TYPE_CLIENT_IP_ADDRESS"),
    ("System-Persistence-Http-Cookie", "PERSISTENCE_TYPE_HTTP_COOKIE"),
    ("System-Persistence-TLS", "PERSISTENCE_TYPE_TLS"),
    ("System-Persistence-App-Cookie", "PERSISTENCE_TYPE_APP_COOKIE"),
    ("System-Persistence-Custom-Http-Header", "PERSISTENCE_TYPE_CUSTOM_HTTP_HEADER"),
)
_CERTS = (
    ("System-Default-Cert", "SSL_KEY_ALGORITHM_RSA"),
    ("System-Default-Cert-EC", "SSL_KEY_ALGORITHM_EC"),
    ("System-Default-Portal-Cert", "SSL_KEY_ALGORITHM_RSA"),
    ("System-Default-Portal-Cert-EC256", "SSL_KEY_ALGORITHM_EC"),
    ("System-Default-Root-CA", "SSL_KEY_ALGORITHM_RSA"),
    ("System-Default-Secure-Channel-Cert", "SSL_KEY_ALGORITHM_RSA"),
)
_STRING_GROUPS = ("System-Compressible-Content-Types", "System-Cacheable-Resource-Types",
                  "System-Devices-Mobile", "System-Rewritable-Content-Types")
_ROLES = ("System-Admin", "Tenant-Admin", "Application-Admin", "Application-Operator",
          "Security-Admin", "WAF-Admin")


def _specs() -> list[tuple[str, dict[str, Any]]]:
    specs: list[tuple[str, dict[str, Any]]] = []
    specs += [("applicationprofile", {"name": n, "type": t}) for n, t in _APP_PROFILES]
    specs += [("networkprofile", {"name": n, "profile": {"type": t}}) for n, t in _NET_PROFILES]
    specs += [("healthmonitor", {"name": n, "type": t}) for n, t in _MONITORS]
    specs.append(("analyticsprofile", {"name": "System-Analytics-Profile"}))
    specs += [("applicationpersistenceprofile", {"name": n, "persistence_type": t})
              for n, t in _PERSISTENCE]
    specs += [("sslprofile", {"name": n}) for n in
              ("System-Standard", "System-Standard-PFS", "System-Standard-Portal")]
    specs += [("sslkeyandcertificate", {
        "name": n, "type": "SSL_CERTIFICATE_TYPE_SYSTEM",
        "certificate": {"subject": {"common_name": n}, "self_signed": True},
        "key_params": {"algorithm": alg},
    }) for n, alg in _CERTS]
    specs += [("stringgroup", {"name": n, "kv": []}) for n in _STRING_GROUPS]
    specs += [("role", {"name": n}) for n in _ROLES]
    specs += [("useraccountprofile", {"name": n}) for n in
              ("Default-User-Account-Profile", "No-Lockout-User-Account-Profile")]
    specs += [("actiongroupconfig", {"name": f"System-Alert-Level-{level.title()}",
                                     "level": f"ALERT_{level}", "external_only": False})
              for level in ("HIGH", "MEDIUM", "LOW")]
    specs.append(("backupconfiguration", {"name": "Backup-Configuration"}))
    # WafConfig's required default actions are filled from the schema table's defaults.
    specs.append(("wafprofile", {"name": "System-WAF-Profile", "config": {}}))
    # The TLS ClientHello parser AKO's passthrough DataScript requires by name
    # (modules/k8s/l7_passthrough.py); its Lua source is the controller's, not reproduced.
    specs.append(("protocolparser", {"name": "Default-TLS",
                                     "parser_code": "-- built-in TLS parser (avi_tls)"}))
    specs.append(("cloud", {"name": "Default-Cloud"}))
    return specs


_SYSTEM_CONFIGURATION: dict[str, Any] = {
    "dns_configuration": {"search_domain": ""},
    "portal_configuration": {
        "enable_https": True, "redirect_to_https": True, "enable_http": True,
        "use_uuid_from_input": False, "enable_clickjacking_protection": True,
        "allow_basic_authentication": False, "password_strength_check": False,
        "disable_remote_cli_shell": False, "disable_swagger": False, "api_force_timeout": 24,
        "sslkeyandcertificate_refs": [
            "/api/sslkeyandcertificate?name=System-Default-Portal-Cert",
            "/api/sslkeyandcertificate?name=System-Default-Portal-Cert-EC256",
        ],
        "sslprofile_ref": "/api/sslprofile?name=System-Standard-Portal",
    },
    "global_tenant_config": {"tenant_vrf": False, "se_in_provider_context": True,
                             "tenant_access_to_provider_se": True},
    "email_configuration": {"smtp_type": "SMTP_LOCAL_HOST", "from_email": "admin@avicontroller.net",
                            "mail_server_name": "localhost", "mail_server_port": 25,
                            "disable_tls": False},
    "docker_mode": False,
    "default_license_tier": "ENTERPRISE",
    "secure_channel_configuration": {"sslkeyandcertificate_refs": [
        "/api/sslkeyandcertificate?name=System-Default-Secure-Channel-Cert"]},
    "welcome_workflow_complete": False,
    "fips_mode": False,
    "ssh_ciphers": ["aes128-ctr", "aes256-ctr"],
    "ssh_hmacs": ["hmac-sha2-512-etm@openssh.com", "hmac-sha2-256-etm@openssh.com"],
}


def seed(controller: Controller) -> None:
    """Create the built-in objects unless this store already has them."""
    store = controller.store
    with store.transaction():
        if store.get_meta(SEEDED_KEY):
            return
        # The admin tenant and user are stored exactly as recorded (uuid "admin"/"user-1").
        store.put(StoredObject(type="tenant", uuid="admin", tenant="admin", name="admin",
                               cloud=None, body={"uuid": "admin", "name": "admin", "local": True},
                               system=True))
        store.put(StoredObject(type="user", uuid="user-1", tenant="admin", name="admin", cloud=None,
                               body={"uuid": "user-1", "name": "admin", "username": "admin",
                                     "full_name": "System Administrator", "email": "",
                                     "local": True, "is_superuser": True,
                                     "default_tenant_ref": "/api/tenant/admin"},
                               system=True))
        ctx = RequestContext(base="")
        for obj_type, body in _specs():
            controller.create(ctx, obj_type, body, system=True)
        controller.create(ctx, "systemconfiguration", _SYSTEM_CONFIGURATION, slug="default",
                          system=True)
        controller.create(ctx, "controllerproperties", {"api_idle_timeout": 15},
                          slug="controllerproperties", system=True)
        controller.create(ctx, "seproperties", {}, slug="seproperties", system=True)
        controller.create(ctx, "cluster", {"name": "cluster-0-1", "nodes": []},
                          slug=CLUSTER_UUID, system=True)
        store.set_meta(SEEDED_KEY, "1")
