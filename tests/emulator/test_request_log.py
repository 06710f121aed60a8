"""The request log: one entry per API call, for counting calls in tests and benchmarks."""

from __future__ import annotations

import botocore.exceptions
import pytest

from harness import DEFAULT_ACCOUNT, Emulator


def test_every_api_call_is_logged_with_its_details(aws: Emulator) -> None:
    # GIVEN calls to three services, over two protocols
    sm = aws.client("secretsmanager", region="eu-west-1")
    sm.create_secret(Name="a", SecretString="s")
    sm.list_secrets()
    sm.list_secrets()
    aws.client("kms").describe_key(KeyId="alias/aws/secretsmanager")
    aws.client("sts").get_caller_identity()
    # WHEN the log is read
    log = aws.requests()
    # THEN there is one entry per call, in order, with service, operation, region, caller
    assert [(r["service"], r["operation"]) for r in log] == [
        ("secretsmanager", "CreateSecret"),
        ("secretsmanager", "ListSecrets"),
        ("secretsmanager", "ListSecrets"),
        ("kms", "DescribeKey"),
        ("sts", "GetCallerIdentity"),
    ]
    assert [r["seq"] for r in log] == [1, 2, 3, 4, 5]
    assert log[0]["region"] == "eu-west-1"
    assert log[0]["access_key_id"] == "testing"
    assert {r["account"] for r in log} == {DEFAULT_ACCOUNT}
    assert {r["status"] for r in log} == {200}
    assert {r["fault"] for r in log} == {None}


def test_rest_protocol_calls_are_logged_with_their_operation(aws: Emulator) -> None:
    # GIVEN calls over the REST protocols (no X-Amz-Target, no Action): Security Hub,
    # with a path parameter-free URI, and Account
    hub = aws.client("securityhub")
    hub.enable_security_hub()
    hub.get_findings()
    aws.client("account").list_regions()
    # WHEN the log is read
    log = aws.requests()
    # THEN each is named by the operation whose method and requestUri match in botocore
    assert [(r["service"], r["operation"]) for r in log] == [
        ("securityhub", "EnableSecurityHub"),
        ("securityhub", "GetFindings"),
        ("account", "ListRegions"),
    ]


def test_filters_count_one_operation(aws: Emulator) -> None:
    # GIVEN three DescribeKey calls among other calls
    kms = aws.client("kms")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    for _ in range(3):
        kms.describe_key(KeyId=key)
    # WHEN the log is filtered / THEN it counts exactly those
    assert len(aws.requests(service="kms", operation="DescribeKey")) == 3
    assert len(aws.requests(service="kms")) == 4
    assert aws.requests(region="eu-west-1") == []


def test_error_status_is_logged(aws: Emulator) -> None:
    # GIVEN / WHEN a call that fails
    with pytest.raises(botocore.exceptions.ClientError):
        aws.client("kms").describe_key(KeyId="alias/missing")
    # THEN its status is the error status
    [entry] = aws.requests()
    assert entry["status"] == 400


def test_admin_requests_are_not_logged_and_reset_clears_the_log(aws: Emulator) -> None:
    # GIVEN one API call and several admin calls
    aws.client("sts").get_caller_identity()
    aws.get("evaluations")
    aws.get("faults")
    # WHEN the log is read / THEN only the API call is there
    assert len(aws.requests()) == 1
    # AND after a reset the log is empty
    aws.post("reset")
    assert aws.requests() == []
