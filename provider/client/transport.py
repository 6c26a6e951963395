"""``HttpTransport``: HTTP exchanges with one controller over pooled keep-alive connections.

The session's only way onto the network (``AviSession._send``), built on urllib3 directly.
Whatever does not change between requests is decided once, when the transport is made: TLS
verification (``ClientConfig.verify``: the CA bundle given, else ``REQUESTS_CA_BUNDLE`` or
``CURL_CA_BUNDLE`` as requests honours them, else certifi's bundle; off only when insecure is
asked for), the proxy the environment names for the controller (``HTTPS_PROXY``,
``HTTP_PROXY``, ``ALL_PROXY``, ``NO_PROXY``, read as requests reads them), the pool's size.
A request then only writes its bytes and reads the answer: no cookie jar, environment lookups
or netrc per request (the session sends its own ``Cookie`` header). That is what an apply's
walk pays per object, on one interpreter lock shared by every worker: through
``requests.Session`` one exchange cost about 1.1 ms of CPU on loopback, here about 0.4 ms
(``benchmarks/README.md``, issue 16 goal 2).

Failures become ``AviTransportError``/``AviTlsError`` here, in one place; an HTTP error
status is an answer (``Reply``), the session's business.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

import urllib3
from requests.utils import DEFAULT_CA_BUNDLE_PATH, get_environ_proxies, select_proxy
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.util.retry import Retry
from urllib3.util.url import Url, parse_url

from albform.provider.client.config import ClientConfig
from albform.provider.client.errors import AviConfigError, AviTlsError, AviTransportError
from albform.provider.client.reachability import explain, never_sent
from albform.provider.client.redact import redact_url

POOL_SIZE = 64  # connections kept per controller: room for a -parallelism 64 walk
# What requests sent; controllers compress large collection pages when asked to.
ACCEPT_ENCODING = "gzip, deflate"
_DEFAULT_PORTS = {"http": 80, "https": 443}
# urllib3 neither retries nor follows redirects (the session's policy decides): what
# ``retries=False, redirect=False`` would build afresh on every request (a ``Retry`` is
# immutable: ``increment`` returns a new one).
_NO_RETRIES = Retry(total=False, redirect=False)


@dataclass(frozen=True, slots=True)
class Reply:
    """One HTTP answer: status, headers (case-insensitive), the whole body, and the cookies
    its ``Set-Cookie`` headers set (name -> value; attributes dropped)."""

    status: int
    headers: Mapping[str, str]
    content: bytes
    cookies: Mapping[str, str]


class Transport(Protocol):
    """Sends one request and returns the answer, whatever its status. Raises
    ``AviTransportError`` (``request_sent`` False only when the server certainly got
    nothing) or ``AviTlsError`` when there is no answer."""

    def send(self, method: str, url: str, *, params: Mapping[str, str] | None = None,
             json_body: Any = None, form_body: Mapping[str, str] | None = None,
             headers: Mapping[str, str]) -> Reply: ...

    def close(self) -> None: ...


class HttpTransport:
    """The ``Transport`` of a real controller (module docstring). Thread-safe."""

    def __init__(self, config: ClientConfig, *, pool_size: int = POOL_SIZE) -> None:
        self.base_url = config.base_url
        self._timeout = urllib3.Timeout(connect=config.connect_timeout, read=config.timeout)
        self._read_timeout = config.timeout
        tls = _tls_settings(config.verify)
        proxy = _proxy_for(self.base_url)
        # The controller's own pool, held directly: through the pool manager every request
        # paid for finding it again (its key built from every TLS setting), a tenth of the
        # walk's CPU at -parallelism 32. Other origins (none expected) and any proxy still
        # go through the manager.
        self._origin: tuple[str, str, int] | None = None
        self._direct: urllib3.HTTPConnectionPool | None = None
        if proxy is None:
            self._pool: urllib3.PoolManager = urllib3.PoolManager(
                num_pools=4, maxsize=pool_size, **tls)
            origin = parse_url(self.base_url)
            if origin.scheme in _DEFAULT_PORTS and origin.host:
                self._origin = _origin_of(origin)
                pool_tls = tls if origin.scheme == "https" else {}
                self._direct = urllib3.connection_from_url(
                    f"{origin.scheme}://{origin.netloc}", maxsize=pool_size, **pool_tls)
        else:
            self._pool = urllib3.ProxyManager(proxy, num_pools=4, maxsize=pool_size,
                                              proxy_headers=_proxy_headers(proxy), **tls)

    def send(self, method: str, url: str, *, params: Mapping[str, str] | None = None,
             json_body: Any = None, form_body: Mapping[str, str] | None = None,
             headers: Mapping[str, str]) -> Reply:
        sending = dict(headers)
        sending.setdefault("Accept-Encoding", ACCEPT_ENCODING)
        body: bytes | None = None
        if json_body is not None:
            body = json.dumps(json_body, allow_nan=False).encode()
            sending.setdefault("Content-Type", "application/json")
        elif form_body is not None:
            body = urlencode(list(form_body.items())).encode()
            sending.setdefault("Content-Type", "application/x-www-form-urlencoded")
        if params:
            url += ("&" if "?" in url else "?") + urlencode(list(params.items()))
        try:
            answer = self._open(method, url, body=body, headers=sending,
                                timeout=self._timeout, retries=_NO_RETRIES, redirect=False,
                                preload_content=True)
        except SSLError as exc:
            raise AviTlsError(
                f"TLS error talking to {self.base_url}: {_ssl_reason(exc)}. Give the "
                "controller's CA certificate with AVI_CA_BUNDLE (or avi_ca_bundle), or set "
                "AVI_INSECURE=true to skip verification (not recommended).") from exc
        except ConnectTimeoutError as exc:
            if isinstance(exc, NewConnectionError):  # refused or not resolved: a subclass
                raise AviTransportError(explain(self.base_url, exc),
                                        request_sent=False) from exc
            raise AviTransportError(f"{method} {redact_url(url)}: connect timed out",
                                    request_sent=False, timeout=True) from exc
        except ReadTimeoutError as exc:
            raise AviTransportError(f"{method} {redact_url(url)}: no answer within "
                                    f"{self._read_timeout:g}s", request_sent=True,
                                    timeout=True) from exc
        except (HTTPError, OSError) as exc:  # dropped, reset, proxy failures
            raise AviTransportError(explain(self.base_url, exc),
                                    request_sent=not never_sent(exc)) from exc
        return Reply(answer.status, answer.headers, answer.data,
                     _cookies(answer.headers.getlist("Set-Cookie")))

    def _open(self, method: str, url: str, **kw: Any) -> urllib3.BaseHTTPResponse:
        """``PoolManager.urlopen`` without the pool look-up for the controller's origin."""
        if self._direct is not None:
            target = parse_url(url)
            if target.scheme in _DEFAULT_PORTS and _origin_of(target) == self._origin:
                return self._direct.urlopen(method, target.request_uri,
                                            assert_same_host=False, **kw)
        return self._pool.urlopen(method, url, **kw)

    def close(self) -> None:
        self._pool.clear()
        if self._direct is not None:
            self._direct.close()


