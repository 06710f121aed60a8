"""Replica secrets keep the KMS key they were replicated with.

Real AWS: CreateSecret ``AddReplicaRegions`` and ReplicateSecretToRegions take a
``KmsKeyId`` per region; the replica is encrypted with it (``alias/aws/secretsmanager``
of that region when omitted). The primary's DescribeSecret lists it in
``ReplicationStatus[].KmsKeyId``, and the replica itself, listed in its own region,
reports that key as its ``KmsKeyId``. Both operations answer with the secret's ARN.

moto 5.2.5: ignores the per-region ``KmsKeyId``: ``ReplicationStatus`` always says
``alias/aws/secretsmanager`` and the replica, listed in its region, shows the
*primary's* ``KmsKeyId``. ReplicateSecretToRegions and RemoveRegionsFromReplication
answer with ``ARN`` set to whatever ``SecretId`` was sent (e.g. the bare name).

Patch: each replica remembers its key (``kms_key_id``, default
``alias/aws/secretsmanager``); ``ReplicationStatus`` and the replica's own
DescribeSecret/ListSecrets entry report it (the latter omits ``KmsKeyId`` for the
default key, as for any secret). Both replication operations answer with the ARN.
"""

from __future__ import annotations

from typing import Any

from moto.secretsmanager.models import (
    FakeSecret,
    ReplicaSecret,
    SecretsManagerBackend,
)

from secrets_cmk_emulator.patches._install import install

DEFAULT_KEY = SecretsManagerBackend.DEFAULT_KMS_KEY_ALIAS


def _make_create_replicas(original: Any) -> Any:
    def create_replicas(
        self: FakeSecret, replica_regions: list[dict[str, str]], force_overwrite: bool
    ) -> list[ReplicaSecret]:
        replicas = original(self, replica_regions, force_overwrite)
        # moto builds one replica per requested region, in request order.
        for replica, requested in zip(replicas, replica_regions or []):
            key = requested.get("KmsKeyId") or DEFAULT_KEY
            replica.kms_key_id = key
            replica.config["KmsKeyId"] = key
        return replicas

    return create_replicas


def _make_replica_to_dict(original: Any) -> Any:
    def to_dict(self: ReplicaSecret) -> dict[str, Any]:
        secret = original(self)
        key = getattr(self, "kms_key_id", DEFAULT_KEY)
        if key == DEFAULT_KEY:
            secret.pop("KmsKeyId", None)
        else:
            secret["KmsKeyId"] = key
        return secret

    return to_dict


def _make_answer_with_arn(original: Any) -> Any:
    def operation(self: SecretsManagerBackend, secret_id: str, *args: Any, **kwargs: Any) -> Any:
        _, statuses = original(self, secret_id, *args, **kwargs)
        return self.describe_secret(secret_id).arn, statuses

    return operation


def apply() -> None:
    install(FakeSecret, "create_replicas", _make_create_replicas)
    install(ReplicaSecret, "to_dict", _make_replica_to_dict)
    install(SecretsManagerBackend, "replicate_secret_to_regions", _make_answer_with_arn)
    install(SecretsManagerBackend, "remove_regions_from_replication", _make_answer_with_arn)
