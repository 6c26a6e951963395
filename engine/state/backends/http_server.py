"""A server for Terraform's ``http`` state backend protocol (stdlib only); ``albform
state-server`` runs it as a product, ``StateServer`` runs one on a thread.

Protocol: any path is a state. ``GET`` reads it (404 when absent), ``POST``/``PUT`` writes it
(refused with 423 and the holder's record when locked under another ID), ``DELETE`` removes
it. Locks live at the state path itself or at ``<path>/lock``: ``LOCK`` (or ``POST`` on
``/lock``, the GitLab style) takes it, answering 423 with the holder's record when held;
``UNLOCK`` (or ``DELETE`` on ``/lock``) releases it when the body's ``ID`` matches (409
otherwise), and unconditionally when the body is empty (Terraform's ``force-unlock`` sends no
ID). Bodies may be chunked; ``Content-MD5`` is checked when sent.

Guarantees, in the order a request meets them:

1. Credentials (Basic auth, when configured) are checked from the headers before any body
   byte is read; a refused request gets 401 and the connection is closed, so an anonymous
   client cannot make the server buffer anything.
2. A body larger than ``max_body`` is refused with 413 before it is read (by
   ``Content-Length``) or as soon as it grows past the limit (chunked).
3. With ``data_dir``, states *and held locks* live on disk, each written atomically before the
   reply: a restart (or a crash) keeps every state and every held lock.
4. It binds 127.0.0.1 unless told otherwise; TLS (and client certificates) when given an
   ``ssl.SSLContext``.
"""

from __future__ import annotations

import base64
import hmac
import os
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from albform.engine.state.backends.http import content_md5
from albform.engine.state.backends.local import atomic_write
from albform.engine.state.lock import LockError, LockInfo

DEFAULT_MAX_BODY = 64 * 1024 * 1024


class _TooLarge(Exception):
    pass