def _origin_of(url: Url) -> tuple[str, str, int]:
    """(scheme, host, port) with the scheme's default port filled in, as urllib3 keys pools."""
    scheme = (url.scheme or "").lower()
    return scheme, (url.host or "").lower(), url.port or _DEFAULT_PORTS[scheme]


def _tls_settings(verify: bool | str) -> dict[str, Any]:
    """urllib3's pool arguments for ``ClientConfig.verify`` (module docstring)."""
    if verify is False:
        return {"cert_reqs": "CERT_NONE"}
    where = verify if isinstance(verify, str) else (
        os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        or DEFAULT_CA_BUNDLE_PATH)
    if os.path.isdir(where):
        return {"cert_reqs": "CERT_REQUIRED", "ca_cert_dir": where}
    return {"cert_reqs": "CERT_REQUIRED", "ca_certs": where}


def _proxy_for(url: str) -> str | None:
    """The proxy the environment names for ``url`` (None: connect directly)."""
    proxy: str | None = select_proxy(url, get_environ_proxies(url))
    if proxy is None:
        return None
    if "://" not in proxy:
        proxy = "http://" + proxy
    if not proxy.lower().startswith(("http://", "https://")):
        raise AviConfigError(f"the proxy for {url} is {redact_url(proxy)}: only http:// and "
                             "https:// proxies are supported (check HTTPS_PROXY, ALL_PROXY)")
    return proxy


def _proxy_headers(proxy: str) -> dict[str, str]:
    """``Proxy-Authorization`` for ``user:password@`` in the proxy URL."""
    auth = urllib3.util.parse_url(proxy).auth
    return urllib3.make_headers(proxy_basic_auth=auth) if auth else {}


def _cookies(set_cookie: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for header in set_cookie:
        name, sep, rest = header.partition("=")
        if sep:
            found[name.strip()] = rest.split(";", 1)[0].strip()
    return found


def _ssl_reason(exc: Exception) -> str:
    """The OpenSSL reason inside urllib3's wrapper text ("certificate verify failed:
    self-signed certificate"), or the whole text when it has another form."""
    text = str(exc)
    found = re.search(r"\[SSL[^\]]*\] ([^(']+?)(?: \(_ssl\.c:\d+\))?'?\)?$", text)
    return found.group(1).strip() if found else text
