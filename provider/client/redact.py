"""Masking secrets before anything is logged: passwords, tokens, cookies, CSRF tokens.

The session logs method, URL, status and timing; headers only through ``redact_headers``.
Request and response bodies are never logged (they may hold keys and passwords).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

MASK = "***"
SECRET_HEADERS = frozenset({"cookie", "set-cookie", "x-csrftoken", "authorization",
                            "x-portal-authtoken"})
_SECRET_QUERY = re.compile(r"(?i)\b(password|token|passwd|secret)=([^&]*)")


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: (MASK if k.lower() in SECRET_HEADERS else v) for k, v in headers.items()}


def redact_url(url: str) -> str:
    """Mask secret-looking query parameters (``?password=``) in a URL before logging it."""
    return _SECRET_QUERY.sub(lambda m: f"{m.group(1)}={MASK}", url)
