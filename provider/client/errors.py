"""The client's exception tree; every failure leaves the client as one of these.

``AviError`` (a ``ProviderError``, so the engine can report it) splits into
``AviTransportError`` (no HTTP answer: refused, reset, timed out, TLS) and
``AviApiError(status, body)`` with one subclass per status family. Each carries ``status``,
``detail`` (the controller's own error text) and ``retriable``, which the retry policy asks.
``error_from_response`` is the one place an HTTP answer becomes an exception.
"""

from __future__ import annotations

import json
from typing import Any

from albform.engine.provider import ProviderError

UPGRADE_IN_PROGRESS = "disallowed during upgrade"


class AviError(ProviderError):
    """Base of every client error."""


class AviConfigError(AviError):
    """The connection settings are unusable (a user mistake, reported without traceback)."""


class AviVersionError(AviError):
    """The pinned ``X-Avi-Version`` is newer than the controller serves."""


class AviTransportError(AviError):
    """No usable HTTP answer. ``request_sent`` is False when the request certainly never
    reached the server (connection refused, connect timeout): then even a POST may be
    repeated blindly; otherwise a write may have been applied."""

    def __init__(self, message: str, *, request_sent: bool, timeout: bool = False) -> None:
        super().__init__(message, retriable=True)
        self.request_sent = request_sent
        self.timeout = timeout


class AviTlsError(AviTransportError):
    """Certificate verification failed: retrying will not help."""

    def __init__(self, message: str) -> None:
        super().__init__(message, request_sent=False)
        self.retriable = False


class AviApiError(AviError):
    """The controller answered with an error status."""

    default_retriable = False

    def __init__(self, status: int, body: Any, *, method: str = "", url: str = "",
                 retry_after: float | None = None, retriable: bool | None = None) -> None:
        detail = error_text(body)
        where = f"{method} {url}: " if method else ""
        super().__init__(f"{where}HTTP {status}: {detail}",
                         retriable=self.default_retriable if retriable is None else retriable,
                         status=status, detail=detail)
        self.body = body
        self.method = method
        self.url = url
        self.retry_after = retry_after


class BadRequest(AviApiError):
    """400: validation failed. Never retried."""


class Unauthorized(AviApiError):
    """401/419: bad credentials, expired session or bad CSRF token."""


class Forbidden(AviApiError):
    """403: RBAC, unknown tenant, object still referenced, or an upgrade in progress (the
    last one is retriable)."""


class ObjectNotFound(AviApiError):
    """404."""


class MethodNotAllowed(AviApiError):
    """405 (e.g. DELETE of a singleton)."""


class ObjectConflict(AviApiError):
    """409: an object with this name (or uuid) already exists."""


class PreconditionFailed(AviApiError):
    """412: the controller wants the object re-read before it is changed."""


class RateLimited(AviApiError):
    """408/429: slow down, honouring ``Retry-After``."""

    default_retriable = True


class ServerError(AviApiError):
    """5xx (retriable, except 501 "not implemented")."""

    default_retriable = True


def error_text(body: Any) -> str:
    """The controller's message from any of its error shapes: ``{"error": ...}``,
    ``{"detail": ...}``, plain text (CSRF failures), or anything else rendered as JSON."""
    if isinstance(body, dict):
        for key in ("error", "detail", "message"):
            if key in body:
                text = body[key]
                return text if isinstance(text, str) else json.dumps(text, sort_keys=True)
        return json.dumps(body, sort_keys=True)
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        return body.strip() or "(empty body)"
    return "(empty body)" if body is None else json.dumps(body, sort_keys=True)


def parse_body(content: bytes, content_type: str) -> Any:
    """JSON when it parses (controllers label plain text as JSON too), else text."""
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return content.decode("utf-8", "replace")


def error_from_response(status: int, body: Any, *, method: str, url: str,
                        retry_after: float | None = None) -> AviApiError:
    """Map one HTTP error answer onto the tree (the only place this happens)."""
    error = _classify(status, body, method=method, url=url, retry_after=retry_after)
    if UPGRADE_IN_PROGRESS in error.detail.lower():
        error.retriable = True  # "Configuration is disallowed during upgrade": wait it out
    return error


def _classify(status: int, body: Any, *, method: str, url: str,
              retry_after: float | None) -> AviApiError:
    kwargs: dict[str, Any] = {"method": method, "url": url, "retry_after": retry_after}
    if status == 400:
        return BadRequest(status, body, **kwargs)
    if status in (401, 419):
        return Unauthorized(status, body, **kwargs)
    if status == 403:
        return Forbidden(status, body, **kwargs)
    if status == 404:
        return ObjectNotFound(status, body, **kwargs)
    if status == 405:
        return MethodNotAllowed(status, body, **kwargs)
    if status == 409:
        return ObjectConflict(status, body, **kwargs)
    if status == 412:
        return PreconditionFailed(status, body, **kwargs)
    if status in (408, 429):
        return RateLimited(status, body, **kwargs)
    if status >= 500:
        return ServerError(status, body, retriable=status != 501, **kwargs)
    return AviApiError(status, body, **kwargs)
