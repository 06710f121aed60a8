"""GetResourceConfigHistory returns configuration items for Secrets Manager secrets.

Real AWS: when the configuration recorder records ``AWS::SecretsManager::Secret``,
the item's ``resourceId`` is the secret's ARN and ``resourceName`` its name (the
rule's change-triggered path fetches it with ``limit: 1`` for oversized
notifications). ``configuration`` is a JSON *string* with the fields of the
published schema (awslabs/aws-config-resource-schema,
``AWS::SecretsManager::Secret.properties.json``): ``ARN``, ``Name``, ``Description``,
``KMSKeyId`` (absent for the default key), ``RotationEnabled``,
``RotationLambdaARN``, ``RotationRules``, ``Deleted``; tags are the item's top-level
``tags`` map (the schema has no ``configuration.Tags``). An id Config has no item for
is ``ResourceNotDiscoveredException``.

moto 5.2.5: has no Config support for secrets: every id is
``ResourceNotDiscoveredException``.

Patch: for ``AWS::SecretsManager::Secret`` the item is built from moto's Secrets
Manager backend of the caller's account and region (replicas included, with their
own key), looked up by exact ARN. Only the current state exists (one item: moto has
no history), captured at the secret's last change. Ids marked "not recorded" through
the admin API, unknown ids and names instead of ARNs are
``ResourceNotDiscoveredException``. ``limit`` outside 0..100 is
``InvalidLimitException``. Other resource types are left to moto.
"""

from __future__ import annotations

import json
from typing import Any

from moto.config.responses import ConfigResponse
from moto.secretsmanager.models import ReplicaSecret, secretsmanager_backends

from secrets_cmk_emulator.errors import AwsJsonError
from secrets_cmk_emulator.patches._install import install
from secrets_cmk_emulator.patches.secretsmanager_replicas import DEFAULT_KEY
from secrets_cmk_emulator.state import STATE

SECRET_TYPE = "AWS::SecretsManager::Secret"


def _not_discovered(resource_id: str) -> AwsJsonError:
    return AwsJsonError(
        "ResourceNotDiscoveredException",
        f"Resource {resource_id} of resourceType:{SECRET_TYPE} is unknown or has not been discovered",
    )


def _configuration(secret: Any) -> dict[str, Any]:
    primary = secret.source if isinstance(secret, ReplicaSecret) else secret
    key = getattr(secret, "kms_key_id", DEFAULT_KEY) if isinstance(secret, ReplicaSecret) else secret.kms_key_id
    configuration: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
    if primary.description:
        configuration["Description"] = primary.description
    if key and key != DEFAULT_KEY:
        configuration["KMSKeyId"] = key
    configuration["RotationEnabled"] = bool(primary.rotation_enabled)
    if primary.rotation_enabled:
        configuration["RotationLambdaARN"] = primary.rotation_lambda_arn
        configuration["RotationRules"] = {"AutomaticallyAfterDays": primary.auto_rotate_after_days}
    configuration["Deleted"] = primary.is_deleted()
    return configuration


def configuration_item(secret: Any, account: str, region: str) -> dict[str, Any]:
    """The item in GetResourceConfigHistory's shape (times as epoch seconds)."""
    primary = secret.source if isinstance(secret, ReplicaSecret) else secret
    captured = float(primary.last_changed_date or primary.created_date or 0)
    return {
        "version": "1.3",
        "accountId": account,
        "configurationItemCaptureTime": captured,
        "configurationItemStatus": "OK",
        "configurationStateId": str(int(captured * 1000)),
        "configurationItemMD5Hash": "",
        "arn": secret.arn,
        "resourceType": SECRET_TYPE,
        "resourceId": secret.arn,
        "resourceName": secret.name,
        "awsRegion": region,
        "availabilityZone": "Regional",
        "resourceCreationTime": float(primary.created_date or captured),
        "tags": {tag["Key"]: tag["Value"] for tag in (primary.tags or [])},
        "relatedEvents": [],
        "relationships": [],
        "configuration": json.dumps(_configuration(secret)),
        "supplementaryConfiguration": {},
    }


def find_secret(account: str, region: str, arn: str) -> Any | None:
    """The secret (or replica) with exactly this ARN in that account and region."""
    for secret in dict.values(secretsmanager_backends[account][region].secrets):
        if secret.arn == arn:
            return secret
    return None


def _make(original: Any) -> Any:
    def get_resource_config_history(self: ConfigResponse) -> Any:
        if self._get_param("resourceType") != SECRET_TYPE:
            return original(self)
        resource_id = self._get_param("resourceId") or ""
        limit = self._get_param("limit")
        if limit is not None and (not isinstance(limit, int) or not 0 <= limit <= 100):
            raise AwsJsonError("InvalidLimitException", f"Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value between 0 and 100")
        secret = find_secret(self.current_account, self.region, resource_id)
        if secret is None or not STATE.config.is_recorded(resource_id):
            raise _not_discovered(resource_id)
        return json.dumps({"configurationItems": [configuration_item(secret, self.current_account, self.region)]})

    return get_resource_config_history


def apply() -> None:
    install(ConfigResponse, "get_resource_config_history", _make)
