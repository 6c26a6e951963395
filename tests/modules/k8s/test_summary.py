"""``served_objects``: each Service and Ingress host mapped to the VS serving it, its VIP and
FQDN, from AKO's markers in an applied state (L4 VS, SNI child of a shared parent, host on a
shared VS's VsVip)."""

from __future__ import annotations

from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.state.model import ResourceState, State
from albform.modules.k8s.summary import served_objects


def marks(**values: list[str]) -> list[dict[str, Any]]:
    return [{"key": "clustername", "values": ["c"]},
            *({"key": k, "values": v} for k, v in values.items())]


def res(type_: str, name: str, **attrs: Any) -> ResourceState:
    return ResourceState(ResourceAddress.parse(f'{type_}.ako["{name}"]'),
                         {"name": name, "uuid": f"{type_}-{name}", **attrs})


def test_services_and_ingress_hosts_map_to_their_vs_vip_and_fqdn() -> None:
    state = State().with_resources([
        res("avi_vsvip", "lb", vip=[{"ip_address": {"addr": "10.0.0.5", "type": "V4"}}],
            dns_info=[{"fqdn": "web.default.example"}]),
        res("avi_virtualservice", "lb", vsvip_ref="/api/vsvip/avi_vsvip-lb",
            markers=marks(Namespace=["default"], ServiceName=["web"])),
        res("avi_vsvip", "shared", vip=[{"ip_address": {"addr": "10.0.0.9", "type": "V4"}}],
            dns_info=[{"fqdn": "shop.example"}, {"fqdn": "blog.example"}]),
        res("avi_virtualservice", "shared", vsvip_ref="/api/vsvip/avi_vsvip-shared",
            markers=marks()),
        res("avi_virtualservice", "blog-child", vh_parent_vs_ref="/api/virtualservice/"
            "avi_virtualservice-shared", markers=marks(Namespace=["web"], Host=["blog.example"])),
        res("avi_pool", "shop-pool", markers=marks(Namespace=["web"], Host=["shop.example"],
                                                   IngressName=["shop"])),
        res("avi_pool", "blog-pool", markers=marks(Namespace=["web"], Host=["blog.example"],
                                                   IngressName=["blog"])),
        res("avi_pool", "orphan", markers=marks(Namespace=["web"], Host=["gone.example"],
                                                IngressName=["gone"])),
    ])
    assert [s.line() for s in served_objects(state)] == [
        "Ingress web/blog → VS blog-child, VIP 10.0.0.9, FQDN blog.example",
        "Ingress web/shop → VS shared, VIP 10.0.0.9, FQDN shop.example",
        "Service default/web → VS lb, VIP 10.0.0.5, FQDN web.default.example",
    ]


def test_a_vip_not_yet_allocated_says_so() -> None:
    state = State().with_resources([
        res("avi_vsvip", "lb", vip=[{"auto_allocate_ip": True}]),
        res("avi_virtualservice", "lb", vsvip_ref="/api/vsvip/avi_vsvip-lb",
            markers=marks(Namespace=["ns"], ServiceName=["svc"])),
    ])
    assert [s.line() for s in served_objects(state)] == [
        "Service ns/svc → VS lb, VIP (not allocated)"]


def test_changes_group_by_the_object_that_caused_them() -> None:
    from albform.engine.changes import Action, ResourceChange
    from albform.modules.k8s.summary import SHARED, changes_by_origin

    def change(type_: str, name: str, action: Action, **attrs: Any) -> ResourceChange:
        body = {"name": name, **attrs}
        return ResourceChange(ResourceAddress.parse(f'{type_}.ako["{name}"]'), action,
                              body if action is Action.DELETE else None,
                              None if action is Action.DELETE else body)

    groups = changes_by_origin([
        change("avi_virtualservice", "c--ns-web", Action.CREATE,
               markers=marks(Namespace=["ns"], ServiceName=["web"])),
        change("avi_vsvip", "c--ns-web", Action.CREATE, markers=marks()),  # joins by name
        change("avi_pool", "c--old", Action.DELETE,  # a delete: the markers it had
               markers=marks(Namespace=["ns"], Host=["a.example"], IngressName=["shop"])),
        change("avi_virtualservice", "c--Shared-L7-0", Action.UPDATE, markers=marks()),
        change("avi_pool", "c--ns-noop", Action.NOOP,
               markers=marks(Namespace=["ns"], ServiceName=["noop"])),
    ])
    assert groups == [
        ("Ingress ns/shop", ['- avi_pool.ako["c--old"]']),
        ("Service ns/web", ['+ avi_virtualservice.ako["c--ns-web"]',
                            '+ avi_vsvip.ako["c--ns-web"]']),
        (SHARED, ['~ avi_virtualservice.ako["c--Shared-L7-0"]']),
    ]


