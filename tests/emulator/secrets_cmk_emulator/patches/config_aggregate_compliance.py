"""The two aggregator read APIs, from the results the emulator stored per account and Region.

Real AWS (botocore model ``config/2014-11-12``, operations
``DescribeAggregateComplianceByConfigRules`` and
``GetAggregateComplianceDetailsByConfigRule``):

- both name a ``ConfigurationAggregatorName`` (1..256, ``[\\w\\-]+``) of the caller's
  account and Region; an unknown one is ``NoSuchConfigurationAggregatorException``;
- Describe lists one ``AggregateComplianceByConfigRule`` per rule, source account and
  Region (``ConfigRuleName``, ``Compliance`` {``ComplianceType``,
  ``ComplianceContributorCount``}, ``AccountId``, ``AwsRegion``), only rules that have
  results; ``Filters`` (``ConfigRuleName``, ``ComplianceType`` (COMPLIANT or
  NON_COMPLIANT only), ``AccountId``, ``AwsRegion``); ``Limit`` 0..1000
  (``GroupByAPILimit``; 0 or absent: the maximum);
- Get needs ``ConfigRuleName``, ``AccountId`` (12 digits) and ``AwsRegion``, takes an
  optional ``ComplianceType`` (COMPLIANT or NON_COMPLIANT only) and ``Limit`` 0..100
  (0 or absent: 50), and answers ``AggregateEvaluationResults`` with the single-account
  result's fields plus ``AccountId`` and ``AwsRegion``; "Config supports only the
  COMPLIANT and NON_COMPLIANT" there (``AggregateEvaluationResult.ComplianceType``), so
  NOT_APPLICABLE results are not aggregated;
- both page with an opaque ``NextToken`` (a bad one: ``InvalidNextTokenException``);
- an aggregator's sources: ``AccountAggregationSources`` (the accounts listed, in the
  Regions listed or all) or ``OrganizationAggregationSource`` (every account of the
  organization). A listed account other than the aggregator's own is collected from a
  Region only once it authorized the aggregator's account and Region there
  (PutAggregationAuthorization); an organization's accounts need no authorization.

moto 5.2.5: neither operation is implemented (NotImplementedError: HTTP 500, HTML body).

Patch: answers from the results the PutEvaluations patch stored, found through the
recorded calls (``STATE.config.calls()``: which account, Region and rule reported) and
read with ``STATE.config.results`` (the latest result per resource). A rule's results
in an account and Region are those the single-account API returns for it there, so
results sent with a token the emulator did not mint (stored under no rule) belong to
every Config rule moto has in that account and Region (PutConfigRule). Real aggregators
lag their sources (minutes, up to hours); the emulator's are current at once. A rule's
compliance is NON_COMPLIANT when any result is, else COMPLIANT when any is, else
INSUFFICIENT_DATA; the contributor count is the NON_COMPLIANT resources, capped at 100
(assumed: the cap of the single-account ``ComplianceContributorCount``). Describe is
sorted by rule, account and Region; Get by resource type and id.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from moto.config.exceptions import NoSuchConfigurationAggregatorException
from moto.config.models import config_backends
from moto.config.responses import ConfigResponse

from secrets_cmk_emulator.config_state import StoredResult
from secrets_cmk_emulator.errors import (
    AwsJsonError,
    constraint_violation,
    enum_violations,
    length_violations,
    null_violation,
    range_violations,
    validation_exception,
)
from secrets_cmk_emulator.patches._install import install
from secrets_cmk_emulator.patches.config_put_evaluations import COMPLIANCE_TYPES
from secrets_cmk_emulator.state import STATE

DESCRIBE_MAX_LIMIT = 1000
DETAILS_MAX_LIMIT = 100
DETAILS_DEFAULT_LIMIT = 50
CONTRIBUTOR_CAP = 100
# The filters and the details' results: "Config supports only the COMPLIANT and NON_COMPLIANT".
AGGREGATED_TYPES = ("COMPLIANT", "NON_COMPLIANT")
_NAME = re.compile(r"[\w\-]+")
_ACCOUNT = re.compile(r"\d{12}")


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"aggregate-offset": offset}).encode()).decode()


def _decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["aggregate-offset"]
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise AwsJsonError("InvalidNextTokenException", "The nextToken provided is invalid") from error
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise AwsJsonError("InvalidNextTokenException", "The nextToken provided is invalid")
    return offset


def _string_violations(value: Any, path: str, low: int, high: int, pattern: re.Pattern[str] | None = None) -> list[str]:
    if not isinstance(value, str):
        return [f"Value at '{path}' must be a string"]
    violations = length_violations(value, path, low, high)
    if pattern is not None and not pattern.fullmatch(value):
        violations.append(constraint_violation(value, path, f"Member must satisfy regular expression pattern: {pattern.pattern}"))
    return violations


def _required(body: dict[str, Any], name: str, path: str, low: int, high: int, pattern: re.Pattern[str] | None = None) -> list[str]:
    value = body.get(name)
    if value is None:
        return [null_violation(path)]
    return _string_violations(value, path, low, high, pattern)


def _optional(body: dict[str, Any], name: str, path: str, low: int, high: int, pattern: re.Pattern[str] | None = None) -> list[str]:
    value = body.get(name)
    return [] if value is None else _string_violations(value, path, low, high, pattern)


def _compliance_violations(value: Any, path: str) -> list[str]:
    if value is None:
        return []
    violations = enum_violations(value, path, COMPLIANCE_TYPES)
    if not violations and value not in AGGREGATED_TYPES:
        # In the enum, but the operation supports only two of its values (assumed: the
        # model does not say which error AWS answers).
        violations.append(constraint_violation(value, path, "Member must be COMPLIANT or NON_COMPLIANT"))
    return violations


def _aggregator(response: ConfigResponse, name: str) -> Any:
    aggregator = config_backends[response.current_account][response.region].config_aggregators.get(name)
    if aggregator is None:
        raise NoSuchConfigurationAggregatorException()
    return aggregator


def _organization_accounts(account: str) -> list[str]:
    from moto.organizations.models import organizations_backends

    try:
        accounts = [a.id for a in organizations_backends[account]["aws"].accounts]
    except Exception:  # noqa: BLE001 - no organization: none but the caller's own
        accounts = []
    return sorted(set(accounts) | {account})


def _authorized(source_account: str, source_region: str, aggregator_account: str, aggregator_region: str) -> bool:
    if source_account == aggregator_account:
        return True
    authorizations = config_backends[source_account][source_region].aggregation_authorizations
    return f"{aggregator_account}/{aggregator_region}" in authorizations


def _sources(response: ConfigResponse, aggregator: Any) -> list[tuple[str, str]]:
    """The (account, Region) pairs the aggregator collects from that have results."""
    own_account, own_region = response.current_account, response.region
    reported = sorted({(c["account"], c["region"]) for c in STATE.config.calls() if not c["test_mode"]})
    org = aggregator.organization_aggregation_source
    if org is not None:
        accounts = set(_organization_accounts(own_account))
        regions = None if org.all_aws_regions else set(org.aws_regions or [])
        return [(a, r) for a, r in reported if a in accounts and (regions is None or r in regions)]
    pairs: list[tuple[str, str]] = []
    for source in aggregator.account_aggregation_sources or []:
        regions = None if source.all_aws_regions else set(source.aws_regions or [])
        pairs += [
            (a, r)
            for a, r in reported
            if a in source.account_ids
            and (regions is None or r in regions)
            and _authorized(a, r, own_account, own_region)
        ]
    return sorted(set(pairs))


def _rules(account: str, region: str) -> list[str]:
    """The rules with results in one account and Region."""
    named = {c["config_rule_name"] for c in STATE.config.calls() if c["account"] == account and c["region"] == region and not c["test_mode"]}
    rules = {name for name in named if name is not None}
    if None in named:
        rules |= set(config_backends[account][region].config_rules)
    return sorted(rules)


def _aggregated(account: str, region: str, rule: str) -> list[StoredResult]:
    return [r for r in STATE.config.results(account, region, rule) if r.compliance_type in AGGREGATED_TYPES]


def _rule_compliance(results: list[StoredResult]) -> dict[str, Any]:
    non_compliant = sum(r.compliance_type == "NON_COMPLIANT" for r in results)
    if non_compliant:
        return {
            "ComplianceType": "NON_COMPLIANT",
            "ComplianceContributorCount": {
                "CappedCount": min(non_compliant, CONTRIBUTOR_CAP),
                "CapExceeded": non_compliant > CONTRIBUTOR_CAP,
            },
        }
    if any(r.compliance_type == "COMPLIANT" for r in results):
        return {"ComplianceType": "COMPLIANT"}
    return {"ComplianceType": "INSUFFICIENT_DATA"}


def _limit(body: dict[str, Any], maximum: int, default: int) -> tuple[list[str], int]:
    limit = body.get("Limit", 0)
    violations = range_violations(limit, "limit", 0, maximum)
    return violations, (limit or default) if not violations else 0


def describe_aggregate_compliance_by_config_rules(response: ConfigResponse) -> str:
    """The Describe handler moto lacks."""
    body = json.loads(response.body or "{}")
    filters = body.get("Filters") or {}
    violations = _required(body, "ConfigurationAggregatorName", "configurationAggregatorName", 1, 256, _NAME)
    if not isinstance(filters, dict):
        violations.append("Value at 'filters' must be a structure")
        filters = {}
    violations += _optional(filters, "ConfigRuleName", "filters.configRuleName", 1, 128)
    violations += _compliance_violations(filters.get("ComplianceType"), "filters.complianceType")
    violations += _optional(filters, "AccountId", "filters.accountId", 12, 12, _ACCOUNT)
    violations += _optional(filters, "AwsRegion", "filters.awsRegion", 1, 64)
    limit_violations, limit = _limit(body, DESCRIBE_MAX_LIMIT, DESCRIBE_MAX_LIMIT)
    violations += limit_violations
    if violations:
        raise validation_exception(violations)
    offset = _decode_token(body.get("NextToken"))
    aggregator = _aggregator(response, body["ConfigurationAggregatorName"])

    items: list[dict[str, Any]] = []
    for account, region in _sources(response, aggregator):
        if filters.get("AccountId") not in (None, account) or filters.get("AwsRegion") not in (None, region):
            continue
        for rule in _rules(account, region):
            if filters.get("ConfigRuleName") not in (None, rule):
                continue
            compliance = _rule_compliance(_aggregated(account, region, rule))
            if filters.get("ComplianceType") not in (None, compliance["ComplianceType"]):
                continue
            items.append({"ConfigRuleName": rule, "Compliance": compliance, "AccountId": account, "AwsRegion": region})
    items.sort(key=lambda i: (i["ConfigRuleName"], i["AccountId"], i["AwsRegion"]))
    answer: dict[str, Any] = {"AggregateComplianceByConfigRules": items[offset : offset + limit]}
    if offset + limit < len(items):
        answer["NextToken"] = _encode_token(offset + limit)
    return json.dumps(answer)


def _detail(account: str, region: str, rule: str, result: StoredResult) -> dict[str, Any]:
    item: dict[str, Any] = {
        "EvaluationResultIdentifier": {
            "EvaluationResultQualifier": {
                "ConfigRuleName": rule,
                "ResourceType": result.resource_type,
                "ResourceId": result.resource_id,
                "EvaluationMode": "DETECTIVE",
            },
            "OrderingTimestamp": result.ordering_timestamp,
        },
        "ComplianceType": result.compliance_type,
        "ResultRecordedTime": result.recorded_time,
        "ConfigRuleInvokedTime": result.recorded_time,
        "AccountId": account,
        "AwsRegion": region,
    }
    if result.annotation is not None:
        item["Annotation"] = result.annotation
    return item


def get_aggregate_compliance_details_by_config_rule(response: ConfigResponse) -> str:
    """The Get handler moto lacks."""
    body = json.loads(response.body or "{}")
    # Members in the model's order, which is the order AWS lists violations in.
    violations = _required(body, "ConfigurationAggregatorName", "configurationAggregatorName", 1, 256, _NAME)
    violations += _required(body, "ConfigRuleName", "configRuleName", 1, 128)
    violations += _required(body, "AccountId", "accountId", 12, 12, _ACCOUNT)
    violations += _required(body, "AwsRegion", "awsRegion", 1, 64)
    violations += _compliance_violations(body.get("ComplianceType"), "complianceType")
    limit_violations, limit = _limit(body, DETAILS_MAX_LIMIT, DETAILS_DEFAULT_LIMIT)
    violations += limit_violations
    if violations:
        raise validation_exception(violations)
    offset = _decode_token(body.get("NextToken"))
    aggregator = _aggregator(response, body["ConfigurationAggregatorName"])
    account, region, rule = body["AccountId"], body["AwsRegion"], body["ConfigRuleName"]

    results: list[StoredResult] = []
    if (account, region) in _sources(response, aggregator) and rule in _rules(account, region):
        wanted = body.get("ComplianceType")
        results = [r for r in _aggregated(account, region, rule) if wanted in (None, r.compliance_type)]
    page = results[offset : offset + limit]
    answer: dict[str, Any] = {"AggregateEvaluationResults": [_detail(account, region, rule, r) for r in page]}
    if offset + limit < len(results):
        answer["NextToken"] = _encode_token(offset + limit)
    return json.dumps(answer)


def apply() -> None:
    install(
        ConfigResponse,
        "describe_aggregate_compliance_by_config_rules",
        lambda _original: describe_aggregate_compliance_by_config_rules,
    )
    install(
        ConfigResponse,
        "get_aggregate_compliance_details_by_config_rule",
        lambda _original: get_aggregate_compliance_details_by_config_rule,
    )
