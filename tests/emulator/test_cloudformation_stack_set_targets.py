"""Patch ``cloudformation_stack_set_targets``: a StackSet's target OUs and Regions, and each
instance's OU.

AWS source: botocore ``cloudformation/2010-05-15`` shape ``StackSet`` members
``OrganizationalUnitIds`` and ``Regions``, shape ``StackInstanceSummary`` member
``OrganizationalUnitId``. Unpatched moto 5.2.5 answers none of the three.
"""

from __future__ import annotations

import json

from harness import Emulator

TEMPLATE = json.dumps({"Resources": {"Nothing": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}})


def organization(aws: Emulator) -> tuple[str, str, list[str]]:
    """A root, an OU with a nested OU, one account in each, one left in the root."""
    org = aws.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    ou = org.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
    nested = org.create_organizational_unit(ParentId=ou, Name="nested")["OrganizationalUnit"]["Id"]
    accounts = [org.create_account(Email=f"{n}@example.com", AccountName=n)["CreateAccountStatus"]["AccountId"] for n in "abc"]
    org.move_account(AccountId=accounts[0], SourceParentId=root, DestinationParentId=ou)
    org.move_account(AccountId=accounts[1], SourceParentId=root, DestinationParentId=nested)
    return root, ou, accounts


def test_targets_regions_and_each_instances_ou(aws: Emulator) -> None:
    # GIVEN a service-managed StackSet deployed to an OU in two Regions
    _, ou, accounts = organization(aws)
    cfn = aws.client("cloudformation")
    cfn.create_stack_set(StackSetName="member", TemplateBody=TEMPLATE, PermissionModel="SERVICE_MANAGED",
                         AutoDeployment={"Enabled": True, "RetainStacksOnAccountRemoval": False})
    cfn.create_stack_instances(StackSetName="member", DeploymentTargets={"OrganizationalUnitIds": [ou]},
                               Regions=["us-east-1", "eu-west-1"])
    # WHEN described / THEN the target OU and the instances' Regions
    described = cfn.describe_stack_set(StackSetName="member")["StackSet"]
    assert described["OrganizationalUnitIds"] == [ou]
    assert described["Regions"] == ["eu-west-1", "us-east-1"]
    # AND every instance (the nested OU's account too) names the target OU it came from
    summaries = cfn.list_stack_instances(StackSetName="member")["Summaries"]
    assert sorted((s["Account"], s["Region"]) for s in summaries) == sorted(
        (a, r) for a in accounts[:2] for r in ("us-east-1", "eu-west-1"))
    assert {s["OrganizationalUnitId"] for s in summaries} == {ou}
    # AND the account left in the root has none (it is not in a target OU)
    assert accounts[2] not in {s["Account"] for s in summaries}


def test_a_self_managed_stack_set_has_no_targets(aws: Emulator) -> None:
    # GIVEN a self-managed StackSet with instances for listed accounts
    cfn = aws.client("cloudformation")
    cfn.create_stack_set(StackSetName="plain", TemplateBody=TEMPLATE)
    cfn.create_stack_instances(StackSetName="plain", Accounts=["123456789012"], Regions=["us-east-1"])
    # WHEN described / THEN no OU, its one Region, and no OU on the summary
    described = cfn.describe_stack_set(StackSetName="plain")["StackSet"]
    assert described.get("OrganizationalUnitIds", []) == []
    assert described["Regions"] == ["us-east-1"]
    summary = cfn.list_stack_instances(StackSetName="plain")["Summaries"][0]
    assert "OrganizationalUnitId" not in summary
    # AND a reset forgets the StackSet with its targets
    aws.post("reset")
    assert cfn.list_stack_sets()["Summaries"] == []
