"""PutEvaluations: validated as AWS does, recorded, and stored (unless TestMode).

Real AWS (botocore model ``config/2014-11-12`` and the API reference):
``ResultToken`` is required; ``Evaluations`` holds 0..100 items, each with
``ComplianceResourceType`` (1..256 chars), ``ComplianceResourceId`` (1..768),
``ComplianceType`` (enum; ``INSUFFICIENT_DATA`` is in the enum but Config refuses it
from PutEvaluations), optional ``Annotation`` (1..256) and ``OrderingTimestamp``
(all required but Annotation). Model constraint violations are
``ValidationException``; an invalid token is ``InvalidResultTokenException``. With
``TestMode`` nothing is stored and the token need not be valid (but not null). The
answer lists ``FailedEvaluations``.

moto 5.2.5: without TestMode raises NotImplementedError (HTTP 500, HTML body, which
SDKs retry); with TestMode validates nothing (INSUFFICIENT_DATA, 101 items and
oversized annotations all pass) and stores nothing; an empty list is rejected.

Patch: full validation as above (all violations reported together, as AWS does).
Also, since the real service decodes tokens: the literal token ``TESTMODE`` without
``TestMode: true`` is an ``InvalidResultTokenException`` (the rule must set TestMode
when Config hands it that token). Every accepted call is recorded (see
``config_state``); non-TestMode results are stored for GetComplianceDetailsByConfigRule.
Evaluations named by the ``failed_evaluations`` fault hook are answered in
``FailedEvaluations`` and not stored.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

from moto.config.responses import ConfigResponse

from secrets_cmk_emulator.config_state import StoredResult
from secrets_cmk_emulator.errors import (
    AwsJsonError,
    enum_violations,
    length_violations,
    null_violation,
    validation_exception,
)
from secrets_cmk_emulator.patches._install import install
from secrets_cmk_emulator.state import STATE

COMPLIANCE_TYPES = ("COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE", "INSUFFICIENT_DATA")
MAX_EVALUATIONS = 100
TESTMODE_TOKEN = "TESTMODE"


def parse_timestamp(value: Any) -> float | None:
    """Epoch seconds from the wire form (awsJson sends epoch numbers; accept ISO too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return None
    return None


def _string_violations(evaluation: dict[str, Any], name: str, path: str, high: int, required: bool) -> list[str]:
    value = evaluation.get(name)
    if value is None:
        return [null_violation(path)] if required else []
    if not isinstance(value, str):
        return [f"Value at '{path}' must be a string"]
    return length_violations(value, path, 1, high)


def _evaluation_violations(index: int, evaluation: Any) -> list[str]:
    base = f"evaluations.{index}.member"
    if not isinstance(evaluation, dict):
        return [f"Value at '{base}' must be a structure"]
    # Members in the model's order, which is the order AWS lists violations in.
    violations = _string_violations(
        evaluation, "ComplianceResourceType", f"{base}.complianceResourceType", 256, True
    ) + _string_violations(evaluation, "ComplianceResourceId", f"{base}.complianceResourceId", 768, True)
    compliance_type = evaluation.get("ComplianceType")
    if compliance_type is None:
        violations.append(null_violation(f"{base}.complianceType"))
    else:
        violations += enum_violations(compliance_type, f"{base}.complianceType", COMPLIANCE_TYPES)
    violations += _string_violations(evaluation, "Annotation", f"{base}.annotation", 256, False)
    ordering = evaluation.get("OrderingTimestamp")
    if ordering is None:
        violations.append(null_violation(f"{base}.orderingTimestamp"))
    elif parse_timestamp(ordering) is None:
        violations.append(f"Value '{ordering}' at '{base}.orderingTimestamp' is not a timestamp")
    return violations


def validate(body: dict[str, Any]) -> tuple[list[dict[str, Any]], str, bool]:
    """(evaluations, result token, test mode) or the error AWS would answer."""
    token = body.get("ResultToken")
    evaluations = body.get("Evaluations")
    test_mode = bool(body.get("TestMode", False))
    violations: list[str] = []
    if token is None:
        violations.append(null_violation("resultToken"))
    if evaluations is None:
        evaluations = []
    if not isinstance(evaluations, list):
        violations.append("Value at 'evaluations' must be a list")
        evaluations = []
    else:
        violations += length_violations(evaluations, "evaluations", 0, MAX_EVALUATIONS)
        for index, evaluation in enumerate(evaluations, start=1):
            violations += _evaluation_violations(index, evaluation)
    if violations:
        raise validation_exception(violations)
    for evaluation in evaluations:
        if evaluation["ComplianceType"] == "INSUFFICIENT_DATA":
            raise AwsJsonError(
                "InvalidParameterValueException",
                "The ComplianceType INSUFFICIENT_DATA is not supported in PutEvaluations: "
                "an evaluation may be COMPLIANT, NON_COMPLIANT or NOT_APPLICABLE.",
            )
    if not test_mode and (token == "" or token == TESTMODE_TOKEN):
        raise AwsJsonError("InvalidResultTokenException", "The resultToken provided is invalid")
    return evaluations, token, test_mode


def put_evaluations(response: ConfigResponse) -> str:
    """The PutEvaluations handler that replaces moto's."""
    body = json.loads(response.body or "{}")
    evaluations, token, test_mode = validate(body)
    account, region = response.current_account, response.region
    rule_name = STATE.config.rule_for_token(token)
    now = time.time()

    failed = [e for e in evaluations if STATE.faults.take_failed_evaluation(e["ComplianceResourceId"])]
    STATE.config.record_call(
        {
            "account": account,
            "region": region,
            "result_token": token,
            "test_mode": test_mode,
            "config_rule_name": rule_name,
            "recorded_time": now,
            "evaluations": evaluations,
            "failed_evaluations": failed,
        }
    )
    if not test_mode:
        for evaluation in evaluations:
            if any(evaluation is f for f in failed):
                continue
            STATE.config.store_result(
                account,
                region,
                StoredResult(
                    rule_name=rule_name,
                    resource_type=evaluation["ComplianceResourceType"],
                    resource_id=evaluation["ComplianceResourceId"],
                    compliance_type=evaluation["ComplianceType"],
                    annotation=evaluation.get("Annotation"),
                    ordering_timestamp=parse_timestamp(evaluation["OrderingTimestamp"]) or 0.0,
                    recorded_time=now,
                    result_token=token,
                ),
            )
    return json.dumps({"FailedEvaluations": failed})


def apply() -> None:
    install(ConfigResponse, "put_evaluations", lambda _original: put_evaluations)
