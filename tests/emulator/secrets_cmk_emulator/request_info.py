"""What an incoming AWS API request is: service, operation, region, caller, protocol.

Read from the request exactly as moto itself reads it, so the request log and the
fault rules see the same service, region and account that moto acts on:

- service, region and access key id: the SigV4 ``Authorization`` credential scope
  (``Credential=AKID/date/region/service/aws4_request``);
- operation: the ``X-Amz-Target`` header after the dot (awsJson protocols: Secrets
  Manager, KMS, Config), the ``Action`` parameter (awsQuery protocol: STS), or, for the
  REST protocols (Security Hub, Account), the operation whose HTTP method and
  ``requestUri`` in botocore's service model match the request (the same model the SDKs
  are generated from);
- account: ``MOTO_ACCOUNT_ID``, then the ``x-moto-account-id`` header, then the
  account moto associates with the access key (STS hands out temporary keys that
  belong to the assumed role's account), else moto's default account.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs

import botocore.session

from secrets_cmk_emulator import DEFAULT_ACCOUNT_ID

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


@dataclass(frozen=True)
class AwsRequest:
    """The parts of one API request the log and the fault rules care about."""

    service: str
    operation: str | None
    region: str
    access_key_id: str
    account: str
    protocol: str  # "json" (X-Amz-Target), "query" (Action=...), or "rest"
    body: str


def buffer_body(environ: dict[str, Any]) -> bytes:
    """Read the request body and put an equivalent stream back for moto to read."""
    stream = environ["wsgi.input"]
    try:
        length = int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        length = -1
    if length >= 0:
        body = stream.read(length) if length else b""
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()  # chunked: the server's stream ends with the body
    else:
        return b""  # unknown length and no terminated stream: leave it alone
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def resolve_account(environ: dict[str, Any], access_key_id: str) -> str:
    """The account moto will act in for this request (same precedence as moto)."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    header = environ.get("HTTP_X_MOTO_ACCOUNT_ID")
    if header:
        return header
    try:
        from moto.iam.models import get_account_id_from

        return get_account_id_from(access_key_id)
    except Exception:  # noqa: BLE001 - an unknown key is simply the default account
        return DEFAULT_ACCOUNT_ID


def _query_action(environ: dict[str, Any], body: bytes) -> str | None:
    for source in (body.decode("utf-8", "replace"), environ.get("QUERY_STRING", "")):
        values = parse_qs(source).get("Action")
        if values:
            return values[0]
    return None


def _route_pattern(request_uri: str) -> re.Pattern[str]:
    """A botocore ``requestUri`` (``/findings/import``, ``/v2/{Name+}?x``) as a regex."""
    path = request_uri.split("?", 1)[0]
    parts = re.split(r"(\{[^}]+\})", path)
    regex = "".join(
        (".+" if part.endswith("+}") else "[^/]+") if part.startswith("{") else re.escape(part)
        for part in parts
    )
    return re.compile(f"^{regex}/?$")


@lru_cache(maxsize=None)
def _rest_routes(service: str) -> tuple[tuple[str, re.Pattern[str], int, str], ...]:
    """(method, path pattern, literal length, operation) of every operation of
    ``service`` in botocore's model, most literal first; empty for an unknown service."""
    try:
        model = botocore.session.get_session().get_service_model(service)
    except Exception:  # noqa: BLE001 - a service botocore does not know has no routes
        return ()
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri = http.get("requestUri", "/")
        literal = len(re.sub(r"\{[^}]+\}", "", uri.split("?", 1)[0]))
        routes.append((http.get("method", "POST"), _route_pattern(uri), literal, name))
    routes.sort(key=lambda route: -route[2])
    return tuple(routes)


def _rest_operation(service: str, environ: dict[str, Any]) -> str | None:
    method = environ.get("REQUEST_METHOD", "")
    path = environ.get("PATH_INFO", "")
    for route_method, pattern, _, name in _rest_routes(service):
        if route_method == method and pattern.match(path):
            return name
    return None


def describe(environ: dict[str, Any], body: bytes) -> AwsRequest | None:
    """Describe a SigV4-signed API request; ``None`` for anything else."""
    match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if match is None:
        return None
    access_key_id, region, service = match.groups()
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        operation: str | None = target.split(".", 1)[-1]
        protocol = "json"
    else:
        operation = _query_action(environ, body)
        protocol = "query" if operation else "rest"
        if operation is None:
            operation = _rest_operation(service.lower(), environ)
    return AwsRequest(
        service=service.lower(),
        operation=operation,
        region=region,
        access_key_id=access_key_id,
        account=resolve_account(environ, access_key_id),
        protocol=protocol,
        body=body.decode("utf-8", "replace"),
    )
