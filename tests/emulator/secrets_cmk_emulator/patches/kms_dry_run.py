"""KMS ``DryRun`` on GenerateDataKey and Encrypt answers ``DryRunOperationException``.

Real AWS: GenerateDataKey, Encrypt (and the other cryptographic operations) take
``DryRun``: "Checks if your request will succeed" (the KMS API model, botocore
``kms/2014-11-01/service-2.json``, member ``DryRun``; the KMS Developer Guide, "Testing
your permissions"). A request that would succeed is rejected with
``DryRunOperationException`` ("The request was rejected because the DryRun parameter
was specified", a client error with no HTTP status of its own in the model, so 400);
one that would fail fails as it would without ``DryRun`` (NotFound, a disabled key's
KMSInvalidStateException, AccessDenied). Nothing is encrypted and no data key is made.

moto 5.2.5: reads ``DryRun`` nowhere for these two operations, so a dry run encrypts
the plaintext or generates a data key and answers with success.

Patch: with ``DryRun`` true, the key is resolved and checked as moto does for the real
call (moto's own ``_validate_key_id`` and the key's state), then
``DryRunOperationException`` is raised. Without ``DryRun`` moto answers as before.
Access denial is modelled by the fault layer, which answers before moto does.
"""

from __future__ import annotations

from typing import Any

from moto.kms.responses import KmsResponse

from secrets_cmk_emulator.errors import AwsJsonError
from secrets_cmk_emulator.patches._install import install

_DRY_RUN_MESSAGE = "The request would have succeeded, but the DryRun option is set."


def _make(original: Any) -> Any:
    def dry_run_aware(self: KmsResponse) -> str:
        if not self._get_param("DryRun"):
            return original(self)
        key_id = self._get_param("KeyId")
        self._validate_key_id(key_id)
        key = self.kms_backend.describe_key(self.kms_backend.get_key_id(key_id))
        if key.key_state != "Enabled":
            raise AwsJsonError("KMSInvalidStateException", f"{key.arn} is {key.key_state}")
        raise AwsJsonError("DryRunOperationException", _DRY_RUN_MESSAGE)

    return dry_run_aware


def apply() -> None:
    for operation in ("generate_data_key", "encrypt"):
        install(KmsResponse, operation, _make)
