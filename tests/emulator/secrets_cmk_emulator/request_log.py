"""In-memory log of every AWS API request, for counting calls in tests and benchmarks.

One entry per signed API request, in arrival order, including requests answered by an
injected fault (``fault`` names the kind). Admin and ``/moto-api`` requests are not
logged.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from secrets_cmk_emulator.request_info import AwsRequest


class RequestLog:
    """Append-only (until reset) list of request entries; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []

    def start(self, request: AwsRequest) -> dict[str, Any]:
        """Record a request as it arrives; the caller fills in ``status`` later."""
        with self._lock:
            entry: dict[str, Any] = {
                "seq": len(self._entries) + 1,
                "time": time.time(),
                "service": request.service,
                "operation": request.operation,
                "region": request.region,
                "access_key_id": request.access_key_id,
                "account": request.account,
                "status": None,
                "fault": None,
            }
            self._entries.append(entry)
            return entry

    def entries(self, **filters: str) -> list[dict[str, Any]]:
        """A copy of the entries whose fields equal every given filter value."""
        with self._lock:
            return [
                dict(entry)
                for entry in self._entries
                if all(str(entry.get(key)) == value for key, value in filters.items())
            ]

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()
