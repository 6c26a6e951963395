"""``Translation.to_configuration``: addresses keyed by Avi name (tenant-qualified outside the
default tenant), dependencies from name refs, none to objects outside the translation."""

from __future__ import annotations

from albform.engine.addrs import ResourceAddress
from albform.modules.k8s.objects import AviObject, Translation


def test_tenant_qualified_keys_and_ref_dependencies() -> None:
    objects = (
        AviObject("pool", "p", "admin", {"name": "p"}),
        AviObject("pool", "p", "t1", {"name": "p"}),
        AviObject("poolgroup", "pg", "t1", {"members": [{"pool_ref": "/api/pool?name=p"}],
                                             "cloud_ref": "/api/cloud?name=Default-Cloud"}),
        AviObject("virtualservice", "vs", "admin", {
            "pool_group_ref": "/api/poolgroup/?name=pg",
            "application_profile_ref": "/api/applicationprofile/?name=System-HTTP"}),
    )
    config = Translation(objects, "admin").to_configuration()
    deps = {str(r.address): sorted(map(str, r.depends_on)) for r in config.resources}
    assert deps == {
        'avi_pool.ako["p"]': [],
        'avi_pool.ako["t1/p"]': [],
        'avi_poolgroup.ako["t1/pg"]': ['avi_pool.ako["t1/p"]'],
        # the VS in admin finds no "pg" in its tenant or admin: no dependency is invented
        'avi_virtualservice.ako["vs"]': [],
    }
    assert config.resources[2].address == ResourceAddress("avi_poolgroup", "ako", "t1/pg")
