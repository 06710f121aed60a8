"""DescribeKey with an ARN of another account or region behaves as in AWS.

Real AWS: DescribeKey accepts a key ARN or alias ARN of another account (key id and
alias name always mean the caller's own account). The call succeeds only if the key
policy lets the caller's account use ``kms:DescribeKey``; the default key policy
trusts the owning account only, so the usual answer is ``AccessDeniedException``.
AWS managed keys (``alias/aws/*``) can never be used from another account. An ARN
naming another region fails with ``NotFoundException: Invalid arn <region>``.

moto 5.2.5: takes only the key id out of the ARN and looks it up in the caller's own
account and region. A key ARN with a foreign account id therefore finds the caller's
local key with the same id (or nothing), and a foreign-region ARN finds the local key.

Patch: an ARN naming another account is resolved in that account's backend (same
region); the answer is ``AccessDeniedException`` for AWS managed keys and for keys
whose policy has no Allow statement for ``kms:DescribeKey`` whose principal is
``*``, the caller's account id, or an ARN in the caller's account (conditions and
Deny statements are not evaluated). An ARN naming another region is
``NotFoundException``. Same-account, same-region ARNs are left to moto.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

from moto.kms.models import Key, kms_backends
from moto.kms.responses import KmsResponse
from moto.kms.utils import RESERVED_ALIASES

from secrets_cmk_emulator.arns import Arn, parse_arn
from secrets_cmk_emulator.errors import AwsJsonError
from secrets_cmk_emulator.patches._install import install

_ACTION = "kms:DescribeKey"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def policy_allows(policy: str | None, account: str, action: str = _ACTION) -> bool:
    """Whether an Allow statement grants ``action`` to ``account`` (simplified IAM)."""
    try:
        document = json.loads(policy or "{}")
    except ValueError:
        return False
    for statement in _as_list(document.get("Statement")):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = [str(a).lower() for a in _as_list(statement.get("Action"))]
        if not any(fnmatch.fnmatchcase(action.lower(), pattern) for pattern in actions):
            continue
        principal = statement.get("Principal")
        if principal == "*":
            return True
        aws = _as_list(principal.get("AWS")) if isinstance(principal, dict) else []
        if any(p == "*" or p == account or f":{account}:" in str(p) for p in aws):
            return True
    return False


def _denied(caller: str, arn: str) -> AwsJsonError:
    return AwsJsonError(
        "AccessDeniedException",
        f"User: arn:aws:iam::{caller}:root is not authorized to perform: {_ACTION} on resource: {arn} "
        "because no resource-based policy allows the kms:DescribeKey action",
    )


def _foreign_key(arn: Arn, text: str, caller: str) -> Key:
    backend = kms_backends[arn.account][arn.region]
    if arn.resource.startswith("alias/"):
        if arn.resource in RESERVED_ALIASES:
            # Never materialise another account's AWS managed key: it is unusable anyway.
            raise _denied(caller, text)
        for key in backend.keys.values():
            if arn.resource in key.aliases:
                return key
        raise AwsJsonError("NotFoundException", f"Alias {text} is not found.")
    if arn.resource.startswith("key/"):
        key = backend.keys.get(arn.resource[len("key/"):])
        if key is not None:
            return key
    raise AwsJsonError("NotFoundException", f"Key '{text}' does not exist")


def _make(original: Any) -> Any:
    def describe_key(self: KmsResponse) -> Any:
        text = self._get_param("KeyId") or ""
        arn = parse_arn(text)
        if arn is None or (arn.account == self.current_account and arn.region == self.region):
            return original(self)
        if arn.region != self.region:
            raise AwsJsonError("NotFoundException", f"Invalid arn {arn.region}")
        key = _foreign_key(arn, text, self.current_account)
        if key.key_manager == "AWS" or not policy_allows(key.policy, self.current_account):
            raise _denied(self.current_account, key.arn)
        return json.dumps(key.to_dict())

    return describe_key


def apply() -> None:
    install(KmsResponse, "describe_key", _make)
