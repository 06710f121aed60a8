"""The test-only admin HTTP API under ``/_secrets_cmk/`` (JSON in, JSON out).

===========================================  =============================================
``GET  /_secrets_cmk/health``                 ``{"ok": true}``
``POST /_secrets_cmk/reset``                  clears the emulator's state and all moto state
``GET  /_secrets_cmk/requests``               request log; optional query filters
                                              ``service``, ``operation``, ``account``, ``region``
``GET  /_secrets_cmk/evaluations``            every accepted PutEvaluations call, in order
``GET  /_secrets_cmk/faults``                 active fault configuration and injection counts
``POST /_secrets_cmk/faults``                 replace it: ``{"rules": [...], "failed_evaluations": {...}}``
``GET  /_secrets_cmk/latency``                the latency model and how many requests it delayed
``POST /_secrets_cmk/latency``                replace it: ``{"ms", "jitter_ms", "seed"}`` (``{}``: off)
``POST /_secrets_cmk/config/not-recorded``    ``{"resourceId": ARN, "recorded": false}``
``POST /_secrets_cmk/config/result-tokens``   ``{"configRuleName": name}`` -> ``{"resultToken": ...}``
``POST /_secrets_cmk/secrets/owning-service`` ``{"account", "region", "secretId", "owningService"}``
``POST /_secrets_cmk/secrets/list-lag``       ``{"account", "region", "secretId", "seconds"}``: ListSecrets
                                              leaves the secret out for ``seconds`` (absent or
                                              null: until cleared; 0: clears)
===========================================  =============================================

Errors are ``{"error": message}`` with HTTP 400 (bad input) or 404 (unknown path).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wrappers import Request, Response

from secrets_cmk_emulator import ADMIN_PREFIX, DEFAULT_ACCOUNT_ID
from secrets_cmk_emulator.faults import FaultConfigError
from secrets_cmk_emulator.latency import LATENCY, LatencyConfigError
from secrets_cmk_emulator.secrets_admin import SecretNotFound, secret_arn, set_owning_service
from secrets_cmk_emulator.patches.secretsmanager_list_lag import LIST_LAG
from secrets_cmk_emulator.state import STATE, reset_everything

_LOG_FILTERS = ("service", "operation", "account", "region")


class AdminError(ValueError):
    """Bad admin input; answered with HTTP 400."""


def _json(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")


def _body(request: Request) -> dict[str, Any]:
    raw = request.get_data(as_text=True)
    if not raw.strip():
        return {}
    try:
        doc = json.loads(raw)
    except ValueError as error:
        raise AdminError(f"body is not JSON: {error}") from error
    if not isinstance(doc, dict):
        raise AdminError("body must be a JSON object")
    return doc


def _required_string(doc: dict[str, Any], name: str) -> str:
    value = doc.get(name)
    if not isinstance(value, str) or not value:
        raise AdminError(f"{name} is required (a non-empty string)")
    return value


def health(_: Request) -> Response:
    return _json({"ok": True})


def reset(_: Request) -> Response:
    reset_everything()
    return _json({"reset": True})


def requests(request: Request) -> Response:
    filters = {name: request.args[name] for name in _LOG_FILTERS if name in request.args}
    return _json({"requests": STATE.requests.entries(**filters)})


def evaluations(_: Request) -> Response:
    return _json({"calls": STATE.config.calls()})


def faults(request: Request) -> Response:
    if request.method == "POST":
        try:
            STATE.faults.configure(_body(request))
        except FaultConfigError as error:
            raise AdminError(str(error)) from error
    return _json(STATE.faults.snapshot())


def latency(request: Request) -> Response:
    if request.method == "POST":
        try:
            LATENCY.configure(_body(request))
        except LatencyConfigError as error:
            raise AdminError(str(error)) from error
    return _json(LATENCY.snapshot())


def not_recorded(request: Request) -> Response:
    doc = _body(request)
    resource_id = _required_string(doc, "resourceId")
    recorded = doc.get("recorded", False)
    if not isinstance(recorded, bool):
        raise AdminError("recorded must be a boolean")
    STATE.config.set_recorded(resource_id, recorded)
    return _json({"resourceId": resource_id, "recorded": recorded})


def result_tokens(request: Request) -> Response:
    rule_name = _required_string(_body(request), "configRuleName")
    return _json({"resultToken": STATE.config.mint_result_token(rule_name), "configRuleName": rule_name})


def owning_service(request: Request) -> Response:
    doc = _body(request)
    owner = doc.get("owningService")
    if owner is not None and not isinstance(owner, str):
        raise AdminError("owningService must be a string or null")
    try:
        arn = set_owning_service(
            doc.get("account") or DEFAULT_ACCOUNT_ID,
            doc.get("region") or "us-east-1",
            _required_string(doc, "secretId"),
            owner,
        )
    except SecretNotFound as error:
        raise AdminError(str(error)) from error
    return _json({"arn": arn, "owningService": owner})


def list_lag(request: Request) -> Response:
    doc = _body(request)
    seconds = doc.get("seconds")
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0):
        raise AdminError("seconds must be a non-negative number or null")
    try:
        arn = secret_arn(doc.get("account") or DEFAULT_ACCOUNT_ID, doc.get("region") or "us-east-1", _required_string(doc, "secretId"))
    except SecretNotFound as error:
        raise AdminError(str(error)) from error
    LIST_LAG.withhold(arn, seconds)
    return _json({"arn": arn, "seconds": seconds})


_ROUTES: dict[tuple[str, str], Callable[[Request], Response]] = {
    ("GET", "health"): health,
    ("POST", "reset"): reset,
    ("GET", "requests"): requests,
    ("GET", "evaluations"): evaluations,
    ("GET", "faults"): faults,
    ("POST", "faults"): faults,
    ("GET", "latency"): latency,
    ("POST", "latency"): latency,
    ("POST", "config/not-recorded"): not_recorded,
    ("POST", "config/result-tokens"): result_tokens,
    ("POST", "secrets/owning-service"): owning_service,
    ("POST", "secrets/list-lag"): list_lag,
}


def admin_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    request = Request(environ)
    route = request.path[len(ADMIN_PREFIX):].strip("/")
    handler = _ROUTES.get((request.method, route))
    if handler is None:
        response = _json({"error": f"no admin endpoint {request.method} {request.path}"}, 404)
    else:
        try:
            response = handler(request)
        except AdminError as error:
            response = _json({"error": str(error)}, 400)
    return response(environ, start_response)
