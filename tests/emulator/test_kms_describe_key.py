"""DescribeKey name forms (moto handles them; measured) and patch ``kms_foreign_arns``.

Unpatched moto 5.2.5 resolves an ARN of another account or region to the caller's
own key with the same id.
"""

from __future__ import annotations

import json

import botocore.exceptions
import pytest

from harness import DEFAULT_ACCOUNT, OTHER_ACCOUNT, REGION, Emulator, error_code


def _customer_key(aws: Emulator, alias: str = "alias/app") -> dict[str, str]:
    kms = aws.client("kms")
    key = kms.create_key(Description="app key")["KeyMetadata"]
    kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    return key


@pytest.mark.parametrize("form", ["key id", "key ARN", "alias name", "alias ARN"])
def test_all_four_forms_resolve_to_the_key(aws: Emulator, form: str) -> None:
    # GIVEN a customer key with an alias
    key = _customer_key(aws)
    name = {
        "key id": key["KeyId"],
        "key ARN": key["Arn"],
        "alias name": "alias/app",
        "alias ARN": f"arn:aws:kms:{REGION}:{DEFAULT_ACCOUNT}:alias/app",
    }[form]
    # WHEN it is described by that form
    metadata = aws.client("kms").describe_key(KeyId=name)["KeyMetadata"]
    # THEN the answer is the key, with manager, state and ARN
    assert metadata["Arn"] == key["Arn"]
    assert metadata["KeyManager"] == "CUSTOMER"
    assert metadata["KeyState"] == "Enabled"


@pytest.mark.parametrize(
    "name",
    [
        "0b0e7c1d-0000-4000-8000-000000000000",
        f"arn:aws:kms:{REGION}:{DEFAULT_ACCOUNT}:key/0b0e7c1d-0000-4000-8000-000000000000",
        "alias/nope",
        f"arn:aws:kms:{REGION}:{DEFAULT_ACCOUNT}:alias/nope",
    ],
)
def test_unknown_keys_are_not_found(aws: Emulator, name: str) -> None:
    # GIVEN no such key / WHEN described
    with pytest.raises(botocore.exceptions.ClientError) as error:
        aws.client("kms").describe_key(KeyId=name)
    # THEN NotFoundException
    assert error_code(error) == "NotFoundException"


def test_arn_of_another_region_is_not_found(aws: Emulator) -> None:
    # GIVEN a key in us-east-1
    key = _customer_key(aws)
    # WHEN its ARN is described from eu-west-1
    with pytest.raises(botocore.exceptions.ClientError) as error:
        aws.client("kms", region="eu-west-1").describe_key(KeyId=key["Arn"])
    # THEN KMS says the ARN is invalid there (moto would have found nothing either way)
    assert error_code(error) == "NotFoundException"
    # AND WHEN an ARN naming eu-west-1 is described in us-east-1 (moto found the local key)
    foreign_region = key["Arn"].replace(REGION, "eu-west-1")
    with pytest.raises(botocore.exceptions.ClientError) as error:
        aws.client("kms").describe_key(KeyId=foreign_region)
    # THEN it is not found
    assert error_code(error) == "NotFoundException"
    assert "Invalid arn eu-west-1" in error.value.response["Error"]["Message"]


def test_foreign_account_arn_does_not_find_the_local_key(aws: Emulator) -> None:
    # GIVEN a local key, and an ARN with its id but another account's number
    key = _customer_key(aws)
    foreign = key["Arn"].replace(DEFAULT_ACCOUNT, OTHER_ACCOUNT)
    # WHEN it is described
    with pytest.raises(botocore.exceptions.ClientError) as error:
        aws.client("kms").describe_key(KeyId=foreign)
    # THEN the other account has no such key
    assert error_code(error) == "NotFoundException"


def test_foreign_key_with_default_policy_is_access_denied(aws: Emulator) -> None:
    # GIVEN a key in the other account, default key policy (trusts its own account only)
    other = aws.client("kms", credentials=aws.assume(OTHER_ACCOUNT))
    key = other.create_key()["KeyMetadata"]
    # WHEN the default account describes it by ARN
    with pytest.raises(botocore.exceptions.ClientError) as error:
        aws.client("kms").describe_key(KeyId=key["Arn"])
    # THEN access is denied, as in AWS
    assert error_code(error) == "AccessDeniedException"


def test_foreign_key_shared_by_policy_is_described(aws: Emulator) -> None:
    # GIVEN a key in the other account whose policy lets the default account describe it
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEFAULT_ACCOUNT}:root"}, "Action": ["kms:Describe*"], "Resource": "*"},
        ],
    }
    other = aws.client("kms", credentials=aws.assume(OTHER_ACCOUNT))
    key = other.create_key(Policy=json.dumps(policy))["KeyMetadata"]
    other.create_alias(AliasName="alias/shared", TargetKeyId=key["KeyId"])
    kms = aws.client("kms")
    # WHEN the default account describes it by key ARN and by alias ARN
    by_key = kms.describe_key(KeyId=key["Arn"])["KeyMetadata"]
    by_alias = kms.describe_key(KeyId=f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:alias/shared")["KeyMetadata"]
    # THEN both answers are the other account's key
    assert by_key["AWSAccountId"] == OTHER_ACCOUNT
    assert by_alias["Arn"] == key["Arn"]


def test_foreign_aws_managed_key_is_access_denied(aws: Emulator) -> None:
    # GIVEN / WHEN another account's aws/secretsmanager alias ARN is described
    with pytest.raises(botocore.exceptions.ClientError) as error:
        aws.client("kms").describe_key(KeyId=f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:alias/aws/secretsmanager")
    # THEN access is denied: AWS managed keys are never usable across accounts
    assert error_code(error) == "AccessDeniedException"


def test_key_states_the_rule_reads_are_reported(aws: Emulator) -> None:
    # GIVEN one disabled key and one scheduled for deletion (moto handles both; measured)
    kms = aws.client("kms")
    disabled = kms.create_key()["KeyMetadata"]["KeyId"]
    doomed = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=disabled)
    kms.schedule_key_deletion(KeyId=doomed, PendingWindowInDays=7)
    # WHEN described / THEN their states are the ones AWS reports
    assert kms.describe_key(KeyId=disabled)["KeyMetadata"]["KeyState"] == "Disabled"
    assert kms.describe_key(KeyId=doomed)["KeyMetadata"]["KeyState"] == "PendingDeletion"
