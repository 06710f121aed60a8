"""Security Hub BatchImportFindings and GetFindings: refused and validated as AWS does.

Real AWS (botocore model ``securityhub/2018-10-26``; the API reference of
BatchImportFindings; the partner guide's "Guidelines for using the BatchImportFindings
API"; the user guide's ASFF syntax page):

- Both operations need Security Hub enabled in the caller's account and Region, else
  ``InvalidAccessException`` (HTTP 401): "Account ... is not subscribed to AWS Security
  Hub".
- ``Findings`` holds 1..100 findings (the model's list constraint), at most 240 KB each
  and 6 MB in all; otherwise the call is an ``InvalidInputException`` (400).
- With the default product ARN the finding's ``AwsAccountId`` must be the caller's
  account ("the identifier of the account that you are calling BatchImportFindings from
  needs to be the same as the AwsAccountId attribute"), its ``ProductArn`` the caller's
  ``product/{account}/default`` in the called Region; otherwise the whole call is
  ``AccessDeniedException`` (403) "... is not authorized to perform:
  securityhub:BatchImportFindings on resource: <ProductArn>" (what AWS support confirmed
  for another account's finding: prowler-cloud/prowler#867).
- A finding that breaks the format is not imported and comes back in
  ``FailedFindings`` with ``ErrorCode`` ``InvalidInput`` and "Finding does not adhere to
  Amazon Finding Format. data..." (aws-samples/aws-securityhub-config-integration#3):
  the required members, ``SchemaVersion`` 2018-10-08, blank strings, the length limits,
  the enums, RFC 3339 timestamps, and Severity plus Types or FindingProviderFields.
- The same ``ProductArn`` and ``Id`` updates the finding (never a second one); ``Note``,
  ``UserDefinedFields``, ``VerificationState`` and ``Workflow`` keep the values they have
  ("After a finding is created, BatchImportFindings cannot be used to update" them).
  Security Hub sets ``Region``, ``Workflow.Status`` NEW and ``ProcessedAt`` itself.

moto 5.2.5 (measured, ``tests/emulator/test_securityhub_import.py``): imports and lists
without EnableSecurityHub; checks only that ``Resources`` is not empty; takes any
account, product and count; on the same ``Id`` it merges the new finding into the old
one, overwriting ``Workflow`` too; adds nothing.

Patch: all of the above. Findings named by the ``failed_findings`` fault hook come back
in ``FailedFindings`` (``InternalException``) and are not stored. GetFindings' filters
are still moto's (ignored): tests read every finding of the account and Region.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

from moto.securityhub.models import Finding
from moto.securityhub.responses import SecurityHubResponse

from secrets_cmk_emulator.errors import AwsJsonError
from secrets_cmk_emulator.patches._install import install
from secrets_cmk_emulator.state import STATE

SCHEMA_VERSION = "2018-10-08"
MAX_FINDINGS = 100
MAX_FINDING_BYTES = 240 * 1024
MAX_CALL_BYTES = 6 * 1024 * 1024
REQUIRED = (
    "SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId",
    "CreatedAt", "UpdatedAt", "Title", "Description", "Resources",
)
# Maximum lengths of string members (the model's documentation).
MAX_LENGTHS = {"Id": 512, "GeneratorId": 512, "Title": 256, "Description": 1024, "ProductArn": 2048}
TIMESTAMPS = ("CreatedAt", "UpdatedAt", "FirstObservedAt", "LastObservedAt")
KEPT_ON_UPDATE = ("Note", "UserDefinedFields", "VerificationState", "Workflow")
SEVERITY_LABELS = ("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")
COMPLIANCE_STATUSES = ("PASSED", "WARNING", "FAILED", "NOT_AVAILABLE")
RECORD_STATES = ("ACTIVE", "ARCHIVED")
PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-us-iso", "aws-us-iso-b", "AzureCloud")
TYPE_NAMESPACES = (
    "Software and Configuration Checks", "TTPs", "Effects", "Unusual Behaviors",
    "Sensitive Data Identifications",
)
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")
_ACCOUNT = re.compile(r"^\d{12}$")


def _invalid_input(message: str) -> AwsJsonError:
    return AwsJsonError("InvalidInputException", message, 400)


def require_enabled(response: SecurityHubResponse) -> None:
    """InvalidAccessException unless Security Hub is enabled in this account and Region."""
    if not response.securityhub_backend.enabled:
        raise AwsJsonError(
            "InvalidAccessException",
            f"Account {response.current_account} is not subscribed to AWS Security Hub",
            401,
        )


def _blank(value: Any) -> bool:
    return not isinstance(value, str) or not value.strip()


def _length(problems: list[str], path: str, value: Any, high: int) -> None:
    if isinstance(value, str) and len(value) > high:
        problems.append(f"{path} should NOT be longer than {high} characters")


def _enum(problems: list[str], path: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        problems.append(f"{path} should be equal to one of the allowed values")


def _field_map(problems: list[str], path: str, value: Any, value_max: int) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or len(value) > 50:
        problems.append(f"{path} should be an object of at most 50 properties")
        return
    for key, item in value.items():
        _length(problems, f"{path} key", key, 128)
        if _blank(item):
            problems.append(f"{path}['{key}'] should match pattern \".*\\S.*\"")
        _length(problems, f"{path}['{key}']", item, value_max)


def _severity(problems: list[str], path: str, severity: Any) -> None:
    if severity is None:
        return
    if not isinstance(severity, dict):
        problems.append(f"{path} should be object")
        return
    _enum(problems, f"{path}.Label", severity.get("Label"), SEVERITY_LABELS)
    _length(problems, f"{path}.Original", severity.get("Original"), 64)


def _types(problems: list[str], path: str, types: Any) -> None:
    if types is None:
        return
    if not isinstance(types, list) or len(types) > 50:
        problems.append(f"{path} should be an array of at most 50 items")
        return
    for index, kind in enumerate(types):
        parts = kind.split("/") if isinstance(kind, str) else []
        if not 1 <= len(parts) <= 3 or parts[0] not in TYPE_NAMESPACES:
            problems.append(f"{path}[{index}] should be namespace/category/classifier")


def _resources(problems: list[str], resources: Any) -> None:
    if not isinstance(resources, list) or not 1 <= len(resources) <= 32:
        problems.append("data.Resources should have 1 to 32 items")
        return
    for index, resource in enumerate(resources):
        path = f"data.Resources[{index}]"
        if not isinstance(resource, dict):
            problems.append(f"{path} should be object")
            continue
        for member in ("Type", "Id"):
            if _blank(resource.get(member)):
                problems.append(f"{path} should have required property '{member}'")
        _length(problems, f"{path}.Type", resource.get("Type"), 256)
        _length(problems, f"{path}.Region", resource.get("Region"), 16)
        _enum(problems, f"{path}.Partition", resource.get("Partition"), PARTITIONS)


def violations(finding: Any) -> list[str]:
    """What in one finding breaks the format, in AWS's wording; empty when nothing does."""
    if not isinstance(finding, dict):
        return ["data should be object"]
    problems: list[str] = []
    for member in REQUIRED:
        if member not in finding:
            problems.append(f"data should have required property '{member}'")
        elif member != "Resources" and _blank(finding[member]):
            problems.append(f"data.{member} should match pattern \".*\\S.*\"")
    provider = finding.get("FindingProviderFields")
    if provider is None and ("Severity" not in finding or "Types" not in finding):
        problems.append(
            "data should have required property 'FindingProviderFields', "
            "data should match some schema in anyOf"
        )
    if finding.get("SchemaVersion") not in (None, SCHEMA_VERSION):
        problems.append(f"data.SchemaVersion should be equal to {SCHEMA_VERSION}")
    for member, high in MAX_LENGTHS.items():
        _length(problems, f"data.{member}", finding.get(member), high)
    account = finding.get("AwsAccountId")
    if isinstance(account, str) and not _ACCOUNT.match(account):
        problems.append("data.AwsAccountId should be 12 digits")
    for member in TIMESTAMPS:
        value = finding.get(member)
        if value is not None and not (isinstance(value, str) and _RFC3339.match(value)):
            problems.append(f"data.{member} should match format \"date-time\"")
    _severity(problems, "data.Severity", finding.get("Severity"))
    _types(problems, "data.Types", finding.get("Types"))
    if isinstance(provider, dict):
        _severity(problems, "data.FindingProviderFields.Severity", provider.get("Severity"))
        _types(problems, "data.FindingProviderFields.Types", provider.get("Types"))
    if "Resources" in finding:
        _resources(problems, finding["Resources"])
    compliance = finding.get("Compliance")
    if isinstance(compliance, dict):
        _enum(problems, "data.Compliance.Status", compliance.get("Status"), COMPLIANCE_STATUSES)
    _enum(problems, "data.RecordState", finding.get("RecordState"), RECORD_STATES)
    _field_map(problems, "data.ProductFields", finding.get("ProductFields"), 2048)
    _field_map(problems, "data.UserDefinedFields", finding.get("UserDefinedFields"), 1024)
    text = ((finding.get("Remediation") or {}).get("Recommendation") or {}).get("Text")
    _length(problems, "data.Remediation.Recommendation.Text", text, 512)
    if len(json.dumps(finding)) > MAX_FINDING_BYTES:
        problems.append(f"data should NOT be larger than {MAX_FINDING_BYTES} bytes")
    return problems


