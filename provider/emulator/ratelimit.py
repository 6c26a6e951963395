"""``controllerproperties.portal_request_rate_limit`` (requests/s, 0 = off) with
``portal_request_burst_limit``: a token bucket in front of ``/api``; over the limit the
answer is 429 ``{"error": "Too many requests"}`` with ``Retry-After`` (docs/avi-api.md §1.9,
inferred shape: no public capture of the throttled answer exists)."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

from albform.provider.emulator.errors import ApiError


@dataclass(slots=True)
class RateLimiter:
    rate: float = 0.0  # tokens per second; 0 disables the limiter
    burst: float = 0.0
    _tokens: float = 0.0
    _stamp: float = field(default_factory=time.monotonic)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def configure(self, rate: float, burst: float) -> None:
        with self._lock:
            self.rate = max(0.0, rate)
            self.burst = max(1.0, burst or rate)
            self._tokens = self.burst
            self._stamp = time.monotonic()

    def admit(self) -> None:
        """Take a token or raise the 429 answer."""
        with self._lock:
            if self.rate <= 0:
                return
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return
            wait = math.ceil((1.0 - self._tokens) / self.rate)
        raise ApiError(429, {"error": "Too many requests"}, {"Retry-After": str(max(1, wait))})
