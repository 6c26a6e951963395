"""The ``avi`` provider block, state backends and the built-in cluster module call.

``AviProvider`` takes the official provider's arguments (``avi_controller``, ``avi_username``,
…, docs/avi-api.md §4.1); CDKTF writes provider blocks as a list (``{"avi": [{...}]}``) and so do
we. A backend is a construct directly under the stack (id ``backend``) giving
``terraform.backend.<type>``; with none, the stack uses a local backend at
``<cwd>/terraform.<stack>.tfstate`` as CDKTF does. ``AkoCluster`` calls the HCL reader's
built-in module ``source = "albform/ako"`` (``modules/hcl/ako_module.py``); ``AmkoGslb`` the
GSLB module ``source = "albform/amko"`` (``modules/hcl/amko_module.py``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from albform.modules.cdktf.arguments import check_arguments
from albform.modules.cdktf.construct import Construct
from albform.modules.cdktf.elements import Module, TerraformElement
from albform.provider.schema.official_view import (
    PROVIDER_SOURCE,
    provider_arguments,
    provider_version,
)

# The official provider's arguments (its Go schema) and the alias meta-argument; albform's
# TLS settings are environment variables (AVI_INSECURE, AVI_CA_BUNDLE), never arguments.
PROVIDER_ARGUMENTS = (*provider_arguments(), "alias")
# The provider versions whose schema albform speaks (``official_view``): "~> 30.2.1" allows
# 30.2.x from 30.2.1 on.
PINNED_VERSION = f"~> {provider_version()}"


class AviProvider(TerraformElement):
    """``provider "avi"``; ``version`` constrains ``required_providers.avi.version``
    (default ``PINNED_VERSION``: the cdktf CLI refuses a provider without a version)."""

    def __init__(self, scope: Construct, id: str, *, version: str | None = PINNED_VERSION,
                 **arguments: Any) -> None:
        super().__init__(scope, id)
        self.arguments = check_arguments("AviProvider", arguments, PROVIDER_ARGUMENTS)
        self.version = version

    @property
    def alias(self) -> str | None:
        alias = self.arguments.get("alias")
        return None if alias is None else str(alias)

    @property
    def fqn(self) -> str:
        """The value for a resource's ``provider`` argument."""
        return "avi" if self.alias is None else f"avi.{self.alias}"

    def to_terraform(self) -> dict[str, Any]:
        required: dict[str, Any] = {"source": PROVIDER_SOURCE}
        if self.version is not None:
            required["version"] = self.version
        return {"provider": {"avi": [dict(self.arguments)]},
                "terraform": {"required_providers": {"avi": required}}}


class Backend(TerraformElement):
    """``terraform { backend "<kind>" { ... } }``; always constructed with id ``backend``."""

    kind = ""

    def __init__(self, scope: Construct, **settings: Any) -> None:
        super().__init__(scope, "backend")
        self.settings = {k: v for k, v in settings.items() if v is not None}

    def to_terraform(self) -> dict[str, Any]:
        return {"terraform": {"backend": {self.kind: dict(self.settings)}}}


class LocalBackend(Backend):
    kind = "local"

    def __init__(self, scope: Construct, *, path: str | None = None,
                 workspace_dir: str | None = None) -> None:
        super().__init__(scope, path=path, workspace_dir=workspace_dir)


class HttpBackend(Backend):
    kind = "http"

    def __init__(self, scope: Construct, *, address: str, lock_address: str | None = None,
                 unlock_address: str | None = None, lock_method: str | None = None,
                 unlock_method: str | None = None, update_method: str | None = None,
                 username: str | None = None, password: str | None = None,
                 skip_cert_verification: bool | None = None) -> None:
        super().__init__(scope, address=address, lock_address=lock_address,
                         unlock_address=unlock_address, lock_method=lock_method,
                         unlock_method=unlock_method, update_method=update_method,
                         username=username, password=password,
                         skip_cert_verification=skip_cert_verification)


class PgBackend(Backend):
    kind = "pg"

    def __init__(self, scope: Construct, *, conn_str: str, schema_name: str | None = None,
                 skip_schema_creation: bool | None = None) -> None:
        super().__init__(scope, conn_str=conn_str, schema_name=schema_name,
                         skip_schema_creation=skip_schema_creation)


def default_backend(stack_name: str) -> dict[str, Any]:
    path = os.path.join(os.getcwd(), f"terraform.{stack_name}.tfstate")
    return {"local": {"path": path}}