def authorize(findings: list[Any], account: str, region: str) -> None:
    """AccessDeniedException unless every finding is the caller's, for its default
    product in this Region."""
    own_product = f"arn:aws:securityhub:{region}:{account}:product/{account}/default"
    for finding in findings:
        if not isinstance(finding, dict):
            continue
        product = finding.get("ProductArn")
        if product != own_product or finding.get("AwsAccountId") != account:
            raise AwsJsonError(
                "AccessDeniedException",
                f"User: arn:aws:sts::{account}:assumed-role/emulated/caller is not authorized "
                f"to perform: securityhub:BatchImportFindings on resource: {product}",
                403,
            )


def _upsert(response: SecurityHubResponse, finding: dict[str, Any]) -> None:
    backend = response.securityhub_backend
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    stored = dict(finding, Region=response.region, ProcessedAt=now)
    for existing in backend.findings:
        if existing.id == finding["Id"] and existing.data.get("ProductArn") == finding["ProductArn"]:
            for member in KEPT_ON_UPDATE:
                stored.pop(member, None)
                if member in existing.data:
                    stored[member] = existing.data[member]
            existing.data = stored
            return
    stored.setdefault("RecordState", "ACTIVE")
    stored["Workflow"] = finding.get("Workflow") or {"Status": "NEW"}
    stored.setdefault("WorkflowState", "NEW")
    backend.findings.append(Finding(finding["Id"], stored))


