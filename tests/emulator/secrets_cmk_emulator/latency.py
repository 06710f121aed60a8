"""Network latency model: every API request waits a while before moto answers it.

Against AWS every call costs tens of milliseconds of network and service time, and
concurrent calls overlap that time. The emulator on loopback costs none, and moto answers
one request at a time (``middleware._MOTO_LOCK``), so without this model a client that
overlaps its calls cannot show it. The wait is spent in the request's own server thread
BEFORE the lock is taken, so N concurrent requests under L ms take about L (plus moto's
own time), N sequential ones N x L.

Configured through ``POST /_secrets_cmk/latency`` (see README.md)::

    {"ms": 25}                                       # every request waits 25 ms
    {"ms": 25, "jitter_ms": 10, "seed": 7}           # uniform in [15, 35] ms, seeded
    {"ms": 0}  or  {}                                # off (the default; reset restores it)

The draws come from one ``random.Random(seed)`` shared by every request, so a given
order of requests always gets the same delays. Admin requests and ``/moto-api`` are never
delayed; a ``slow`` fault adds to the latency.
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any

_FIELDS = {"ms", "jitter_ms", "seed"}


class LatencyConfigError(ValueError):
    """The latency document is malformed; the message says which field."""


def _non_negative(doc: dict[str, Any], name: str, kind: type) -> Any:
    value = doc.get(name, 0)
    if isinstance(value, bool) or not isinstance(value, kind) or value < 0:
        what = "integer" if kind is int else "number"
        raise LatencyConfigError(f"{name} must be a non-negative {what}, got {value!r}")
    return value


class LatencyModel:
    """A per-request delay: ``ms`` plus a uniform draw in ``[-jitter_ms, +jitter_ms]``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """No latency (the emulator's default)."""
        with self._lock:
            self._ms = 0.0
            self._jitter_ms = 0.0
            self._seed = 0
            self._rng = random.Random(0)
            self._delayed = 0

    def configure(self, doc: Any) -> None:
        """Replace the model with ``doc``; the counter of delayed requests restarts."""
        if not isinstance(doc, dict):
            raise LatencyConfigError("the latency document must be an object")
        unknown = set(doc) - _FIELDS
        if unknown:
            raise LatencyConfigError(f"unknown fields: {sorted(unknown)}")
        ms = float(_non_negative(doc, "ms", (int, float)))
        jitter_ms = float(_non_negative(doc, "jitter_ms", (int, float)))
        seed = _non_negative(doc, "seed", int)
        if jitter_ms > ms:
            raise LatencyConfigError(f"jitter_ms ({jitter_ms:g}) must not exceed ms ({ms:g}): a delay is never negative")
        with self._lock:
            self._ms, self._jitter_ms, self._seed = ms, jitter_ms, seed
            self._rng = random.Random(seed)
            self._delayed = 0

    def snapshot(self) -> dict[str, Any]:
        """The model as configured, and how many requests it has delayed since."""
        with self._lock:
            return {"ms": self._ms, "jitter_ms": self._jitter_ms, "seed": self._seed, "delayed": self._delayed}

    def draw_ms(self) -> float:
        """The next request's delay in milliseconds (0 when the model is off)."""
        with self._lock:
            if self._ms == 0.0:
                return 0.0
            self._delayed += 1
            if self._jitter_ms == 0.0:
                return self._ms
            return self._ms + self._rng.uniform(-self._jitter_ms, self._jitter_ms)

    def wait(self) -> None:
        """Sleep this request's delay (outside every lock)."""
        delay_ms = self.draw_ms()
        if delay_ms > 0.0:
            time.sleep(delay_ms / 1000.0)


LATENCY = LatencyModel()
"""The process's one latency model (cleared by the emulator's reset)."""
