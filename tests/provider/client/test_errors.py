"""One mapping from HTTP answers to the exception tree, with the controller's own text."""

from __future__ import annotations

import pytest

from albform.engine.provider import ProviderError
from albform.provider.client import (
    AviApiError,
    AviError,
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
from albform.provider.client.errors import error_from_response, error_text, parse_body


@pytest.mark.parametrize(("status", "cls", "retriable"), [
    (400, BadRequest, False), (401, Unauthorized, False), (419, Unauthorized, False),
    (403, Forbidden, False), (404, ObjectNotFound, False), (405, MethodNotAllowed, False),
    (409, ObjectConflict, False), (412, PreconditionFailed, False), (408, RateLimited, True),
    (429, RateLimited, True), (500, ServerError, True), (501, ServerError, False),
    (502, ServerError, True), (503, ServerError, True), (504, ServerError, True),
    (422, AviApiError, False),
])
def test_status_mapping(status, cls, retriable):
    error = error_from_response(status, {"error": "boom"}, method="GET", url="https://c/api/x")
    assert type(error) is cls
    assert isinstance(error, AviError) and isinstance(error, ProviderError)
    assert error.status == status and error.retriable is retriable
    assert error.detail == "boom"
    assert "GET https://c/api/x" in str(error) and f"HTTP {status}" in str(error)


def test_real_error_shapes_keep_the_controller_text():
    assert error_text({"error": "Pool with this Name and Tenant ref already exists."}) == \
        "Pool with this Name and Tenant ref already exists."
    assert error_text({"detail": "Method 'DELETE' not allowed."}) == \
        "Method 'DELETE' not allowed."
    assert error_text("CSRF token missing or incorrect.") == "CSRF token missing or incorrect."
    assert error_text({"error": {"vh_matches": "bad"}}) == '{"vh_matches": "bad"}'
    assert error_text(None) == "(empty body)"
    assert parse_body(b"CSRF token missing or incorrect.", "application/json") == \
        "CSRF token missing or incorrect."
    assert parse_body(b'{"a": 1}', "text/plain") == {"a": 1}


def test_referenced_delete_is_not_retriable_but_upgrade_is():
    referenced = error_from_response(
        403, {"error": "Cannot delete, object is referred by: ['VirtualService vs1']",
              "obj_name": "p1"}, method="DELETE", url="u")
    assert isinstance(referenced, Forbidden) and not referenced.retriable
    assert "referred by" in referenced.detail
    upgrading = error_from_response(403, {"error": "Configuration is disallowed during upgrade"},
                                    method="PUT", url="u")
    assert upgrading.retriable


def test_retry_after_is_carried():
    error = error_from_response(429, {"error": "Too many requests"}, method="GET", url="u",
                                retry_after=3.0)
    assert error.retry_after == 3.0
