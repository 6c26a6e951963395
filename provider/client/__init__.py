"""albform.provider.client: the Avi REST client (urllib3 + tenacity).

``AviClient.connect(ClientConfig.from_env())`` gives object operations (idempotent create
with ``Slug``, get/list/replace/patch/delete) over an ``AviSession`` that handles login,
CSRF, re-login on 401/419, ``X-Avi-Version``/tenant headers, TLS and retries. Every failure
is an ``AviError`` (a ``ProviderError``) carrying status, the controller's text and
``retriable``.
"""

from __future__ import annotations

from albform.provider.client.config import MAX_API_VERSION, ClientConfig
from albform.provider.client.errors import (
    AviApiError,
    AviConfigError,
    AviError,
    AviTlsError,
    AviTransportError,
    AviVersionError,
    BadRequest,
    Forbidden,
    MethodNotAllowed,
    ObjectConflict,
    ObjectNotFound,
    PreconditionFailed,
    RateLimited,
    ServerError,
    Unauthorized,
)
from albform.provider.client.objects import AviClient, new_uuid
from albform.provider.client.paging import CollectionQuery, CollectionResult
from albform.provider.client.retry import NO_RETRY, RetryPolicy
from albform.provider.client.session import AviSession, TenantScope, tenant_headers

__all__ = [
    "MAX_API_VERSION",
    "NO_RETRY",
    "AviApiError",
    "AviClient",
    "AviConfigError",
    "AviError",
    "AviSession",
    "AviTlsError",
    "AviTransportError",
    "AviVersionError",
    "BadRequest",
    "ClientConfig",
    "CollectionQuery",
    "CollectionResult",
    "Forbidden",
    "MethodNotAllowed",
    "ObjectConflict",
    "ObjectNotFound",
    "PreconditionFailed",
    "RateLimited",
    "RetryPolicy",
    "ServerError",
    "TenantScope",
    "Unauthorized",
    "new_uuid",
    "tenant_headers",
]
