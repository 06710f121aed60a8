"""GetComplianceDetailsByConfigRule reads back the stored PutEvaluations results.

Real AWS: returns the latest result per resource for the named rule, filtered by
``ComplianceTypes`` (at most 3 values of the ComplianceType enum), ``Limit`` results a
page (0..100; 0 means the default, 10) with an opaque ``NextToken``. An unknown rule
is ``NoSuchConfigRuleException``; a bad token ``InvalidNextTokenException``. The rule's
periodic run uses it to find stale results to clean up.

moto 5.2.5: not implemented (NotImplementedError: HTTP 500 with an HTML body).

Patch: answers from the results the PutEvaluations patch stored (non-TestMode,
caller's account and region), sorted by resource type then id. The emulator cannot
decode real result tokens, so results sent with a token it did not mint
(``POST /_secrets_cmk/config/result-tokens``) belong to no rule and are returned for
every ``ConfigRuleName``; results sent with a minted token only for that rule's name.
No rule is ever unknown. ``EvaluationMode`` is ``DETECTIVE``; ``ResultRecordedTime``
and ``ConfigRuleInvokedTime`` are the time of the PutEvaluations call.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from moto.config.responses import ConfigResponse

from secrets_cmk_emulator.config_state import StoredResult
from secrets_cmk_emulator.errors import (
    AwsJsonError,
    enum_violations,
    length_violations,
    null_violation,
    range_violations,
    validation_exception,
)
from secrets_cmk_emulator.patches._install import install
from secrets_cmk_emulator.patches.config_put_evaluations import COMPLIANCE_TYPES
from secrets_cmk_emulator.state import STATE

DEFAULT_LIMIT = 10


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _decode_token(token: str) -> int:
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise AwsJsonError("InvalidNextTokenException", "The nextToken provided is invalid") from error
    if not isinstance(offset, int) or offset < 0:
        raise AwsJsonError("InvalidNextTokenException", "The nextToken provided is invalid")
    return offset


def _validate(body: dict[str, Any]) -> tuple[str, list[str] | None, int, int]:
    rule_name = body.get("ConfigRuleName")
    types = body.get("ComplianceTypes")
    limit = body.get("Limit", 0)
    violations: list[str] = []
    if rule_name is None:
        violations.append(null_violation("configRuleName"))
    else:
        violations += length_violations(rule_name, "configRuleName", 1, 64)
    if types is not None:
        violations += length_violations(types, "complianceTypes", 0, 3)
        for index, value in enumerate(types, start=1):
            violations += enum_violations(value, f"complianceTypes.{index}.member", COMPLIANCE_TYPES)
    violations += range_violations(limit, "limit", 0, 100)
    if violations:
        raise validation_exception(violations)
    token = body.get("NextToken")
    offset = _decode_token(token) if token else 0
    return rule_name, types or None, limit or DEFAULT_LIMIT, offset


def _result(rule_name: str, result: StoredResult) -> dict[str, Any]:
    item: dict[str, Any] = {
        "EvaluationResultIdentifier": {
            "EvaluationResultQualifier": {
                "ConfigRuleName": rule_name,
                "ResourceType": result.resource_type,
                "ResourceId": result.resource_id,
                "EvaluationMode": "DETECTIVE",
            },
            "OrderingTimestamp": result.ordering_timestamp,
        },
        "ComplianceType": result.compliance_type,
        "ResultRecordedTime": result.recorded_time,
        "ConfigRuleInvokedTime": result.recorded_time,
        "ResultToken": result.result_token,
    }
    if result.annotation is not None:
        item["Annotation"] = result.annotation
    return item


def get_compliance_details_by_config_rule(response: ConfigResponse) -> str:
    """The handler moto lacks."""
    rule_name, types, limit, offset = _validate(json.loads(response.body or "{}"))
    results = [
        r
        for r in STATE.config.results(response.current_account, response.region, rule_name)
        if types is None or r.compliance_type in types
    ]
    page = results[offset : offset + limit]
    answer: dict[str, Any] = {"EvaluationResults": [_result(rule_name, r) for r in page]}
    if offset + limit < len(results):
        answer["NextToken"] = _encode_token(offset + limit)
    return json.dumps(answer)


def apply() -> None:
    install(ConfigResponse, "get_compliance_details_by_config_rule", lambda _original: get_compliance_details_by_config_rule)
