"""Patch ``config_cross_account_function``: a member's rule may name the central function.

AWS source: botocore ``config/2014-11-12`` shape ``Source`` (SourceIdentifier: the
function's ARN) and PutConfigRule's ``InsufficientPermissionsException``. Unpatched moto
5.2.5 looks the function up in the caller's account and refuses a function of another
account.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from harness import OTHER_ACCOUNT, Emulator, error_code


def rule(function_arn: str) -> dict:
    return {
        "ConfigRuleName": "secrets-cmk",
        "Source": {
            "Owner": "CUSTOM_LAMBDA",
            "SourceIdentifier": function_arn,
            "SourceDetails": [{"EventSource": "aws.config", "MessageType": "ScheduledNotification",
                               "MaximumExecutionFrequency": "TwentyFour_Hours"}],
        },
    }


def test_a_member_rule_names_the_central_function(aws: Emulator) -> None:
    # GIVEN the central function in the default account
    arn = aws.post("lambda/stub-function", {"functionName": "secrets-cmk-rule"})["functionArn"]
    member = aws.client("config", credentials=aws.assume(OTHER_ACCOUNT))
    # WHEN a member account puts a rule naming it / THEN it is accepted and names it
    member.put_config_rule(ConfigRule=rule(arn))
    listed = member.describe_config_rules()["ConfigRules"]
    assert [r["Source"]["SourceIdentifier"] for r in listed] == [arn]


def test_a_function_that_does_not_exist_is_still_refused(aws: Emulator) -> None:
    # GIVEN no function in the account the ARN names
    member = aws.client("config", credentials=aws.assume(OTHER_ACCOUNT))
    missing = "arn:aws:lambda:us-east-1:123456789012:function:nothing"
    # WHEN put / THEN InsufficientPermissionsException, as before
    with pytest.raises(ClientError) as refused:
        member.put_config_rule(ConfigRule=rule(missing))
    assert error_code(refused) == "InsufficientPermissionsException"
