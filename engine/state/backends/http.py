"""``HttpBackend``: the client side of Terraform's ``http`` backend protocol.

GET ``address`` reads (200 = state; 204, 404 or an empty body = none); ``update_method``
(POST) on ``address?ID=<lock id>`` writes; ``lock_method`` (LOCK) / ``unlock_method`` (UNLOCK)
on ``lock_address`` / ``unlock_address`` carry the lock record as the body, and 409 or 423
answers carry the holder's record. Locking is off when ``lock_address`` is unset, as in
Terraform. Every request with a body has ``Content-MD5``; Basic auth when a username is set;
TLS verification is on unless ``skip_cert_verification``. Connection errors, 429 and 5xx
(except 501) are retried ``retry_max`` times with doubling waits between ``retry_wait_min``
and ``retry_wait_max`` (go-retryablehttp's policy). Errors never show the password.

The intent journal cannot live behind this protocol (one document, no append, and writing the
whole state before every controller call would make applies quadratic), so it is a file on
the applying machine: ``journal_path``, by default ``.albform/journal/http-<digest of the
address>.jsonl`` in the working directory. An apply interrupted on one machine is reconciled
by the next plan on the same machine; elsewhere, a repeated create still finds its own
object by its uuid (``Provider.prepare_create``) once the interrupted apply wrote any state.

``force_unlock(ID)`` sends ``{"ID": ...}`` so the server can check the ID (GitLab and the
reference server do); Terraform's own force-unlock sends an empty body, which servers treat
as unconditional.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
from tenacity import (
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
)

from albform.engine.schema import ResourceSchema
from albform.engine.state.backends.base import BackendError, StateBackend, check_write
from albform.engine.state.codec import (
    EncodeCache,
    StateFormatError,
    decode_state,
    encode_state,
    prepare_instance,
)
from albform.engine.state.journal import FileJournal
from albform.engine.state.lock import LockError, LockInfo, StateLockedError
from albform.engine.state.model import ResourceState, State

_RETRY_STATUS = frozenset({429}) | frozenset(range(500, 600)) - {501}


def content_md5(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body).digest()).decode("ascii")


def redact(url: str) -> str:
    """``url`` without any ``user:password@`` part, for messages."""
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))


class HttpBackend(StateBackend):
    def __init__(
        self,
        address: str,
        *,
        update_method: str = "POST",
        lock_address: str | None = None,
        unlock_address: str | None = None,
        lock_method: str = "LOCK",
        unlock_method: str = "UNLOCK",
        username: str | None = None,
        password: str | None = None,
        skip_cert_verification: bool = False,
        retry_max: int = 2,
        retry_wait_min: float = 1.0,
        retry_wait_max: float = 30.0,
        timeout_s: float = 30.0,
        schemas: Mapping[str, ResourceSchema] | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        journal_path: str | os.PathLike[str] | None = None,
    ) -> None:
        self.address = address
        self.update_method = update_method
        self.lock_address = lock_address
        self.unlock_address = unlock_address or lock_address
        self.lock_method = lock_method
        self.unlock_method = unlock_method
        self.retry_max = retry_max
        self.retry_wait = (retry_wait_min, retry_wait_max)
        self.timeout_s = timeout_s
        self._schemas = schemas
        # Rewrites during an apply re-encode only the instances changed since the last.
        self._encoded = EncodeCache()
        self._session = session or requests.Session()
        self._verify = not skip_cert_verification
        if username:
            self._session.auth = (username, password or "")
        self._sleep = sleep
        self._held: tuple[str, bytes] | None = None  # (lock ID, the body sent to lock)
        self._last_read: bytes | None = None  # body of the last GET, for check_write
        # Lock records and lock errors name the state's address (Terraform's http backend
        # leaves Path empty, so an error could not say which state is locked).
        self.lock_path = redact(address)
        self._journal = FileJournal(journal_path if journal_path is not None
                                    else default_journal_path(address))

    def journal(self) -> FileJournal:
        return self._journal

    def close(self) -> None:
        self._session.close()
        self._journal.close()

    # -- transport ------------------------------------------------------------------------------
    def _request(self, method: str, url: str, body: bytes | None = None,
                 params: Mapping[str, str] | None = None) -> requests.Response:
        headers = {}
        if body is not None:
            headers = {"Content-Type": "application/json", "Content-MD5": content_md5(body)}
        attempts = 1 + max(self.retry_max, 0)

        def send() -> requests.Response:
            try:
                # verify is passed per request: a session-level False is overridden by
                # REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE when requests merges the environment.
                return self._session.request(method, url, data=body, headers=headers,
                                             params=params, timeout=self.timeout_s,
                                             verify=self._verify)
            except requests.exceptions.SSLError as exc:
                # Not retried: a certificate that fails verification will not start passing.
                raise BackendError(
                    f"{method} {redact(url)}: TLS handshake or certificate verification "
                    f"failed ({_first_line(exc)}); trust the server's CA, or set "
                    "skip_cert_verification = true for testing only") from exc

        def doubling(state: RetryCallState) -> float:
            low, high = self.retry_wait
            return float(min(high, low * 2 ** (state.attempt_number - 1)))

        retrying = Retrying(
            stop=stop_after_attempt(attempts), wait=doubling, sleep=self._sleep,
            retry=(retry_if_exception_type(requests.RequestException)
                   | retry_if_result(lambda r: r.status_code in _RETRY_STATUS)))
        try:
            response: requests.Response = retrying(send)
        except RetryError as exc:
            last = exc.last_attempt
            error = last.exception()
            problem = type(error).__name__ if error is not None \
                else f"HTTP {last.result().status_code}"
            raise BackendError(f"{method} {redact(url)} giving up after {attempts} "
                               f"attempt(s) (last: {problem})") from None
        return response

    def _unexpected(self, what: str, response: requests.Response) -> BackendError:
        if response.status_code == 401:
            return BackendError(f"{what}: HTTP remote state endpoint requires auth")
        if response.status_code == 403:
            return BackendError(f"{what}: HTTP remote state endpoint invalid auth")
        return BackendError(f"{what}: Unexpected HTTP response code {response.status_code}")

    # -- state ----------------------------------------------------------------------------------
    def read(self) -> State | None:
        self._last_read = None
        response = self._request("GET", self.address)
        if response.status_code in (204, 404):
            return None
        if response.status_code != 200:
            raise self._unexpected("Failed to get state", response)
        body = response.content
        self._last_read = body
        if not body or body.isspace():
            return None
        expected = response.headers.get("Content-MD5")
        if expected and expected != content_md5(body):
            raise BackendError(f"Failed to get state: Content-MD5 mismatch from "
                               f"{redact(self.address)}")
        try:
            return decode_state(body, self._schemas)
        except StateFormatError as exc:
            raise StateFormatError(f"{redact(self.address)}: {exc}") from exc

    def prepare(self, resource: ResourceState) -> None:
        prepare_instance(resource, self._schemas, self._encoded)

    def write(self, state: State, *, force: bool = False) -> None:
        data = encode_state(state, self._schemas, cache=self._encoded)
        stored = self.read()
        if not check_write(stored, state, new_data=data, stored_data=self._last_read, force=force):
            return
        params = {"ID": self._held[0]} if self._held else None
        response = self._request(self.update_method, self.address, data, params)
        if response.status_code in (409, 423):
            raise StateLockedError(self._holder(response),
                                   "HTTP remote state is locked by another client; "
                                   "the write was refused")
        if response.status_code not in (200, 201, 204):
            raise self._unexpected("Failed to upload state", response)

    # -- lock -----------------------------------------------------------------------------------
    def lock(self, info: LockInfo) -> str:
        if self.lock_address is None:
            return info.id  # locking disabled, as Terraform does without lock_address
        if self._held is not None:
            raise StateLockedError(info, "state is already locked by this client")
        body = info.to_json().encode()
        response = self._request(self.lock_method, self.lock_address, body)
        if response.status_code == 200:
            self._held = (info.id, body)
            return info.id
        if response.status_code in (409, 423):
            if _holder(response) is None:
                raise LockError(f"HTTP remote state {self.lock_path} already locked, failed to "
                                "unmarshal body")
            holder = self._holder(response)
            raise StateLockedError(holder, f"HTTP remote state already locked: ID={holder.id}")
        raise self._unexpected("Failed to lock state", response)

    def unlock(self, lock_id: str) -> None:
        if self.unlock_address is None:
            return
        if self._held is None or self._held[0] != lock_id:
            raise LockError(f"lock ID {lock_id!r} is not held by this client",
                            lock_id=self._held[0] if self._held else "")
        self._send_unlock(self._held[1])
        self._held = None

    def force_unlock(self, lock_id: str) -> None:
        if self.unlock_address is None:
            return
        if self._held is not None and self._held[0] == lock_id:
            self.unlock(lock_id)
            return
        self._send_unlock(json.dumps({"ID": lock_id}).encode())

    def _holder(self, response: requests.Response) -> LockInfo:
        """The holder's record from a 409/423 answer, its Path filled with this state's."""
        holder = _holder(response) or LockInfo(id="", operation="")
        return holder if holder.path else holder.with_path(self.lock_path)

    def _send_unlock(self, body: bytes) -> None:
        assert self.unlock_address is not None
        response = self._request(self.unlock_method, self.unlock_address, body)
        if response.status_code == 200:
            return
        if response.status_code in (409, 423):
            holder = _holder(response)
            raise LockError("lock ID does not match the existing lock"
                            + (f" ID {holder.id!r}" if holder else ""),
                            lock_id=holder.id if holder else "")
        raise self._unexpected("Failed to unlock state", response)


def default_journal_path(address: str, workdir: str | os.PathLike[str] = ".") -> Path:
    """Where the journal of the state at ``address`` lives on this machine."""
    digest = hashlib.sha256(redact(address).encode()).hexdigest()[:16]
    return Path(workdir) / ".albform" / "journal" / f"http-{digest}.jsonl"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _holder(response: requests.Response) -> LockInfo | None:
    try:
        return LockInfo.from_json(response.content)
    except LockError:
        return None
