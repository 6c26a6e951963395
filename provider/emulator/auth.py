"""Login sessions, CSRF and Basic auth, as recorded from real controllers (docs/avi-api.md §1.2).

``POST /login`` creates a session: cookies ``csrftoken`` (1 year, not HttpOnly),
``avi-sessionid`` and ``sessionid`` (same value, 24 h, HttpOnly). Unsafe methods need the
``X-CSRFToken`` header to equal the token bound to the server-side session (a double-submit
cookie alone is not enough: the recording with a bad header and a good cookie was refused);
failure is 401 with the plain-text body ``CSRF token missing or incorrect.``. Sessions expire
after the idle timeout (401). Basic auth works only while
``systemconfiguration.portal_configuration.allow_basic_authentication`` is true.

Passwords are compared with ``hmac.compare_digest`` and kept only as a salted scrypt hash.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field, replace
from http.cookies import SimpleCookie

CSRF_FAILED = "CSRF token missing or incorrect."
SESSION_COOKIES = ("avi-sessionid", "sessionid")
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**12, r=8, p=1)
    return f"scrypt${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, salt_b64, _ = stored.split("$", 2)
    except ValueError:
        return False
    return hmac.compare_digest(hash_password(password, base64.b64decode(salt_b64)), stored)


def _token() -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(32))


@dataclass(frozen=True, slots=True)
class Session:
    sid: str
    csrf: str
    username: str
    last_seen: float
    # Set by fault injection: the next API call on this session answers 401 once.
    expire_next: bool = False


@dataclass(slots=True)
class Sessions:
    """In-memory session table (sessions do not survive a restart, as on a real controller
    failover clients simply log in again)."""

    idle_timeout: float = 15 * 60.0
    _by_sid: dict[str, Session] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def create(self, username: str) -> Session:
        session = Session(sid=_token(), csrf=_token(), username=username,
                          last_seen=time.monotonic())
        with self._lock:
            if len(self._by_sid) >= 1024:  # clients that never log out: drop idle sessions
                now = session.last_seen
                for sid in [s for s, v in self._by_sid.items()
                            if now - v.last_seen > self.idle_timeout]:
                    del self._by_sid[sid]
            self._by_sid[session.sid] = session
        return session

    def lookup(self, sids: list[str]) -> Session | None:
        """The first live session among the cookie values (duplicates are normal); refreshes
        its idle clock. Expired sessions are removed."""
        now = time.monotonic()
        with self._lock:
            for sid in sids:
                session = self._by_sid.get(sid)
                if session is None:
                    continue
                if now - session.last_seen > self.idle_timeout:
                    del self._by_sid[sid]
                    continue
                fresh = replace(session, last_seen=now)
                self._by_sid[sid] = fresh
                return fresh
        return None

    def consume_expiry(self, sid: str) -> bool:
        """True once if the session was marked to expire by fault injection (then dropped)."""
        with self._lock:
            session = self._by_sid.get(sid)
            if session is not None and session.expire_next:
                del self._by_sid[sid]
                return True
        return False

    def expire_all_once(self) -> None:
        with self._lock:
            for sid, session in self._by_sid.items():
                self._by_sid[sid] = replace(session, expire_next=True)

    def delete(self, sid: str) -> None:
        with self._lock:
            self._by_sid.pop(sid, None)

    def count(self) -> int:
        with self._lock:
            return len(self._by_sid)


def cookie_values(header: str | None) -> dict[str, list[str]]:
    """All values per cookie name, in order; tolerant of duplicates and junk."""
    out: dict[str, list[str]] = {}
    if not header:
        return out
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name:
            out.setdefault(name, []).append(value)
    return out


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def session_cookies(session: Session | None, *, with_csrf: bool, secure: bool) -> list[str]:
    """``Set-Cookie`` values: the sliding session cookies (and the CSRF one at login)."""
    if session is None:
        return list(_cookies("None", "", False, secure))
    return list(_cookies(session.sid, session.csrf, with_csrf, secure))


@functools.lru_cache(maxsize=4096)
def _cookies(sid: str, csrf: str, with_csrf: bool, secure: bool) -> tuple[str, ...]:
    # Set on every answer and identical each time for a session (Max-Age, no Expires date),
    # so they are built once per session.
    jar: SimpleCookie = SimpleCookie()
    names = (["csrftoken"] if with_csrf else []) + list(SESSION_COOKIES)
    for name in names:
        jar[name] = csrf if name == "csrftoken" else sid
        morsel = jar[name]
        morsel["path"] = "/"
        morsel["max-age"] = 31449600 if name == "csrftoken" else 86400
        if name != "csrftoken":
            morsel["httponly"] = True
        if secure:
            morsel["secure"] = True
    return tuple(m.OutputString() for m in jar.values())
