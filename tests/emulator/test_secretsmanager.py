"""Secrets Manager: patches ``secretsmanager_replicas`` and ``secretsmanager_primary_region``, the OwningService admin hook, and
the unpatched moto behaviour the rule relies on (measured; kept as regression tests).

Unpatched moto 5.2.5 reports every replica's key as ``alias/aws/secretsmanager``, lists
a replica with the primary's key, and answers ReplicateSecretToRegions with the
SecretId that was sent as ``ARN``.
"""

from __future__ import annotations

import pytest

from harness import DEFAULT_ACCOUNT, REGION, Emulator


def test_replica_keys_are_kept_as_given(aws: Emulator) -> None:
    # GIVEN a secret created with two replicas, one with a key and one without
    sm = aws.client("secretsmanager")
    sm.create_secret(
        Name="rep", SecretString="s", KmsKeyId="alias/primary",
        AddReplicaRegions=[{"Region": "eu-west-1", "KmsKeyId": "alias/eu-key"}, {"Region": "eu-west-2"}],
    )
    # WHEN the primary is described
    status = {r["Region"]: r["KmsKeyId"] for r in sm.describe_secret(SecretId="rep")["ReplicationStatus"]}
    # THEN each replica reports its own key, the default one by its alias
    assert status == {"eu-west-1": "alias/eu-key", "eu-west-2": "alias/aws/secretsmanager"}


def test_replica_lists_its_own_key_in_its_region(aws: Emulator) -> None:
    # GIVEN a replicated secret
    aws.client("secretsmanager").create_secret(
        Name="rep", SecretString="s", KmsKeyId="alias/primary",
        AddReplicaRegions=[{"Region": "eu-west-1", "KmsKeyId": "alias/eu-key"}, {"Region": "eu-west-2"}],
    )
    # WHEN each replica region lists its secrets
    eu1 = aws.client("secretsmanager", region="eu-west-1").list_secrets()["SecretList"][0]
    eu2 = aws.client("secretsmanager", region="eu-west-2").list_secrets()["SecretList"][0]
    # THEN the replica shows its key (none for the default) and its primary region
    assert eu1["KmsKeyId"] == "alias/eu-key"
    assert eu1["PrimaryRegion"] == REGION
    assert "KmsKeyId" not in eu2


def test_replicate_to_regions_keeps_the_key_and_answers_the_arn(aws: Emulator) -> None:
    # GIVEN an unreplicated secret
    sm = aws.client("secretsmanager")
    arn = sm.create_secret(Name="later", SecretString="s")["ARN"]
    # WHEN replicated by name with a key
    answer = sm.replicate_secret_to_regions(SecretId="later", AddReplicaRegions=[{"Region": "ap-south-1", "KmsKeyId": "alias/ap"}])
    # THEN the answer carries the ARN and the replica's key
    assert answer["ARN"] == arn
    assert answer["ReplicationStatus"][0]["KmsKeyId"] == "alias/ap"


@pytest.mark.parametrize(
    "key", ["1234abcd-12ab-34cd-56ef-1234567890ab", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "alias/app", "arn:aws:kms:us-east-1:123456789012:alias/app"]
)
def test_kms_key_id_is_stored_exactly_as_given(aws: Emulator, key: str) -> None:
    # GIVEN a secret created with any of the four key forms (moto never validates it)
    sm = aws.client("secretsmanager")
    sm.create_secret(Name="k", SecretString="s", KmsKeyId=key)
    # WHEN listed and described / THEN the key id is returned verbatim
    assert sm.list_secrets()["SecretList"][0]["KmsKeyId"] == key
    assert sm.describe_secret(SecretId="k")["KmsKeyId"] == key


def test_default_key_is_omitted(aws: Emulator) -> None:
    # GIVEN a secret without KmsKeyId / WHEN listed / THEN no KmsKeyId
    sm = aws.client("secretsmanager")
    sm.create_secret(Name="d", SecretString="s")
    assert "KmsKeyId" not in sm.list_secrets()["SecretList"][0]


