"""The translator's output: ``AviObject`` values (API type, name, tenant, the JSON body AKO
would send) and ``Translation``, which converts them into an engine ``Configuration``.

Addresses are ``avi_<api_type>.ako["<name>"]``; objects outside the default tenant are keyed
``"<tenant>/<name>"`` so equal names in two tenants (e.g. ``C--Shared-L7-0``) stay distinct.
Bodies are plain JSON data and must not be mutated after construction. ``depends_on`` is
derived from the ``/api/<type>?name=<x>`` references inside each body, so the engine creates a
pool before its VS and deletes in the reverse order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from albform.engine.addrs import ModuleStep, ResourceAddress
from albform.engine.config import Configuration, ResourceConfig

RESOURCE_NAME = "ako"
# A name reference as it appears inside the JSON text of a body.
_REF_IN_JSON = re.compile(r'"/api/([a-z0-9]+)/?\?name=((?:[^"\\]|\\.)+)"')


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

    def instance_key(self, obj: AviObject) -> str:
        if obj.tenant == self.default_tenant or obj.api_type == "vrfcontext_static_route":
            return obj.name
        return f"{obj.tenant}/{obj.name}"

    def address(self, obj: AviObject, module: tuple[ModuleStep, ...] = ()) -> ResourceAddress:
        return ResourceAddress(obj.resource_type, RESOURCE_NAME, self.instance_key(obj), module)

    def with_dependencies(self) -> tuple[AviObject, ...]:
        """The objects with ``depends_on`` filled from the refs in their bodies."""
        index: dict[tuple[str, str, str], AviObject] = {}
        for obj in self.objects:
            index[(obj.api_type, obj.name, obj.tenant)] = obj
        out = []
        for obj in self.objects:
            deps: list[tuple[str, str]] = list(obj.depends_on)
            for api_type, name in _refs(obj.body):
                target = index.get((api_type, name, obj.tenant)) or index.get(
                    (api_type, name, self.default_tenant))
                if target is not None and target is not obj and (api_type, name) not in deps:
                    deps.append((api_type, name))
            out.append(AviObject(obj.api_type, obj.name, obj.tenant, obj.body, tuple(deps)))
        return tuple(out)

    def to_configuration(self, module: tuple[ModuleStep, ...] = ()) -> Configuration:
        objects = self.with_dependencies()
        by_name: dict[tuple[str, str, str], AviObject] = {
            (o.api_type, o.name, o.tenant): o for o in objects}
        resources = []
        for obj in objects:
            deps = []
            for api_type, name in obj.depends_on:
                target = by_name.get((api_type, name, obj.tenant)) or by_name.get(
                    (api_type, name, self.default_tenant))
                if target is not None:
                    deps.append(self.address(target, module))
            resources.append(ResourceConfig(
                address=self.address(obj, module),
                attributes=dict(obj.body),
                depends_on=tuple(deps),
            ))
        return Configuration(resources=tuple(resources))

    def to_json(self) -> list[dict[str, Any]]:
        """The render form: one entry per object, in translation order."""
        return [{"type": o.api_type, "name": o.name, "tenant": o.tenant, "body": o.body}
                for o in self.objects]


def _refs(body: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Every ``/api/<type>?name=<x>`` string value in ``body``. Scanning the JSON text with
    one regex is several times faster than walking the tree in Python (60,000 bodies)."""
    for m in _REF_IN_JSON.finditer(json.dumps(body, ensure_ascii=False)):
        name = m.group(2)
        yield m.group(1), json.loads(f'"{name}"') if "\\" in name else name
