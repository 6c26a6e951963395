"""Legacy inline VIPs: a VirtualService posted with ``vip`` instead of ``vsvip_ref``.

The controller (17.1+) keeps VIPs in VsVip objects; given an inline ``vip`` list it creates a
VsVip named ``vsvip-<vs name>-<cloud name>`` (the convention the SDK's clone sample and AKO
follow), points the VS at it, and deletes it with the VS. Such VsVips are remembered in the
store's settings table so that explicitly created VsVips of the same name are never removed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from albform.provider.emulator import refs
from albform.provider.emulator.context import RequestContext
from albform.provider.emulator.store import StoredObject

if TYPE_CHECKING:
    from albform.provider.emulator.objects import Controller

_MARK = "auto_vsvip:"
_CARRIED = ("vip", "dns_info", "cloud_ref", "vrf_context_ref", "tenant_ref",
            "east_west_placement")


def extract(controller: Controller, ctx: RequestContext, body: dict[str, Any],
            current: StoredObject | None) -> None:
    """Move an inline ``vip`` of a VS body into its (auto) VsVip; sets ``vsvip_ref``."""
    vips = body.get("vip")
    if not isinstance(vips, list) or not vips or body.get("vsvip_ref"):
        return
    held = current.body.get("vsvip_ref") if current is not None else None
    held_uuid = refs.split_canonical(held)[1] if isinstance(held, str) else None
    vsvip_body = {k: body[k] for k in _CARRIED if k in body}
    body.pop("vip")
    if held_uuid and controller.store.get_meta(_MARK + held_uuid):
        existing = controller.store.get(held_uuid)
        if existing is not None:
            vsvip_body["name"] = existing.name
            controller.replace(ctx, "vsvip", held_uuid, vsvip_body, gate=False)
            body["vsvip_ref"] = refs.canonical("vsvip", held_uuid)
            return
    cloud_name = "Default-Cloud"
    if isinstance(body.get("cloud_ref"), str):
        spec = refs.parse(body["cloud_ref"])
        if spec is not None and spec.name:
            cloud_name = spec.name
        elif spec is not None and spec.uuid:
            cloud_name = controller.store.name_of(spec.uuid) or cloud_name
    vsvip_body["name"] = f"vsvip-{body.get('name')}-{cloud_name}"
    made = controller.create(ctx, "vsvip", vsvip_body)
    controller.store.set_meta(_MARK + made.uuid, "1")
    body["vsvip_ref"] = refs.canonical("vsvip", made.uuid)


def release(controller: Controller, vs: StoredObject) -> None:
    """After a VS is deleted: delete its auto-created VsVip if nothing else uses it."""
    ref = vs.body.get("vsvip_ref")
    if not isinstance(ref, str):
        return
    uuid = refs.split_canonical(ref)[1]
    if not controller.store.get_meta(_MARK + uuid) or controller.store.referrers(uuid):
        return
    controller.store.release(uuid)
    controller.store.delete(uuid)
    controller.store.delete_meta(_MARK + uuid)
