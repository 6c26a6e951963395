"""The translator's output: ``AviObject`` values (API type, name, tenant, the JSON body AKO
would send) and ``Translation``, which converts them into an engine ``Configuration``.

Addresses are ``avi_<api_type>.ako["<name>"]`` (``amko`` for GSLB translations); objects
outside the default tenant are keyed ``"<tenant>/<name>"`` so equal names in two tenants (e.g.
``C--Shared-L7-0``) stay distinct.
Bodies are plain JSON data and must not be mutated after construction. ``depends_on`` is
derived from the ``/api/<type>?name=<x>`` references inside each body, so the engine creates a
pool before its VS and deletes in the reverse order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from albform.engine.addrs import ModuleStep, ResourceAddress
from albform.engine.collector import collector_paused
from albform.engine.config import Configuration, ResourceConfig
from albform.modules.k8s.crd_status import CrdStatus

RESOURCE_NAME = "ako"


def replace_remedy(command: str) -> str:
    """What to do when a translated object's replacement is blocked by objects referring to
    it (``ResourceConfig.replace_remedy``): its name comes from AKO's naming rules and it has
    no lifecycle block, so it cannot be created beside the old one; the referrers go first
    and come back after it. ``command``: the one that plans these objects."""
    return (
        "A cluster's objects take their names from AKO's naming rules and have no lifecycle "
        "block, so the new object cannot be created beside the old one "
        "(create_before_destroy). Replace it in three steps, with the same inputs: "
        f"(1) {command} destroy {{targets}} — the referrers go, and traffic through them "
        f"stops until step 3; (2) {command} apply -replace='{{address}}' "
        f"-target='{{address}}'; (3) {command} apply — the referrers come back, pointing at "
        "the new object.")


# A reference by name: ``/api/pool?name=x`` (or ``/api/pool/?name=x``).
_NAME_REF = re.compile(r"/api/([a-z0-9]+)/?\?name=(.+)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class AviObject:
    """One controller object AKO would create. ``depends_on`` holds (api_type, name) pairs of
    other objects of the same translation this one references."""

    api_type: str
    name: str
    tenant: str
    body: Mapping[str, Any]
    depends_on: tuple[tuple[str, str], ...] = ()

    @property
    def resource_type(self) -> str:
        return f"avi_{self.api_type}"


@dataclass(frozen=True, slots=True)
class Translation:
    objects: tuple[AviObject, ...]
    default_tenant: str = "admin"
    # route_id -> node name, for readers that want to explain a static route.
    route_nodes: Mapping[str, str] = field(default_factory=dict)
    # The resource name of every address: ``ako`` here, ``amko`` for modules/gslb.
    resource_name: str = RESOURCE_NAME
    # Each CRD's status as AKO would set it, in validation order (``cluster render``).
    crd_status: tuple[CrdStatus, ...] = ()

    def instance_key(self, obj: AviObject) -> str:
        if obj.tenant == self.default_tenant or obj.api_type == "vrfcontext_static_route":
            return obj.name
        return f"{obj.tenant}/{obj.name}"

    def address(self, obj: AviObject, module: tuple[ModuleStep, ...] = ()) -> ResourceAddress:
        return ResourceAddress(obj.resource_type, self.resource_name, self.instance_key(obj),
                               module)

    def to_configuration(self, module: tuple[ModuleStep, ...] = ()) -> Configuration:
        with collector_paused():  # see engine/collector.py
            return self._to_configuration(module)

    def _to_configuration(self, module: tuple[ModuleStep, ...]) -> Configuration:
        index = self._index()
        # Many objects refer to the same few (a shared VS, its vsvip): address each once.
        addresses: dict[tuple[str, str, str], ResourceAddress] = {}
        resources = []
        remedy = replace_remedy("albform" if module else "albform cluster")

        def address_of(obj: AviObject) -> ResourceAddress:
            key = (obj.api_type, obj.name, obj.tenant)
            address = addresses.get(key)
            if address is None:
                address = addresses[key] = self.address(obj, module)
            return address

        for obj in self.objects:
            deps = [address_of(target) for target in self._dependencies(obj, index)]
            resources.append(ResourceConfig(
                address=address_of(obj),
                attributes=dict(obj.body),
                depends_on=tuple(deps),
                replace_remedy=remedy,
            ))
        return Configuration(resources=tuple(resources))

    def _index(self) -> dict[tuple[str, str, str], AviObject]:
        return {(o.api_type, o.name, o.tenant): o for o in self.objects}

    def _dependencies(self, obj: AviObject, index: Mapping[tuple[str, str, str], AviObject],
                      ) -> list[AviObject]:
        """The objects of this translation named by ``obj.depends_on`` and then by the refs
        in its body, in order without repeats (a name matching no object is skipped)."""
        pairs = list(obj.depends_on)
        targets = []
        for api_type, name in obj.depends_on:
            target = self._lookup(index, api_type, name, obj.tenant)
            if target is not None:
                targets.append(target)
        for api_type, name in _refs(obj.body.values(), []):
            target = self._lookup(index, api_type, name, obj.tenant)
            if target is not None and target is not obj and (api_type, name) not in pairs:
                pairs.append((api_type, name))
                targets.append(target)
        return targets

    def _lookup(self, index: Mapping[tuple[str, str, str], AviObject], api_type: str,
                name: str, tenant: str) -> AviObject | None:
        """A reference resolves in the referring object's tenant, else in the default one."""
        return index.get((api_type, name, tenant)) or index.get(
            (api_type, name, self.default_tenant))

    def to_json(self) -> list[dict[str, Any]]:
        """The render form: one entry per object, in translation order."""
        return [{"type": o.api_type, "name": o.name, "tenant": o.tenant, "body": o.body}
                for o in self.objects]


def _refs(values: Iterable[Any], out: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``out`` plus every ``/api/<type>?name=<x>`` string among ``values`` and inside them
    (depth first, in order). Names are not url-decoded: the builders write them unquoted.
    A walk looking only at strings starting with ``/api/`` beats serialising every body to
    scan the text (60,000 bodies); exact type tests keep it off the slower ABC checks."""
    for v in values:
        kind = type(v)
        if kind is str:
            if v[:5] == "/api/":  # startswith, without a method call per string
                m = _NAME_REF.fullmatch(v)
                if m is not None:
                    out.append((m.group(1), m.group(2)))
        elif kind is dict:
            _refs(v.values(), out)
        elif kind is list or kind is tuple:
            _refs(v, out)
        elif kind not in _LEAVES and isinstance(v, Mapping):
            _refs(v.values(), out)
    return out


_LEAVES = frozenset({int, float, bool, type(None)})
