"""The HTTP face of the emulator: one ASGI (Starlette) app answering like an Avi controller.

Request path, in order: collapse repeated slashes and drop a trailing one; ``/login`` and
``/logout``; the unauthenticated ``/api/cluster/status``; authentication (session cookie or,
when enabled, Basic); CSRF for unsafe methods on a session; fault injection; tenant and
version context from ``X-Avi-Tenant`` / ``X-Avi-Tenant-UUID`` / ``tenant=`` and
``X-Avi-Version``; then the object routes (:mod:`.routes`). Every answer echoes
``AVI_API_VERSION`` and re-sets the sliding session cookies. Errors raised below as
:class:`~albform.provider.emulator.errors.ApiError` become responses here, once.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import json
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from albform.provider.emulator import auth, versions
from albform.provider.emulator.context import RequestContext
from albform.provider.emulator.errors import ApiError, error
from albform.provider.emulator.faults import FaultInjector
from albform.provider.emulator.objects import Controller
from albform.provider.emulator.ratelimit import RateLimiter
from albform.provider.emulator.routes import ApiRoutes
from albform.provider.emulator.runtime import RuntimeOverrides

_SLASHES = re.compile(r"/{2,}")
PASSWORD_KEY = "admin_password"
ADMIN_USER = "admin"
_NOT_AUTHENTICATED = {"detail": "Authentication credentials were not provided."}


@dataclass(slots=True)
class EmulatorState:
    """Everything the app serves from; shared with the in-process Python API."""

    controller: Controller
    sessions: auth.Sessions
    faults: FaultInjector
    overrides: RuntimeOverrides = field(default_factory=RuntimeOverrides)
    limiter: RateLimiter = field(default_factory=RateLimiter)
    _basic_ok: dict[tuple[str, str], str] = field(default_factory=dict)
    # API tokens (POST /api/user-token) -> expiry (monotonic seconds); kept in memory only.
    _tokens: dict[str, float] = field(default_factory=dict)

    def issue_token(self, hours: float) -> str:
        token = secrets.token_hex(20)
        self._tokens[token] = time.monotonic() + hours * 3600.0
        return token

    def check_token(self, username: str, token: str) -> bool:
        expiry = self._tokens.get(token)
        return username == ADMIN_USER and expiry is not None and expiry > time.monotonic()

    def check_password(self, username: str, password: str) -> bool:
        stored = self.controller.store.get_meta(PASSWORD_KEY)
        if username != ADMIN_USER or stored is None:
            return False
        if self._basic_ok.get((username, password)) == stored:
            return True
        if auth.check_password(password, stored):
            # Remember the verified pair (bound to the current hash) so Basic auth on every
            # request does not pay for scrypt each time.
            self._basic_ok[(username, password)] = stored
            return True
        return False

    def set_password(self, password: str) -> None:
        self._basic_ok.clear()
        self.controller.store.set_meta(PASSWORD_KEY, auth.hash_password(password))


def _json(body: object, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status_code=status, headers=dict(headers or {}),
                    media_type="application/json")


def _error_response(exc: ApiError) -> Response:
    if isinstance(exc.body, str):
        # Recorded: the CSRF failure is plain text under an application/json label.
        return Response(exc.body, status_code=exc.status, headers=exc.headers,
                        media_type="application/json")
    return _json(exc.body, exc.status, exc.headers)


async def _form(request: Request) -> dict[str, str]:
    """Login bodies: JSON (Go SDK), urlencoded (Python SDK) or multipart (Postman)."""
    raw = await request.body()
    ctype = request.headers.get("content-type", "")
    if "json" in ctype or raw.lstrip().startswith(b"{"):
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            raise error(400, "Malformed JSON body") from None
        return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    if ctype.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw)
        out: dict[str, str] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                out[name] = payload.decode()
        return out
    return {k: v[0] for k, v in parse_qs(raw.decode(errors="replace")).items()}


class EmulatorApp:
    """Builds the Starlette application over an :class:`EmulatorState`."""

    def __init__(self, state: EmulatorState, *, secure_cookies: bool) -> None:
        self.state = state
        self.secure = secure_cookies
        self.routes = ApiRoutes(state)
        methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        self.asgi = Starlette(routes=[Route("/{path:path}", self.dispatch, methods=methods)])

    async def dispatch(self, request: Request) -> Response:
        path = _SLASHES.sub("/", request.url.path)
        if len(path) > 1:
            path = path.rstrip("/")
        method = request.method.upper()
        version = request.headers.get("x-avi-version")
        session: auth.Session | None = None
        slow = 0.0
        try:
            if path == "/login" and method == "POST":
                return await self.login(request, version)
            if path == "/logout" and method == "POST":
                return self.logout(request)
            if path == "/api/cluster/status" and method == "GET":
                return self._finish(_json(self.routes.cluster_status()), version, None)
            session, basic = self.authenticate(request)
            if session is None and not basic:
                raise ApiError(401, _NOT_AUTHENTICATED)
            if session is not None and method in auth.UNSAFE and not basic:
                token = request.headers.get("x-csrftoken", "")
                if not token or token != session.csrf:
                    raise ApiError(401, auth.CSRF_FAILED)
            if path.startswith("/api/"):
                self.state.limiter.admit()
                decision = self.state.faults.decide(method, path)
                if decision.delay:
                    await asyncio.sleep(decision.delay)
                if decision.error is not None:
                    raise decision.error
                if decision.expire_session and session is not None:
                    self.state.sessions.delete(session.sid)
                    raise ApiError(401, {"error": "Session expired"})
                if session is not None and self.state.sessions.consume_expiry(session.sid):
                    raise ApiError(401, {"error": "Session expired"})
                slow = decision.slow_after_write
            ctx = self._context(request, version)
            response = await self.routes.handle(request, method, path, ctx)
        except ApiError as exc:
            response = _error_response(exc)
            slow = 0.0
        if slow:
            # The write is done; answering late makes impatient clients retry into a 409.
            await asyncio.sleep(slow)
        return self._finish(response, version, session)

    def _finish(self, response: Response, version: str | None,
                session: auth.Session | None) -> Response:
        response.headers["AVI_API_VERSION"] = version or versions.OLDEST_FORMAT
        response.headers["Cache-Control"] = "private, no-cache, must-revalidate"
        response.headers["Vary"] = "Accept, Cookie"
        if session is not None:
            for cookie in auth.session_cookies(session, with_csrf=False, secure=self.secure):
                response.headers.append("set-cookie", cookie)
        return response

    def _context(self, request: Request, version: str | None) -> RequestContext:
        base = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
        controller = self.state.controller
        tenant_uuid = request.headers.get("x-avi-tenant-uuid")
        tenant_name = request.headers.get("x-avi-tenant") or request.query_params.get("tenant")
        tenant = controller.tenant_uuid(name=tenant_name, uuid=tenant_uuid)
        return RequestContext(base=base, tenant=tenant, version=version)

    def authenticate(self, request: Request) -> tuple[auth.Session | None, bool]:
        cookies = auth.cookie_values(request.headers.get("cookie"))
        sids = cookies.get("avi-sessionid", []) + cookies.get("sessionid", [])
        # The latest cookie in a duplicated header is the freshest one a client holds.
        session = self.state.sessions.lookup(list(reversed(sids)))
        if session is not None:
            return session, False
        creds = auth.basic_credentials(request.headers.get("authorization"))
        if creds is not None and self.routes.basic_auth_allowed():
            if self.state.check_password(*creds):
                return None, True
            raise ApiError(401, {"error": "Invalid credentials"})
        return None, False

    async def login(self, request: Request, version: str | None) -> Response:
        form = await _form(request)
        username, password = form.get("username", ""), form.get("password")
        token = form.get("token")
        if token is not None and password is None:
            ok = self.state.check_token(username, token)
        else:
            ok = password is not None and self.state.check_password(username, password)
        if not ok:
            return self._finish(_json({"error": "Invalid credentials"}, 401), version, None)
        session = self.state.sessions.create(username)
        base = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
        body = self.routes.login_body(RequestContext(base=base, version=version))
        response = _json(body)
        response.headers["AVI_API_VERSION"] = version or versions.OLDEST_FORMAT
        for cookie in auth.session_cookies(session, with_csrf=True, secure=self.secure):
            response.headers.append("set-cookie", cookie)
        return response

    def logout(self, request: Request) -> Response:
        cookies = auth.cookie_values(request.headers.get("cookie"))
        for sid in cookies.get("avi-sessionid", []) + cookies.get("sessionid", []):
            self.state.sessions.delete(sid)
        return _json({}, 200)

