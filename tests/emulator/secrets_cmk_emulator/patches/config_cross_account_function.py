"""PutConfigRule: a custom Lambda rule may name a function of another account.

Real AWS: a custom Lambda rule's ``Source.SourceIdentifier`` is the function's ARN
(botocore ``config/2014-11-12`` shape ``Source``: "For Config Custom Lambda rules, the
identifier is the Amazon Resource Name (ARN) of the rule's Lambda function"); the
function may be in another account when its resource policy lets AWS Config invoke it,
which is how one central function serves an organization (AWS Config Developer Guide,
"Creating AWS Config Custom Lambda Rules"; the project's placement ``central``, whose
grant is an ``aws:SourceOrgID`` condition, docs/aws-behaviour.md). PutConfigRule fails
with ``InsufficientPermissionsException`` ("The AWS Lambda function ... cannot be
invoked") only when Config may not invoke it.

moto 5.2.5: looks the function up in the *caller's* account only, so a member account's
rule naming the central function is refused although the function exists.

Patch: for a ``CUSTOM_LAMBDA`` source whose ARN names another account, moto's lookup
runs in that account and Region (the function must still exist there; its resource
policy is not modelled, as moto models none for Config).
"""

from __future__ import annotations

from typing import Any

from moto.config.models import Source

from secrets_cmk_emulator.patches._install import install


def _function_place(arn: str) -> tuple[str, str] | None:
    """(account, region) of a Lambda function ARN, else None."""
    parts = arn.split(":")
    if len(parts) >= 7 and parts[0] == "arn" and parts[2] == "lambda" and parts[5] == "function":
        return parts[4], parts[3]
    return None


def _make_init(original: Any) -> Any:
    def init(self: Source, account_id: str, region: str, owner: str, source_identifier: str,
             source_details: Any = None) -> None:
        place = _function_place(source_identifier) if owner == "CUSTOM_LAMBDA" else None
        if place is not None and place[0] != account_id:
            account_id, region = place
        original(self, account_id, region, owner, source_identifier, source_details)

    return init


def apply() -> None:
    install(Source, "__init__", _make_init)
