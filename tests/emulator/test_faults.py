"""Fault injection: each kind, as each protocol's SDK sees it; seeded determinism."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

import botocore.exceptions
import pytest

from harness import Emulator, error_code

CALLS = {
    "kms": lambda aws: aws.client("kms").describe_key(KeyId="alias/aws/secretsmanager"),
    "secretsmanager": lambda aws: aws.client("secretsmanager").list_secrets(),
    "config": lambda aws: aws.client("config").get_compliance_details_by_config_rule(ConfigRuleName="r"),
    "sts": lambda aws: aws.client("sts").get_caller_identity(),
}
OPERATIONS = {"kms": "DescribeKey", "secretsmanager": "ListSecrets", "config": "GetComplianceDetailsByConfigRule", "sts": "GetCallerIdentity"}


def set_rules(aws: Emulator, *rules: dict[str, Any], **hooks: Any) -> None:
    aws.post("faults", {"rules": list(rules), **hooks})


def failure(aws: Emulator, service: str) -> botocore.exceptions.ClientError:
    with pytest.raises(botocore.exceptions.ClientError) as error:
        CALLS[service](aws)
    return error.value


def outcomes(aws: Emulator, service: str, n: int) -> list[str]:
    """'ok' or the error code, for n calls in a row."""
    results = []
    for _ in range(n):
        try:
            CALLS[service](aws)
            results.append("ok")
        except botocore.exceptions.ClientError as error:
            results.append(error.response["Error"]["Code"])
    return results


# What each service sends for each kind of fault: (error code, HTTP status), by kind, then service.
SENT_AS = {
    "throttle": {
        "kms": ("ThrottlingException", 400), "secretsmanager": ("ThrottlingException", 400),
        "config": ("ThrottlingException", 400), "sts": ("Throttling", 400),
    },
    "server_error": {
        "kms": ("KMSInternalException", 500), "secretsmanager": ("InternalServiceError", 500),
        "config": ("InternalFailure", 500), "sts": ("InternalFailure", 500),
    },
    "access_denied": {
        "kms": ("AccessDeniedException", 400), "secretsmanager": ("AccessDeniedException", 400),
        "config": ("AccessDeniedException", 400), "sts": ("AccessDenied", 403),
    },
}


@pytest.mark.parametrize(
    ("service", "kind", "code", "status"),
    [(service, kind, code, status) for kind, by_service in SENT_AS.items() for service, (code, status) in by_service.items()],
)
def test_error_kinds_reach_the_sdk_as_the_service_sends_them(aws: Emulator, service: str, kind: str, code: str, status: int) -> None:
    # GIVEN a rule faulting one operation of one service
    set_rules(aws, {"service": service, "operation": OPERATIONS[service], "kind": kind})
    # WHEN the SDK calls it (retries off)
    error = failure(aws, service)
    # THEN it sees the service's own error code and status
    assert error.response["Error"]["Code"] == code
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == status
    # AND the log marks the faulted call
    [entry] = aws.requests(service=service)
    assert entry["fault"] == kind and entry["status"] == status


def test_sdk_classifies_throttling_as_retryable(aws: Emulator) -> None:
    # GIVEN one injected throttle, and a client that retries
    set_rules(aws, {"service": "kms", "operation": "ListKeys", "kind": "throttle", "count": 1})
    import boto3
    from botocore.config import Config

    kms = boto3.client("kms", endpoint_url=aws.url, region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t",
                       config=Config(retries={"mode": "standard", "total_max_attempts": 3}))
    # WHEN called / THEN the retry succeeds after the throttle
    kms.list_keys()
    assert [r["fault"] for r in aws.requests(operation="ListKeys")] == ["throttle", None]


def test_slow_delays_then_answers(aws: Emulator) -> None:
    # GIVEN a 300 ms slow rule
    set_rules(aws, {"service": "sts", "kind": "slow", "delay_ms": 300})
    # WHEN called
    started = time.monotonic()
    identity = CALLS["sts"](aws)
    # THEN the real answer arrives, late
    assert time.monotonic() - started >= 0.3
    assert identity["Account"]


def test_match_selects_by_request_body(aws: Emulator) -> None:
    # GIVEN a rule for DescribeKey calls that mention "bad"
    kms = aws.client("kms")
    good = kms.create_key(Description="good")["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/bad", TargetKeyId=good)
    set_rules(aws, {"service": "kms", "operation": "DescribeKey", "kind": "access_denied", "match": "alias/bad"})
    # WHEN both are described / THEN only the matching call is denied
    kms.describe_key(KeyId=good)
    with pytest.raises(botocore.exceptions.ClientError) as error:
        kms.describe_key(KeyId="alias/bad")
    assert error_code(error) == "AccessDeniedException"


def test_count_caps_injections(aws: Emulator) -> None:
    # GIVEN a rule limited to two injections
    set_rules(aws, {"service": "sts", "kind": "throttle", "count": 2})
    # WHEN called four times / THEN only the first two fail
    assert outcomes(aws, "sts", 4) == ["Throttling", "Throttling", "ok", "ok"]
    assert aws.get("faults")["rules"][0]["injected"] == 2


def test_rate_with_seed_is_deterministic(aws: Emulator) -> None:
    # GIVEN a 50% throttle rule with a seed
    rule = {"service": "sts", "kind": "throttle", "rate": 0.5, "seed": 42}
    set_rules(aws, rule)
    first = outcomes(aws, "sts", 20)
    # WHEN the same rule is installed again and the same calls made
    set_rules(aws, rule)
    second = outcomes(aws, "sts", 20)
    # THEN the faults fall on the same calls, and some but not all calls fail
    assert first == second
    assert 0 < first.count("Throttling") < 20
    # AND another seed gives another pattern
    set_rules(aws, {**rule, "seed": 7})
    assert outcomes(aws, "sts", 20) != first


def test_custom_error_kind(aws: Emulator) -> None:
    # GIVEN a rule with an arbitrary code and status
    set_rules(aws, {"service": "kms", "operation": "DescribeKey", "kind": "error", "code": "KMSInvalidStateException", "status": 400, "message": "pending import"})
    # WHEN called / THEN that error
    error = failure(aws, "kms")
    assert error.response["Error"] == {"Code": "KMSInvalidStateException", "Message": "pending import"}


def test_reset_and_empty_document_clear_the_rules(aws: Emulator) -> None:
    # GIVEN a rule faulting everything
    set_rules(aws, {"kind": "throttle"})
    # WHEN cleared with an empty document / THEN calls succeed
    aws.post("faults", {})
    assert outcomes(aws, "sts", 1) == ["ok"]
    # AND a reset clears them too
    set_rules(aws, {"kind": "throttle"})
    aws.post("reset")
    assert outcomes(aws, "sts", 1) == ["ok"]


@pytest.mark.parametrize(
    "document",
    [
        {"rules": [{"kind": "explode"}]},
        {"rules": [{"kind": "throttle", "rate": 2}]},
        {"rules": [{"kind": "slow"}]},
        {"rules": [{"kind": "throttle", "servce": "kms"}]},
        {"failed_evaluations": {"resource_ids": "arn"}},
        {"rulez": []},
    ],
)
def test_malformed_fault_documents_are_rejected(aws: Emulator, document: dict[str, Any]) -> None:
    # GIVEN / WHEN a malformed faults document is posted
    status, body = aws.admin("POST", "faults", document)
    # THEN it is refused with a message, and nothing is installed
    assert aws.get("faults")["rules"] == []
    assert status == 400
    assert body["error"]


def test_failed_evaluations_hook(aws: Emulator) -> None:
    # GIVEN the hook fails one resource's evaluation once
    set_rules(aws, failed_evaluations={"resource_ids": ["arn:flaky"], "times": 1})
    config = aws.client("config")
    evaluations = [
        {"ComplianceResourceType": "AWS::SecretsManager::Secret", "ComplianceResourceId": rid, "ComplianceType": "COMPLIANT",
         "OrderingTimestamp": datetime(2026, 1, 1, tzinfo=timezone.utc)}
        for rid in ("arn:flaky", "arn:fine")
    ]
    # WHEN the evaluations are put twice
    first = config.put_evaluations(Evaluations=evaluations, ResultToken="t")
    stored_after_first = config.get_compliance_details_by_config_rule(ConfigRuleName="r")["EvaluationResults"]
    second = config.put_evaluations(Evaluations=evaluations, ResultToken="t")
    # THEN the first answer lists the flaky one as failed and it was not stored
    assert [e["ComplianceResourceId"] for e in first["FailedEvaluations"]] == ["arn:flaky"]
    assert [r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"] for r in stored_after_first] == ["arn:fine"]
    # AND the retry succeeds
    assert second["FailedEvaluations"] == []
    # AND the record shows both calls and what failed
    calls = aws.get("evaluations")["calls"]
    assert [len(c["failed_evaluations"]) for c in calls] == [1, 0]
