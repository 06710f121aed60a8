"""Fault injection: make chosen API calls fail (or slow down) deterministically.

Configured through ``POST /_secrets_cmk/faults`` (see README.md). A rule selects
requests by service (SigV4 signing name), operation, and a substring of the body;
each selected request is faulted with probability ``rate``, drawn from the rule's
own ``random.Random(seed)``, so the same request sequence always gets the same
faults. ``count`` caps the number of injections. Rules are tried in order; the
first that fires wins.

The errors are what the real services send, so the SDK's retry classification is
exercised for real: throttling and 5xx are retryable, access denied is not.

``failed_evaluations`` is a separate hook read by the PutEvaluations patch: the
listed ComplianceResourceIds come back in ``FailedEvaluations`` the first
``times`` times each one is submitted. ``failed_findings`` is the same for the
BatchImportFindings patch: the listed finding ``ids`` come back in ``FailedFindings``
(``InternalException``) the first ``times`` times each one is imported.
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from secrets_cmk_emulator.request_info import AwsRequest

KINDS = ("throttle", "server_error", "access_denied", "slow", "error")

# Server-side error code per service for HTTP 500, as each service models it.
_SERVER_ERROR_CODES = {
    "secretsmanager": "InternalServiceError",
    "kms": "KMSInternalException",
}
_RULE_FIELDS = {
    "service", "operation", "kind", "rate", "delay_ms", "match", "seed", "count",
    "code", "status", "message",
}


class FaultConfigError(ValueError):
    """The faults document is malformed; the message says which field."""


@dataclass
class FaultRule:
    """One fault rule plus its running state (random stream, injections so far)."""

    kind: str
    service: str | None = None
    operation: str | None = None
    rate: float = 1.0
    delay_ms: int = 0
    match: str | None = None
    seed: int = 0
    count: int | None = None
    code: str | None = None
    status: int | None = None
    message: str | None = None
    injected: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    @classmethod
    def from_json(cls, doc: Any, index: int) -> FaultRule:
        where = f"rules[{index}]"
        if not isinstance(doc, dict):
            raise FaultConfigError(f"{where} must be an object")
        unknown = set(doc) - _RULE_FIELDS
        if unknown:
            raise FaultConfigError(f"{where} has unknown fields: {sorted(unknown)}")
        kind = doc.get("kind")
        if kind not in KINDS:
            raise FaultConfigError(f"{where}.kind must be one of {list(KINDS)}, got {kind!r}")
        rate = doc.get("rate", 1.0)
        if not isinstance(rate, (int, float)) or not 0.0 <= rate <= 1.0:
            raise FaultConfigError(f"{where}.rate must be a number in [0, 1]")
        for name in ("delay_ms", "seed", "count", "status"):
            value = doc.get(name)
            if value is not None and (not isinstance(value, int) or value < 0):
                raise FaultConfigError(f"{where}.{name} must be a non-negative integer")
        if kind == "slow" and not doc.get("delay_ms"):
            raise FaultConfigError(f"{where}: kind 'slow' needs delay_ms > 0")
        if kind == "error" and not (doc.get("code") and doc.get("status")):
            raise FaultConfigError(f"{where}: kind 'error' needs code and status")
        rule = cls(
            kind=kind,
            service=doc.get("service"),
            operation=doc.get("operation"),
            rate=float(rate),
            delay_ms=doc.get("delay_ms") or 0,
            match=doc.get("match"),
            seed=doc.get("seed") or 0,
            count=doc.get("count"),
            code=doc.get("code"),
            status=doc.get("status"),
            message=doc.get("message"),
        )
        rule._rng = random.Random(rule.seed)
        return rule

    def selects(self, request: AwsRequest) -> bool:
        return (
            (self.service is None or self.service.lower() == request.service)
            and (self.operation is None or self.operation == request.operation)
            and (self.match is None or self.match in request.body)
        )

    def fires(self) -> bool:
        """Draw for one selected request; counts the injection when it fires."""
        if self.count is not None and self.injected >= self.count:
            return False
        # Always draw, even at rate 1.0, so a rule's stream depends only on how many
        # requests it selected.
        if self._rng.random() >= self.rate:
            return False
        self.injected += 1
        return True

    def to_json(self) -> dict[str, Any]:
        doc = {name: getattr(self, name) for name in sorted(_RULE_FIELDS)}
        doc["injected"] = self.injected
        return doc


class FaultInjector:
    """The active fault rules and the PutEvaluations hook; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._failed_evaluations: dict[str, int] = {}
        self._failed_findings: dict[str, int] = {}

    def configure(self, doc: Any) -> None:
        """Replace the whole configuration (an empty document clears it)."""
        if not isinstance(doc, dict):
            raise FaultConfigError("the faults document must be a JSON object")
        unknown = set(doc) - {"rules", "failed_evaluations", "failed_findings"}
        if unknown:
            raise FaultConfigError(f"unknown top-level fields: {sorted(unknown)}")
        raw_rules = doc.get("rules") or []
        if not isinstance(raw_rules, list):
            raise FaultConfigError("rules must be a list")
        rules = [FaultRule.from_json(rule, index) for index, rule in enumerate(raw_rules)]
        failed = self._parse_failed_evaluations(doc.get("failed_evaluations"))
        failed_findings = self._parse_failed_findings(doc.get("failed_findings"))
        with self._lock:
            self._rules = rules
            self._failed_evaluations = failed
            self._failed_findings = failed_findings

    @staticmethod
    def _parse_failed_evaluations(doc: Any) -> dict[str, int]:
        if doc is None:
            return {}
        if not isinstance(doc, dict):
            raise FaultConfigError("failed_evaluations must be an object")
        ids = doc.get("resource_ids")
        times = doc.get("times", 1)
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise FaultConfigError("failed_evaluations.resource_ids must be a list of strings")
        if not isinstance(times, int) or times < 1:
            raise FaultConfigError("failed_evaluations.times must be a positive integer")
        return {resource_id: times for resource_id in ids}

    @staticmethod
    def _parse_failed_findings(doc: Any) -> dict[str, int]:
        if doc is None:
            return {}
        if not isinstance(doc, dict) or set(doc) - {"ids", "times"}:
            raise FaultConfigError("failed_findings must be an object with ids and times")
        ids = doc.get("ids")
        times = doc.get("times", 1)
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise FaultConfigError("failed_findings.ids must be a list of strings")
        if not isinstance(times, int) or isinstance(times, bool) or times < 1:
            raise FaultConfigError("failed_findings.times must be a positive integer")
        return {finding_id: times for finding_id in ids}

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "rules": [rule.to_json() for rule in self._rules],
                "failed_evaluations": dict(self._failed_evaluations),
                "failed_findings": dict(self._failed_findings),
            }

    def pick(self, request: AwsRequest) -> FaultRule | None:
        """The rule that faults this request, if any."""
        with self._lock:
            for rule in self._rules:
                if rule.selects(request) and rule.fires():
                    return rule
        return None

    def take_failed_evaluation(self, resource_id: str) -> bool:
        """True if this evaluation must come back failed (uses up one of its times)."""
        with self._lock:
            remaining = self._failed_evaluations.get(resource_id, 0)
            if remaining <= 0:
                return False
            self._failed_evaluations[resource_id] = remaining - 1
            return True

    def take_failed_finding(self, finding_id: str) -> bool:
        """True if this finding must come back failed (uses up one of its times)."""
        with self._lock:
            remaining = self._failed_findings.get(finding_id, 0)
            if remaining <= 0:
                return False
            self._failed_findings[finding_id] = remaining - 1
            return True

    def reset(self) -> None:
        with self._lock:
            self._rules = []
            self._failed_evaluations = {}
            self._failed_findings = {}


