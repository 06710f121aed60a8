"""ListStackInstances: an instance's status as a test sets it (moto's are always fine).

Real AWS (botocore ``cloudformation/2010-05-15``, ListStackInstances, shape
``StackInstanceSummary``): per account and Region of the StackSet, ``Status``
(``CURRENT``, ``OUTDATED``, ``INOPERABLE``), ``StatusReason``, and
``StackInstanceStatus.DetailedStatus`` (``PENDING``, ``RUNNING``, ``SUCCEEDED``,
``FAILED``, ``CANCELLED``, ``INOPERABLE``, ``SKIPPED_SUSPENDED_ACCOUNT``,
``FAILED_IMPORT``); paged (``MaxResults`` 1..100); an unknown StackSet is
``StackSetNotFoundException``. ``secrets-cmk doctor --organization`` reads it to say
which member accounts and Regions the StackSet did not reach.

moto 5.2.5: every instance is ``CURRENT`` / ``SUCCEEDED`` with no reason, whatever
happened (it never fails a deployment), and pagination is not implemented.

Patch: ``POST /_secrets_cmk/cloudformation/stack-instance-status``
``{"stackSetName", "account", "region", "status", "detailedStatus", "statusReason"?}``
sets what that instance reports (the enums above are enforced); reset clears it.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.cloudformation.models import StackInstance
from werkzeug.wrappers import Request, Response

from secrets_cmk_emulator import admin
from secrets_cmk_emulator.patches._install import install

STATUSES = ("CURRENT", "OUTDATED", "INOPERABLE")
DETAILED = ("PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED", "INOPERABLE", "SKIPPED_SUSPENDED_ACCOUNT", "FAILED_IMPORT")

_lock = threading.Lock()
_overrides: dict[tuple[str, str, str], dict[str, Any]] = {}


def reset_state() -> None:
    """Forget every status a test set."""
    with _lock:
        _overrides.clear()


def _make_to_dict(original: Any) -> Any:
    def to_dict(self: StackInstance) -> dict[str, Any]:
        summary = original(self)
        with _lock:
            override = _overrides.get((self.name, self.account_id, self.region_name))
        if override is not None:
            summary["Status"] = override["status"]
            summary["StackInstanceStatus"] = {"DetailedStatus": override["detailedStatus"]}
            if override.get("statusReason"):
                summary["StatusReason"] = override["statusReason"]
        return summary

    return to_dict


def _choice(doc: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = doc.get(name)
    if value not in allowed:
        raise admin.AdminError(f"{name} must be one of {', '.join(allowed)}")
    return value


def stack_instance_status(request: Request) -> Response:
    """Admin: set what one stack instance reports."""
    doc = admin._body(request)  # noqa: SLF001 - the admin app's own body parser
    key = tuple(doc.get(k) for k in ("stackSetName", "account", "region"))
    if not all(isinstance(part, str) and part for part in key):
        raise admin.AdminError("stackSetName, account and region are required (non-empty strings)")
    override = {
        "status": _choice(doc, "status", STATUSES),
        "detailedStatus": _choice(doc, "detailedStatus", DETAILED),
        "statusReason": doc.get("statusReason"),
    }
    with _lock:
        _overrides[key] = override  # type: ignore[index]
    return admin._json({"stackSetName": key[0], "account": key[1], "region": key[2], **override})  # noqa: SLF001


def apply() -> None:
    install(StackInstance, "to_dict", _make_to_dict)
    admin._ROUTES.setdefault(("POST", "cloudformation/stack-instance-status"), stack_instance_status)  # noqa: SLF001
