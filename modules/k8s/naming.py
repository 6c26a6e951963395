"""Every AKO object-name rule (docs/ako-translation.md §2; AKO internal/lib/lib.go). ``Namer``
closes over the
cluster name, EVH mode and the AKO-ID prefix of a non-primary instance; all methods are pure.

``P(p)`` below is the path with ``/`` replaced by ``_``; ``encode`` is AKO's ``Encode``: the
identity unless EVH is on, then ``C--`` + sha1(name).
"""

from __future__ import annotations

from albform.modules.k8s.hashing import sha1_hex
from albform.modules.k8s.settings import AkoSettings

DEDICATED_SUFFIX = "-L7-dedicated"
DEFAULT_SECRET = "router-certs-default"  # lib.DefaultRouteCert, in AKO's namespace
MAX_NAME_LENGTH = 255


def path_label(path: str) -> str:
    return path.replace("/", "_")


class Namer:
    def __init__(self, settings: AkoSettings) -> None:
        self.cluster = settings.cluster_name
        self.prefix = settings.name_prefix
        self.evh = settings.enable_evh
        self.ako_id = "" if settings.primary_instance else f"{settings.ako_namespace}-"

    def is_encoded(self, name: str) -> bool:
        """``IsNameEncoded``: ``<x>--<hex>`` with exactly one ``--``."""
        parts = name.split("--")
        return len(parts) == 2 and len(parts[1]) % 2 == 0 \
            and all(c in "0123456789abcdefABCDEF" for c in parts[1]) \
            and bool(parts[1])

    def encode(self, name: str) -> str:
        if not self.evh:
            return name
        return self.prefix + sha1_hex(name)

    # -- L4 (2.4.1, 2.4.2) ---------------------------------------------------------------
    def l4_vs(self, ns: str, svc: str) -> str:
        return self.encode(f"{self.prefix}{ns}-{svc}")

    def l4_pool(self, ns: str, svc: str, protocol: str, port: int) -> str:
        return self.encode(f"{self.prefix}{ns}-{svc}-{protocol}-{port}")

    def shared_vip_pool(self, ns: str, svc: str, key: str, protocol: str, port: int) -> str:
        return self.encode(f"{self.prefix}{ns}-{svc}-{key}-{protocol}-{port}")

    # -- shared parents (never encoded) ----------------------------------------------------
    def shard_vs(self, n: int, infra: str = "") -> str:
        infra_part = f"{infra}-" if infra else ""
        return f"{self.prefix}{self.ako_id}Shared-L7-{infra_part}{n}"

    def evh_shard_vs(self, n: int, infra: str = "") -> str:
        infra_part = f"{infra}-" if infra else ""
        return f"{self.prefix}{self.ako_id}Shared-L7-EVH-{infra_part}{n}"

    def evh_namespace_vs(self, ns: str, infra: str = "") -> str:
        infra_part = f"{infra}-" if infra else ""
        return f"{self.prefix}{self.ako_id}Shared-L7-EVH-{infra_part}NS-{ns}"

    def dedicated_evh_vs(self, host: str, infra: str = "") -> str:
        """``GetDedicatedVSName``: encoded, then ``-EVH`` (how AKO's REST layer tells EVH)."""
        return self.encode(f"{self._l7(infra)}{host}{DEDICATED_SUFFIX}") + "-EVH"

    def passthrough_vs(self, n: int, infra: str = "") -> str:
        """``GetPassthroughShardVSName``."""
        infra_part = f"{infra}-" if infra else ""
        return f"{self.prefix}{self.ako_id}Shared-Passthrough-{infra_part}{n}"

    def passthrough_pg(self, host: str, infra: str = "") -> str:
        """``GetPassthroughPGName``: never encoded (the DataScript builds it from the SNI)."""
        return f"{self._l7(infra)}{host}"

    def passthrough_pool(self, host: str, svc: str, infra: str = "") -> str:
        return f"{self._l7(infra)}{host}-{svc}"

    def dedicated_vs(self, host: str, infra: str = "") -> str:
        return f"{self._l7(infra)}{host}{DEDICATED_SUFFIX}"

    # -- L7 SNI model (2.4.4, 2.4.5) -------------------------------------------------------
    def _l7(self, infra: str) -> str:
        return f"{self.prefix}{infra}-" if infra else self.prefix

    def l7_insecure_pool(self, host: str, path: str, ns: str, ing: str, infra: str = "",
                         svc: str = "") -> str:
        """``GetL7PoolName``; ``svc`` is given for Routes only."""
        name = f"{self._l7(infra)}{path_label(host + path)}-{ns}-{ing}"
        return self.encode(f"{name}-{svc}" if svc else name)

    def sni_vs(self, host: str, infra: str = "") -> str:
        return self.encode(f"{self._l7(infra)}{host}")

    def sni_pool(self, ing: str, ns: str, host: str, path: str, infra: str = "", *,
                 dedicated: bool = False, no_pg: bool = False, svc: str = "") -> str:
        """``GetSniPoolName``; ``svc`` is given for Routes only."""
        name = f"{self._l7(infra)}{ns}-{host}{path_label(path)}-{ing}"
        if svc:
            name += f"-{svc}"
        if dedicated:
            name += DEDICATED_SUFFIX
        if no_pg:
            name += "--policy-to-pool"
        return name

    def sni_pg(self, ing: str, ns: str, host: str, path: str, infra: str = "", *,
               dedicated: bool = False) -> str:
        name = f"{self._l7(infra)}{ns}-{host}{path_label(path)}-{ing}"
        return name + DEDICATED_SUFFIX if dedicated else name

    def host_policy(self, ns: str, host: str, infra: str = "") -> str:
        return self.encode(f"{self._l7(infra)}{ns}-{host}")

    def pool_pki_profile(self, pool: str) -> str:
        """``GetPoolPKIProfileName``."""
        return self.encode(f"{pool}-pkiprofile")

    def default_cert(self, *, alt: bool = False) -> str:
        """``GetTLSKeyCertNodeName`` for the default secret: one per tenant, no host."""
        return self.encode(f"{self.prefix}{DEFAULT_SECRET}{'-alt' if alt else ''}")

    def istio_pki_profile(self, ako_namespace: str) -> str:
        return f"istio-pki-{self.cluster}-{ako_namespace}"

    def istio_workload_cert(self, ako_namespace: str) -> str:
        return f"istio-workload-{self.cluster}-{ako_namespace}"

    def ca_cert(self, host: str, infra: str = "") -> str:
        """``GetCACertNodeName``: a Route's ``caCertificate``."""
        return self.encode(f"{self._l7(infra)}{host}-cacert")

    def tls_cert(self, host: str, infra: str = "", *, alt: bool = False) -> str:
        return self.encode(f"{self._l7(infra)}{host}{'-alt' if alt else ''}")

    # -- EVH model (2.4.6) -----------------------------------------------------------------
    def evh_vs(self, host: str, infra: str = "") -> str:
        return self.encode(f"{self._l7(infra)}{host}")

    def evh_pool(self, ing: str, ns: str, host: str, path: str, svc: str, infra: str = "",
                 *, dedicated: bool = False) -> str:
        return self.encode(self.evh_pool_plain(ing, ns, host, path, svc, infra,
                                               dedicated=dedicated))

    def evh_pool_plain(self, ing: str, ns: str, host: str, path: str, svc: str,
                       infra: str = "", *, dedicated: bool = False) -> str:
        """``GetEvhPoolNameNoEncoding``: what HTTPRules match and PKI profiles are named by."""
        name = f"{self._l7(infra)}{ns}-{host}{path_label(path)}-{ing}-{svc}"
        return name + DEDICATED_SUFFIX if dedicated else name

    def evh_pg(self, ing: str, ns: str, host: str, path: str, infra: str = "", *,
               dedicated: bool = False) -> str:
        name = f"{self._l7(infra)}{ns}-{host}{path_label(path)}-{ing}"
        return self.encode(name + DEDICATED_SUFFIX if dedicated else name)
