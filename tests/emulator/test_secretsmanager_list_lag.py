"""Patch ``secretsmanager_list_lag``: ListSecrets may leave out a secret that exists.

AWS: "ListSecrets is eventually consistent, however it might not reflect changes from
the last five minutes" (ListSecrets API reference); DescribeSecret still finds it.
"""

from __future__ import annotations

import time

import pytest

from harness import Emulator


def _listed(aws: Emulator) -> list[str]:
    pages = aws.client("secretsmanager").get_paginator("list_secrets").paginate(IncludePlannedDeletion=True)
    return sorted(entry["Name"] for page in pages for entry in page["SecretList"])


def test_a_withheld_secret_is_not_listed_but_is_described(aws: Emulator) -> None:
    # GIVEN two secrets, one withheld from the listing
    sm = aws.client("secretsmanager")
    sm.create_secret(Name="old", SecretString="s")
    new_arn = sm.create_secret(Name="new", SecretString="s")["ARN"]
    answer = aws.post("secrets/list-lag", {"secretId": "new"})
    # WHEN listed and described
    # THEN the listing leaves it out, DescribeSecret finds it
    assert answer["arn"] == new_arn
    assert _listed(aws) == ["old"]
    assert sm.describe_secret(SecretId=new_arn)["Name"] == "new"


def test_the_lag_ends_after_its_seconds_or_when_cleared(aws: Emulator) -> None:
    # GIVEN two withheld secrets, one for a short while
    sm = aws.client("secretsmanager")
    sm.create_secret(Name="brief", SecretString="s")
    sm.create_secret(Name="held", SecretString="s")
    aws.post("secrets/list-lag", {"secretId": "brief", "seconds": 0.2})
    aws.post("secrets/list-lag", {"secretId": "held"})
    assert _listed(aws) == []
    # WHEN the short lag passes, THEN that one is listed again
    time.sleep(0.3)
    assert _listed(aws) == ["brief"]
    # WHEN the other is cleared, THEN both are listed
    aws.post("secrets/list-lag", {"secretId": "held", "seconds": 0})
    assert _listed(aws) == ["brief", "held"]


def test_paging_over_the_rest_is_unchanged(aws: Emulator) -> None:
    # GIVEN 5 secrets with one withheld, listed 2 a page
    sm = aws.client("secretsmanager")
    for i in range(5):
        sm.create_secret(Name=f"s{i}", SecretString="s")
    aws.post("secrets/list-lag", {"secretId": "s2"})
    names = [
        entry["Name"]
        for page in sm.get_paginator("list_secrets").paginate(PaginationConfig={"PageSize": 2})
        for entry in page["SecretList"]
    ]
    # THEN every other secret exactly once
    assert sorted(names) == ["s0", "s1", "s3", "s4"]


def test_reset_clears_the_lag(aws: Emulator) -> None:
    aws.client("secretsmanager").create_secret(Name="x", SecretString="s")
    aws.post("secrets/list-lag", {"secretId": "x"})
    aws.post("reset")
    aws.client("secretsmanager").create_secret(Name="x", SecretString="s")
    assert _listed(aws) == ["x"]


@pytest.mark.parametrize("body", [{"secretId": "missing"}, {"seconds": 3}, {"secretId": "x", "seconds": -1}, {"secretId": "x", "seconds": "soon"}])
def test_bad_input_is_refused(aws: Emulator, body: dict) -> None:
    aws.client("secretsmanager").create_secret(Name="x", SecretString="s")
    status, answer = aws.admin("POST", "secrets/list-lag", body)
    assert status == 400
    assert "secretId" in answer["error"] or "seconds" in answer["error"] or "not found" in answer["error"]
