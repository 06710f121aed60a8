"""Patch ``securityhub_import``: BatchImportFindings refused and validated as AWS does.

Unpatched moto 5.2.5 imports without Security Hub enabled, for any account and product,
validates nothing but ``Resources``, and overwrites ``Workflow`` on an update.
"""

from __future__ import annotations

import copy
from typing import Any

import botocore.exceptions
import pytest

from harness import DEFAULT_ACCOUNT, REGION, Emulator, error_code

OTHER_ACCOUNT = "444455556666"


def finding(suffix: str = "a", account: str = DEFAULT_ACCOUNT, region: str = REGION, **extra: Any) -> dict[str, Any]:
    arn = f"arn:aws:secretsmanager:{region}:{account}:secret:{suffix}"
    doc: dict[str, Any] = {
        "SchemaVersion": "2018-10-08",
        "Id": f"secrets-cmk/customer-managed-key/{arn}",
        "ProductArn": f"arn:aws:securityhub:{region}:{account}:product/{account}/default",
        "GeneratorId": "secrets-cmk/customer-managed-key",
        "AwsAccountId": account,
        "Types": ["Software and Configuration Checks/AWS Security Best Practices"],
        "CreatedAt": "2026-12-01T10:00:00.000Z",
        "UpdatedAt": "2026-12-01T10:00:00.000Z",
        "Severity": {"Label": "MEDIUM", "Original": "row 4"},
        "Title": f"Secret {suffix} fails the customer managed KMS key check: default key",
        "Description": "uses the default key aws/secretsmanager",
        "Resources": [{"Type": "AwsSecretsManagerSecret", "Id": arn, "Partition": "aws", "Region": region}],
        "Compliance": {"Status": "FAILED"},
        "RecordState": "ACTIVE",
    }
    doc.update(extra)
    return doc


def hub(aws: Emulator, region: str = REGION, credentials: dict[str, str] | None = None) -> Any:
    """A Security Hub client; botocore's own validation off, so the server judges."""
    return aws.client("securityhub", region=region, credentials=credentials, validate=False)


def enabled(aws: Emulator, region: str = REGION) -> Any:
    client = hub(aws, region)
    client.enable_security_hub()
    return client


def test_import_and_list_need_security_hub_enabled(aws: Emulator) -> None:
    # GIVEN an account without Security Hub
    client = hub(aws)
    # WHEN findings are imported or listed
    # THEN both are InvalidAccessException, as AWS answers
    for call in (lambda: client.batch_import_findings(Findings=[finding()]), client.get_findings):
        with pytest.raises(botocore.exceptions.ClientError) as error:
            call()
        assert error_code(error) == "InvalidAccessException"
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401
        assert "not subscribed to AWS Security Hub" in str(error.value)


def test_a_valid_finding_is_imported_once_and_updated_on_the_same_id(aws: Emulator) -> None:
    # GIVEN Security Hub enabled and one finding imported
    client = enabled(aws)
    answer = client.batch_import_findings(Findings=[finding()])
    assert (answer["SuccessCount"], answer["FailedCount"], answer["FailedFindings"]) == (1, 0, [])
    [stored] = client.get_findings()["Findings"]
    # THEN Security Hub's own fields are set
    assert stored["Workflow"] == {"Status": "NEW"}
    assert stored["Region"] == REGION
    # WHEN the same Id is imported again, now passed, with another Workflow
    update = finding(Compliance={"Status": "PASSED"}, Workflow={"Status": "RESOLVED"}, UpdatedAt="2026-12-02T10:00:00Z")
    client.batch_import_findings(Findings=[update])
    # THEN there is still one finding, updated, with the Workflow it had
    [stored] = client.get_findings()["Findings"]
    assert stored["Compliance"] == {"Status": "PASSED"}
    assert stored["UpdatedAt"] == "2026-12-02T10:00:00Z"
    assert stored["Workflow"] == {"Status": "NEW"}


def test_another_accounts_finding_refuses_the_whole_call(aws: Emulator) -> None:
    # GIVEN Security Hub enabled, and a batch with a finding of another account
    client = enabled(aws)
    batch = [finding("a"), finding("b", account=OTHER_ACCOUNT)]
    # WHEN imported with the caller's credentials
    with pytest.raises(botocore.exceptions.ClientError) as error:
        client.batch_import_findings(Findings=batch)
    # THEN the call is AccessDeniedException naming the product, and nothing is stored
    assert error_code(error) == "AccessDeniedException"
    assert f"product/{OTHER_ACCOUNT}/default" in str(error.value)
    assert client.get_findings()["Findings"] == []


def test_a_finding_for_another_region_is_refused(aws: Emulator) -> None:
    client = enabled(aws)
    with pytest.raises(botocore.exceptions.ClientError) as error:
        client.batch_import_findings(Findings=[finding(region="eu-west-1")])
    assert error_code(error) == "AccessDeniedException"


