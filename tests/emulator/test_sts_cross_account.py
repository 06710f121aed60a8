"""STS AssumeRole: the returned credentials act in the role's account (moto; measured).

No patch: this is what makes real cross-account tests possible, so it is pinned here.
"""

from __future__ import annotations

from harness import DEFAULT_ACCOUNT, OTHER_ACCOUNT, Emulator


def test_assumed_credentials_act_in_the_roles_account(aws: Emulator) -> None:
    # GIVEN credentials of a role in the other account
    creds = aws.assume(OTHER_ACCOUNT)
    # WHEN the caller identity is asked with them
    identity = aws.client("sts", credentials=creds).get_caller_identity()
    # THEN it is the assumed role in that account
    assert identity["Account"] == OTHER_ACCOUNT
    assert ":assumed-role/secrets-cmk-test/" in identity["Arn"]


def test_secret_created_with_assumed_credentials_lands_in_the_other_account(aws: Emulator) -> None:
    # GIVEN credentials of a role in the other account
    other = aws.client("secretsmanager", credentials=aws.assume(OTHER_ACCOUNT))
    # WHEN a secret is created with them
    arn = other.create_secret(Name="member-secret", SecretString="s")["ARN"]
    # THEN it belongs to the other account
    assert f":{OTHER_ACCOUNT}:secret:member-secret-" in arn
    assert [s["Name"] for s in other.list_secrets()["SecretList"]] == ["member-secret"]
    # AND the default account does not see it
    assert aws.client("secretsmanager").list_secrets()["SecretList"] == []
    # AND the request log attributes the calls to the account they acted in
    accounts = {(r["operation"], r["account"]) for r in aws.requests(service="secretsmanager")}
    assert accounts == {("CreateSecret", OTHER_ACCOUNT), ("ListSecrets", OTHER_ACCOUNT), ("ListSecrets", DEFAULT_ACCOUNT)}
