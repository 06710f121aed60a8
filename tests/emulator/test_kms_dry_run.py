"""Patch ``kms_dry_run``: ``DryRun`` answers DryRunOperationException and does nothing.

Unpatched moto 5.2.5 ignores ``DryRun``: it encrypts, or returns a data key.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from harness import Emulator


def _key(aws: Emulator) -> str:
    return aws.client("kms").create_key(Description="target")["KeyMetadata"]["Arn"]


@pytest.mark.parametrize(
    "call",
    [
        lambda kms, key: kms.generate_data_key(KeyId=key, KeySpec="AES_256", DryRun=True),
        lambda kms, key: kms.encrypt(KeyId=key, Plaintext=b"\0", DryRun=True),
    ],
    ids=["GenerateDataKey", "Encrypt"],
)
def test_a_dry_run_that_would_succeed_says_so_and_returns_nothing(aws: Emulator, call) -> None:
    # GIVEN an Enabled key
    kms = aws.client("kms")
    key = _key(aws)
    # WHEN a dry run is asked
    with pytest.raises(ClientError) as error:
        call(kms, key)
    # THEN DryRunOperationException, a client error (no data key, no ciphertext)
    assert error.value.response["Error"]["Code"] == "DryRunOperationException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_dry_run_on_a_disabled_or_missing_key_fails_as_the_call_would(aws: Emulator) -> None:
    # GIVEN a disabled key
    kms = aws.client("kms")
    key = _key(aws)
    kms.disable_key(KeyId=key.rsplit("/", 1)[1])
    # WHEN / THEN the dry run fails on the key's state
    with pytest.raises(ClientError) as error:
        kms.generate_data_key(KeyId=key, KeySpec="AES_256", DryRun=True)
    assert error.value.response["Error"]["Code"] == "KMSInvalidStateException"
    # AND on a key that does not exist, NotFound
    with pytest.raises(ClientError) as error:
        kms.encrypt(KeyId="alias/nowhere", Plaintext=b"\0", DryRun=True)
    assert error.value.response["Error"]["Code"] == "NotFoundException"


def test_without_dry_run_the_calls_work_as_before(aws: Emulator) -> None:
    kms = aws.client("kms")
    key = _key(aws)
    assert kms.generate_data_key(KeyId=key, KeySpec="AES_256")["KeyId"] == key
    assert kms.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
