"""Account ListRegions, EnableRegion and DisableRegion: which Regions an account may use.

Real AWS (botocore ``account/2021-02-01``, operations ListRegions ``POST /listRegions``,
EnableRegion ``POST /enableRegion``, DisableRegion ``POST /disableRegion``; shapes
ListRegionsRequest {AccountId, MaxResults 1-50, NextToken, RegionOptStatusContains},
ListRegionsResponse {NextToken, Regions: [{RegionName, RegionOptStatus}]}, RegionOptStatus
ENABLED | ENABLING | DISABLING | DISABLED | ENABLED_BY_DEFAULT). The AWS Account Management
guide (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html):
"Regions launched before March 20, 2019 are enabled by default ... Default Regions cannot
be enabled or disabled"; later Regions are opt-in, disabled until enabled, per account.
Without ``AccountId`` a call is about the caller's own account; with it (a member
account) the caller must be the management or delegated administrator account.
``secrets-cmk audit --all-regions`` calls ListRegions with each audited account's own
credentials, filtered to ENABLED and ENABLED_BY_DEFAULT.

moto 5.2.5: the account service has only the alternate-contact operations; these three
are not routed (HTTP 404).

Patch: the Regions are botocore's Secrets Manager Regions of the ``aws`` partition; the
default ones ENABLED_BY_DEFAULT, every other DISABLED until EnableRegion makes it ENABLED
(at once: AWS passes through ENABLING for minutes) and DisableRegion DISABLED again. The
state is kept per account on moto's account backend, so moto's reset clears it. Pages
of ``MaxResults`` (default 20: assumed, AWS does not say) with an offset NextToken.
Enabling or disabling a default Region is a ValidationException (assumed: the guide says
it cannot be done, not which error says so).
"""

from __future__ import annotations

from typing import Any

import boto3
from moto.account import urls as account_urls
from moto.account.models import AccountBackend, account_backends
from moto.account.responses import AccountResponse
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult, EmptyResult

from secrets_cmk_emulator.patches._install import install

# Regions launched before 20 March 2019 (the Account Management guide's default Regions).
DEFAULT_REGIONS = frozenset(
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2",
        "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
        "ap-southeast-1", "ap-southeast-2", "ca-central-1",
        "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "sa-east-1",
    }
)
DEFAULT_PAGE = 20
_STATE = "_secrets_cmk_region_opt"


class ValidationException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__(error_type="ValidationException", message=message)


def all_regions() -> list[str]:
    """Every Region of the ``aws`` partition that has Secrets Manager, sorted."""
    return sorted(boto3.session.Session().get_available_regions("secretsmanager"))


def _opted_in(backend: AccountBackend) -> dict[str, str]:
    """The account's opt-in Regions that were enabled or disabled, by name."""
    state = getattr(backend, _STATE, None)
    if state is None:
        state = {}
        setattr(backend, _STATE, state)
    return state


def opt_status(backend: AccountBackend, region: str) -> str:
    if region in DEFAULT_REGIONS:
        return "ENABLED_BY_DEFAULT"
    return _opted_in(backend).get(region, "DISABLED")


def _backend(response: AccountResponse) -> AccountBackend:
    account = response._get_param("AccountId") or response.current_account  # noqa: SLF001 - moto's reader
    return account_backends[account][response.partition]


def _opt_in_region(response: AccountResponse) -> tuple[AccountBackend, str]:
    region = response._get_param("RegionName")  # noqa: SLF001
    if region not in all_regions():
        raise ValidationException(f"RegionName {region!r} is not a Region")
    if region in DEFAULT_REGIONS:
        raise ValidationException(f"{region} is a default Region: it cannot be enabled or disabled")
    return _backend(response), region


def list_regions(response: AccountResponse) -> ActionResult:
    backend = _backend(response)
    wanted = response._get_param("RegionOptStatusContains") or []  # noqa: SLF001
    size = response._get_param("MaxResults") or DEFAULT_PAGE  # noqa: SLF001
    token = response._get_param("NextToken")  # noqa: SLF001
    if not isinstance(size, int) or not 1 <= size <= 50:
        raise ValidationException("MaxResults must be between 1 and 50")
    try:
        start = int(token) if token else 0
    except ValueError as error:
        raise ValidationException(f"NextToken {token!r} is not valid") from error
    regions = [
        {"RegionName": name, "RegionOptStatus": status}
        for name in all_regions()
        if (status := opt_status(backend, name)) in wanted or not wanted
    ]
    page = regions[start : start + size]
    result: dict[str, Any] = {"Regions": page}
    if start + size < len(regions):
        result["NextToken"] = str(start + size)
    return ActionResult(result)


def enable_region(response: AccountResponse) -> EmptyResult:
    backend, region = _opt_in_region(response)
    _opted_in(backend)[region] = "ENABLED"
    return EmptyResult()


def disable_region(response: AccountResponse) -> EmptyResult:
    backend, region = _opt_in_region(response)
    _opted_in(backend)[region] = "DISABLED"
    return EmptyResult()


def apply() -> None:
    for path in ("listRegions", "enableRegion", "disableRegion"):
        account_urls.url_paths.setdefault("{0}/" + path + "$", AccountResponse.dispatch)
    install(AccountResponse, "list_regions", lambda _original: list_regions)
    install(AccountResponse, "enable_region", lambda _original: enable_region)
    install(AccountResponse, "disable_region", lambda _original: disable_region)