def test_the_other_account_imports_its_own_finding(aws: Emulator) -> None:
    # GIVEN the other account's own credentials, with Security Hub enabled there
    other = hub(aws, credentials=aws.assume(OTHER_ACCOUNT))
    other.enable_security_hub()
    # WHEN it imports its finding
    answer = other.batch_import_findings(Findings=[finding("b", account=OTHER_ACCOUNT)])
    # THEN it is stored there, and not in the caller's account
    assert answer["SuccessCount"] == 1
    assert len(other.get_findings()["Findings"]) == 1
    assert enabled(aws).get_findings()["Findings"] == []


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda f: f.pop("Title"), "required property 'Title'"),
        (lambda f: f.update(SchemaVersion="2020-01-01"), "SchemaVersion"),
        (lambda f: f.update(Description="x" * 1025), "data.Description should NOT be longer than 1024"),
        (lambda f: f.update(Title="   "), "data.Title should match pattern"),
        (lambda f: f.update(CreatedAt="yesterday"), "data.CreatedAt should match format"),
        (lambda f: f.update(Severity={"Label": "SEVERE"}), "data.Severity.Label"),
        (lambda f: f.update(Compliance={"Status": "NOT_APPLICABLE"}), "data.Compliance.Status"),
        (lambda f: f.update(Resources=[]), "data.Resources should have 1 to 32 items"),
        (lambda f: f["Resources"][0].pop("Type"), "required property 'Type'"),
        (lambda f: f.update(ProductFields={"k": "v" * 2049}), "data.ProductFields['k']"),
        (lambda f: (f.pop("Severity"), f.pop("Types")), "FindingProviderFields"),
        (lambda f: f.update(Types=["Made Up/Thing"]), "data.Types[0]"),
    ],
)
def test_a_malformed_finding_fails_alone_as_invalid_input(aws: Emulator, change: Any, says: str) -> None:
    # GIVEN a good finding and a bad one
    client = enabled(aws)
    bad = copy.deepcopy(finding("bad"))
    change(bad)
    # WHEN both are imported
    answer = client.batch_import_findings(Findings=[finding("good"), bad])
    # THEN the good one is imported, the bad one fails with InvalidInput saying why
    assert (answer["SuccessCount"], answer["FailedCount"]) == (1, 1)
    [failed] = answer["FailedFindings"]
    assert failed["Id"] == bad["Id"]
    assert failed["ErrorCode"] == "InvalidInput"
    assert failed["ErrorMessage"].startswith("Finding does not adhere to Amazon Finding Format.")
    assert says in failed["ErrorMessage"]
    assert len(client.get_findings()["Findings"]) == 1


def test_severity_and_types_may_come_in_finding_provider_fields_only(aws: Emulator) -> None:
    client = enabled(aws)
    only_provider = finding()
    severity, types = only_provider.pop("Severity"), only_provider.pop("Types")
    only_provider["FindingProviderFields"] = {"Severity": severity, "Types": types}
    assert client.batch_import_findings(Findings=[only_provider])["SuccessCount"] == 1


def test_more_than_100_findings_or_none_are_refused(aws: Emulator) -> None:
    client = enabled(aws)
    for findings in ([], [finding(str(n)) for n in range(101)]):
        with pytest.raises(botocore.exceptions.ClientError) as error:
            client.batch_import_findings(Findings=findings)
        assert error_code(error) == "InvalidInputException"
    answer = client.batch_import_findings(Findings=[finding(str(n)) for n in range(100)])
    assert answer["SuccessCount"] == 100


def test_failed_findings_hook_fails_a_finding_the_given_times(aws: Emulator) -> None:
    # GIVEN the hook naming one finding, twice
    client = enabled(aws)
    target = finding("flaky")
    aws.post("faults", {"failed_findings": {"ids": [target["Id"]], "times": 2}})
    # WHEN it is imported three times
    answers = [client.batch_import_findings(Findings=[target, finding("steady")]) for _ in range(3)]
    # THEN it fails the first two times (InternalException), then is imported
    assert [a["FailedCount"] for a in answers] == [1, 1, 0]
    assert answers[0]["FailedFindings"][0]["ErrorCode"] == "InternalException"
    assert answers[0]["FailedFindings"][0]["Id"] == target["Id"]
    assert len(client.get_findings()["Findings"]) == 2
    assert aws.get("faults")["failed_findings"] == {target["Id"]: 0}


def test_a_malformed_failed_findings_hook_is_refused(aws: Emulator) -> None:
    for doc in ({"ids": "x"}, {"ids": ["x"], "times": 0}, {"ids": ["x"], "extra": 1}):
        status, body = aws.admin("POST", "faults", {"failed_findings": doc})
        assert status == 400, body
        assert "failed_findings" in body["error"]