def test_ingress_objects_group_under_the_ingress_not_their_backend_service() -> None:
    """AKO marks an Ingress's (or Route's) pools with the backend ``ServiceName`` too, and its
    SNI child VS and certificate with the ``Host`` only: they all belong to the Ingress, never
    to the Service nor to the cluster-wide group."""
    from albform.engine.changes import Action, ResourceChange
    from albform.modules.k8s.summary import SHARED, changes_by_origin

    def create(type_: str, name: str, **markers: list[str]) -> ResourceChange:
        return ResourceChange(ResourceAddress.parse(f'{type_}.ako["{name}"]'), Action.CREATE,
                              None, {"name": name, "markers": marks(**markers)})

    groups = changes_by_origin([
        create("avi_pool", "c--ns-shop.example_-shop-web", Namespace=["ns"],
               Host=["shop.example"], ServiceName=["web"], Path=["/"], IngressName=["shop"]),
        create("avi_poolgroup", "c--ns-shop.example_-shop", Namespace=["ns"],
               Host=["shop.example"], Path=["/"], IngressName=["shop"]),
        create("avi_virtualservice", "c--shop.example", Namespace=["ns"], Host=["shop.example"]),
        create("avi_sslkeyandcertificate", "c--shop.example", Host=["shop.example"]),
        # two Ingresses on one host: the host's own objects name the host, not one of them
        create("avi_pool", "c--ns-two.example_a-a-web", Namespace=["ns"], Host=["two.example"],
               ServiceName=["web"], IngressName=["a"]),
        create("avi_pool", "c--ns-two.example_b-b-web", Namespace=["ns"], Host=["two.example"],
               ServiceName=["web"], IngressName=["b"]),
        create("avi_virtualservice", "c--two.example", Namespace=["ns"], Host=["two.example"]),
        create("avi_virtualservice", "c--Shared-L7-0"),
    ])
    assert groups == [
        ("Host two.example (Ingress ns/a, Ingress ns/b)",
         ['+ avi_virtualservice.ako["c--two.example"]']),
        ("Ingress ns/a", ['+ avi_pool.ako["c--ns-two.example_a-a-web"]']),
        ("Ingress ns/b", ['+ avi_pool.ako["c--ns-two.example_b-b-web"]']),
        ("Ingress ns/shop", ['+ avi_pool.ako["c--ns-shop.example_-shop-web"]',
                             '+ avi_poolgroup.ako["c--ns-shop.example_-shop"]',
                             '+ avi_virtualservice.ako["c--shop.example"]',
                             '+ avi_sslkeyandcertificate.ako["c--shop.example"]']),
        (SHARED, ['+ avi_virtualservice.ako["c--Shared-L7-0"]']),
    ]


def test_passthrough_objects_group_under_their_host() -> None:
    """A passthrough host's pool (AKO marks it ``Host`` + ``ServiceName``, no ``IngressName``)
    and pool group (``Host``) belong to that host, not to the backend Service nor to the
    cluster-wide group."""
    from albform.engine.changes import Action, ResourceChange
    from albform.modules.k8s.summary import changes_by_origin

    def delete(type_: str, name: str, **markers: list[str]) -> ResourceChange:
        return ResourceChange(ResourceAddress.parse(f'{type_}.ako["{name}"]'), Action.DELETE,
                              {"name": name, "markers": marks(**markers)}, None)

    assert changes_by_origin([
        delete("avi_pool", "c--pt.example-shop", Host=["pt.example"], ServiceName=["shop"]),
        delete("avi_poolgroup", "c--pt.example", Host=["pt.example"]),
    ]) == [("Host pt.example", ['- avi_pool.ako["c--pt.example-shop"]',
                                '- avi_poolgroup.ako["c--pt.example"]'])]


def test_a_passthrough_host_is_served_by_its_shared_passthrough_vs() -> None:
    """A passthrough pool has no ``IngressName`` marker; AKO's ``service_metadata`` names its
    Ingress (or Route), so the host is listed with the Shared-Passthrough VS answering it."""
    meta = '{"ingress_name":"pt","namespace":"default","hostnames":["pt.example"]}'
    state = State().with_resources([
        res("avi_vsvip", "pt", vip=[{"ip_address": {"addr": "10.0.0.7", "type": "V4"}}],
            dns_info=[{"fqdn": "pt.example"}]),
        res("avi_virtualservice", "c--Shared-Passthrough-0", vsvip_ref="/api/vsvip/avi_vsvip-pt",
            markers=marks()),
        res("avi_pool", "c--pt.example-shop", service_metadata=meta,
            markers=marks(Host=["pt.example"], ServiceName=["shop"])),
    ])
    assert [s.line() for s in served_objects(state)] == [
        "Ingress default/pt → VS c--Shared-Passthrough-0, VIP 10.0.0.7, FQDN pt.example"]
