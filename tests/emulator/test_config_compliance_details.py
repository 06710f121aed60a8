"""Patch ``config_compliance_details``: results read back from stored PutEvaluations.

Unpatched moto 5.2.5 answers HTTP 500 (NotImplementedError, HTML body).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import botocore.exceptions
import pytest

from harness import Emulator, error_code

SECRET = "AWS::SecretsManager::Secret"
T0 = datetime(2026, 1, 2, tzinfo=timezone.utc)


def put(aws: Emulator, *items: tuple[str, str], token: str = "t", at: datetime = T0, region: str = "us-east-1", **extra: Any) -> None:
    aws.client("config", region=region).put_evaluations(
        Evaluations=[
            {"ComplianceResourceType": SECRET, "ComplianceResourceId": rid, "ComplianceType": ctype, "OrderingTimestamp": at, **extra}
            for rid, ctype in items
        ],
        ResultToken=token,
    )


def details(aws: Emulator, region: str = "us-east-1", **request: Any) -> dict[str, Any]:
    request.setdefault("ConfigRuleName", "secrets-cmk")
    return aws.client("config", region=region).get_compliance_details_by_config_rule(**request)


def ids(answer: dict[str, Any]) -> list[str]:
    return [r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"] for r in answer["EvaluationResults"]]


def test_result_has_the_real_shape(aws: Emulator) -> None:
    # GIVEN one stored result
    put(aws, ("arn:a", "NON_COMPLIANT"), token="tok-1", Annotation="default key")
    # WHEN read back
    [result] = details(aws)["EvaluationResults"]
    # THEN every field is there, in the API's shape
    identifier = result["EvaluationResultIdentifier"]
    assert identifier["EvaluationResultQualifier"] == {
        "ConfigRuleName": "secrets-cmk",
        "ResourceType": SECRET,
        "ResourceId": "arn:a",
        "EvaluationMode": "DETECTIVE",
    }
    assert identifier["OrderingTimestamp"] == T0
    assert result["ComplianceType"] == "NON_COMPLIANT"
    assert result["Annotation"] == "default key"
    assert result["ResultToken"] == "tok-1"
    assert isinstance(result["ResultRecordedTime"], datetime)
    assert isinstance(result["ConfigRuleInvokedTime"], datetime)


def test_latest_result_per_resource_wins_but_not_an_older_one(aws: Emulator) -> None:
    # GIVEN a resource reported three times: newer, then an out-of-order older one
    put(aws, ("arn:a", "NON_COMPLIANT"), at=T0)
    put(aws, ("arn:a", "COMPLIANT"), at=T0 + timedelta(minutes=5))
    put(aws, ("arn:a", "NOT_APPLICABLE"), at=T0 + timedelta(minutes=1))
    # WHEN read back
    [result] = details(aws)["EvaluationResults"]
    # THEN the result with the latest OrderingTimestamp is the one stored
    assert result["ComplianceType"] == "COMPLIANT"


def test_compliance_types_filter(aws: Emulator) -> None:
    # GIVEN results of each type
    put(aws, ("arn:a", "COMPLIANT"), ("arn:b", "NON_COMPLIANT"), ("arn:c", "NOT_APPLICABLE"))
    # WHEN filtered
    answer = details(aws, ComplianceTypes=["NON_COMPLIANT", "NOT_APPLICABLE"])
    # THEN only those types come back
    assert ids(answer) == ["arn:b", "arn:c"]


def test_pagination_with_limit_and_next_token(aws: Emulator) -> None:
    # GIVEN 5 results
    put(aws, *[(f"arn:{i}", "COMPLIANT") for i in range(5)])
    # WHEN read 2 a page
    pages, token = [], None
    while True:
        answer = details(aws, Limit=2, **({"NextToken": token} if token else {}))
        pages.append(ids(answer))
        token = answer.get("NextToken")
        if not token:
            break
    # THEN three pages cover every result once, in resource order
    assert pages == [["arn:0", "arn:1"], ["arn:2", "arn:3"], ["arn:4"]]


def test_default_limit_is_10(aws: Emulator) -> None:
    # GIVEN 12 results / WHEN read with Limit 0 (the default)
    put(aws, *[(f"arn:{i:02}", "COMPLIANT") for i in range(12)])
    answer = details(aws, Limit=0)
    # THEN one page of 10 and a token
    assert len(answer["EvaluationResults"]) == 10
    assert "NextToken" in answer


def test_bad_next_token_and_limit_are_rejected(aws: Emulator) -> None:
    # GIVEN / WHEN a token the service never issued
    with pytest.raises(botocore.exceptions.ClientError) as error:
        details(aws, NextToken="not-a-token")
    # THEN InvalidNextTokenException
    assert error_code(error) == "InvalidNextTokenException"
    # AND a limit over 100 is a ValidationException
    with pytest.raises(botocore.exceptions.ClientError) as error:
        details(aws, Limit=101)
    assert error_code(error) == "ValidationException"


def test_results_are_per_account_and_region(aws: Emulator) -> None:
    # GIVEN a result in eu-west-1 only
    put(aws, ("arn:eu", "COMPLIANT"), region="eu-west-1")
    # WHEN read in us-east-1 and in eu-west-1
    # THEN only the evaluated region has it
    assert ids(details(aws)) == []
    assert ids(details(aws, region="eu-west-1")) == ["arn:eu"]


def test_minted_tokens_attribute_results_to_a_rule(aws: Emulator) -> None:
    # GIVEN one result with a token minted for rule-a, one with rule-b's, one with a foreign token
    token_a = aws.post("config/result-tokens", {"configRuleName": "rule-a"})["resultToken"]
    token_b = aws.post("config/result-tokens", {"configRuleName": "rule-b"})["resultToken"]
    put(aws, ("arn:a", "COMPLIANT"), token=token_a)
    put(aws, ("arn:b", "COMPLIANT"), token=token_b)
    put(aws, ("arn:x", "COMPLIANT"), token="opaque-token-from-elsewhere")
    # WHEN each rule is read back
    # THEN a rule sees its own results plus those of no known rule
    assert ids(details(aws, ConfigRuleName="rule-a")) == ["arn:a", "arn:x"]
    assert ids(details(aws, ConfigRuleName="rule-b")) == ["arn:b", "arn:x"]
    # AND the recorded call names its rule
    assert [c["config_rule_name"] for c in aws.get("evaluations")["calls"]] == ["rule-a", "rule-b", None]