def batch_import_findings(response: SecurityHubResponse) -> str:
    """The BatchImportFindings handler that replaces moto's."""
    require_enabled(response)
    raw = response.body or b"{}"
    if len(raw) > MAX_CALL_BYTES:
        raise _invalid_input(f"The request is larger than {MAX_CALL_BYTES} bytes")
    body = json.loads(raw)
    findings = body.get("Findings")
    if not isinstance(findings, list) or not 1 <= len(findings) <= MAX_FINDINGS:
        raise _invalid_input(f"Findings must hold 1 to {MAX_FINDINGS} findings")
    authorize(findings, response.current_account, response.region)
    failed: list[dict[str, str]] = []
    imported = 0
    for finding in findings:
        finding_id = finding.get("Id") if isinstance(finding, dict) else None
        finding_id = finding_id if isinstance(finding_id, str) else ""
        problems = violations(finding)
        if problems:
            message = "Finding does not adhere to Amazon Finding Format. " + ", ".join(problems)
            failed.append({"Id": finding_id, "ErrorCode": "InvalidInput", "ErrorMessage": message})
        elif STATE.faults.take_failed_finding(finding_id):
            failed.append(
                {
                    "Id": finding_id,
                    "ErrorCode": "InternalException",
                    "ErrorMessage": "Internal service failure (injected fault)",
                }
            )
        else:
            _upsert(response, finding)
            imported += 1
    return json.dumps({"FailedCount": len(failed), "SuccessCount": imported, "FailedFindings": failed})


def _get_findings(original: Any) -> Any:
    def get_findings(response: SecurityHubResponse) -> str:
        require_enabled(response)
        return original(response)

    return get_findings


def apply() -> None:
    install(SecurityHubResponse, "batch_import_findings", lambda _original: batch_import_findings)
    install(SecurityHubResponse, "get_findings", _get_findings)
