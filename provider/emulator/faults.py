"""Fault injection for tests and chaos runs, deterministic for a given seed.

Configured at start (``start_emulator(faults=FaultConfig(...))``) or at run time through
``GET``/``PUT /emulator/faults`` (JSON of the same fields). Applies to ``/api/...`` calls only.
Per request, in order: added ``latency_ms``; with probability ``error_rate`` an error answer
whose status is drawn from ``error_statuses`` (429 carries ``Retry-After``); with probability
``session_expiry_rate`` a 401 that also drops the session (the client must log in again);
for writes, with probability ``slow_write_rate`` the write is performed and the answer then
delayed by ``slow_write_seconds`` (a client with a shorter timeout retries and meets 409).
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from albform.provider.emulator.errors import ApiError


@dataclass(frozen=True, slots=True)
class FaultConfig:
    latency_ms: float = 0.0
    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = (500, 503, 429)
    retry_after: int = 1
    session_expiry_rate: float = 0.0
    slow_write_rate: float = 0.0
    slow_write_seconds: float = 5.0
    seed: int = 0
    # Only requests whose path contains this substring are affected ("" = all /api calls).
    path_contains: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["error_statuses"] = list(self.error_statuses)
        return data

    @classmethod
    def from_json(cls, data: object, base: FaultConfig | None = None) -> FaultConfig:
        """Validate a JSON object of fault settings (unknown keys → 400)."""
        if not isinstance(data, dict):
            raise ApiError(400, {"error": "fault settings must be a JSON object"})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ApiError(400, {"error": f"unknown fault settings: {unknown}"})
        values: dict[str, Any] = {}
        try:
            for key, value in data.items():
                if key == "error_statuses":
                    values[key] = tuple(int(v) for v in value)
                elif key in ("seed", "retry_after"):
                    values[key] = int(value)
                elif key == "path_contains":
                    values[key] = str(value)
                else:
                    values[key] = float(value)
        except (TypeError, ValueError):
            raise ApiError(400, {"error": "fault settings have the wrong types"}) from None
        for key in ("error_rate", "session_expiry_rate", "slow_write_rate"):
            if not 0.0 <= values.get(key, 0.0) <= 1.0:
                raise ApiError(400, {"error": f"{key} must be between 0 and 1"})
        return replace(base or cls(), **values)


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do to one request."""

    delay: float = 0.0
    error: ApiError | None = None
    expire_session: bool = False
    slow_after_write: float = 0.0


_MESSAGES = {
    429: "Too many requests",
    500: "Internal server error (injected fault)",
    502: "Bad gateway (injected fault)",
    503: "INITIALIZING",
    504: "Gateway timeout (injected fault)",
}


@dataclass(slots=True)
class FaultInjector:
    config: FaultConfig = field(default_factory=FaultConfig)
    _rng: random.Random = field(default_factory=random.Random)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng.seed(self.config.seed)

    def configure(self, config: FaultConfig) -> None:
        with self._lock:
            self.config = config
            self._rng.seed(config.seed)

    def decide(self, method: str, path: str) -> Decision:
        with self._lock:
            cfg = self.config
            if cfg.path_contains and cfg.path_contains not in path:
                return Decision()
            # Always draw the same number of values per request: the sequence of decisions
            # then depends only on the seed and the request order.
            draws = [self._rng.random() for _ in range(4)]
        delay = cfg.latency_ms / 1000.0
        if cfg.error_rate and draws[0] < cfg.error_rate and cfg.error_statuses:
            status = cfg.error_statuses[int(draws[1] * len(cfg.error_statuses))]
            headers = {"Retry-After": str(cfg.retry_after)} if status == 429 else {}
            body = {"error": _MESSAGES.get(status, f"Injected fault {status}")}
            return Decision(delay=delay, error=ApiError(status, body, headers))
        if cfg.session_expiry_rate and draws[2] < cfg.session_expiry_rate:
            return Decision(delay=delay, expire_session=True)
        slow = 0.0
        if method in ("POST", "PUT", "PATCH", "DELETE") and draws[3] < cfg.slow_write_rate:
            slow = cfg.slow_write_seconds
        return Decision(delay=delay, slow_after_write=slow)
