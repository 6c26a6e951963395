"""SSORule (``ako.vmware.com/v1alpha2``): OAuth / SAML single sign-on on an EVH host's VS
(AKO ``ValidateSSORuleObj``, internal/k8s/validator.go; ``BuildL7SSORule``,
internal/nodes/crd_translator.go).

AKO copies the spec onto the VS (``copier``) with JSON field names, turns names into
references, and puts the OAuth client/server secrets read from Kubernetes Secrets in the
rule's namespace into the body (the provider schema marks them sensitive: the state keeps a
digest, ``cluster render`` masks them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from albform.modules.k8s.cluster import ClusterIndex
from albform.modules.k8s.crd_status import AviRef, CrdStatuses, as_dict, as_list, creation_order
from albform.modules.k8s.ingest import KubeObject

KIND = "SSORule"
SAML_ACS_INDEX = "SAML_AUTHN_REQ_ACS_TYPE_INDEX"  # lib.SAML_AUTHN_REQ_ACS_TYPE_INDEX
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z]+)")


@dataclass(frozen=True, slots=True)
class SsoRule:
    obj: KubeObject
    secrets: Mapping[tuple[str, str], str]  # (Secret name, key) -> the value AKO reads

    @property
    def key(self) -> str:
        return f"{self.obj.namespace}/{self.obj.name}"

    @property
    def fqdn(self) -> str:
        return str(self.obj.spec.get("fqdn") or "")


class SsoRules:
    def __init__(self, index: ClusterIndex, statuses: CrdStatuses,
                 tenant_of: Callable[[str], str]) -> None:
        self._tenant_of = tenant_of
        self.by_fqdn: dict[str, SsoRule] = {}
        for obj in creation_order(index.crds.get(KIND, [])):
            rule = _validate(obj, index, statuses, self.by_fqdn)
            if rule is not None:
                statuses.accept(KIND, obj)
                self.by_fqdn[rule.fqdn] = rule

    def __bool__(self) -> bool:
        return bool(self.by_fqdn)

    def for_host(self, host: str, tenant: str) -> SsoRule | None:
        """``GetFQDNToSSORuleMapping`` (exact fqdn), in the VS's tenant only."""
        rule = self.by_fqdn.get(host)
        if rule is None or self._tenant_of(rule.obj.namespace) != tenant:
            return None
        return rule


def _validate(obj: KubeObject, index: ClusterIndex, statuses: CrdStatuses,
              by_fqdn: Mapping[str, SsoRule]) -> SsoRule | None:
    """``ValidateSSORuleObj``, check for check and message for message."""
    spec = obj.spec
    fqdn = str(spec.get("fqdn") or "")
    secrets: dict[tuple[str, str], str] = {}
    refs: list[AviRef] = []
    error = ""
    if fqdn in by_fqdn:
        error = f"duplicate fqdn {fqdn} found in {by_fqdn[fqdn].key}"
    elif not spec.get("ssoPolicyRef"):
        error = "SsoPolicyRef is not specified"
    else:
        refs.append(AviRef("spec.ssoPolicyRef", "ssopolicy", str(spec["ssoPolicyRef"])))
    settings = as_list(as_dict(spec.get("oauthVsConfig")).get("oauthSettings"))
    for i, setting in enumerate(settings):
        if error:
            break
        setting = as_dict(setting)
        refs.append(AviRef(f"spec.oauthVsConfig.oauthSettings[{i}].authProfileRef",
                           "authprofile", str(setting.get("authProfileRef") or "")))
        app = as_dict(setting.get("appSettings"))
        if app:
            name = str(app.get("clientSecret") or "")
            value = index.secret_value(obj.namespace, name, "clientSecret")
            if value is None:
                error = f'Got error while fetching {name} secret : secret "{name}" not found'
            elif not value:
                error = f"clientSecret field not found in {name} secret"
            else:
                secrets[(name, "clientSecret")] = value
        server = as_dict(setting.get("resourceServer"))
        if server and not error:
            access = str(server.get("accessType") or "")
            if access == "ACCESS_TOKEN_TYPE_JWT" and not server.get("jwtParams"):
                error = f"Access Type is {access}, but Jwt Params have not been specified"
            elif access == "ACCESS_TOKEN_TYPE_OPAQUE" and not server.get("opaqueTokenParams"):
                error = f"Access Type is {access}, but Opaque Token Params have not been specified"
            elif server.get("opaqueTokenParams"):
                name = str(as_dict(server["opaqueTokenParams"]).get("serverSecret") or "")
                value = index.secret_value(obj.namespace, name, "serverSecret")
                if value is None:
                    error = (f"Got error while fetching {name} secret : secrets \"{name}\" not "
                             "found")
                elif not value:
                    error = f"serverSecret field not found in {name} secret"
                else:
                    secrets[(name, "serverSecret")] = value
    saml = as_dict(spec.get("samlSpConfig"))
    if saml.get("signingSslKeyAndCertificateRef"):
        refs.append(AviRef("spec.samlSpConfig.signingSslKeyAndCertificateRef",
                           "sslkeyandcertificate", str(saml["signingSslKeyAndCertificateRef"])))
    if error:
        statuses.reject(KIND, obj, error, consequence="Its host's virtual service is built "
                        "without single sign-on.")
        return None
    if not statuses.check_refs(KIND, obj, refs):
        return None
    return SsoRule(obj, secrets)


