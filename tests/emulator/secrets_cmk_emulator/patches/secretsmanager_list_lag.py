"""ListSecrets lagging writes: secrets the admin API withholds from the listing.

Real AWS: ListSecrets is eventually consistent. Its API reference says "ListSecrets is
eventually consistent, however it might not reflect changes from the last five
minutes" (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ListSecrets.html),
while DescribeSecret answers from the secret itself. A secret created (or changed) just
before a periodic sweep may be missing from the sweep's listing although it exists.

moto 5.2.5: ListSecrets always lists every secret at once.

Patch: a secret named through ``POST /_secrets_cmk/secrets/list-lag`` is left out of
ListSecrets (for ``seconds``, or until cleared with ``seconds: 0``) in its account and
Region; DescribeSecret and every other call still see it. Nothing else changes.
"""

from __future__ import annotations

import time
from typing import Any

from moto.secretsmanager.models import SecretsManagerBackend, _matches

from secrets_cmk_emulator.patches._install import install


class ListLag:
    """Secret ARNs withheld from ListSecrets, each until a deadline (``None``: until cleared)."""

    def __init__(self) -> None:
        self._withheld: dict[str, float | None] = {}

    def reset(self) -> None:
        self._withheld.clear()

    def withhold(self, arn: str, seconds: float | None) -> None:
        if seconds == 0:
            self._withheld.pop(arn, None)
        else:
            self._withheld[arn] = None if seconds is None else time.monotonic() + seconds

    def is_withheld(self, arn: str) -> bool:
        if arn not in self._withheld:
            return False
        until = self._withheld[arn]
        if until is not None and time.monotonic() >= until:
            del self._withheld[arn]
            return False
        return True

    def any(self) -> bool:
        return bool(self._withheld)


LIST_LAG = ListLag()


def _make_list_secrets(original: Any) -> Any:
    def list_secrets(
        self: SecretsManagerBackend,
        filters: list[dict[str, Any]],
        max_results: int = 100,
        next_token: str | None = None,
        include_planned_deletion: bool = False,
    ) -> tuple[list[dict[str, Any]], str | None]:
        if not LIST_LAG.any():
            return original(self, filters, max_results, next_token, include_planned_deletion)
        # moto's own listing, minus the withheld secrets, paged by moto's own pager.
        listed = [
            secret.to_dict()
            for secret in self.secrets.values()
            if not LIST_LAG.is_withheld(secret.arn)
            and (include_planned_deletion or not getattr(secret, "deleted_date", None))
            and _matches(secret, filters)
        ]
        return self._get_secret_values_page_and_next_token(listed, max_results, next_token)

    return list_secrets


def apply() -> None:
    install(SecretsManagerBackend, "list_secrets", _make_list_secrets)
