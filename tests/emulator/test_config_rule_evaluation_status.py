"""Patch ``config_rule_evaluation_status``: a rule's last invocation, evaluation, error.

AWS source: botocore ``config/2014-11-12`` DescribeConfigRuleEvaluationStatus and shape
ConfigRuleEvaluationStatus. Unpatched moto 5.2.5 answers HTTP 500 (NotImplementedError).
"""

from __future__ import annotations

from datetime import datetime, timezone

import botocore.exceptions
import pytest

from harness import Emulator, error_code

SECRET = "AWS::SecretsManager::Secret"


def deploy_rule(aws: Emulator, name: str = "secrets-cmk") -> str:
    function_arn = aws.post("lambda/stub-function", {"functionName": f"{name}-fn"})["functionArn"]
    aws.client("config").put_config_rule(
        ConfigRule={
            "ConfigRuleName": name,
            "Source": {
                "Owner": "CUSTOM_LAMBDA",
                "SourceIdentifier": function_arn,
                "SourceDetails": [{"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"}],
            },
            "Scope": {"ComplianceResourceTypes": [SECRET]},
        }
    )
    return function_arn


def status(aws: Emulator, *names: str) -> list[dict]:
    return aws.client("config").describe_config_rule_evaluation_status(ConfigRuleNames=list(names))[
        "ConfigRulesEvaluationStatus"
    ]


def test_a_new_rule_has_not_been_evaluated(aws: Emulator) -> None:
    # GIVEN a rule just deployed (its function seeded as the CDK would create it)
    function_arn = deploy_rule(aws)
    # WHEN its status is read
    [entry] = status(aws, "secrets-cmk")
    # THEN it names the rule, and no invocation has happened yet
    assert entry["ConfigRuleName"] == "secrets-cmk"
    assert entry["ConfigRuleArn"].startswith("arn:aws:config:us-east-1:123456789012:config-rule/")
    assert entry["FirstEvaluationStarted"] is False
    assert "LastSuccessfulEvaluationTime" not in entry and "LastErrorCode" not in entry
    assert function_arn.endswith(":function:secrets-cmk-fn")


def test_put_evaluations_with_the_rules_token_is_a_successful_evaluation(aws: Emulator) -> None:
    deploy_rule(aws)
    token = aws.post("config/result-tokens", {"configRuleName": "secrets-cmk"})["resultToken"]
    aws.client("config").put_evaluations(
        Evaluations=[
            {
                "ComplianceResourceType": SECRET,
                "ComplianceResourceId": "arn:a",
                "ComplianceType": "COMPLIANT",
                "OrderingTimestamp": datetime(2026, 1, 1, tzinfo=timezone.utc),
            }
        ],
        ResultToken=token,
    )
    [entry] = status(aws, "secrets-cmk")
    assert isinstance(entry["LastSuccessfulEvaluationTime"], datetime)
    assert isinstance(entry["LastSuccessfulInvocationTime"], datetime)
    assert entry["FirstEvaluationStarted"] is True


def test_a_recorded_failure_is_the_last_error(aws: Emulator) -> None:
    deploy_rule(aws)
    aws.post(
        "config/rule-invocation-failure",
        {"configRuleName": "secrets-cmk", "errorCode": "AccessDeniedException", "errorMessage": "not allowed"},
    )
    [entry] = status(aws, "secrets-cmk")
    assert entry["LastErrorCode"] == "AccessDeniedException"
    assert entry["LastErrorMessage"] == "not allowed"
    assert isinstance(entry["LastFailedInvocationTime"], datetime)
    # AND a reset forgets it
    aws.post("reset")
    deploy_rule(aws)
    assert "LastErrorCode" not in status(aws, "secrets-cmk")[0]


def test_unknown_rule_and_all_rules(aws: Emulator) -> None:
    deploy_rule(aws, "a")
    deploy_rule(aws, "b")
    assert [e["ConfigRuleName"] for e in status(aws)] == ["a", "b"]
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        status(aws, "missing")
    assert error_code(excinfo) == "NoSuchConfigRuleException"


def test_admin_endpoints_refuse_bad_input(aws: Emulator) -> None:
    assert aws.admin("POST", "config/rule-invocation-failure", {"configRuleName": "x"})[0] == 400
    assert aws.admin("POST", "lambda/stub-function", {})[0] == 400