@dataclass
class _Store:
    """States and held locks, in memory or (``data_dir``) on disk (guarantee 3). Callers hold
    ``mutex``."""

    states: dict[str, bytes] = field(default_factory=dict)
    locks: dict[str, LockInfo] = field(default_factory=dict)
    data_dir: Path | None = None
    mutex: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: str) -> bytes | None:
        if self.data_dir is not None:
            path = self._file(key, ".tfstate")
            return path.read_bytes() if path.exists() else None
        return self.states.get(key)

    def put(self, key: str, data: bytes) -> None:
        if self.data_dir is not None:
            atomic_write(self._file(key, ".tfstate"), data)
        else:
            self.states[key] = data

    def delete(self, key: str) -> None:
        if self.data_dir is not None:
            self._file(key, ".tfstate").unlink(missing_ok=True)
        self.states.pop(key, None)

    def holder(self, key: str) -> LockInfo | None:
        if self.data_dir is not None:
            path = self._file(key, ".lock")
            return LockInfo.from_json(path.read_bytes()) if path.exists() else None
        return self.locks.get(key)

    def hold(self, key: str, info: LockInfo) -> None:
        if self.data_dir is not None:
            atomic_write(self._file(key, ".lock"), info.to_json().encode())
        else:
            self.locks[key] = info

    def release(self, key: str) -> None:
        if self.data_dir is not None:
            self._file(key, ".lock").unlink(missing_ok=True)
        self.locks.pop(key, None)

    def _file(self, key: str, suffix: str) -> Path:
        assert self.data_dir is not None
        return self.data_dir / (quote(key, safe="") + suffix)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: StateHTTPServer

    # -- plumbing ---------------------------------------------------------------------------------
    def log_message(self, format: str, *args: object) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def _reply(self, status: int, body: bytes = b"", content_type: str = "application/json"
               ) -> None:
        self.send_response(status)
        if body:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-MD5", content_md5(body))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _refuse(self, status: int, headers: dict[str, str] | None = None,
                body: bytes = b"") -> None:
        """Answer and close: the request body, if any, stays unread (guarantees 1, 2)."""
        self.close_connection = True
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> bytes:
        limit = self.server.max_body
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                total += size
                if total > limit:
                    raise _TooLarge
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > limit:
            raise _TooLarge
        return self.rfile.read(length)

    def _authorised(self) -> bool:
        expected = self.server.credentials
        if expected is None:
            return True
        given = self.headers.get("Authorization", "")
        token = base64.b64encode(f"{expected[0]}:{expected[1]}".encode()).decode()
        return hmac.compare_digest(given.encode(), f"Basic {token}".encode())

    def _dispatch(self) -> None:
        if not self._authorised():  # guarantee 1: before reading the body
            self._refuse(401, {"WWW-Authenticate": 'Basic realm="albform state"'})
            return
        try:
            body = self._body()
        except _TooLarge:
            self._refuse(413, body=b'{"error":"the body is larger than the server accepts"}')
            return
        except ValueError:
            self._refuse(400, body=b'{"error":"unreadable body"}')
            return
        sent_md5 = self.headers.get("Content-MD5")
        if body and sent_md5 and sent_md5 != content_md5(body):
            self._reply(400, b'{"error":"Content-MD5 mismatch"}')
            return
        url = urlsplit(self.path)
        is_lock_path = url.path.endswith("/lock")
        key = url.path[: -len("/lock")] if is_lock_path else url.path
        method = self.command
        with self.server.store.mutex:
            if method == "LOCK" or (method == "POST" and is_lock_path):
                self._lock(key, body)
            elif method == "UNLOCK" or (method == "DELETE" and is_lock_path):
                self._unlock(key, body)
            elif method == "GET":
                self._get(key)
            elif method in ("POST", "PUT"):
                self._put(key, body, parse_qs(url.query).get("ID", [""])[0])
            elif method == "DELETE":
                self.server.store.delete(key)
                self._reply(200)
            else:
                self._reply(405)

    do_GET = do_POST = do_PUT = do_DELETE = do_LOCK = do_UNLOCK = _dispatch

    # -- protocol ---------------------------------------------------------------------------------
    def _get(self, key: str) -> None:
        data = self.server.store.get(key)
        if data is None:
            self._reply(404)
        else:
            self._reply(200, data)

    def _put(self, key: str, body: bytes, lock_id: str) -> None:
        holder = self.server.store.holder(key)
        if holder is not None and holder.id != lock_id:
            self._reply(423, holder.to_json().encode())
            return
        self.server.store.put(key, body)
        self._reply(200)

    def _lock(self, key: str, body: bytes) -> None:
        try:
            info = LockInfo.from_json(body)
        except LockError:
            self._reply(400, b'{"error":"the body must be a lock record"}')
            return
        holder = self.server.store.holder(key)
        if holder is not None and holder.id != info.id:
            self._reply(423, holder.to_json().encode())
            return
        self.server.store.hold(key, info)
        self._reply(200)

    def _unlock(self, key: str, body: bytes) -> None:
        holder = self.server.store.holder(key)
        if body.strip():
            try:
                wanted = LockInfo.from_json(body).id
            except LockError:
                self._reply(400, b'{"error":"the body must be a lock record"}')
                return
            if holder is not None and holder.id != wanted:
                self._reply(409, holder.to_json().encode())
                return
        self.server.store.release(key)
        self._reply(200)


class StateHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], store: _Store,
                 credentials: tuple[str, str] | None, verbose: bool,
                 max_body: int = DEFAULT_MAX_BODY) -> None:
        self.store = store
        self.credentials = credentials
        self.verbose = verbose
        self.max_body = max_body
        super().__init__(address, _Handler)


class StateServer:
    """A running server on a background thread (``start``/``close`` or a ``with`` block);
    ``url`` is its base URL."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *,
                 username: str | None = None, password: str | None = None,
                 data_dir: str | os.PathLike[str] | None = None, verbose: bool = False,
                 tls: ssl.SSLContext | None = None, max_body: int = DEFAULT_MAX_BODY) -> None:
        store = _Store(data_dir=Path(data_dir) if data_dir is not None else None)
        if store.data_dir is not None:
            store.data_dir.mkdir(parents=True, exist_ok=True)
        credentials = (username, password or "") if username else None
        self.httpd = StateHTTPServer((host, port), store, credentials, verbose, max_body)
        self.scheme = "http"
        if tls is not None:
            # The handshake happens on the connection's own thread, not in accept(), so a slow
            # or silent client cannot stall the server.
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True,
                                                do_handshake_on_connect=False)
            self.scheme = "https"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True,
                                        name="albform-state-server")

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"{self.scheme}://{host!s}:{port}"

    def start(self) -> StateServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread.is_alive():
            self._thread.join(10)

    def __enter__(self) -> StateServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
