"""Test-only changes to secrets that the real API cannot make.

OwningService: real AWS sets it on secrets another service manages (e.g. the RDS
master user secret) and no API lets a caller set it. moto 5.2.5 derives
``OwningService`` from the tag ``aws:secretsmanager:owningService`` (its RDS
integration adds that tag), so the admin endpoint sets or removes that tag.
"""

from __future__ import annotations

from moto.secretsmanager.models import ReplicaSecret, secretsmanager_backends

OWNING_SERVICE_TAG = "aws:secretsmanager:owningService"


class SecretNotFound(LookupError):
    """No such secret in that account and region."""


def set_owning_service(account: str, region: str, secret_id: str, owning_service: str | None) -> str:
    """Set (or with ``None`` clear) a primary secret's OwningService; returns its ARN."""
    secrets = secretsmanager_backends[account][region].secrets
    if secret_id not in secrets:
        raise SecretNotFound(f"secret {secret_id!r} not found in {account}/{region}")
    secret = secrets[secret_id]
    if isinstance(secret, ReplicaSecret):
        secret = secret.source
    tags = [tag for tag in (secret.tags or []) if tag["Key"] != OWNING_SERVICE_TAG]
    if owning_service is not None:
        tags.append({"Key": OWNING_SERVICE_TAG, "Value": owning_service})
    secret.tags = tags or None
    return secret.arn


def secret_arn(account: str, region: str, secret_id: str) -> str:
    """The ARN of the secret ``secret_id`` (name or ARN) in that account and region."""
    secrets = secretsmanager_backends[account][region].secrets
    if secret_id not in secrets:
        raise SecretNotFound(f"secret {secret_id!r} not found in {account}/{region}")
    return secrets[secret_id].arn
