"""The ``avi`` provider block, state backends and the built-in cluster module call.

``AviProvider`` takes the official provider's arguments (``avi_controller``, ``avi_username``,
…, docs/avi-api.md §4.1); CDKTF writes provider blocks as a list (``{"avi": [{...}]}``) and so do
we. A backend is a construct directly under the stack (id ``backend``) giving
``terraform.backend.<type>``; with none, the stack uses a local backend at
``<cwd>/terraform.<stack>.tfstate`` as CDKTF does. The cluster modules (``AkoCluster``,
``AmkoGslb``) are in ``clusters.py``.
"""

from __future__ import annotations

import os
from typing import Any

from albform.modules.cdktf.arguments import check_arguments
from albform.modules.cdktf.construct import Construct
from albform.modules.cdktf.elements import TerraformElement
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
