"""Multi-Region key ids in AWS's form: ``mrk-`` and 32 hex digits.

Real AWS: "Multi-Region keys have a distinctive key ID that begins with mrk-", e.g.
``mrk-1234abcd12ab34cd56ef1234567890ab`` (KMS Developer Guide, "Multi-Region key
identifiers"; the KMS API reference's CreateKey / DescribeKey examples): the prefix and
32 hexadecimal digits, no dashes. A replica key in another Region has the same id.

moto 5.2.5: ``generate_key_id(multi_region=True)`` prefixes a dashed UUID
(``mrk-1234abcd-12ab-...``), an id AWS never produces; rule-core's key-id syntax (and
so the rule) rightly refuses it, so multi-Region keys could not be exercised at all.

Patch: the id moto generates for a multi-Region key is ``mrk-`` + ``uuid4().hex``, and
moto's key-id check (``KmsResponse._validate_cmk_id``, which accepts only ``mrk-`` + a
dashed UUID) accepts that form. Single-Region keys keep moto's UUIDs. ReplicateKey
copies the primary's id, as AWS does.
"""

from __future__ import annotations

import re
from typing import Any

import moto.kms.models as kms_models
from moto.kms.exceptions import NotFoundException
from moto.kms.responses import KmsResponse
from moto.moto_api._internal import mock_random

from secrets_cmk_emulator.patches._install import install

_MARK = "__secrets_cmk_patch__"
_AWS_MRK_ID = re.compile(r"^mrk-[0-9a-f]{32}$", re.IGNORECASE)


def _generate_key_id(multi_region: bool = False) -> str:
    key = str(mock_random.uuid4())
    return "mrk-" + key.replace("-", "") if multi_region else key


def _make_validate_cmk_id(original: Any) -> Any:
    def _validate_cmk_id(self: KmsResponse, key_id: str) -> None:
        if not _AWS_MRK_ID.match(key_id):
            return original(self, key_id)
        if key_id not in self.kms_backend.keys:
            raise NotFoundException(f"Key '{self._display_arn(key_id)}' does not exist")
        return None

    return _validate_cmk_id


def apply() -> None:
    install(KmsResponse, "_validate_cmk_id", _make_validate_cmk_id)
    # moto's Key.__init__ calls the name it imported into moto.kms.models.
    if not getattr(kms_models.generate_key_id, _MARK, False):
        setattr(_generate_key_id, _MARK, True)
        kms_models.generate_key_id = _generate_key_id
