"""WSGI layer in front of moto: admin routing, request log, fault injection.

Order for every request:
1. ``/_secrets_cmk/...`` goes to the admin app (not logged, never faulted);
2. ``/moto-api/...`` goes to moto untouched, except that ``POST /moto-api/reset``
   also clears the emulator's own state (so either reset clears everything);
3. a SigV4-signed API request is logged, waits the latency model's delay (outside the
   lock below, see ``latency.py``), then is checked against the fault rules: an
   error fault is answered here, a ``slow`` fault sleeps and continues; moto
   answers the rest. The log entry gets the HTTP status once the response starts.

moto's backends are not thread-safe: two concurrent CreateSecret calls can fail with
"dictionary changed size during iteration" (seen while seeding 10,000 secrets 16 at a
time). The server stays threaded, so a ``slow`` fault delays only its own request, but
moto itself answers one API request at a time (``_MOTO_LOCK``). moto is CPU-bound under
the interpreter lock anyway, so this costs no measurable throughput.
"""

from __future__ import annotations

import time
import threading
from collections.abc import Callable, Iterable
from typing import Any

from secrets_cmk_emulator import ADMIN_PREFIX
from secrets_cmk_emulator.faults import render_error
from secrets_cmk_emulator.latency import LATENCY
from secrets_cmk_emulator.request_info import buffer_body, describe
from secrets_cmk_emulator.state import STATE

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_MOTO_LOCK = threading.Lock()

_REASONS = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable"}


class EmulatorMiddleware:
    def __init__(self, moto_app: WsgiApp, admin_app: WsgiApp):
        self._moto = moto_app
        self._admin = admin_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(ADMIN_PREFIX) or path == ADMIN_PREFIX.rstrip("/"):
            return self._admin(environ, start_response)
        if path.startswith("/moto-api"):
            if path.rstrip("/") == "/moto-api/reset" and environ.get("REQUEST_METHOD") == "POST":
                STATE.reset()
            return self._moto(environ, start_response)

        request = describe(environ, buffer_body(environ))
        if request is None:
            return self._moto(environ, start_response)

        entry = STATE.requests.start(request)
        # Network time, spent before the lock so concurrent requests overlap it.
        LATENCY.wait()
        rule = STATE.faults.pick(request)
        if rule is not None:
            entry["fault"] = rule.kind
            if rule.kind == "slow":
                time.sleep(rule.delay_ms / 1000.0)
            else:
                status, headers, body = render_error(rule, request)
                entry["status"] = status
                start_response(f"{status} {_REASONS.get(status, 'Error')}", headers)
                return [body]

        def start_and_log(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            entry["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        with _MOTO_LOCK:
            # The whole body is produced under the lock: moto reads its state lazily.
            return list(self._moto(environ, start_and_log))
