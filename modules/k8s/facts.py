"""Controller facts the translation depends on but Kubernetes does not hold
(docs/ako-translation.md §1, last
paragraph): cloud type, DNS sub-domains, licence tier, VRF, IPAM type, NSX-T transport zone,
and which Avi objects that CRDs name exist (AKO checks every CRD reference on the controller and
marks the CRD Rejected when one is missing).

``load_facts(text, filename)`` reads them from YAML; the lead can also build ``ControllerFacts``
from a live controller. Missing file -> ``ControllerFacts()`` (documented defaults).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from albform.engine.diagnostics import Diagnostics, SourceRange
from albform.modules.k8s.yamlsrc import load_documents

CLOUD_TYPES = ("CLOUD_VCENTER", "CLOUD_NSXT", "CLOUD_NONE", "CLOUD_AWS", "CLOUD_AZURE",
               "CLOUD_GCP", "CLOUD_OPENSTACK")
PUBLIC_CLOUDS = ("CLOUD_AWS", "CLOUD_AZURE", "CLOUD_GCP", "CLOUD_OPENSTACK")
ENTERPRISE_TIERS = ("ENTERPRISE", "ENTERPRISE_WITH_CLOUD_SERVICES")


@dataclass(frozen=True, slots=True)
class ControllerFacts:
    cloud_type: str = "CLOUD_VCENTER"
    # The cloud DNS profile's sub-domains; sorted by the translator as AKO does.
    dns_subdomains: tuple[str, ...] = ()
    license_tier: str = "ENTERPRISE"
    # The VRF of the first VIP network (or "global"); ``vrfName`` overrides on vCenter/None.
    vrf_name: str = "global"
    ipam_type: str = ""
    nsxt_transport_zone: str = ""  # "OVERLAY" | "VLAN" on NSX-T clouds
    # (api type, name) of Avi objects known to exist, e.g. ("wafpolicy", "waf-1"); None when
    # nobody looked (no inventory): references are then taken as existing, unchecked.
    avi_objects: frozenset[tuple[str, str]] | None = None
    # (api type, name, object "type" field) where known, e.g. ("applicationprofile", "p1",
    # "APPLICATION_PROFILE_TYPE_SSL"): AKO checks some referenced objects' types.
    avi_object_types: tuple[tuple[str, str, str], ...] = ()

    @property
    def is_public_cloud(self) -> bool:
        return self.cloud_type in PUBLIC_CLOUDS

    @property
    def enterprise(self) -> bool:
        return self.license_tier in ENTERPRISE_TIERS

    def has_object(self, api_type: str, name: str) -> bool:
        """Whether the controller has ``name`` of ``api_type`` (True without an inventory)."""
        return self.avi_objects is None or (api_type, name) in self.avi_objects

    def object_type(self, api_type: str, name: str) -> str:
        """The ``type`` field of a referenced object when known, else ""."""
        for t, n, kind in self.avi_object_types:
            if t == api_type and n == name:
                return kind
        return ""

    def to_json(self) -> dict[str, Any]:
        """The facts as plain JSON (sets sorted), which ``from_json`` reads back equal; a
        saved plan keeps the facts it read from the controller this way (no secrets: names
        and settings only)."""
        return {"cloud_type": self.cloud_type, "dns_subdomains": list(self.dns_subdomains),
                "license_tier": self.license_tier, "vrf_name": self.vrf_name,
                "ipam_type": self.ipam_type, "nsxt_transport_zone": self.nsxt_transport_zone,
                "avi_objects": None if self.avi_objects is None
                else sorted(list(o) for o in self.avi_objects),
                "avi_object_types": [list(t) for t in self.avi_object_types]}

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> ControllerFacts:
        """The facts ``to_json`` wrote (KeyError/TypeError when ``doc`` is not such)."""
        objects = doc["avi_objects"]
        return cls(cloud_type=str(doc["cloud_type"]),
                   dns_subdomains=tuple(str(d) for d in doc["dns_subdomains"]),
                   license_tier=str(doc["license_tier"]), vrf_name=str(doc["vrf_name"]),
                   ipam_type=str(doc["ipam_type"]),
                   nsxt_transport_zone=str(doc["nsxt_transport_zone"]),
                   avi_objects=None if objects is None
                   else frozenset((str(t), str(n)) for t, n in objects),
                   avi_object_types=tuple((str(t), str(n), str(k))
                                          for t, n, k in doc["avi_object_types"]))


_KEYS = {"cloudType": "cloud_type", "dnsSubdomains": "dns_subdomains",
         "licenseTier": "license_tier", "vrfName": "vrf_name", "ipamType": "ipam_type",
         "nsxtTransportZone": "nsxt_transport_zone", "aviObjects": "avi_objects"}


def load_facts(text: str, filename: str) -> tuple[ControllerFacts | None, Diagnostics]:
    docs, diags = load_documents(text, filename)
    if diags.has_errors():
        return None, diags
    if not docs:
        return ControllerFacts(), diags
    doc = docs[0]
    if not isinstance(doc.data, dict):
        diags.error("Invalid controller facts", "Expected a mapping of fact names to values.",
                    subject=doc.source)
        return None, diags
    kwargs: dict[str, object] = {}
    for key, value in doc.data.items():
        where: SourceRange = doc.line_of(str(key))
        field = _KEYS.get(str(key))
        if field is None:
            diags.error("Unknown controller fact", f'"{key}" is not one of '
                        f"{', '.join(_KEYS)}.", subject=where)
        elif field == "dns_subdomains":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                diags.error("Invalid controller fact", '"dnsSubdomains" must be a list of '
                            "strings.", subject=where)
            else:
                kwargs[field] = tuple(value)
        elif field == "avi_objects":
            parsed = parse_avi_objects(value)
            if parsed is None:
                diags.error("Invalid controller fact", '"aviObjects" must map Avi object types '
                            "(e.g. wafpolicy) to lists of names, or to {name: type} mappings.",
                            subject=where)
            else:
                kwargs[field], kwargs["avi_object_types"] = parsed
        elif not isinstance(value, str):
            diags.error("Invalid controller fact", f'"{key}" must be a string.', subject=where)
        elif field == "cloud_type" and value not in CLOUD_TYPES:
            diags.error("Invalid controller fact", f'"cloudType" {value!r} is not one of '
                        f"{', '.join(CLOUD_TYPES)}.", subject=where)
        else:
            kwargs[field] = value
    if diags.has_errors():
        return None, diags
    return ControllerFacts(**kwargs), diags  # type: ignore[arg-type]


def parse_avi_objects(value: object,
                 ) -> tuple[frozenset[tuple[str, str]], tuple[tuple[str, str, str], ...]] | None:
    """``{wafpolicy: [a, b], applicationprofile: {p: APPLICATION_PROFILE_TYPE_SSL}}`` ->
    the (type, name) pairs and the known object types; None when malformed."""
    if not isinstance(value, dict):
        return None
    out: set[tuple[str, str]] = set()
    kinds: list[tuple[str, str, str]] = []
    for api_type, names in value.items():
        if isinstance(names, dict) and all(isinstance(n, str) and isinstance(k, str)
                                           for n, k in names.items()):
            out.update((str(api_type), n) for n in names)
            kinds.extend((str(api_type), n, k) for n, k in names.items())
        elif isinstance(names, list) and all(isinstance(n, str) for n in names):
            out.update((str(api_type), n) for n in names)
        else:
            return None
    return frozenset(out), tuple(sorted(kinds))
