"""Patch ``config_put_evaluations``: validated, recorded, stored unless TestMode.

Unpatched moto 5.2.5 answers HTTP 500 (HTML) without TestMode, and with TestMode
accepts everything below that AWS rejects.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import botocore.exceptions
import pytest

from harness import DEFAULT_ACCOUNT, REGION, Emulator, error_code

SECRET = "AWS::SecretsManager::Secret"
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def evaluation(resource_id: str = "arn:secret:a", compliance: str = "COMPLIANT", **extra: Any) -> dict[str, Any]:
    return {
        "ComplianceResourceType": SECRET,
        "ComplianceResourceId": resource_id,
        "ComplianceType": compliance,
        "OrderingTimestamp": WHEN,
        **extra,
    }


def put_raw(aws: Emulator, **request: Any) -> dict[str, Any]:
    """PutEvaluations with botocore's client-side validation off, so the server judges."""
    return aws.client("config", validate=False).put_evaluations(**request)


def rejected(aws: Emulator, **request: Any) -> botocore.exceptions.ClientError:
    with pytest.raises(botocore.exceptions.ClientError) as error:
        put_raw(aws, **request)
    return error.value


def test_accepted_call_is_recorded_exactly_as_sent(aws: Emulator) -> None:
    # GIVEN two evaluations, one annotated
    sent = [evaluation("arn:secret:a"), evaluation("arn:secret:b", "NON_COMPLIANT", Annotation="uses aws/secretsmanager")]
    # WHEN they are put
    answer = aws.client("config").put_evaluations(Evaluations=sent, ResultToken="token-1")
    # THEN nothing failed
    assert answer["FailedEvaluations"] == []
    # AND the call is recorded with account, region, token, mode and the exact fields
    [call] = aws.get("evaluations")["calls"]
    assert call["account"] == DEFAULT_ACCOUNT
    assert call["region"] == REGION
    assert call["result_token"] == "token-1"
    assert call["test_mode"] is False
    assert call["failed_evaluations"] == []
    assert [e["ComplianceResourceId"] for e in call["evaluations"]] == ["arn:secret:a", "arn:secret:b"]
    assert call["evaluations"][1] == {
        "ComplianceResourceType": SECRET,
        "ComplianceResourceId": "arn:secret:b",
        "ComplianceType": "NON_COMPLIANT",
        "Annotation": "uses aws/secretsmanager",
        "OrderingTimestamp": WHEN.timestamp(),
    }


def test_an_empty_list_and_exactly_100_are_accepted(aws: Emulator) -> None:
    config = aws.client("config")
    # GIVEN / WHEN 0 and then 100 evaluations are put
    config.put_evaluations(Evaluations=[], ResultToken="t")
    config.put_evaluations(Evaluations=[evaluation(f"arn:secret:{i}") for i in range(100)], ResultToken="t")
    # THEN both calls are recorded
    assert [len(c["evaluations"]) for c in aws.get("evaluations")["calls"]] == [0, 100]


def test_101_evaluations_are_a_validation_error(aws: Emulator) -> None:
    # GIVEN / WHEN 101 evaluations are put
    error = rejected(aws, Evaluations=[evaluation(f"arn:secret:{i}") for i in range(101)], ResultToken="t")
    # THEN ValidationException on the list length, HTTP 400, and nothing recorded
    assert error.response["Error"]["Code"] == "ValidationException"
    assert "at 'evaluations' failed to satisfy constraint: Member must have length less than or equal to 100" in error.response["Error"]["Message"]
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert aws.get("evaluations")["calls"] == []


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("ComplianceType", "MAYBE", "Member must satisfy enum value set"),
        ("Annotation", "x" * 257, "Member must have length less than or equal to 256"),
        ("Annotation", "", "Member must have length greater than or equal to 1"),
        ("ComplianceResourceId", "r" * 769, "Member must have length less than or equal to 768"),
        ("ComplianceResourceId", "", "Member must have length greater than or equal to 1"),
        ("ComplianceResourceType", "T" * 257, "Member must have length less than or equal to 256"),
    ],
)
def test_field_constraints_are_validation_errors(aws: Emulator, field: str, value: str, constraint: str) -> None:
    # GIVEN an evaluation with one field out of bounds / WHEN put
    error = rejected(aws, Evaluations=[evaluation(**{field: value})], ResultToken="t")
    # THEN ValidationException naming the member path and the constraint
    message = error.response["Error"]["Message"]
    assert error.response["Error"]["Code"] == "ValidationException"
    assert f"evaluations.1.member.{field[0].lower()}{field[1:]}" in message
    assert constraint in message


