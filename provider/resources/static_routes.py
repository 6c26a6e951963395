"""``avi_vrfcontext_static_route``: one VRF static route inside a shared VrfContext.

The contract agreed with the Kubernetes translator (``modules/k8s/DECISIONS.md``): one
instance per route; locating attributes ``vrf_name`` + ``cloud_ref`` (+ ``tenant_ref``), or
``vrf_context_ref`` directly; route fields as in ``VrfContext.static_routes[]``: ``route_id``,
``prefix``, ``next_hop``, ``labels`` (+ ``if_name``, ``disable_gateway_monitor``). State adds
``id`` = ``/api/vrfcontext/<vrf uuid>/static_routes/<route_id>`` and the canonical
``vrf_context_ref``.

Routes are *compared by content* (prefix + next hop + labels, ``static_route_merge.py``).
``canonicalize`` therefore maps a configured ``route_id`` to the id of a route with the same
content already in the VRF (e.g. one AKO wrote with its random id), so adopting such a route
is no change. Writes GET the VRF, merge (foreign routes untouched) and PUT it back
(``parent_edit.py``: per-VRF lock, 409/412 re-read and merge again; the routes of parallel
writers are written together, one GET and one PUT per batch).

A plan's refresh reads each VRF once for all its routes (``bulk.py``) and keeps that answer,
indexed (``RouteIndex``), as the VRF's view: canonicalising each configured route of the same
plan uses it instead of reading the VRF (a cluster's thousands of routes) again per route. A
view is dropped when albform writes the VRF and by the next refresh, and is read again once it
is ``VIEW_TTL_S`` old. Outside a plan's refresh, a canonicalisation keeps the VRF it read as a
*checked* view, and so does albform's own write with the VRF it answers: the next one uses it
only after asking the controller for the VRF's ``_last_modified`` alone (``fields=``, a few
bytes) and finding it unchanged, so a route written outside albform a second ago is still seen,
while an apply's thousands of routes do not each read the whole VRF.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from albform.engine.provider import ProviderError
from albform.engine.values import UNKNOWN, Deferred
from albform.provider.resources.api import ControllerApi, Tenant
from albform.provider.resources.canonical import coerce_scalar, unwrap_single
from albform.provider.resources.normalize import canonical_refs
from albform.provider.resources.parent_edit import ParentEditor, ParentGone
from albform.provider.resources.refs import ObjectRef, canonical_path, parse_ref
from albform.provider.resources.resolver import RefResolver, Scope
from albform.provider.resources.static_route_merge import (
    RouteIndex,
    find_owned,
    merge_routes,
)

ROUTE_FIELDS = ("route_id", "prefix", "next_hop", "labels", "if_name",
                "disable_gateway_monitor")
LOCATORS = ("vrf_name", "cloud_ref", "tenant_ref", "vrf_context_ref")
VIEW_TTL_S = 30.0


def _placeholder(value: object) -> bool:
    return value is UNKNOWN or isinstance(value, Deferred)


def canonical_route(route: Mapping[str, Any]) -> dict[str, Any]:
    """Route fields in API shape: single blocks unwrapped, mask an int, labels as objects."""
    out: dict[str, Any] = {}
    for key in ROUTE_FIELDS:
        if key not in route or route[key] is None:
            continue
        value = route[key]
        if key in ("prefix", "next_hop"):
            value = unwrap_single(value)
            if isinstance(value, Mapping):
                value = dict(value)
                if "ip_addr" in value:
                    value["ip_addr"] = unwrap_single(value["ip_addr"])
                if "mask" in value:
                    value["mask"] = coerce_scalar("integer", value["mask"])
        elif key == "labels" and isinstance(value, list):
            value = [unwrap_single(v) for v in value]
        elif key == "disable_gateway_monitor":
            value = coerce_scalar("boolean", value)
        out[key] = value
    return out


def route_state_id(vrf_uuid: str, route_id: str) -> str:
    return f"{canonical_path('vrfcontext', vrf_uuid)}/static_routes/{route_id}"


class StaticRoutes:
    def __init__(self, api: ControllerApi, resolver: RefResolver, default_tenant: Tenant,
                 editor: ParentEditor) -> None:
        self._api = api
        self._resolver = resolver
        self._default_tenant = default_tenant
        self._editor = editor
        # vrf uuid -> (read at, VRF, its index, checked: ask whether it changed before use)
        self._views: dict[str, tuple[float, Mapping[str, Any], RouteIndex, bool]] = {}
        self._views_lock = threading.Lock()

    # -- locating the VRF -------------------------------------------------------------------
    def _tenant(self, attrs: Mapping[str, Any]) -> Tenant:
        value = attrs.get("tenant_ref")
        ref = parse_ref(value, "tenant") if isinstance(value, str) else None
        if ref is None:
            return self._default_tenant
        return Tenant(uuid=ref.uuid) if ref.uuid else Tenant(name=ref.name)

    def vrf_uuid(self, attrs: Mapping[str, Any]) -> str | None:
        """The uuid of the VRF the route belongs to; None when it does not exist (yet)."""
        tenant = self._tenant(attrs)
        direct = attrs.get("vrf_context_ref")
        if isinstance(direct, str):
            ref = parse_ref(direct, "vrfcontext")
            if ref is not None:
                return ref.uuid or self._resolver.lookup(ref, Scope(tenant))
        name = attrs.get("vrf_name")
        if not isinstance(name, str):
            raise ProviderError("avi_vrfcontext_static_route needs vrf_name or "
                                "vrf_context_ref to locate its VrfContext")
        cloud_uuid = None
        cloud = attrs.get("cloud_ref")
        if isinstance(cloud, str):
            cloud_ref = parse_ref(cloud, "cloud")
            if cloud_ref is not None:
                cloud_uuid = cloud_ref.uuid or self._resolver.lookup(cloud_ref, Scope(tenant))
        return self._resolver.lookup(ObjectRef("vrfcontext", name=name),
                                     Scope(tenant, cloud_uuid))

    def _view(self, vrf_uuid: str, tenant: Tenant) -> tuple[Mapping[str, Any], RouteIndex] | None:
        """The VRF and its route index, from a view younger than ``VIEW_TTL_S`` or read now."""
        with self._views_lock:
            held = self._views.get(vrf_uuid)
        fresh = held is not None and time.monotonic() - held[0] < VIEW_TTL_S
        if held is not None and fresh and (not held[3] or self._unchanged(held[1], vrf_uuid,
                                                                          tenant)):
            return held[1], held[2]
        vrf = self._api.get_object("vrfcontext", vrf_uuid, tenant=tenant)
        # An expired refresh view is renewed as one (a long plan reads the VRF once per
        # VIEW_TTL_S, not once per route); any other read is kept as a checked view.
        checked = held is None or held[3]
        return None if vrf is None else self.view_of(vrf, keep=True, checked=checked)

    def _unchanged(self, vrf: Mapping[str, Any], vrf_uuid: str, tenant: Tenant) -> bool:
        """Whether the VRF on the controller is still ``vrf``: same ``_last_modified``."""
        known = vrf.get("_last_modified")
        if not known:
            return False
        now = self._api.get_object("vrfcontext", vrf_uuid, tenant=tenant,
                                   params={"fields": "_last_modified"})
        return now is not None and now.get("_last_modified") == known

    def view_of(self, vrf: Mapping[str, Any], *, keep: bool = False, checked: bool = False,
                ) -> tuple[Mapping[str, Any], RouteIndex]:
        """Index a VRF just read; ``keep`` (a refresh's read): keep it as the VRF's view,
        used as is until it expires, or only while unchanged when ``checked``."""
        index = RouteIndex(vrf.get("static_routes") or [])
        if keep and isinstance(vrf.get("uuid"), str):
            with self._views_lock:
                self._views[vrf["uuid"]] = (time.monotonic(), vrf, index, checked)
        return vrf, index

    def forget_views(self) -> None:
        """A new refresh starts: earlier views are not its own."""
        with self._views_lock:
            self._views.clear()

    def _written(self, vrf_uuid: str, answer: Mapping[str, Any] | None = None) -> None:
        """albform writes the VRF: its view is dropped, and the VRF as written (``answer``,
        the freshest copy there is) becomes a checked view. The routes of a batch share one
        answer: indexed once."""
        with self._views_lock:
            held = self._views.pop(vrf_uuid, None)
            if held is not None and answer is not None and held[1] is answer:
                self._views[vrf_uuid] = held
                return
        if answer is not None:
            self.view_of(answer, keep=True, checked=True)

    # -- provider operations -----------------------------------------------------------------
    def canonicalize(self, attributes: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(attributes)
        tenant = self._tenant(attributes)
        for key, target in (("tenant_ref", "tenant"), ("cloud_ref", "cloud"),
                            ("vrf_context_ref", "vrfcontext")):
            value = out.get(key)
            if isinstance(value, str):
                out[key] = self._resolver.canonical(value, target, Scope(tenant))
        route = canonical_route({k: v for k, v in attributes.items()
                                 if not _placeholder(v)})
        out.update(route)
        if any(_placeholder(v) for v in attributes.values()):
            return out
        vrf_uuid = self.vrf_uuid(out)
        view = self._view(vrf_uuid, tenant) if vrf_uuid else None
        if view is not None:
            same = view[1].same_content(route)
            ids = {r.get("route_id") for r in same}
            if same and route.get("route_id") not in ids:
                out["route_id"] = same[0].get("route_id")  # content equal: the same route
        return out

    def read(self, attributes: Mapping[str, Any]) -> dict[str, Any] | None:
        vrf_uuid = self.vrf_from_state(attributes)
        if vrf_uuid is None:
            return None
        vrf = self._api.get_object("vrfcontext", vrf_uuid, tenant=self._tenant(attributes))
        return None if vrf is None else self.route_from_vrf(self.view_of(vrf), attributes)

    def route_from_vrf(self, view: tuple[Mapping[str, Any], RouteIndex],
                       attributes: Mapping[str, Any]) -> dict[str, Any] | None:
        """Our route as it is in the VRF ``view`` (``view_of``) now (matched by id, else
        content), or None."""
        vrf, index = view
        owned = index.owned(canonical_route(attributes))
        if owned is None:
            return None
        return self._state(vrf, attributes, index.routes[owned])

    def _state(self, vrf: Mapping[str, Any], attributes: Mapping[str, Any],
               route: Mapping[str, Any]) -> dict[str, Any]:
        vrf_uuid = str(vrf["uuid"])
        out = {k: v for k, v in attributes.items() if k in LOCATORS}
        for key in ("tenant_ref", "cloud_ref"):
            if vrf.get(key):
                out[key] = canonical_refs(vrf[key], key)
        out["vrf_name"] = vrf.get("name", out.get("vrf_name"))
        out["vrf_context_ref"] = canonical_path("vrfcontext", vrf_uuid)
        out.update(canonical_refs(dict(route)))
        out["id"] = route_state_id(vrf_uuid, str(route.get("route_id", "")))
        return out

    def vrf_from_state(self, attributes: Mapping[str, Any]) -> str | None:
        for key in ("vrf_context_ref", "id"):
            value = attributes.get(key)
            if isinstance(value, str):
                ref = parse_ref(value.split("/static_routes/", 1)[0], "vrfcontext")
                if ref is not None and ref.uuid:
                    return ref.uuid
        return self.vrf_uuid(attributes)

    def write(self, prior: Mapping[str, Any] | None, planned: Mapping[str, Any],
              ) -> dict[str, Any]:
        """Create (``prior`` None) or update one route; returns its state."""
        vrf_uuid = self.vrf_uuid(planned)
        if vrf_uuid is None:
            raise ProviderError(
                "the VrfContext for this static route does not exist",
                status=404, detail=f"No VrfContext matches {self._describe(planned)}.")
        desired = canonical_route(planned)
        priors = [canonical_route(prior)] if prior else []
        self._written(vrf_uuid)
        written: dict[str, Any] | None = None
        try:
            vrf, ours = self._editor.modify(
                "vrfcontext", vrf_uuid, self._tenant(planned), "static_routes",
                lambda cur: merge_routes(cur, priors, [desired]))
            written = vrf
        finally:
            self._written(vrf_uuid, written)
        return self._state(vrf, planned, ours[0] if ours else desired)

    def delete(self, prior: Mapping[str, Any]) -> None:
        vrf_uuid = self.vrf_from_state(prior)
        if vrf_uuid is None:
            return
        mine = [canonical_route(prior)]

        def remove(cur: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], None]:
            owned = set(find_owned(cur, mine))
            return [dict(r) for i, r in enumerate(cur) if i not in owned], None

        self._written(vrf_uuid)
        written: dict[str, Any] | None = None
        try:
            written, _ = self._editor.modify("vrfcontext", vrf_uuid, self._tenant(prior),
                                             "static_routes", remove)
        except ParentGone:
            return  # the VRF is gone, and the route with it
        finally:
            self._written(vrf_uuid, written)

    @staticmethod
    def _describe(attrs: Mapping[str, Any]) -> str:
        parts = [f"{k}={attrs[k]!r}" for k in LOCATORS if isinstance(attrs.get(k), str)]
        return ", ".join(parts) or "(no locating attributes)"
