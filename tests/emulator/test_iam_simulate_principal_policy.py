"""Patch ``iam_simulate_principal_policy``: the policy simulator for users and roles.

AWS source: botocore ``iam/2010-05-08`` SimulatePrincipalPolicy and shape
EvaluationResult (EvalDecision allowed | explicitDeny | implicitDeny). Unpatched moto
5.2.5 answers HTTP 500 (NotImplementedError).
"""

from __future__ import annotations

import json

import botocore.exceptions
import pytest

from harness import Emulator, error_code

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]})


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def decisions(aws: Emulator, arn: str, actions: list[str], **extra: object) -> dict[str, str]:
    answer = aws.client("iam").simulate_principal_policy(PolicySourceArn=arn, ActionNames=actions, **extra)
    assert answer["IsTruncated"] is False
    return {r["EvalActionName"]: r["EvalDecision"] for r in answer["EvaluationResults"]}


def test_role_allow_deny_and_implicit_deny(aws: Emulator) -> None:
    # GIVEN a role allowed secretsmanager:* but denied UpdateSecret
    iam = aws.client("iam")
    arn = iam.create_role(RoleName="ops", AssumeRolePolicyDocument=TRUST, Path="/team/")["Role"]["Arn"]
    iam.put_role_policy(
        RoleName="ops",
        PolicyName="p",
        PolicyDocument=policy(
            {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "secretsmanager:UpdateSecret", "Resource": "*"},
        ),
    )
    # WHEN simulated / THEN allow, explicit deny, and implicit deny for what no policy names
    assert decisions(aws, arn, ["secretsmanager:ListSecrets", "secretsmanager:UpdateSecret", "kms:DescribeKey"]) == {
        "secretsmanager:ListSecrets": "allowed",
        "secretsmanager:UpdateSecret": "explicitDeny",
        "kms:DescribeKey": "implicitDeny",
    }


def test_user_managed_and_group_policies_and_resources(aws: Emulator) -> None:
    iam = aws.client("iam")
    user = iam.create_user(UserName="ana")["User"]["Arn"]
    managed = iam.create_policy(
        PolicyName="keys",
        PolicyDocument=policy({"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "arn:aws:kms:us-east-1:123456789012:key/*"}),
    )["Policy"]["Arn"]
    iam.attach_user_policy(UserName="ana", PolicyArn=managed)
    iam.create_group(GroupName="auditors")
    iam.add_user_to_group(GroupName="auditors", UserName="ana")
    iam.put_group_policy(GroupName="auditors", PolicyName="list", PolicyDocument=policy({"Effect": "Allow", "Action": "secretsmanager:ListSecrets", "Resource": "*"}))
    key = "arn:aws:kms:us-east-1:123456789012:key/*"
    assert decisions(aws, user, ["kms:DescribeKey", "secretsmanager:ListSecrets"], ResourceArns=[key]) == {
        "kms:DescribeKey": "allowed",
        "secretsmanager:ListSecrets": "allowed",
    }
    # A key of another account is not covered by the resource pattern.
    other = "arn:aws:kms:us-east-1:444455556666:key/*"
    assert decisions(aws, user, ["kms:DescribeKey"], ResourceArns=[other]) == {"kms:DescribeKey": "implicitDeny"}


def test_conditions_use_context_entries(aws: Emulator) -> None:
    iam = aws.client("iam")
    arn = iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    via = {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}
    iam.put_role_policy(RoleName="r", PolicyName="p", PolicyDocument=policy({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Condition": via}))
    context = [{"ContextKeyName": "kms:ViaService", "ContextKeyValues": ["secretsmanager.us-east-1.amazonaws.com"], "ContextKeyType": "string"}]
    assert decisions(aws, arn, ["kms:Decrypt"], ContextEntries=context) == {"kms:Decrypt": "allowed"}
    answer = aws.client("iam").simulate_principal_policy(PolicySourceArn=arn, ActionNames=["kms:Decrypt"])
    [result] = answer["EvaluationResults"]
    assert result["EvalDecision"] == "implicitDeny"
    assert result["MissingContextValues"] == ["kms:ViaService"]


def test_permissions_boundary_limits_an_allow(aws: Emulator) -> None:
    iam = aws.client("iam")
    boundary = iam.create_policy(PolicyName="b", PolicyDocument=policy({"Effect": "Allow", "Action": "secretsmanager:List*", "Resource": "*"}))["Policy"]["Arn"]
    arn = iam.create_role(RoleName="bounded", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=boundary)["Role"]["Arn"]
    iam.put_role_policy(RoleName="bounded", PolicyName="p", PolicyDocument=policy({"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}))
    assert decisions(aws, arn, ["secretsmanager:ListSecrets", "secretsmanager:UpdateSecret"]) == {
        "secretsmanager:ListSecrets": "allowed",
        "secretsmanager:UpdateSecret": "implicitDeny",
    }


def test_unknown_principal_is_no_such_entity(aws: Emulator) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        decisions(aws, "arn:aws:iam::123456789012:role/nobody", ["kms:DescribeKey"])
    assert error_code(excinfo) == "NoSuchEntity"