def error_for(rule: FaultRule, request: AwsRequest) -> tuple[int, str, str]:
    """(HTTP status, error code, message) the real service would send for this fault."""
    query = request.protocol == "query"
    if rule.kind == "throttle":
        return 400, ("Throttling" if query else "ThrottlingException"), "Rate exceeded"
    if rule.kind == "server_error":
        code = _SERVER_ERROR_CODES.get(request.service, "InternalFailure")
        return 500, code, "The request processing has failed because of an unknown error, exception or failure."
    if rule.kind == "access_denied":
        message = (
            f"User: arn:aws:sts::{request.account}:assumed-role/emulated/caller is not authorized "
            f"to perform: {request.service}:{request.operation} (injected fault)"
        )
        return (403, "AccessDenied", message) if query else (400, "AccessDeniedException", message)
    if rule.kind == "error":
        return int(rule.status or 400), str(rule.code), rule.message or f"{rule.code} (injected fault)"
    raise ValueError(f"fault kind {rule.kind!r} does not produce an error")


def render_error(rule: FaultRule, request: AwsRequest) -> tuple[int, list[tuple[str, str]], bytes]:
    """The full HTTP response for an error fault, in the request's protocol."""
    status, code, message = error_for(rule, request)
    request_id = str(uuid.uuid4())
    if request.protocol == "query":
        sender = "Receiver" if status >= 500 else "Sender"
        body = (
            '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            f"<Error><Type>{sender}</Type><Code>{code}</Code><Message>{_xml(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        content_type = "text/xml"
    else:
        body = json.dumps({"__type": code, "message": message}).encode()
        content_type = "application/x-amz-json-1.1"
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        ("x-amzn-RequestId", request_id),
        ("X-Amzn-ErrorType", code),
    ]
    return status, headers, body


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
