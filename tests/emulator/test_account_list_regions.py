"""Patch ``account_list_regions``: an account's Regions and their opt statuses.

AWS source: botocore ``account/2021-02-01`` ListRegions / EnableRegion / DisableRegion
(RegionOptStatus ENABLED | ENABLING | DISABLING | DISABLED | ENABLED_BY_DEFAULT); the
Account Management guide, manage-acct-regions.html: Regions launched before 20 March 2019
are enabled by default and cannot be enabled or disabled, later ones are opt-in per
account. Unpatched moto 5.2.5 does not route these operations.
"""

from __future__ import annotations

import botocore.exceptions
import pytest

from harness import OTHER_ACCOUNT, Emulator, error_code

ENABLED = ["ENABLED", "ENABLED_BY_DEFAULT"]


def listed(account: object, **params: object) -> dict[str, str]:
    """Every page of ListRegions, as {name: status}."""
    regions: dict[str, str] = {}
    token = None
    while True:
        page = account.list_regions(**params, **({"NextToken": token} if token else {}))
        for region in page["Regions"]:
            assert region["RegionName"] not in regions, "a Region listed twice"
            regions[region["RegionName"]] = region["RegionOptStatus"]
        token = page.get("NextToken")
        if not token:
            return regions


def test_default_regions_are_enabled_by_default_and_opt_in_ones_disabled(aws: Emulator) -> None:
    # GIVEN a fresh account / WHEN every Region is listed, in pages
    regions = listed(aws.client("account"), MaxResults=7)
    # THEN the pre-2019 Regions are ENABLED_BY_DEFAULT, the later ones DISABLED
    assert regions["us-east-1"] == regions["eu-west-1"] == "ENABLED_BY_DEFAULT"
    assert regions["af-south-1"] == regions["me-south-1"] == "DISABLED"
    assert sum(status == "ENABLED_BY_DEFAULT" for status in regions.values()) == 17
    # AND the filter the audit uses lists the default ones only
    enabled = listed(aws.client("account"), RegionOptStatusContains=ENABLED)
    assert set(enabled.values()) == {"ENABLED_BY_DEFAULT"} and len(enabled) == 17


def test_an_enabled_opt_in_region_is_enabled_in_that_account_only(aws: Emulator) -> None:
    # GIVEN a member account that enables af-south-1
    member = aws.client("account", credentials=aws.assume(OTHER_ACCOUNT))
    member.enable_region(RegionName="af-south-1")
    # WHEN each account lists its enabled Regions
    theirs = listed(member, RegionOptStatusContains=ENABLED)
    ours = listed(aws.client("account"), RegionOptStatusContains=ENABLED)
    # THEN only the member has it, as ENABLED
    assert theirs["af-south-1"] == "ENABLED"
    assert "af-south-1" not in ours
    # AND the management account sees it through AccountId
    assert listed(aws.client("account"), AccountId=OTHER_ACCOUNT)["af-south-1"] == "ENABLED"
    # AND disabling it takes it out again
    member.disable_region(RegionName="af-south-1")
    assert "af-south-1" not in listed(member, RegionOptStatusContains=ENABLED)


def test_default_regions_cannot_be_enabled_or_disabled(aws: Emulator) -> None:
    account = aws.client("account")
    for call in (account.enable_region, account.disable_region):
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            call(RegionName="us-east-1")
        assert error_code(excinfo) == "ValidationException"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        account.enable_region(RegionName="xx-nowhere-1")
    assert error_code(excinfo) == "ValidationException"


def test_a_bad_page_token_or_size_is_a_validation_error(aws: Emulator) -> None:
    account = aws.client("account", validate=False)
    for params in ({"NextToken": "not-a-token"}, {"MaxResults": 51}):
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            account.list_regions(**params)
        assert error_code(excinfo) == "ValidationException"


def test_moto_reset_clears_the_opt_in_state(aws: Emulator) -> None:
    aws.client("account").enable_region(RegionName="ap-east-1")
    aws.post("reset")
    assert listed(aws.client("account"))["ap-east-1"] == "DISABLED"
