"""ListDiscoveredResources knows Secrets Manager secrets, by ARN.

Real AWS (botocore ``config/2014-11-12``, ListDiscoveredResources; shape
``ResourceIdentifier``: resourceType, resourceId, resourceName, resourceDeletionTime):
lists the resources of one type that Config has discovered, ``limit`` 0..100 a page
(0: the default, 100), ``resourceIds`` (at most 20) or ``resourceName`` but not both,
with an opaque ``nextToken``. The rule reports each secret's result with its ARN as
``ComplianceResourceId``, which attaches to the resource only if Config's resourceId
of a secret is its ARN; AWS documents no example of that id, so docs/aws-behaviour.md
marks it ``assumed`` and ``secrets-cmk doctor`` checks it on a real account.

moto 5.2.5: ``AWS::SecretsManager::Secret`` has no config query, so the answer is
always empty.

Patch: for that type, lists the caller's account and region's secrets (those marked
"not recorded" through ``POST /_secrets_cmk/config/not-recorded`` excepted) with the
ARN as resourceId and the name as resourceName, sorted by ARN, but only while a
configuration recorder of the region records the type and is recording (Config
discovers nothing without one). Other types keep moto's answer.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from moto.config.models import config_backends
from moto.config.responses import ConfigResponse
from moto.secretsmanager.models import secretsmanager_backends

from secrets_cmk_emulator.errors import AwsJsonError, length_violations, range_violations, validation_exception
from secrets_cmk_emulator.patches._install import install
from secrets_cmk_emulator.state import STATE

SECRET_TYPE = "AWS::SecretsManager::Secret"
DEFAULT_LIMIT = 100


def _records_secrets(account: str, region: str) -> bool:
    backend = config_backends[account][region]
    for recorder in backend.recorders.values():
        group = recorder.recording_group
        strategy = (group.recording_strategy or {}).get("useOnly") if group else None
        if strategy == "EXCLUSION_BY_RESOURCE_TYPES":
            covered = SECRET_TYPE not in ((group.exclusion_by_resource_types or {}).get("resourceTypes") or [])
        else:
            covered = bool(group) and (group.all_supported or SECRET_TYPE in (group.resource_types or []))
        if covered and recorder.status.recording:
            return True
    return False


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise AwsJsonError("InvalidNextTokenException", "The nextToken provided is invalid") from error
    if not isinstance(offset, int) or offset < 0:
        raise AwsJsonError("InvalidNextTokenException", "The nextToken provided is invalid")
    return offset


def _secrets(account: str, region: str) -> list[Any]:
    secrets = secretsmanager_backends[account][region].secrets
    return sorted((s for s in secrets.values() if STATE.config.is_recorded(s.arn)), key=lambda s: s.arn)


def _make_handler(original: Any) -> Any:
    def list_discovered_resources(self: ConfigResponse) -> str:
        body = json.loads(self.body or "{}")
        if body.get("resourceType") != SECRET_TYPE:
            return original(self)
        ids = body.get("resourceIds") or []
        name = body.get("resourceName")
        limit = body.get("limit", 0)
        violations = length_violations(ids, "resourceIds", 0, 20) + range_violations(limit, "limit", 0, 100)
        if violations:
            raise validation_exception(violations)
        if ids and name:
            raise AwsJsonError("InvalidParameterValueException", "Both Resource ID and Resource Name cannot be specified in the request")
        account, region = self.current_account, self.region
        found = _secrets(account, region) if _records_secrets(account, region) else []
        if ids:
            found = [s for s in found if s.arn in ids]
        if name:
            found = [s for s in found if s.name == name]
        start, size = _offset(body.get("nextToken")), limit or DEFAULT_LIMIT
        page = found[start : start + size]
        answer: dict[str, Any] = {
            "resourceIdentifiers": [
                {"resourceType": SECRET_TYPE, "resourceId": s.arn, "resourceName": s.name} for s in page
            ]
        }
        if start + size < len(found):
            answer["nextToken"] = base64.urlsafe_b64encode(json.dumps({"offset": start + size}).encode()).decode()
        return json.dumps(answer)

    return list_discovered_resources


def apply() -> None:
    install(ConfigResponse, "list_discovered_resources", _make_handler)
