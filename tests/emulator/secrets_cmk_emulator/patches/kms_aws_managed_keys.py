"""AWS managed KMS keys (``alias/aws/*``) report ``KeyManager: AWS``.

Real AWS: the key behind ``alias/aws/secretsmanager`` (and every ``alias/aws/<service>``)
is an AWS managed key. DescribeKey reports ``KeyManager: "AWS"`` whichever way the key
is named: alias name, alias ARN, key id or key ARN. Its description is "Default key
that protects my Secrets Manager data when no other key is defined".

moto 5.2.5: the first lookup of a reserved alias creates the key
(``KmsBackend._generate_default_keys``) as an ordinary key, so DescribeKey says
``KeyManager: "CUSTOMER"`` and ``Description: "Default key"``. The rule would then
take the default key for a customer managed one (decision table row 6).

Patch: keys created for reserved aliases get ``key_manager = "AWS"`` (and AWS's
description for aws/secretsmanager). It is an attribute of the key, so lookups by
key id or key ARN see it too.
"""

from __future__ import annotations

from typing import Any

from moto.kms.models import KmsBackend

from secrets_cmk_emulator.patches._install import install

_DESCRIPTIONS = {
    "alias/aws/secretsmanager": "Default key that protects my Secrets Manager data when no other key is defined",
}


def _make(original: Any) -> Any:
    def _generate_default_keys(self: KmsBackend, alias_name: str) -> str | None:
        key_id = original(self, alias_name)
        if key_id is not None:
            key = self.keys[key_id]
            key.key_manager = "AWS"
            key.description = _DESCRIPTIONS.get(alias_name, key.description)
        return key_id

    return _generate_default_keys


def apply() -> None:
    install(KmsBackend, "_generate_default_keys", _make)
