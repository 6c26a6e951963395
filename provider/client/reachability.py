"""One-line explanations of why a controller could not be reached.

urllib3's text ("HTTPSConnectionPool(host=..., port=...): Max retries exceeded ... Caused by
NewConnectionError(...)") names neither the setting to fix nor the likely mistake. ``explain``
turns a connection failure into: what was tried (scheme, host, port), what happened (refused,
name not found, closed without answer), and which setting to check. A plain-HTTP request that
an HTTPS controller drops is recognised by trying a TLS handshake on the same port.
"""

from __future__ import annotations

import socket
import ssl
from urllib.parse import urlsplit

_SETTING = "AVI_CONTROLLER (or avi_controller in the provider block)"
_REASONS = (
    (("Connection refused", "ConnectionRefusedError"), "connection refused (nothing listens "
                                                         "on that port)"),
    (("Name or service not known", "nodename nor servname", "Failed to resolve",
      "NameResolutionError", "Temporary failure in name resolution"), "host name not found"),
    (("RemoteDisconnected", "Connection aborted", "Connection reset", "BadStatusLine"),
     "the server closed the connection without an HTTP answer"),
    (("No route to host", "Network is unreachable"), "no route to the host"),
)

# Failures before the server could get a byte of the request (no connection, no address).
_NOT_SENT = ("NewConnectionError", "Connection refused", "ConnectionRefusedError",
             "Name or service not known", "nodename nor servname")


def never_sent(exc: BaseException) -> bool:
    """Whether ``exc`` failed before the request reached the server (refused, unresolved):
    then even a write is safe to retry."""
    text = repr(exc)
    return any(marker in text for marker in _NOT_SENT)


def _endpoint(base_url: str) -> tuple[str, str, int]:
    parts = urlsplit(base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, parts.hostname or "", port


def _speaks_tls(host: str, port: int, timeout: float = 3.0) -> bool:
    """Whether ``host:port`` completes a TLS handshake (certificate not checked: this only
    tells HTTPS from HTTP, nothing is sent)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw, \
                context.wrap_socket(raw, server_hostname=host):
            return True
    except (OSError, ssl.SSLError):
        return False


def explain(base_url: str, exc: BaseException) -> str:
    """The one-line message for a failed connection to ``base_url``."""
    scheme, host, port = _endpoint(base_url)
    text = repr(exc)
    reason = next((why for markers, why in _REASONS if any(m in text for m in markers)), None)
    if scheme == "http" and reason is not None and "closed" in reason and \
            _speaks_tls(host, port):
        return (f"the Avi controller at {host}:{port} speaks HTTPS, not HTTP: use "
                f"https://{host}:{port} in {_SETTING}")
    shown = reason or str(exc).split("(Caused by")[0].strip()[:200]
    return f"cannot reach the Avi controller at {scheme}://{host}:{port}: {shown}; check {_SETTING}"
