"""Patch ``config_resource_history``: configuration items for secrets.

Unpatched moto 5.2.5 answers ResourceNotDiscoveredException for every secret.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import botocore.exceptions
import pytest

from harness import DEFAULT_ACCOUNT, REGION, Emulator, error_code

SECRET = "AWS::SecretsManager::Secret"


def history(aws: Emulator, resource_id: str, region: str = REGION, **extra: Any) -> dict[str, Any]:
    return aws.client("config", region=region).get_resource_config_history(
        resourceType=SECRET, resourceId=resource_id, **extra
    )


def test_item_of_a_cmk_secret_has_the_real_shape(aws: Emulator) -> None:
    # GIVEN a secret on a customer key, with a description and tags
    key = aws.client("kms").create_key()["KeyMetadata"]
    secret = aws.client("secretsmanager").create_secret(
        Name="app/db", SecretString="s", KmsKeyId=key["Arn"], Description="db password",
        Tags=[{"Key": "team", "Value": "payments"}],
    )
    # WHEN its history is fetched as the rule does for oversized notifications
    [item] = history(aws, secret["ARN"], limit=1)["configurationItems"]
    # THEN the item is keyed by the ARN, named by the name, in this account and region
    assert item["resourceId"] == secret["ARN"]
    assert item["arn"] == secret["ARN"]
    assert item["resourceName"] == "app/db"
    assert item["resourceType"] == SECRET
    assert item["accountId"] == DEFAULT_ACCOUNT
    assert item["awsRegion"] == REGION
    assert item["availabilityZone"] == "Regional"
    assert item["configurationItemStatus"] == "OK"
    assert isinstance(item["configurationItemCaptureTime"], datetime)
    assert item["configurationStateId"]
    assert item["tags"] == {"team": "payments"}
    assert item["relatedEvents"] == [] and item["relationships"] == []
    assert item["supplementaryConfiguration"] == {}
    # AND the configuration is a JSON string spelling the key field KMSKeyId
    configuration = json.loads(item["configuration"])
    assert configuration["KMSKeyId"] == key["Arn"]
    assert configuration["Name"] == "app/db"
    assert configuration["ARN"] == secret["ARN"]
    assert configuration["Description"] == "db password"
    assert configuration["Deleted"] is False


def test_default_key_secret_has_no_kms_key_id(aws: Emulator) -> None:
    # GIVEN a secret on the default key
    arn = aws.client("secretsmanager").create_secret(Name="plain", SecretString="s")["ARN"]
    # WHEN its item is fetched / THEN KMSKeyId is absent
    [item] = history(aws, arn)["configurationItems"]
    assert "KMSKeyId" not in json.loads(item["configuration"])


def test_key_change_is_reflected(aws: Emulator) -> None:
    # GIVEN a default-key secret re-keyed with UpdateSecret
    sm = aws.client("secretsmanager")
    arn = sm.create_secret(Name="rekeyed", SecretString="s")["ARN"]
    sm.update_secret(SecretId=arn, KmsKeyId="alias/new")
    # WHEN fetched / THEN the item shows the new key as stored
    [item] = history(aws, arn)["configurationItems"]
    assert json.loads(item["configuration"])["KMSKeyId"] == "alias/new"


def test_secret_marked_not_recorded_is_not_discovered(aws: Emulator) -> None:
    # GIVEN an existing secret that Config is told not to have recorded
    arn = aws.client("secretsmanager").create_secret(Name="unrecorded", SecretString="s")["ARN"]
    aws.post("config/not-recorded", {"resourceId": arn})
    # WHEN its history is fetched
    with pytest.raises(botocore.exceptions.ClientError) as error:
        history(aws, arn)
    # THEN ResourceNotDiscoveredException (the rule's fallback path)
    assert error_code(error) == "ResourceNotDiscoveredException"
    # AND after marking it recorded again, the item is back
    aws.post("config/not-recorded", {"resourceId": arn, "recorded": True})
    assert history(aws, arn)["configurationItems"][0]["resourceId"] == arn


@pytest.mark.parametrize("resource_id", ["arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-AbCdEf", "named"])
def test_unknown_ids_and_bare_names_are_not_discovered(aws: Emulator, resource_id: str) -> None:
    # GIVEN a secret called "named" (Config knows it only by ARN)
    aws.client("secretsmanager").create_secret(Name="named", SecretString="s")
    # WHEN an unknown ARN or the bare name is asked for
    with pytest.raises(botocore.exceptions.ClientError) as error:
        history(aws, resource_id)
    # THEN ResourceNotDiscoveredException
    assert error_code(error) == "ResourceNotDiscoveredException"


def test_secret_of_another_region_is_not_discovered_here(aws: Emulator) -> None:
    # GIVEN a secret in eu-west-1
    arn = aws.client("secretsmanager", region="eu-west-1").create_secret(Name="eu", SecretString="s")["ARN"]
    # WHEN asked in us-east-1 / THEN not discovered; in eu-west-1 it is
    with pytest.raises(botocore.exceptions.ClientError) as error:
        history(aws, arn)
    assert error_code(error) == "ResourceNotDiscoveredException"
    assert history(aws, arn, region="eu-west-1")["configurationItems"][0]["awsRegion"] == "eu-west-1"


def test_replica_item_carries_the_replica_key(aws: Emulator) -> None:
    # GIVEN a secret replicated to eu-west-1 under its own key
    aws.client("secretsmanager").create_secret(
        Name="replicated", SecretString="s", KmsKeyId="alias/primary",
        AddReplicaRegions=[{"Region": "eu-west-1", "KmsKeyId": "alias/replica"}],
    )
    replica_arn = aws.client("secretsmanager", region="eu-west-1").list_secrets()["SecretList"][0]["ARN"]
    # WHEN the replica's item is fetched in its region
    [item] = history(aws, replica_arn, region="eu-west-1")["configurationItems"]
    # THEN it names the replica's key
    assert json.loads(item["configuration"])["KMSKeyId"] == "alias/replica"


def test_secret_scheduled_for_deletion_is_still_an_item(aws: Emulator) -> None:
    # GIVEN a secret scheduled for deletion
    sm = aws.client("secretsmanager")
    arn = sm.create_secret(Name="doomed", SecretString="s")["ARN"]
    sm.delete_secret(SecretId=arn, RecoveryWindowInDays=7)
    # WHEN fetched / THEN the item exists and says Deleted
    [item] = history(aws, arn)["configurationItems"]
    assert json.loads(item["configuration"])["Deleted"] is True


def test_limit_out_of_range_is_invalid(aws: Emulator) -> None:
    # GIVEN a secret
    arn = aws.client("secretsmanager").create_secret(Name="x", SecretString="s")["ARN"]
    # GIVEN / WHEN limit 101
    with pytest.raises(botocore.exceptions.ClientError) as error:
        history(aws, arn, limit=101)
    # THEN InvalidLimitException
    assert error_code(error) == "InvalidLimitException"
