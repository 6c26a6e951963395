"""Which member objects a GlobalDeploymentPolicy selects, and under which GslbService name.

AMKO ``gslb/k8sobjects`` ``ApplyGDPSelector`` and ``gslb/filter``: the cluster must be in
``matchClusters``; with a namespace selector the namespace's labels must match it (and then
the app selector too, when given); without one, an app selector must be given and match the
object's labels; with neither nothing is selected. In custom-FQDN mode
(``useCustomGlobalFqdn``) an object is selected only when an accepted HostRule of its cluster
maps its host to a ``gslb.fqdn``, which names the GslbService; otherwise the host does.
Then ``AddUpdateObjOperation``'s checks: a VIP, a tenant that matches, and (unless the cluster
is ``syncVipOnly``) the controller and VS uuids AKO annotated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from albform.engine.diagnostics import Diagnostics
from albform.modules.gslb.amko import DeploymentPolicy, GslbConfig
from albform.modules.gslb.members import INGRESS, ClusterView, MemberObject


@dataclass(frozen=True, slots=True)
class Selected:
    member: MemberObject
    gs_name: str
    sync_vip_only: bool


def select_members(views: Mapping[str, ClusterView], policy: DeploymentPolicy,
                   config: GslbConfig, diags: Diagnostics) -> list[Selected]:
    out: list[Selected] = []
    candidates = 0
    for cluster, sync_vip_only in policy.match_clusters.items():
        view = views[cluster]
        global_fqdns = {r.local_fqdn: r.global_fqdn for r in view.host_rules if r.global_fqdn}
        for m in view.members:
            candidates += 1
            if not _matches(m, view, policy):
                continue
            gs_name = m.hostname
            if config.use_custom_fqdn:
                if m.obj_type == INGRESS and m.passthrough:
                    _skip(diags, m, "passthrough ingress not supported in customfqdn mode")
                    continue
                if m.hostname not in global_fqdns:
                    _skip(diags, m, f"no global fqdn for host {m.hostname} (useCustomGlobalFqdn "
                          "needs an accepted HostRule with gslb.fqdn)")
                    continue
                gs_name = global_fqdns[m.hostname]
            if _acceptable(m, view, config, sync_vip_only, diags):
                out.append(Selected(m, gs_name, sync_vip_only))
    if not out:
        diags.warning("GlobalDeploymentPolicy selects nothing", f"GDP {policy.name} selects none "
                      f"of the {candidates} Ingress hosts, LoadBalancer Services and Routes of "
                      f"clusters {', '.join(policy.match_clusters) or '(none)'}: no GslbService "
                      "is planned.", subject=policy.source)
    return out


def _matches(m: MemberObject, view: ClusterView, policy: DeploymentPolicy) -> bool:
    app = policy.app_label
    app_ok = app is not None and m.labels.get(app[0]) == app[1]
    if policy.namespace_label is not None:
        key, value = policy.namespace_label
        if view.namespace_labels.get(m.namespace, {}).get(key) != value:
            return False
        return app is None or app_ok
    return app_ok


def _acceptable(m: MemberObject, view: ClusterView, config: GslbConfig, sync_vip_only: bool,
                diags: Diagnostics) -> bool:
    if m.problem:
        _skip(diags, m, m.problem)
        return False
    ns_tenant = view.namespace_tenants.get(m.namespace, "")
    if m.tenant != ns_tenant and m.tenant != config.tenant:
        _skip(diags, m, f"tenant mismatch found for the object (tenant {m.tenant}, namespace "
              f"tenant {ns_tenant or '(none)'}, leader tenant {config.tenant})")
        return False
    if not sync_vip_only and (not m.controller_uuid or not m.vs_uuid):
        _skip(diags, m, "controller UUID or VS UUID missing from the object, won't update "
              "member (AKO writes ako.vmware.com/controller-cluster-uuid and "
              "ako.vmware.com/host-fqdn-vs-uuid-map; or mark the cluster syncVipOnly)")
        return False
    return True


def _skip(diags: Diagnostics, m: MemberObject, reason: str) -> None:
    diags.warning("GSLB member skipped", f"{m.key}: {reason}.", subject=m.source)
