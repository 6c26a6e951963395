"""Reading the controller facts AKO reads at start-up, through the engine's ``Provider``.

Without a facts file, a cluster is translated with the facts of the controller it is planned
against (real or the embedded emulator), as AKO does: the cloud's type and IPAM/DNS profiles,
the DNS sub-domains, the licence tier (``/api/systemconfiguration`` ``default_license_tier``)
and the VRF of the first VIP network (docs/ako-translation.md, "Controller facts").
``load.py`` calls it; nothing here writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from albform.engine.diagnostics import Diagnostics
from albform.engine.provider import Provider
from albform.modules.k8s.facts import ControllerFacts
from albform.modules.k8s.settings import AkoSettings


def _read(provider: Provider, type_name: str, query: Mapping[str, Any],
          diags: Diagnostics) -> Mapping[str, Any] | None:
    result = provider.read_data_source(type_name, query)
    diags.extend(result.diagnostics)
    return result.attributes


def _by_ref(provider: Provider, type_name: str, ref: object,
            diags: Diagnostics) -> Mapping[str, Any] | None:
    if not isinstance(ref, str) or not ref:
        return None
    uuid = ref.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return _read(provider, type_name, {"uuid": uuid}, diags)


def _dns_subdomains(profile: Mapping[str, Any] | None) -> tuple[str, ...]:
    if profile is None:
        return ()
    domains: list[str] = []
    for section in ("internal_profile", "infoblox_profile", "aws_profile", "azure_profile",
                    "gcp_profile", "custom_profile"):
        block = profile.get(section) or {}
        for entry in block.get("dns_service_domain", []) or []:
            if isinstance(entry, dict) and entry.get("domain_name"):
                domains.append(str(entry["domain_name"]))
        for name in block.get("usable_domains", []) or []:
            domains.append(str(name))
    return tuple(sorted(set(domains)))


def _existing(provider: Provider, references: Sequence[tuple[str, str]],
              ) -> tuple[frozenset[tuple[str, str]], tuple[tuple[str, str, str], ...]]:
    """Which of the (api type, name) pairs CRDs name exist, and their ``type`` fields: AKO's
    ``checkRefOnController`` asks the controller for each by name (and checks some types).
    A failed lookup counts as absent."""
    found = set()
    kinds = []
    for api_type, name in references:
        attributes = provider.read_data_source(f"avi_{api_type}", {"name": name}).attributes
        if attributes is not None:
            found.add((api_type, name))
            if isinstance(attributes.get("type"), str):
                kinds.append((api_type, name, str(attributes["type"])))
    return frozenset(found), tuple(sorted(kinds))


def read_controller_facts(provider: Provider, settings: AkoSettings,
                          references: Sequence[tuple[str, str]] = (),
                          ) -> tuple[ControllerFacts | None, Diagnostics]:
    """The facts, plus which of ``references`` (Avi objects the cluster's CRDs name) exist."""
    diags = Diagnostics()
    cloud = _read(provider, "avi_cloud", {"name": settings.cloud_name}, diags)
    if cloud is None:
        diags.error("Cannot read controller facts",
                    f"The cloud {settings.cloud_name!r} (cloudName in the AKO configuration) "
                    "was not found on the controller. Check cloudName, or give the facts "
                    "explicitly with --controller-facts.")
        return None, diags
    cloud_type = str(cloud.get("vtype") or "CLOUD_NONE")
    ipam = _by_ref(provider, "avi_ipamdnsproviderprofile", cloud.get("ipam_provider_ref"), diags)
    dns = _by_ref(provider, "avi_ipamdnsproviderprofile", cloud.get("dns_provider_ref"), diags)
    system = _read(provider, "avi_systemconfiguration", {}, diags) or {}
    vrf_name = "global"
    if settings.vrf_name and cloud_type in ("CLOUD_VCENTER", "CLOUD_NONE"):
        vrf_name = settings.vrf_name
    elif settings.vip_networks and settings.vip_networks[0].network_name:
        network = _read(provider, "avi_network",
                        {"name": settings.vip_networks[0].network_name}, diags)
        vrf = _by_ref(provider, "avi_vrfcontext", (network or {}).get("vrf_context_ref"), diags)
        if vrf is not None and vrf.get("name"):
            vrf_name = str(vrf["name"])
    transport = ((cloud.get("nsxt_configuration") or {}).get("data_network_config") or {}) \
        .get("transport_zone_type", "") if cloud_type == "CLOUD_NSXT" else ""
    avi_objects, avi_object_types = _existing(provider, references)
    facts = ControllerFacts(
        cloud_type=cloud_type,
        dns_subdomains=_dns_subdomains(dns),
        license_tier=str(system.get("default_license_tier") or "ENTERPRISE"),
        vrf_name=vrf_name,
        ipam_type=str((ipam or {}).get("type") or ""),
        nsxt_transport_zone=str(transport or ""),
        avi_objects=avi_objects,
        avi_object_types=avi_object_types,
    )
    return facts, diags
