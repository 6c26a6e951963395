"""``istioEnabled`` (AKO ``IstioBootstrap`` in internal/k8s/ako_init.go,
``UpdatePoolNodeForIstio``): the two objects AKO creates at boot from the Secret
``istio-secret`` in its namespace, and the fields every pool gets to reach the mesh.

The objects: PKIProfile ``istio-pki-<C>-<akoNS>`` holding Istio's root CA (``root-cert``) and
SSLKeyAndCertificate ``istio-workload-<C>-<akoNS>`` (``cert-chain``, ``key``), in the global
tenant, with the clustername marker only. Pools name them and the built-in System-Standard
SSL profile (AKO creates no SSL profile of its own).
"""

from __future__ import annotations

from typing import Any

from albform.modules.k8s.context import Context
from albform.modules.k8s.markers import cluster_markers
from albform.modules.k8s.objects import AviObject

SECRET = "istio-secret"  # lib.IstioSecret


def pool_fields(ctx: Context) -> dict[str, Any]:
    """``UpdatePoolNodeForIstio``: Istio's workload certificate, its PKI profile and the
    System-Standard SSL profile on a pool ({} without istioEnabled)."""
    if not ctx.settings.istio_enabled:
        return {}
    ns = ctx.settings.ako_namespace
    return {"pki_profile_ref": f"/api/pkiprofile?name={ctx.names.istio_pki_profile(ns)}",
            "ssl_key_and_certificate_ref":
                f"/api/sslkeyandcertificate?name={ctx.names.istio_workload_cert(ns)}",
            "ssl_profile_ref": "/api/sslprofile?name=System-Standard"}


def build_istio(ctx: Context) -> list[AviObject]:
    """``IstioBootstrap``: the PKIProfile, then the workload certificate. Without the Secret
    AKO stops at boot (``Fatalf``); here that is a warning, and the pools still name both."""
    if not ctx.settings.istio_enabled:
        return []
    ns, index = ctx.settings.ako_namespace, ctx.index
    root_ca = index.secret_value(ns, SECRET, "root-cert")
    if root_ca is None:
        ctx.diags.warning("Istio objects not created", f"istioEnabled: the Secret {ns}/{SECRET} "
                          "is missing (AKO writes it from Istio's certificate files and stops "
                          "at boot without it); the pools name "
                          f"{ctx.names.istio_pki_profile(ns)} and "
                          f"{ctx.names.istio_workload_cert(ns)}, which this plan does not "
                          "create.", subject=ctx.settings.where("istioEnabled"))
        return []
    tenant = ctx.settings.tenant_name
    pki, cert = ctx.names.istio_pki_profile(ns), ctx.names.istio_workload_cert(ns)
    common = {"created_by": ctx.created_by, "tenant_ref": ctx.tenant_ref(tenant)}
    return [
        AviObject("pkiprofile", pki, tenant, {
            "name": pki, **common, "crl_check": False,
            "ca_certs": [{"certificate": root_ca}], "markers": cluster_markers(ctx.cluster)}),
        AviObject("sslkeyandcertificate", cert, tenant, {
            "name": cert, **common,
            "certificate": {"certificate": index.secret_value(ns, SECRET, "cert-chain") or ""},
            "key": index.secret_value(ns, SECRET, "key") or "",
            "type": "SSL_CERTIFICATE_TYPE_VIRTUALSERVICE",
            "markers": cluster_markers(ctx.cluster)}),
    ]
