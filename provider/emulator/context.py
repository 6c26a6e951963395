"""The per-request context the object layer needs: where it is served, tenant, API version."""

from __future__ import annotations

from dataclasses import dataclass

ALL_TENANTS = "*"
ADMIN_TENANT = "admin"
# This controller cluster's uuid (the builtin cluster object; a GSLB site's cluster_uuid).
CLUSTER_UUID = "cluster-emulated"


@dataclass(frozen=True, slots=True)
class RequestContext:
    """``base`` is ``scheme://host[:port]`` as the client addressed us (urls are built from it);
    ``tenant`` is a tenant uuid or ``*``; ``version`` is the ``X-Avi-Version`` header, if any."""

    base: str
    tenant: str = ADMIN_TENANT
    version: str | None = None

    @property
    def all_tenants(self) -> bool:
        return self.tenant == ALL_TENANTS
