from __future__ import annotations

from albform.engine.provider import ProviderError, describe_error


def test_status_and_detail_are_not_repeated_when_the_message_has_them() -> None:
    exc = ProviderError("POST /api/vsvip: HTTP 400: Network object not found", status=400,
                        detail="Network object not found")
    text = describe_error(exc)
    assert text.count("Network object not found") == 1
    assert text.count("400") == 1


def test_status_and_detail_are_added_when_missing() -> None:
    exc = ProviderError("create failed", status=409, detail="name already exists")
    assert describe_error(exc) == "create failed (HTTP 409): name already exists"