def references(obj: KubeObject) -> list[AviRef]:
    spec = obj.spec
    refs = [AviRef("", "ssopolicy", str(spec.get("ssoPolicyRef") or ""))]
    for setting in as_list(as_dict(spec.get("oauthVsConfig")).get("oauthSettings")):
        refs.append(AviRef("", "authprofile",
                           str(as_dict(setting).get("authProfileRef") or "")))
    saml = as_dict(spec.get("samlSpConfig"))
    refs.append(AviRef("", "sslkeyandcertificate",
                       str(saml.get("signingSslKeyAndCertificateRef") or "")))
    return refs


def _snake(value: Any) -> Any:
    """JSON field names of AKO's v1alpha2 types -> the Avi API's (``clientID`` -> ``client_id``)."""
    if isinstance(value, dict):
        return {_CAMEL.sub(r"_\1", str(k)).lower(): _snake(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_snake(v) for v in value]
    return value


def vs_fields(rule: SsoRule) -> dict[str, Any]:
    """The VS body keys ``BuildL7SSORule`` sets (``fqdn`` itself is not copied)."""
    spec = rule.obj.spec
    out: dict[str, Any] = {"sso_policy_ref": f"/api/ssopolicy?name={spec['ssoPolicyRef']}"}
    oauth = as_dict(spec.get("oauthVsConfig"))
    if oauth:
        config = _snake(oauth)
        for setting in config.get("oauth_settings") or []:
            if setting.get("auth_profile_ref"):
                setting["auth_profile_ref"] = f"/api/authprofile?name={setting['auth_profile_ref']}"
            app = setting.get("app_settings")
            if app:
                app["client_secret"] = rule.secrets[(str(app.get("client_secret") or ""),
                                                     "clientSecret")]
            server = setting.get("resource_server")
            if server:
                opaque = server.get("opaque_token_params")
                if opaque:
                    opaque["server_secret"] = rule.secrets[
                        (str(opaque.get("server_secret") or ""), "serverSecret")]
                else:
                    server.pop("introspection_data_timeout", None)
        out["oauth_vs_config"] = config
    saml = as_dict(spec.get("samlSpConfig"))
    if saml:
        config = _snake(saml)
        if config.get("signing_ssl_key_and_certificate_ref"):
            config["signing_ssl_key_and_certificate_ref"] = \
                f"/api/sslkeyandcertificate?name={config['signing_ssl_key_and_certificate_ref']}"
        if config.get("authn_req_acs_type") != SAML_ACS_INDEX:
            config.pop("acs_index", None)
        out["saml_sp_config"] = config
    return out
