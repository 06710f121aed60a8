"""Patch ``config_discovered_secrets``: ListDiscoveredResources lists secrets by ARN.

AWS source: botocore ``config/2014-11-12`` ListDiscoveredResources / ResourceIdentifier
(limit 0..100, resourceIds at most 20). Unpatched moto 5.2.5 answers an empty list for
AWS::SecretsManager::Secret whatever exists.
"""

from __future__ import annotations

import botocore.exceptions
import pytest

from harness import Emulator, error_code

SECRET = "AWS::SecretsManager::Secret"


def start_recorder(aws: Emulator, types: list[str], region: str = "us-east-1") -> None:
    config = aws.client("config", region=region)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": "arn:aws:iam::123456789012:role/config",
            "recordingGroup": {"allSupported": False, "includeGlobalResourceTypes": False, "resourceTypes": types},
        }
    )
    aws.client("s3", region="us-east-1").create_bucket(Bucket="config-bucket")
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "config-bucket"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")


def discovered(aws: Emulator, **request: object) -> dict:
    return aws.client("config").list_discovered_resources(resourceType=SECRET, **request)


def test_recorded_secrets_are_listed_with_their_arn_as_resource_id(aws: Emulator) -> None:
    # GIVEN a recorder recording secrets, and two secrets
    start_recorder(aws, [SECRET])
    sm = aws.client("secretsmanager")
    arns = sorted(sm.create_secret(Name=n, SecretString="s")["ARN"] for n in ("a", "b"))
    # WHEN Config's discovered secrets are listed
    answer = discovered(aws)
    # THEN each is identified by its ARN, named by its name
    assert answer["resourceIdentifiers"] == [
        {"resourceType": SECRET, "resourceId": arns[0], "resourceName": "a"},
        {"resourceType": SECRET, "resourceId": arns[1], "resourceName": "b"},
    ]


def test_nothing_is_discovered_without_a_recorder_that_records_secrets(aws: Emulator) -> None:
    # GIVEN a secret, and no recorder / then a recorder of another type
    aws.client("secretsmanager").create_secret(Name="a", SecretString="s")
    assert discovered(aws)["resourceIdentifiers"] == []
    start_recorder(aws, ["AWS::S3::Bucket"])
    # THEN Config has discovered no secret
    assert discovered(aws)["resourceIdentifiers"] == []


def test_not_recorded_secrets_filters_and_pages(aws: Emulator) -> None:
    start_recorder(aws, [SECRET])
    sm = aws.client("secretsmanager")
    arns = sorted(sm.create_secret(Name=f"s{i}", SecretString="s")["ARN"] for i in range(3))
    aws.post("config/not-recorded", {"resourceId": arns[2], "recorded": False})
    # WHEN paged one at a time
    first = discovered(aws, limit=1)
    second = discovered(aws, limit=1, nextToken=first["nextToken"])
    # THEN the unrecorded secret never shows, and pages follow each other
    assert [r["resourceId"] for r in first["resourceIdentifiers"] + second["resourceIdentifiers"]] == arns[:2]
    assert "nextToken" not in second
    assert [r["resourceId"] for r in discovered(aws, resourceIds=[arns[1]])["resourceIdentifiers"]] == [arns[1]]
    by_name = discovered(aws, resourceName="s0")["resourceIdentifiers"]
    assert [r["resourceId"] for r in by_name] == [arns[0]]


def test_bad_requests_are_refused_as_aws_does(aws: Emulator) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        discovered(aws, resourceIds=["x"], resourceName="y")
    assert error_code(excinfo) == "InvalidParameterValueException"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        discovered(aws, nextToken="not-a-token")
    assert error_code(excinfo) == "InvalidNextTokenException"
    config = aws.client("config", validate=False)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        config.list_discovered_resources(resourceType=SECRET, limit=101)
    assert error_code(excinfo) == "ValidationException"
