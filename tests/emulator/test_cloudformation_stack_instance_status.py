"""Patch ``cloudformation_stack_instance_status``: ListStackInstances statuses a test sets.

AWS source: botocore ``cloudformation/2010-05-15`` ListStackInstances and shape
StackInstanceSummary (Status CURRENT | OUTDATED | INOPERABLE; StackInstanceStatus
DetailedStatus PENDING ... FAILED_IMPORT). Unpatched moto 5.2.5 reports every
instance CURRENT / SUCCEEDED.
"""

from __future__ import annotations

import json

from harness import Emulator

TEMPLATE = json.dumps({"Resources": {"Nothing": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}})


def stack_set(aws: Emulator) -> None:
    cfn = aws.client("cloudformation")
    cfn.create_stack_set(StackSetName="secrets-cmk-member", TemplateBody=TEMPLATE)
    cfn.create_stack_instances(StackSetName="secrets-cmk-member", Accounts=["123456789012"], Regions=["us-east-1", "eu-west-1"])


def summaries(aws: Emulator) -> dict[str, dict]:
    listed = aws.client("cloudformation").list_stack_instances(StackSetName="secrets-cmk-member")["Summaries"]
    return {s["Region"]: s for s in listed}


def test_a_set_status_is_reported_and_the_others_are_unchanged(aws: Emulator) -> None:
    # GIVEN a StackSet with two instances, one marked failed
    stack_set(aws)
    aws.post(
        "cloudformation/stack-instance-status",
        {"stackSetName": "secrets-cmk-member", "account": "123456789012", "region": "eu-west-1",
         "status": "OUTDATED", "detailedStatus": "FAILED", "statusReason": "Role already exists"},
    )
    # WHEN listed / THEN that instance reports it, the other is still current
    listed = summaries(aws)
    assert listed["eu-west-1"]["Status"] == "OUTDATED"
    assert listed["eu-west-1"]["StackInstanceStatus"] == {"DetailedStatus": "FAILED"}
    assert listed["eu-west-1"]["StatusReason"] == "Role already exists"
    assert listed["us-east-1"]["Status"] == "CURRENT"
    # AND a reset forgets it
    aws.post("reset")
    stack_set(aws)
    assert summaries(aws)["eu-west-1"]["Status"] == "CURRENT"


def test_bad_statuses_are_refused(aws: Emulator) -> None:
    base = {"stackSetName": "s", "account": "123456789012", "region": "us-east-1", "detailedStatus": "FAILED"}
    assert aws.admin("POST", "cloudformation/stack-instance-status", {**base, "status": "BROKEN"})[0] == 400
    assert aws.admin("POST", "cloudformation/stack-instance-status", {**base, "status": "CURRENT", "detailedStatus": "x"})[0] == 400
    assert aws.admin("POST", "cloudformation/stack-instance-status", {"status": "CURRENT"})[0] == 400
