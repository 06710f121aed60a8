"""Patch ``kms_multi_region_ids``: multi-Region key ids are ``mrk-`` + 32 hex digits.

AWS: "Multi-Region keys have a distinctive key ID that begins with mrk-" (KMS Developer
Guide, multi-Region key identifiers), e.g. mrk-1234abcd12ab34cd56ef1234567890ab; a
replica has the same id in its own Region.
"""

from __future__ import annotations

import re

from harness import Emulator

MRK = re.compile(r"^mrk-[0-9a-f]{32}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_a_multi_region_key_id_has_the_aws_form_and_its_replica_shares_it(aws: Emulator) -> None:
    # GIVEN a multi-Region key, replicated to eu-west-1
    kms = aws.client("kms")
    key = kms.create_key(MultiRegion=True)["KeyMetadata"]
    replica = kms.replicate_key(KeyId=key["KeyId"], ReplicaRegion="eu-west-1")["ReplicaKeyMetadata"]
    # THEN the id is mrk- and 32 hex digits, the same in both Regions, ARNs per Region
    assert MRK.match(key["KeyId"]), key["KeyId"]
    assert replica["KeyId"] == key["KeyId"]
    assert replica["Arn"] == key["Arn"].replace("us-east-1", "eu-west-1")
    described = aws.client("kms", region="eu-west-1").describe_key(KeyId=replica["Arn"])["KeyMetadata"]
    assert described["KeyId"] == key["KeyId"]
    assert described["MultiRegionConfiguration"]["MultiRegionKeyType"] == "REPLICA"


def test_a_single_region_key_keeps_its_uuid(aws: Emulator) -> None:
    key = aws.client("kms").create_key()["KeyMetadata"]
    assert UUID.match(key["KeyId"]), key["KeyId"]
