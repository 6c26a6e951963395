"""``AviSession``: one authenticated connection to a controller (``HttpTransport`` + retries).

Login (``POST /login``, JSON with a form fallback) stores the ``csrftoken`` and session
cookies; every request carries ``X-Avi-Version`` (pinned, or negotiated as
min(controller, MAX_API_VERSION)), the tenant header, ``Referer`` and, on writes,
``X-CSRFToken``. A 401/419 logs in again (once per session generation, however many threads
saw it) and replays. Retriable failures go through ``RetryPolicy``; non-idempotent requests
(plain POST, PATCH) are retried only when they certainly were not applied. Thread-safe: the
engine calls it from worker threads. Cookies are kept by hand (no cookie jar) so ``Secure``
cookies also work against a plain-HTTP loopback emulator.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Protocol

import urllib3

from albform.provider.client import calls
from albform.provider.client.config import MAX_API_VERSION, ClientConfig
from albform.provider.client.errors import (
    AviApiError,
    AviConfigError,
    AviError,
    AviTransportError,
    AviVersionError,
    ServerError,
    Unauthorized,
    error_from_response,
    parse_body,
)
from albform.provider.client.redact import redact_headers, redact_url
from albform.provider.client.retry import RetryPolicy, parse_retry_after
from albform.provider.client.transport import HttpTransport, Reply, Transport
from albform.provider.schema.versions import parse_version

log = logging.getLogger("albform.provider.client")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
SESSION_COOKIE_NAMES = ("sessionid", "avi-sessionid")


class TenantScope(Protocol):
    """Anything naming a tenant by name or uuid (e.g. ``provider.resources.api.Tenant``)."""

    @property
    def name(self) -> str | None: ...

    @property
    def uuid(self) -> str | None: ...


Tenant = str | TenantScope | None


class AviSession:
    """An authenticated, retrying connection. Use as a context manager or call ``close``."""

    def __init__(self, config: ClientConfig, *, retry: RetryPolicy | None = None,
                 max_relogins: int = 3, transport: Transport | None = None) -> None:
        self.config = config
        self.retry = retry or RetryPolicy()
        self.max_relogins = max_relogins
        self.base_url = config.base_url
        self._http = transport or HttpTransport(config)
        self._lock = threading.Lock()
        self._cookies: dict[str, str] = {}
        self._generation = 0  # bumped by every successful login (= number of logins)
        self._api_version: str | None = config.api_version
        self.controller_version: str | None = None
        self._calls = calls.CallCounter()
        if config.insecure:
            log.warning("TLS certificate verification is disabled for %s (avi_insecure)",
                        self.base_url)
            # Said once above; urllib3 would repeat it, in its own words, on every host.
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> AviSession:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Log out (best effort) and release pooled connections."""
        if self._generation and self._cookies:
            try:
                self._send("POST", self.base_url + "/logout", headers=self._auth_headers(True))
            except AviError as exc:
                log.debug("logout failed: %s", exc)
        self._cookies.clear()
        self._http.close()

    @property
    def api_calls(self) -> int:
        """HTTP requests made so far (logins, pages, retries included)."""
        return self._calls.total

    @property
    def logins(self) -> int:
        """Successful logins so far (the first one plus every re-login)."""
        return self._generation

    @property
    def api_version(self) -> str:
        """The ``X-Avi-Version`` in use (logs in first if it must be negotiated)."""
        if self._api_version is None:
            self.login()
        assert self._api_version is not None
        return self._api_version

    # -- authentication --------------------------------------------------------------------

    def login(self) -> None:
        """Log in now (normally done lazily), checking the pinned API version."""
        with self._lock:
            self._login_locked()

    def _ensure_login(self) -> int:
        with self._lock:
            if not self._generation:
                self._login_locked()
            return self._generation

    def _relogin(self, seen_generation: int, *, allowed: bool) -> bool | None:
        """Log in again after a 401 answered to the session of ``seen_generation``.

        True: this call logged in (it counts against the request's re-logins). False: another
        thread replaced that session meanwhile, even while this answer was on its way back
        (the retry is free). None: a login was needed and not ``allowed``."""
        with self._lock:
            if self._generation != seen_generation:
                return False
            if not allowed:
                return None
            self._login_locked()
            return True

    def _login_locked(self) -> None:
        cfg = self.config
        if not cfg.password and not cfg.auth_token:
            raise AviConfigError(f"no credentials for {self.base_url}: set avi_password "
                                 "(AVI_PASSWORD) or avi_authtoken (AVI_AUTHTOKEN)")
        secret_key = "token" if cfg.auth_token else "password"
        body = {"username": cfg.username, secret_key: cfg.auth_token or cfg.password}
        url = self.base_url + "/login"
        self._cookies.clear()
        rsp = self._send("POST", url, json_body=body, headers={"Referer": self.base_url + "/"})
        if rsp.status in (400, 415):  # some builds only take form bodies
            rsp = self._send("POST", url, form_body=body,
                             headers={"Referer": self.base_url + "/"})
        if rsp.status != 200:
            error = self._error(rsp, "POST", url)
            if isinstance(error, Unauthorized):
                error.args = (f"login to {self.base_url} as {cfg.username!r} failed: "
                              f"{error.detail}",)
            raise error
        self._remember_cookies(rsp)
        if "csrftoken" not in self._cookies or not self._session_cookie():
            raise AviApiError(rsp.status, "login answer set no session/CSRF cookies",
                              method="POST", url=url)
        payload = parse_body(rsp.content, rsp.headers.get("Content-Type", ""))
        self._check_version(_controller_version(payload))
        self._generation += 1
        log.info("logged in to %s as %s (controller %s, API %s)", self.base_url,
                 cfg.username, self.controller_version, self._api_version)

    def _check_version(self, controller: str | None) -> None:
        self.controller_version = controller
        pinned = self.config.api_version
        if controller is None:
            if pinned is None:
                self._api_version = MAX_API_VERSION
            return
        if pinned is not None and parse_version(pinned) > parse_version(controller):
            raise AviVersionError(
                f"avi_version {pinned} is newer than controller {self.base_url} serves "
                f"({controller}); set avi_version to {controller} or older")
        if pinned is None:
            self._api_version = min(controller, MAX_API_VERSION, key=parse_version)

    def _session_cookie(self) -> str | None:
        return next((self._cookies[n] for n in SESSION_COOKIE_NAMES if n in self._cookies), None)

    def _remember_cookies(self, rsp: Reply) -> None:
        # Caller holds the lock (login) or checked the generation (see _refresh_cookies).
        for name in ("csrftoken", *SESSION_COOKIE_NAMES):
            value = rsp.cookies.get(name)
            if value and value != "None":
                self._cookies[name] = value

    def _refresh_cookies(self, rsp: Reply, generation: int) -> None:
        """Take the sliding session cookies of an answer, unless a re-login happened while
        the request was in flight (its cookies would bring back the old session)."""
        if not rsp.cookies:
            return
        with self._lock:
            if generation == self._generation:
                self._remember_cookies(rsp)

    def _auth_headers(self, unsafe: bool) -> dict[str, str]:
        with self._lock:
            sid = self._session_cookie()
            pairs = [("csrftoken", self._cookies.get("csrftoken"))]
            # Newer controllers key on avi-sessionid, older on sessionid: send both.
            pairs += [(name, sid) for name in SESSION_COOKIE_NAMES]
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in pairs if v),
                       "Referer": self.base_url + "/"}
            if unsafe and "csrftoken" in self._cookies:
                headers["X-CSRFToken"] = self._cookies["csrftoken"]
            return headers

    # -- requests --------------------------------------------------------------------------

    def request(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                json_body: Any = None, tenant: Tenant = None,
                headers: Mapping[str, str] | None = None, idempotent: bool | None = None,
                retry: bool = True) -> Reply:
        """Send an API request (``path`` like ``/api/pool``, or an absolute URL of this
        controller) and return its 2xx answer; anything else raises an ``AviError``."""
        method = method.upper()
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        safe_to_repeat = method in IDEMPOTENT_METHODS if idempotent is None else idempotent

        def attempt() -> Reply:
            try:
                return self._authenticated(method, url, params, json_body, tenant, headers)
            except AviError as exc:
                if not safe_to_repeat and not _certainly_not_applied(exc):
                    exc.retriable = False
                raise

        if not retry:
            return attempt()
        # Named lazily: the URL is redacted only for a retry's log line, not per request.
        return self.retry.call(attempt, what=lambda: f"{method} {redact_url(url)}")

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """``request`` and decode the JSON answer (None for an empty body)."""
        rsp = self.request(method, path, **kwargs)
        return parse_body(rsp.content, rsp.headers.get("Content-Type", ""))

    def _authenticated(self, method: str, url: str, params: Mapping[str, str] | None,
                       json_body: Any, tenant: Tenant, extra: Mapping[str, str] | None,
                       ) -> Reply:
        relogins = 0
        # A 401 for a session another thread has already replaced is not this request's
        # failure: retry on the new session without counting it (bounded all the same).
        for _ in range(4 * (self.max_relogins + 1)):
            generation = self._ensure_login()
            headers = self._request_headers(method, tenant, extra, json_body is not None)
            rsp = self._send(method, url, params=params, json_body=json_body, headers=headers)
            self._refresh_cookies(rsp, generation)
            if rsp.status in (401, 419):
                # Decided under the login lock: when every worker's request meets the same
                # expired session, only the one that logs in again spends a re-login.
                relogged = self._relogin(generation, allowed=relogins < self.max_relogins)
                if relogged is not None:
                    if relogged:
                        relogins += 1
                    log.info("%s %s answered %d; %s", method, redact_url(url), rsp.status,
                             "logged in again" if relogged else "retrying on the new session")
                    continue
            if rsp.status >= 400:
                raise self._error(rsp, method, url)
            return rsp
        raise self._error(rsp, method, url)

    def _request_headers(self, method: str, tenant: Tenant, extra: Mapping[str, str] | None,
                         has_body: bool) -> dict[str, str]:
        headers = self._auth_headers(method in UNSAFE_METHODS)
        headers["X-Avi-Version"] = self.api_version
        headers["Accept"] = "application/json"
        headers["X-Avi-UserAgent"] = self.config.user_agent
        if has_body:
            headers["Content-Type"] = "application/json"
        headers.update(tenant_headers(tenant, self.config.tenant))
        if extra:
            headers.update(extra)
        return headers

    def _send(self, method: str, url: str, *, params: Mapping[str, str] | None = None,
              json_body: Any = None, form_body: Mapping[str, str] | None = None,
              headers: Mapping[str, str] | None = None) -> Reply:
        """One HTTP exchange; transport failures are ``AviTransportError`` (the transport)."""
        self._calls.add()
        started = time.perf_counter()
        rsp = self._http.send(method, url, params=params, json_body=json_body,
                              form_body=form_body, headers=headers or {})
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s -> %d (%.0f ms) headers=%s", method, redact_url(url),
                      rsp.status, (time.perf_counter() - started) * 1000,
                      redact_headers(headers or {}))
        return rsp

    def _error(self, rsp: Reply, method: str, url: str) -> AviApiError:
        body = parse_body(rsp.content, rsp.headers.get("Content-Type", ""))
        return error_from_response(rsp.status, body, method=method,
                                   url=redact_url(url.split("?", 1)[0]),
                                   retry_after=parse_retry_after(rsp.headers.get("Retry-After")))

    def counting(self) -> calls.Tally:
        """``with session.counting() as tally:`` counts this thread's calls in the block."""
        return self._calls.tally()


def tenant_headers(tenant: Tenant, default: str) -> dict[str, str]:
    """``X-Avi-Tenant`` or ``X-Avi-Tenant-UUID`` (never both); the default tenant if unset."""
    if isinstance(tenant, str):
        return {"X-Avi-Tenant": tenant}
    if tenant is not None and tenant.uuid:
        return {"X-Avi-Tenant-UUID": tenant.uuid}
    if tenant is not None and tenant.name:
        return {"X-Avi-Tenant": tenant.name}
    return {"X-Avi-Tenant": default}


def _certainly_not_applied(error: AviError) -> bool:
    if isinstance(error, AviTransportError):
        return not error.request_sent
    if isinstance(error, AviApiError):
        # Rejected before any processing: rate limits, unavailable, upgrade in progress.
        return error.status in (408, 429, 503) or (error.retriable
                                                   and not isinstance(error, ServerError))
    return False


def _controller_version(payload: Any) -> str | None:
    if isinstance(payload, Mapping):
        version = payload.get("version")
        if isinstance(version, Mapping) and isinstance(version.get("Version"), str):
            text: str = version["Version"]
            try:
                parse_version(text)
            except ValueError:
                return None
            return text
    return None
