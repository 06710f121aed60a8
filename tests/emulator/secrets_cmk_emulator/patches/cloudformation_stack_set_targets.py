"""DescribeStackSet's target OUs and Regions, and each instance's OU (moto reports neither).

Real AWS (botocore ``cloudformation/2010-05-15``, shape ``StackSet``):
``OrganizationalUnitIds`` ("[Service-managed permissions] The organization root ID or
organizational unit (OU) IDs that you specified for DeploymentTargets") and ``Regions``
("all Amazon Web Services Regions the given StackSet has stack instances deployed in");
shape ``StackInstanceSummary.OrganizationalUnitId`` ("[Service-managed permissions] The
organization root ID or organizational unit (OU) IDs that you specified for
DeploymentTargets"). ``secrets-cmk doctor --organization`` reads the target OUs to find
the accounts of those OUs that have no instance (check ``stackset-coverage``).

moto 5.2.5: DescribeStackSet has neither member, and a summary has no
``OrganizationalUnitId``, although CreateStackInstances with
``DeploymentTargets.OrganizationalUnitIds`` does deploy to the accounts of those OUs
(and of their child OUs).

Patch: CreateStackInstances remembers the OUs it was given on moto's own
``StackInstances`` object (so moto's reset forgets them with the StackSet);
DescribeStackSet answers them (in the order first given) and the sorted Regions of its
instances; ListStackInstances gives each summary the target OU (or root) whose subtree
holds its account. No admin endpoint: tests create OUs, accounts and instances through
the ordinary APIs.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.models import CloudFormationBackend, StackInstances, StackSet

from secrets_cmk_emulator.patches._install import install

_OUS = "_secrets_cmk_target_ous"


def _targets(instances: StackInstances) -> list[str]:
    return list(getattr(instances, _OUS, []))


def _make_create_instances(original: Any) -> Any:
    def create_instances(self: StackInstances, accounts: Any, regions: Any, parameters: Any,
                         deployment_targets: dict[str, Any], permission_model: str) -> Any:
        created = original(self, accounts, regions, parameters, deployment_targets, permission_model)
        known = _targets(self)
        for ou in deployment_targets.get("OrganizationalUnitIds", []) or []:
            if ou not in known:
                known.append(ou)
        setattr(self, _OUS, known)
        return created

    return create_instances


def _organizational_unit_ids(self: StackSet) -> list[str]:
    return _targets(self.instances)


def _regions(self: StackSet) -> list[str]:
    return sorted({i.region_name for i in self.instances.stack_instances})


def _ou_of(stack_set: StackSet, account: str) -> str | None:
    """The target OU (or root) whose subtree holds ``account``."""
    targets = _targets(stack_set.instances)
    if not targets:
        return None
    try:
        org = stack_set.instances.org_backend
        parents = {ou.id: ou.parent_id for ou in org.ou}
        parent = next(a.parent_id for a in org.accounts if a.id == account)
    except Exception:  # noqa: BLE001 - no organization or no such account: no OU to name
        return None
    seen = set()
    while parent and parent not in seen:
        if parent in targets:
            return parent
        seen.add(parent)
        parent = parents.get(parent)
    return None


def _make_list_stack_instances(original: Any) -> Any:
    def list_stack_instances(self: CloudFormationBackend, stackset_name: str) -> list[dict[str, Any]]:
        summaries = original(self, stackset_name)
        stack_set = self.describe_stack_set(stackset_name)
        for summary in summaries:
            ou = _ou_of(stack_set, summary["Account"])
            if ou is not None:
                summary["OrganizationalUnitId"] = ou
        return summaries

    return list_stack_instances


def apply() -> None:
    install(StackInstances, "create_instances", _make_create_instances)
    install(CloudFormationBackend, "list_stack_instances", _make_list_stack_instances)
    # moto's serializer reads a shape member from the attribute of the same snake_case name.
    if not isinstance(getattr(StackSet, "organizational_unit_ids", None), property):
        StackSet.organizational_unit_ids = property(_organizational_unit_ids)  # type: ignore[attr-defined]
        StackSet.regions = property(_regions)  # type: ignore[attr-defined]