def test_list_pagination_and_planned_deletion(aws: Emulator) -> None:
    # GIVEN five secrets, one scheduled for deletion
    sm = aws.client("secretsmanager")
    for i in range(5):
        sm.create_secret(Name=f"s{i}", SecretString="x")
    sm.delete_secret(SecretId="s4", RecoveryWindowInDays=7)
    # WHEN listed two a page, without and with IncludePlannedDeletion
    def names(**extra: object) -> list[str]:
        found, token = [], None
        while True:
            page = sm.list_secrets(MaxResults=2, **extra, **({"NextToken": token} if token else {}))
            found += [s["Name"] for s in page["SecretList"]]
            token = page.get("NextToken")
            if not token:
                return found
    # THEN pagination covers everything; the deleted one only when asked, with DeletedDate
    assert names() == ["s0", "s1", "s2", "s3"]
    assert names(IncludePlannedDeletion=True) == ["s0", "s1", "s2", "s3", "s4"]
    deleted = [s for s in sm.list_secrets(IncludePlannedDeletion=True)["SecretList"] if s["Name"] == "s4"]
    assert "DeletedDate" in deleted[0]


def test_update_secret_key_keeps_tags_and_versions(aws: Emulator) -> None:
    # GIVEN a tagged secret with one version
    sm = aws.client("secretsmanager")
    sm.create_secret(Name="u", SecretString="s", Description="d", Tags=[{"Key": "k", "Value": "v"}])
    versions = sm.describe_secret(SecretId="u")["VersionIdsToStages"]
    # WHEN only its key is changed
    sm.update_secret(SecretId="u", KmsKeyId="alias/new")
    after = sm.describe_secret(SecretId="u")
    # THEN the key changed and nothing else
    assert after["KmsKeyId"] == "alias/new"
    assert after["Tags"] == [{"Key": "k", "Value": "v"}]
    assert after["Description"] == "d"
    assert after["VersionIdsToStages"] == versions


def test_owning_service_can_be_set_and_cleared(aws: Emulator) -> None:
    # GIVEN a secret
    sm = aws.client("secretsmanager")
    arn = sm.create_secret(Name="rds-master", SecretString="s")["ARN"]
    # WHEN the admin API says RDS owns it
    answer = aws.post("secrets/owning-service", {"account": DEFAULT_ACCOUNT, "region": REGION, "secretId": "rds-master", "owningService": "rds"})
    # THEN ListSecrets and DescribeSecret report OwningService
    assert answer["arn"] == arn
    assert sm.list_secrets()["SecretList"][0]["OwningService"] == "rds"
    assert sm.describe_secret(SecretId=arn)["OwningService"] == "rds"
    # AND WHEN cleared, it is gone
    aws.post("secrets/owning-service", {"secretId": arn, "owningService": None})
    assert "OwningService" not in sm.describe_secret(SecretId=arn)


def test_owning_service_of_unknown_secret_is_a_400(aws: Emulator) -> None:
    # GIVEN no secrets / WHEN the admin API is asked to set an owner / THEN 400
    status, body = aws.admin("POST", "secrets/owning-service", {"secretId": "nope", "owningService": "rds"})
    assert status == 400
    assert "not found" in body["error"]


def test_primary_of_a_multi_region_secret_reports_its_primary_region(aws: Emulator) -> None:
    # GIVEN a replicated secret and a plain one (patch secretsmanager_primary_region)
    sm = aws.client("secretsmanager")
    sm.create_secret(Name="rep", SecretString="s", AddReplicaRegions=[{"Region": "eu-west-1"}])
    sm.create_secret(Name="plain", SecretString="s")
    # WHEN both are listed and described in the primary region
    listed = {s["Name"]: s for s in sm.list_secrets()["SecretList"]}
    described = sm.describe_secret(SecretId="rep")
    # THEN only the multi-Region primary names its own region as PrimaryRegion
    assert listed["rep"]["PrimaryRegion"] == REGION
    assert described["PrimaryRegion"] == REGION
    assert "PrimaryRegion" not in listed["plain"]
