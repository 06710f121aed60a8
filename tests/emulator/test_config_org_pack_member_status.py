"""Patch ``config_org_pack_member_status``: the organization pack's status per member.

AWS source: botocore ``config/2014-11-12`` GetOrganizationConformancePackDetailedStatus,
shapes OrganizationConformancePackDetailedStatus and OrganizationResourceDetailedStatus.
Unpatched moto 5.2.5 answers one entry, for the caller, whatever the organization holds.
"""

from __future__ import annotations

import botocore.exceptions
import pytest

from harness import Emulator, error_code


def organization_with_pack(aws: Emulator) -> str:
    org = aws.client("organizations")
    org.create_organization(FeatureSet="ALL")
    member = org.create_account(Email="a@example.com", AccountName="member-a")["CreateAccountStatus"]["AccountId"]
    aws.client("config").put_organization_conformance_pack(
        OrganizationConformancePackName="secrets-cmk", TemplateS3Uri="s3://packs/secrets-cmk.yaml"
    )
    return member


def statuses(aws: Emulator, **request: object) -> dict:
    return aws.client("config").get_organization_conformance_pack_detailed_status(
        OrganizationConformancePackName="secrets-cmk", **request
    )


def test_every_member_has_a_status_and_a_set_failure_shows(aws: Emulator) -> None:
    # GIVEN an organization of two accounts and the pack
    member = organization_with_pack(aws)
    # WHEN a member's deployment failed
    aws.post(
        "config/org-pack-member-status",
        {"packName": "secrets-cmk", "account": member, "status": "CREATE_FAILED", "errorCode": "AccessDenied", "errorMessage": "no role"},
    )
    # THEN each account has its entry, the member its failure
    entries = {e["AccountId"]: e for e in statuses(aws)["OrganizationConformancePackDetailedStatuses"]}
    assert set(entries) == {"123456789012", member}
    assert entries["123456789012"]["Status"] == "CREATE_SUCCESSFUL"
    assert (entries[member]["Status"], entries[member]["ErrorCode"], entries[member]["ErrorMessage"]) == ("CREATE_FAILED", "AccessDenied", "no role")


def test_pages_unknown_pack_and_bad_input(aws: Emulator) -> None:
    organization_with_pack(aws)
    first = statuses(aws, Limit=1)
    second = statuses(aws, Limit=1, NextToken=first["NextToken"])
    assert len(first["OrganizationConformancePackDetailedStatuses"]) == len(second["OrganizationConformancePackDetailedStatuses"]) == 1
    assert "NextToken" not in second
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.client("config").get_organization_conformance_pack_detailed_status(OrganizationConformancePackName="other")
    assert error_code(excinfo) == "NoSuchOrganizationConformancePackException"
    assert aws.admin("POST", "config/org-pack-member-status", {"packName": "p", "account": "1", "status": "BROKEN"})[0] == 400
