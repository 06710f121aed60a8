"""GetOrganizationConformancePackDetailedStatus: one status per member account.

Real AWS (botocore ``config/2014-11-12``, GetOrganizationConformancePackDetailedStatus,
shape ``OrganizationConformancePackDetailedStatus``: AccountId, ConformancePackName,
Status, ErrorCode, ErrorMessage, LastUpdateTime; ``Status`` one of
``OrganizationResourceDetailedStatus``: CREATE_SUCCESSFUL, CREATE_IN_PROGRESS,
CREATE_FAILED, DELETE_*, UPDATE_*): the pack's deployment in each member account of
the organization, ``Limit`` 0..100 a page with ``NextToken``; an unknown pack is
``NoSuchOrganizationConformancePackException``. ``secrets-cmk doctor --organization``
reads it to say in which member accounts the pack (and so the rule) is missing.

moto 5.2.5: answers a single entry, for the calling account, whatever the organization
holds; never a failure.

Patch: one entry per account of the caller's organization (moto's Organizations
backend; just the caller without an organization), sorted by account, each
``CREATE_SUCCESSFUL`` unless a test set another status with
``POST /_secrets_cmk/config/org-pack-member-status``
``{"packName", "account", "status", "errorCode"?, "errorMessage"?}``; reset clears it.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from typing import Any

from moto.config.responses import ConfigResponse
from werkzeug.wrappers import Request, Response

from secrets_cmk_emulator import admin
from secrets_cmk_emulator.errors import AwsJsonError, range_violations, validation_exception
from secrets_cmk_emulator.patches._install import install

STATUSES = (
    "CREATE_SUCCESSFUL", "CREATE_IN_PROGRESS", "CREATE_FAILED", "DELETE_SUCCESSFUL", "DELETE_FAILED",
    "DELETE_IN_PROGRESS", "UPDATE_SUCCESSFUL", "UPDATE_IN_PROGRESS", "UPDATE_FAILED",
)
DEFAULT_LIMIT = 100

_lock = threading.Lock()
_statuses: dict[tuple[str, str], dict[str, str]] = {}


def reset_state() -> None:
    """Forget every status a test set."""
    with _lock:
        _statuses.clear()


def _accounts(account: str) -> list[str]:
    from moto.organizations.models import organizations_backends

    try:
        accounts = [a.id for a in organizations_backends[account]["aws"].accounts]
    except Exception:  # noqa: BLE001 - no organization: the caller alone
        accounts = []
    return sorted(set(accounts) | {account})


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(token.encode()))["offset"])
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise AwsJsonError("InvalidNextTokenException", "The nextToken provided is invalid") from error


def _make_handler(original: Any) -> Any:
    def detailed_status(self: ConfigResponse) -> str:
        # moto's own answer raises NoSuchOrganizationConformancePackException for us.
        json.loads(original(self))
        body = json.loads(self.body or "{}")
        name = body["OrganizationConformancePackName"]
        limit = body.get("Limit", 0)
        violations = range_violations(limit, "limit", 0, 100)
        if violations:
            raise validation_exception(violations)
        entries = []
        for account in _accounts(self.current_account):
            with _lock:
                set_status = _statuses.get((name, account), {})
            entry = {
                "AccountId": account,
                "ConformancePackName": f"OrgConformsPack-{name}",
                "Status": set_status.get("status", "CREATE_SUCCESSFUL"),
                "LastUpdateTime": time.time(),
            }
            for field, key in (("ErrorCode", "errorCode"), ("ErrorMessage", "errorMessage")):
                if set_status.get(key):
                    entry[field] = set_status[key]
            entries.append(entry)
        start, size = _offset(body.get("NextToken")), limit or DEFAULT_LIMIT
        answer: dict[str, Any] = {"OrganizationConformancePackDetailedStatuses": entries[start : start + size]}
        if start + size < len(entries):
            answer["NextToken"] = base64.urlsafe_b64encode(json.dumps({"offset": start + size}).encode()).decode()
        return json.dumps(answer)

    return detailed_status


def member_status(request: Request) -> Response:
    """Admin: set the pack's status in one member account."""
    doc = admin._body(request)  # noqa: SLF001 - the admin app's own body parser
    name, account, status = doc.get("packName"), doc.get("account"), doc.get("status")
    if not (isinstance(name, str) and name and isinstance(account, str) and account):
        raise admin.AdminError("packName and account are required (non-empty strings)")
    if status not in STATUSES:
        raise admin.AdminError(f"status must be one of {', '.join(STATUSES)}")
    entry = {"status": status, "errorCode": doc.get("errorCode") or "", "errorMessage": doc.get("errorMessage") or ""}
    with _lock:
        _statuses[(name, account)] = entry
    return admin._json({"packName": name, "account": account, **entry})  # noqa: SLF001


def apply() -> None:
    install(ConfigResponse, "get_organization_conformance_pack_detailed_status", _make_handler)
    admin._ROUTES.setdefault(("POST", "config/org-pack-member-status"), member_status)  # noqa: SLF001
