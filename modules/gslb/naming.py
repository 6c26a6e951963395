"""Every AMKO name and marker (AMKO ``gslb/nodes/avi_model_nodes.go``, ``gslb/rest/dq_nodes.go``,
``gslb/gslbutils/constants.go``). All functions are pure.

* GslbService: the FQDN itself (or the HostRule's ``gslb.fqdn`` in custom-FQDN mode).
* Group (pool) per priority: ``amko-gs-group-<priority>``.
* Health monitors: ``amko--`` + sha1 hex of the GS name (TCP/UDP, LoadBalancer Services), of
  ``<http|https>--<gs>--<path>`` (one per path, Ingresses and Routes), or
  ``amko--passthrough-hm-tcp`` + the AMKO id for passthrough members.
* ``created_by`` is ``amko-<uuid>`` (the GSLBConfig's ``amko.vmware.com/amko-uuid``).
"""

from __future__ import annotations

import hashlib

HM_PREFIX = "amko--"
GROUP_PREFIX = "amko-gs-group-"
PASSTHROUGH_HM = "amko--passthrough-hm-tcp"
CREATED_BY_AMKO = "created by: amko"  # the health monitor description prefix
CREATED_BY_LABEL = "created-by"  # the health monitor marker key
MAX_NAME_LENGTH = 255


def created_by(amko_uuid: str) -> str:
    return f"amko-{amko_uuid}"


def amko_id(amko_uuid: str) -> str:
    """AMKO's ``GetAMKOUUID()``: ``created_by[4:]``, i.e. ``-<uuid>``."""
    return created_by(amko_uuid)[4:]


def _encode(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def group_name(priority: int) -> str:
    return f"{GROUP_PREFIX}{priority}"


def non_path_hm(gs_name: str) -> str:
    return HM_PREFIX + _encode(gs_name)


def path_hm(gs_name: str, path: str, secure: bool) -> str:
    protocol = "https" if secure else "http"
    return HM_PREFIX + _encode(f"{protocol}--{gs_name}--{path}")


def passthrough_hm(amko_uuid: str) -> str:
    return PASSTHROUGH_HM + amko_id(amko_uuid)


def path_hm_description(gs_name: str, path: str, secure: bool) -> str:
    protocol = "https" if secure else "http"
    return f"{CREATED_BY_AMKO}, gsname: {gs_name}, path: {path}, protocol: {protocol}"


def non_path_hm_description(gs_name: str) -> str:
    return f"{CREATED_BY_AMKO}, gsname: {gs_name}"
