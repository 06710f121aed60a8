"""A multi-Region primary secret reports its own region as ``PrimaryRegion``.

Real AWS: DescribeSecret and ListSecrets report ``PrimaryRegion`` for a multi-Region
secret, on the primary (its own region) as on each replica (the primary's region).
The rule relies on it: ListSecrets carries no replica details, so a sweep calls
DescribeSecret only for secrets whose ``PrimaryRegion`` is their own region.

moto 5.2.5: only a replica reports ``PrimaryRegion``; the primary never does, so a
sweep against plain moto would never look at replica keys.

Patch: a secret that has replicas adds ``PrimaryRegion`` (its own region) to its
DescribeSecret and ListSecrets entries. Secrets without replicas are unchanged.
"""

from __future__ import annotations

from typing import Any

from moto.secretsmanager.models import FakeSecret

from secrets_cmk_emulator.patches._install import install


def _make_to_dict(original: Any) -> Any:
    def to_dict(self: FakeSecret) -> dict[str, Any]:
        secret = original(self)
        if self.replicas:
            secret["PrimaryRegion"] = self.region
        return secret

    return to_dict


def apply() -> None:
    install(FakeSecret, "to_dict", _make_to_dict)
