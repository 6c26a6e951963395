"""The one exception the emulator's object layer raises: an API answer that is not a success.

``ApiError(status, body)`` carries the exact body the controller would send (``{"error": ...}``
as recorded, ``{"detail": ...}`` for framework-level answers, or plain text for the CSRF
failure). The HTTP layer turns it into a response once; nothing below it knows about HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping


class ApiError(Exception):
    """A non-2xx answer: ``status`` and the body to send (a dict is sent as JSON)."""

    def __init__(
        self,
        status: int,
        body: Mapping[str, object] | str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


def error(status: int, message: str, **extra: object) -> ApiError:
    """The usual ``{"error": message}`` answer, with optional extra keys (``obj_name``)."""
    return ApiError(status, {"error": message, **extra})


def not_found(model: str) -> ApiError:
    return error(404, f"{model} object not found")
