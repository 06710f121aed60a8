"""Patch ``config_aggregate_compliance``: the aggregator read APIs over stored results.

Unpatched moto 5.2.5 answers HTTP 500 (NotImplementedError, HTML body) to both.
Sources: botocore ``config/2014-11-12`` operations
``DescribeAggregateComplianceByConfigRules`` and
``GetAggregateComplianceDetailsByConfigRule`` (shapes, limits, errors).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import botocore.exceptions
import pytest

from harness import Emulator, error_code

SECRET = "AWS::SecretsManager::Secret"
T0 = datetime(2026, 1, 2, tzinfo=timezone.utc)
MANAGEMENT = "123456789012"  # the emulator's default account
MEMBER = "555566667777"
OUTSIDER = "999988887777"
AGGREGATOR = "org-secrets"


def put(aws: Emulator, credentials: dict[str, str] | None, token: str, *items: tuple[str, str], region: str = "us-east-1") -> None:
    aws.client("config", region=region, credentials=credentials).put_evaluations(
        Evaluations=[
            {
                "ComplianceResourceType": SECRET,
                "ComplianceResourceId": rid,
                "ComplianceType": ctype,
                "OrderingTimestamp": T0,
                "Annotation": f"{ctype} because",
            }
            for rid, ctype in items
        ],
        ResultToken=token,
    )


def token(aws: Emulator, rule: str) -> str:
    return aws.post("config/result-tokens", {"configRuleName": rule})["resultToken"]


def org_aggregator(aws: Emulator, regions: list[str] | None = None) -> Any:
    """An organization of the management account and MEMBER, and an org-wide aggregator."""
    orgs = aws.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    orgs.create_account(AccountName="member", Email="member@example.com")
    config = aws.client("config")
    source: dict[str, Any] = {"RoleArn": f"arn:aws:iam::{MANAGEMENT}:role/aggregator"}
    source.update({"AwsRegions": regions} if regions else {"AllAwsRegions": True})
    config.put_configuration_aggregator(ConfigurationAggregatorName=AGGREGATOR, OrganizationAggregationSource=source)
    return config


def member_accounts(aws: Emulator) -> list[str]:
    return sorted(a["Id"] for a in aws.client("organizations").list_accounts()["Accounts"])


def describe(config: Any, **request: Any) -> list[tuple[str, str, str, str]]:
    answer = config.describe_aggregate_compliance_by_config_rules(ConfigurationAggregatorName=AGGREGATOR, **request)
    return [
        (i["ConfigRuleName"], i["AccountId"], i["AwsRegion"], i["Compliance"]["ComplianceType"])
        for i in answer["AggregateComplianceByConfigRules"]
    ]


def details(config: Any, rule: str, account: str, region: str = "us-east-1", **request: Any) -> dict[str, Any]:
    return config.get_aggregate_compliance_details_by_config_rule(
        ConfigurationAggregatorName=AGGREGATOR, ConfigRuleName=rule, AccountId=account, AwsRegion=region, **request
    )


def ids(answer: dict[str, Any]) -> list[str]:
    return [r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"] for r in answer["AggregateEvaluationResults"]]


def test_an_organization_aggregator_lists_each_rule_per_account_and_region(aws: Emulator) -> None:
    # GIVEN an organization, and results of two rules in two of its accounts and two Regions
    config = org_aggregator(aws)
    [first, second] = member_accounts(aws)
    rule = token(aws, "secrets-cmk")
    other = token(aws, "other-rule")
    put(aws, aws.assume(first), rule, ("arn:1", "NON_COMPLIANT"), ("arn:2", "COMPLIANT"))
    put(aws, aws.assume(second), rule, ("arn:3", "COMPLIANT"), region="eu-west-1")
    put(aws, aws.assume(second), other, ("arn:4", "NOT_APPLICABLE"))
    # AND a result of an account outside the organization
    put(aws, aws.assume(OUTSIDER), rule, ("arn:x", "NON_COMPLIANT"))
    # WHEN the aggregate compliance is described
    listed = describe(config)
    # THEN one entry per rule, account and Region of the organization, sorted, with the
    # rule's compliance there; a rule with NOT_APPLICABLE results only has no data
    assert listed == [
        ("other-rule", second, "us-east-1", "INSUFFICIENT_DATA"),
        ("secrets-cmk", first, "us-east-1", "NON_COMPLIANT"),
        ("secrets-cmk", second, "eu-west-1", "COMPLIANT"),
    ]
    answer = config.describe_aggregate_compliance_by_config_rules(ConfigurationAggregatorName=AGGREGATOR)
    non_compliant = answer["AggregateComplianceByConfigRules"][1]["Compliance"]
    assert non_compliant["ComplianceContributorCount"] == {"CappedCount": 1, "CapExceeded": False}


def test_describe_filters_by_rule_account_region_and_compliance(aws: Emulator) -> None:
    config = org_aggregator(aws)
    [first, second] = member_accounts(aws)
    rule = token(aws, "secrets-cmk")
    put(aws, aws.assume(first), rule, ("arn:1", "NON_COMPLIANT"))
    put(aws, aws.assume(second), rule, ("arn:2", "COMPLIANT"), region="eu-west-1")
    assert [i[1] for i in describe(config, Filters={"AccountId": second})] == [second]
    assert [i[2] for i in describe(config, Filters={"AwsRegion": "us-east-1"})] == ["us-east-1"]
    assert [i[3] for i in describe(config, Filters={"ComplianceType": "COMPLIANT"})] == ["COMPLIANT"]
    assert describe(config, Filters={"ConfigRuleName": "secrets-cmk-conformance-pack-x"}) == []


def test_describe_pages_with_limit_and_next_token(aws: Emulator) -> None:
    # GIVEN results in three Regions of one account
    config = org_aggregator(aws)
    rule = token(aws, "secrets-cmk")
    for region in ("eu-west-1", "us-east-1", "us-west-2"):
        put(aws, None, rule, ("arn:" + region, "COMPLIANT"), region=region)
    # WHEN read one a page
    pages, next_token = [], None
    while True:
        answer = config.describe_aggregate_compliance_by_config_rules(
            ConfigurationAggregatorName=AGGREGATOR, Limit=1, **({"NextToken": next_token} if next_token else {})
        )
        pages.append([i["AwsRegion"] for i in answer["AggregateComplianceByConfigRules"]])
        next_token = answer.get("NextToken")
        if not next_token:
            break
    # THEN every entry once, in order
    assert pages == [["eu-west-1"], ["us-east-1"], ["us-west-2"]]


def test_details_are_the_accounts_results_without_not_applicable(aws: Emulator) -> None:
    # GIVEN a member's results of each compliance type
    config = org_aggregator(aws)
    [first, _] = member_accounts(aws)
    rule = token(aws, "secrets-cmk")
    put(aws, aws.assume(first), rule, ("arn:b", "NON_COMPLIANT"), ("arn:a", "COMPLIANT"), ("arn:c", "NOT_APPLICABLE"))
    # WHEN the details are read centrally
    answer = details(config, "secrets-cmk", first)
    # THEN COMPLIANT and NON_COMPLIANT results only, by resource, in the API's shape
    assert ids(answer) == ["arn:a", "arn:b"]
    result = answer["AggregateEvaluationResults"][1]
    assert result["EvaluationResultIdentifier"] == {
        "EvaluationResultQualifier": {
            "ConfigRuleName": "secrets-cmk",
            "ResourceType": SECRET,
            "ResourceId": "arn:b",
            "EvaluationMode": "DETECTIVE",
        },
        "OrderingTimestamp": T0,
    }
    assert (result["ComplianceType"], result["Annotation"]) == ("NON_COMPLIANT", "NON_COMPLIANT because")
    assert (result["AccountId"], result["AwsRegion"]) == (first, "us-east-1")
    assert isinstance(result["ResultRecordedTime"], datetime)
    assert isinstance(result["ConfigRuleInvokedTime"], datetime)
    # AND filtered by compliance type
    assert ids(details(config, "secrets-cmk", first, ComplianceType="NON_COMPLIANT")) == ["arn:b"]
    # AND another rule, account or Region has none
    assert ids(details(config, "other", first)) == []
    assert ids(details(config, "secrets-cmk", first, region="eu-west-1")) == []
    assert ids(details(config, "secrets-cmk", OUTSIDER)) == []


def test_details_page_with_the_default_limit_of_50(aws: Emulator) -> None:
    config = org_aggregator(aws)
    rule = token(aws, "secrets-cmk")
    put(aws, None, rule, *[(f"arn:{i:03}", "COMPLIANT") for i in range(60)])
    first_page = details(config, "secrets-cmk", MANAGEMENT)
    assert len(first_page["AggregateEvaluationResults"]) == 50
    rest = details(config, "secrets-cmk", MANAGEMENT, NextToken=first_page["NextToken"])
    assert ids(rest) == [f"arn:{i:03}" for i in range(50, 60)]
    assert "NextToken" not in rest


def test_an_aggregator_collects_only_its_regions(aws: Emulator) -> None:
    config = org_aggregator(aws, regions=["eu-west-1"])
    rule = token(aws, "secrets-cmk")
    put(aws, None, rule, ("arn:us", "COMPLIANT"))
    put(aws, None, rule, ("arn:eu", "COMPLIANT"), region="eu-west-1")
    assert [i[2] for i in describe(config)] == ["eu-west-1"]
    assert ids(details(config, "secrets-cmk", MANAGEMENT)) == []


def test_an_account_source_needs_the_sources_authorization(aws: Emulator) -> None:
    # GIVEN an aggregator of two listed accounts, one of which authorized it
    config = aws.client("config")
    config.put_configuration_aggregator(
        ConfigurationAggregatorName=AGGREGATOR,
        AccountAggregationSources=[{"AccountIds": [MANAGEMENT, MEMBER, OUTSIDER], "AllAwsRegions": True}],
    )
    member = aws.assume(MEMBER)
    aws.client("config", credentials=member).put_aggregation_authorization(AuthorizedAccountId=MANAGEMENT, AuthorizedAwsRegion="us-east-1")
    rule = token(aws, "secrets-cmk")
    for credentials in (None, member, aws.assume(OUTSIDER)):
        put(aws, credentials, rule, ("arn:one", "COMPLIANT"))
    # WHEN described / THEN the aggregator's own account and the authorizing one only
    assert [i[1] for i in describe(config)] == [MANAGEMENT, MEMBER]


def test_results_of_no_known_rule_belong_to_the_accounts_config_rules(aws: Emulator) -> None:
    # GIVEN a result sent with a token the emulator did not mint, in an account with one rule
    config = org_aggregator(aws)
    config.put_config_rule(
        ConfigRule={"ConfigRuleName": "custom", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}
    )
    put(aws, None, "opaque-token", ("arn:x", "NON_COMPLIANT"))
    # THEN it is that rule's
    assert describe(config) == [("custom", MANAGEMENT, "us-east-1", "NON_COMPLIANT")]
    assert ids(details(config, "custom", MANAGEMENT)) == ["arn:x"]


def test_a_missing_aggregator_is_no_such_configuration_aggregator(aws: Emulator) -> None:
    config = aws.client("config")
    with pytest.raises(botocore.exceptions.ClientError) as error:
        config.describe_aggregate_compliance_by_config_rules(ConfigurationAggregatorName="nope")
    assert error_code(error) == "NoSuchConfigurationAggregatorException"
    with pytest.raises(botocore.exceptions.ClientError) as error:
        details(config, "secrets-cmk", MANAGEMENT)
    assert error_code(error) == "NoSuchConfigurationAggregatorException"
    # AND an aggregator of another Region is not this Region's
    org_aggregator(aws)
    with pytest.raises(botocore.exceptions.ClientError) as error:
        aws.client("config", region="eu-west-1").describe_aggregate_compliance_by_config_rules(ConfigurationAggregatorName=AGGREGATOR)
    assert error_code(error) == "NoSuchConfigurationAggregatorException"


@pytest.mark.parametrize(
    ("operation", "request_", "path"),
    [
        ("describe", {"Limit": 1001}, "limit"),
        ("describe", {"Filters": {"ComplianceType": "NOT_APPLICABLE"}}, "filters.complianceType"),
        ("describe", {"Filters": {"AccountId": "12345"}}, "filters.accountId"),
        ("details", {"Limit": 101}, "limit"),
        ("details", {"ComplianceType": "INSUFFICIENT_DATA"}, "complianceType"),
        ("details", {"AccountId": "not-an-account"}, "accountId"),
    ],
)
def test_out_of_model_values_are_validation_errors(aws: Emulator, operation: str, request_: dict[str, Any], path: str) -> None:
    config = org_aggregator(aws)
    raw = aws.client("config", validate=False)
    with pytest.raises(botocore.exceptions.ClientError) as error:
        if operation == "describe":
            raw.describe_aggregate_compliance_by_config_rules(ConfigurationAggregatorName=AGGREGATOR, **request_)
        else:
            request = {"ConfigRuleName": "secrets-cmk", "AccountId": MANAGEMENT, "AwsRegion": "us-east-1", **request_}
            raw.get_aggregate_compliance_details_by_config_rule(ConfigurationAggregatorName=AGGREGATOR, **request)
    assert error_code(error) == "ValidationException"
    assert f"'{path}'" in error.value.response["Error"]["Message"]
    assert config is not None


def test_a_bad_next_token_is_rejected(aws: Emulator) -> None:
    config = org_aggregator(aws)
    with pytest.raises(botocore.exceptions.ClientError) as error:
        config.describe_aggregate_compliance_by_config_rules(ConfigurationAggregatorName=AGGREGATOR, NextToken="bad")
    assert error_code(error) == "InvalidNextTokenException"
    with pytest.raises(botocore.exceptions.ClientError) as error:
        details(config, "secrets-cmk", MANAGEMENT, NextToken="bad")
    assert error_code(error) == "InvalidNextTokenException"
