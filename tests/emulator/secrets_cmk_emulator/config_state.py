"""The emulator's own AWS Config state: PutEvaluations calls and stored results.

moto keeps no evaluation results, so the Config patches keep them here:

- every accepted PutEvaluations call, in order, exactly as sent (``calls``), for
  tests that assert what the rule reported;
- the latest result per (account, region, rule, resource type, resource id) from
  non-TestMode calls, which GetComplianceDetailsByConfigRule reads back. A result
  replaces the stored one unless it has an older OrderingTimestamp (Config orders
  results by that timestamp, which is why the API requires it);
- result tokens minted for a rule name, so results can be attributed to a rule.
  Real tokens are opaque and encode the rule; tokens the emulator did not mint are
  accepted and stored with no rule, and such results are returned for any
  ConfigRuleName;
- resource ids marked "not recorded", for which GetResourceConfigHistory answers
  ResourceNotDiscoveredException although the secret exists.
"""

from __future__ import annotations

import copy
import itertools
import threading
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StoredResult:
    """The latest evaluation result for one resource under one rule."""

    rule_name: str | None
    resource_type: str
    resource_id: str
    compliance_type: str
    annotation: str | None
    ordering_timestamp: float
    recorded_time: float
    result_token: str


class ConfigState:
    """Thread-safe store for the Config patches."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[dict[str, Any]] = []
        self._results: dict[tuple[str, str, str | None, str, str], StoredResult] = {}
        self._tokens: dict[str, str] = {}
        self._token_serial = itertools.count(1)
        self._not_recorded: set[str] = set()

    # -- result tokens -------------------------------------------------------------
    def mint_result_token(self, rule_name: str) -> str:
        with self._lock:
            token = f"secrets-cmk-emulator-result-token-{next(self._token_serial)}"
            self._tokens[token] = rule_name
            return token

    def rule_for_token(self, token: str) -> str | None:
        with self._lock:
            return self._tokens.get(token)

    # -- PutEvaluations ------------------------------------------------------------
    def record_call(self, call: dict[str, Any]) -> None:
        with self._lock:
            self._calls.append({"seq": len(self._calls) + 1, **copy.deepcopy(call)})

    def calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._calls)

    def store_result(self, account: str, region: str, result: StoredResult) -> None:
        key = (account, region, result.rule_name, result.resource_type, result.resource_id)
        with self._lock:
            current = self._results.get(key)
            if current is None or result.ordering_timestamp >= current.ordering_timestamp:
                self._results[key] = result

    def results(self, account: str, region: str, rule_name: str) -> list[StoredResult]:
        """Results for a rule: its own plus those stored under no rule, sorted by resource."""
        with self._lock:
            found = [
                result
                for (acct, reg, rule, _, _), result in self._results.items()
                if acct == account and reg == region and rule in (None, rule_name)
            ]
        return sorted(found, key=lambda r: (r.resource_type, r.resource_id, r.rule_name or ""))

    # -- configuration recorder ----------------------------------------------------
    def set_recorded(self, resource_id: str, recorded: bool) -> None:
        with self._lock:
            if recorded:
                self._not_recorded.discard(resource_id)
            else:
                self._not_recorded.add(resource_id)

    def is_recorded(self, resource_id: str) -> bool:
        with self._lock:
            return resource_id not in self._not_recorded

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self._results.clear()
            self._tokens.clear()
            self._token_serial = itertools.count(1)
            self._not_recorded.clear()