def _paths(value: str | Path | Sequence[str | Path] | None) -> Any:
    """``Path`` objects become absolute (the stack directory is not the caller's cwd);
    strings are kept verbatim (relative to the stack directory, or absolute)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Path):
        return str(value.resolve())
    return [_paths(v) for v in value]


class BuiltinModule(Module):
    """A call of one of albform's built-in front-end modules (``SOURCE``); the keyword
    arguments are checked and turned into the module's inputs by ``inputs_for``."""

    SOURCE = ""
    inputs_for: ClassVar[Callable[..., dict[str, Any]]]  # a staticmethod of each subclass

    def __init__(self, scope: Construct, id: str, *,
                 depends_on: Sequence[TerraformElement | str] | None = None,
                 **arguments: Any) -> None:
        inputs = self.inputs_for(**arguments)
        deps = [d if isinstance(d, str) else getattr(d, "fqn", str(d)) for d in depends_on or []]
        super().__init__(scope, id, source=self.SOURCE, inputs=inputs, depends_on=deps)


class AkoCluster(BuiltinModule):
    """The objects AKO would create for a cluster, as ``module.<id>.avi_<type>.ako[...]``.

    ``manifests``/``kubeconfig`` say where the cluster is, ``ako_config``/``ako_settings``
    give AKO's settings, ``controller_facts`` what the controller has (a path or a mapping).
    """

    SOURCE = "albform/ako"

    @staticmethod
    def inputs_for(*, manifests: str | Path | Sequence[str | Path] | None = None,
                   kubeconfig: str | Path | None = None, kube_context: str | None = None,
                   ako_config: str | Path | None = None,
                   ako_settings: Mapping[str, Any] | None = None,
                   controller_facts: str | Path | Mapping[str, Any] | None = None,
                   ) -> dict[str, Any]:
        """The module's inputs (``None`` left out); ``TypeError`` on a contradiction."""
        if (manifests is None) == (kubeconfig is None):
            raise TypeError("AkoCluster needs exactly one of manifests= or kubeconfig=")
        if ako_config is not None and ako_settings is not None:
            raise TypeError("AkoCluster takes ako_config= or ako_settings=, not both")
        facts = (dict(controller_facts) if isinstance(controller_facts, Mapping)
                 else _paths(controller_facts))
        inputs = {"manifests": _paths(manifests), "kubeconfig": _paths(kubeconfig),
                  "kube_context": kube_context, "ako_config": _paths(ako_config),
                  "ako_settings": None if ako_settings is None else dict(ako_settings),
                  "controller_facts": facts}
        return {k: v for k, v in inputs.items() if v is not None}

    @property
    def virtualservices(self) -> str:
        return self.get("virtualservices")

    @property
    def pools(self) -> str:
        return self.get("pools")

    @property
    def vsvips(self) -> str:
        return self.get("vsvips")


class AmkoGslb(BuiltinModule):
    """The GslbServices AMKO would create across member clusters, as
    ``module.<id>.avi_<type>.amko[...]`` (the built-in module ``source = "albform/amko"``).

    ``members`` maps each member cluster name (its ``clusterContext`` in the GSLBConfig) to
    manifest paths or ``"context:CTX"``; ``kubeconfig`` serves the ``context:`` members;
    ``amko`` holds the GSLBConfig, GlobalDeploymentPolicy and GSLBHostRule objects.
    """

    SOURCE = "albform/amko"

    @staticmethod
    def inputs_for(*, members: Mapping[str, str | Path | Sequence[str | Path]] | None = None,
                   amko: str | Path | Sequence[str | Path] | None = None,
                   kubeconfig: str | Path | None = None) -> dict[str, Any]:
        """The module's inputs (``None`` left out); ``TypeError`` when one is missing."""
        if not members:
            raise TypeError("AmkoGslb needs members= (cluster name -> manifests or "
                            "'context:CTX')")
        if amko is None:
            raise TypeError("AmkoGslb needs amko= (the GSLBConfig, GDP and GSLBHostRules)")
        inputs = {"members": {name: _paths(where) for name, where in members.items()},
                  "kubeconfig": _paths(kubeconfig), "amko": _paths(amko)}
        return {k: v for k, v in inputs.items() if v is not None}

    @property
    def gslbservices(self) -> str:
        return self.get("gslbservices")

    @property
    def healthmonitors(self) -> str:
        return self.get("healthmonitors")