def test_limits_are_inclusive(aws: Emulator) -> None:
    # GIVEN an annotation of 256 characters and an id of 768 / WHEN put
    put_raw(aws, Evaluations=[evaluation("r" * 768, Annotation="x" * 256)], ResultToken="t")
    # THEN it is accepted
    assert len(aws.get("evaluations")["calls"]) == 1


@pytest.mark.parametrize("missing", ["ComplianceResourceType", "ComplianceResourceId", "ComplianceType", "OrderingTimestamp"])
def test_missing_required_members_are_validation_errors(aws: Emulator, missing: str) -> None:
    # GIVEN an evaluation without a required member
    incomplete = evaluation()
    del incomplete[missing]
    # WHEN put / THEN ValidationException "must not be null"
    error = rejected(aws, Evaluations=[incomplete], ResultToken="t")
    assert error.response["Error"]["Code"] == "ValidationException"
    assert "Member must not be null" in error.response["Error"]["Message"]


def test_missing_result_token_is_a_validation_error(aws: Emulator) -> None:
    # GIVEN / WHEN no ResultToken
    error = rejected(aws, Evaluations=[evaluation()])
    # THEN ValidationException on resultToken
    assert error.response["Error"]["Code"] == "ValidationException"
    assert "'resultToken'" in error.response["Error"]["Message"]


def test_all_violations_are_reported_together(aws: Emulator) -> None:
    # GIVEN two bad members in one evaluation / WHEN put
    error = rejected(aws, Evaluations=[evaluation(ComplianceType="MAYBE", Annotation="x" * 300)], ResultToken="t")
    # THEN one ValidationException lists both
    assert error.response["Error"]["Message"].startswith("2 validation errors detected: ")


def test_insufficient_data_is_refused_for_custom_rules(aws: Emulator) -> None:
    # GIVEN / WHEN an INSUFFICIENT_DATA evaluation is put (it is in the enum)
    error = rejected(aws, Evaluations=[evaluation(compliance="INSUFFICIENT_DATA")], ResultToken="t")
    # THEN InvalidParameterValueException
    assert error.response["Error"]["Code"] == "InvalidParameterValueException"


def test_testmode_token_requires_testmode(aws: Emulator) -> None:
    # GIVEN the token Config sends to a rule under test
    config = aws.client("config")
    # WHEN it is used without TestMode
    with pytest.raises(botocore.exceptions.ClientError) as error:
        config.put_evaluations(Evaluations=[evaluation()], ResultToken="TESTMODE")
    # THEN the token is invalid
    assert error_code(error) == "InvalidResultTokenException"
    # AND WHEN used with TestMode, it is accepted and recorded as a test-mode call
    config.put_evaluations(Evaluations=[evaluation()], ResultToken="TESTMODE", TestMode=True)
    [call] = aws.get("evaluations")["calls"]
    assert call["test_mode"] is True


def test_testmode_calls_are_recorded_but_not_stored(aws: Emulator) -> None:
    # GIVEN a TestMode call
    config = aws.client("config")
    config.put_evaluations(Evaluations=[evaluation()], ResultToken="TESTMODE", TestMode=True)
    # WHEN compliance is read back
    results = config.get_compliance_details_by_config_rule(ConfigRuleName="any")["EvaluationResults"]
    # THEN nothing was stored, but the call is in the record
    assert results == []
    assert len(aws.get("evaluations")["calls"]) == 1
