"""Patch ``kms_aws_managed_keys``: keys behind ``alias/aws/*`` are AWS managed.

Unpatched moto 5.2.5 answers ``KeyManager: CUSTOMER`` for all of these.
"""

from __future__ import annotations

import pytest

from harness import DEFAULT_ACCOUNT, REGION, Emulator

ALIAS = "alias/aws/secretsmanager"
ALIAS_ARN = f"arn:aws:kms:{REGION}:{DEFAULT_ACCOUNT}:{ALIAS}"


def test_default_secrets_manager_key_is_aws_managed(aws: Emulator) -> None:
    # GIVEN a fresh account
    kms = aws.client("kms")
    # WHEN the aws/secretsmanager alias is described (which creates the key)
    metadata = kms.describe_key(KeyId=ALIAS)["KeyMetadata"]
    # THEN the key is AWS managed, with AWS's description
    assert metadata["KeyManager"] == "AWS"
    assert metadata["Description"].startswith("Default key that protects my Secrets Manager data")


@pytest.mark.parametrize("form", ["key_id", "key_arn", "alias_arn"])
def test_every_name_of_the_aws_managed_key_says_aws(aws: Emulator, form: str) -> None:
    # GIVEN the aws/secretsmanager key exists
    kms = aws.client("kms")
    metadata = kms.describe_key(KeyId=ALIAS)["KeyMetadata"]
    name = {"key_id": metadata["KeyId"], "key_arn": metadata["Arn"], "alias_arn": ALIAS_ARN}[form]
    # WHEN it is described by another of its names
    again = kms.describe_key(KeyId=name)["KeyMetadata"]
    # THEN it is the same key and still AWS managed
    assert again["Arn"] == metadata["Arn"]
    assert again["KeyManager"] == "AWS"


def test_other_services_default_keys_are_aws_managed_too(aws: Emulator) -> None:
    # GIVEN / WHEN another reserved alias is described
    metadata = aws.client("kms").describe_key(KeyId="alias/aws/ebs")["KeyMetadata"]
    # THEN its key is AWS managed as well
    assert metadata["KeyManager"] == "AWS"


def test_customer_keys_stay_customer_managed(aws: Emulator) -> None:
    # GIVEN a key created by the caller, with an alias
    kms = aws.client("kms")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/mine", TargetKeyId=key["KeyId"])
    # WHEN it is described by alias
    metadata = kms.describe_key(KeyId="alias/mine")["KeyMetadata"]
    # THEN it is customer managed
    assert metadata["KeyManager"] == "CUSTOMER"
