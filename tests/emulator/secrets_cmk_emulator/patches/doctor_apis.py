"""The APIs ``secrets-cmk doctor`` reads that moto lacks or answers differently from AWS.

One registration for five patches, each a module of its own with its own docstring
(what AWS does, what moto does, what the patch changes) and test file:

- ``config_discovered_secrets``: ListDiscoveredResources for AWS::SecretsManager::Secret
  (tests/emulator/test_config_discovered_secrets.py);
- ``config_rule_evaluation_status``: DescribeConfigRuleEvaluationStatus, and the admin
  endpoints that seed a rule's function and record a failed invocation
  (tests/emulator/test_config_rule_evaluation_status.py);
- ``iam_simulate_principal_policy``: SimulatePrincipalPolicy
  (tests/emulator/test_iam_simulate_principal_policy.py);
- ``cloudformation_stack_instance_status``: ListStackInstances statuses a test sets
  (tests/emulator/test_cloudformation_stack_instance_status.py);
- ``config_org_pack_member_status``: the organization conformance pack's status per
  member account (tests/emulator/test_config_org_pack_member_status.py).

The emulator's reset also clears the state these patches keep (one wrapper of
``EmulatorState.reset``, installed here).
"""

from __future__ import annotations

from typing import Any

from secrets_cmk_emulator.patches import (
    cloudformation_stack_instance_status,
    config_discovered_secrets,
    config_org_pack_member_status,
    config_rule_evaluation_status,
    iam_simulate_principal_policy,
)
from secrets_cmk_emulator.patches._install import install
from secrets_cmk_emulator.state import EmulatorState

PATCHES = (
    config_discovered_secrets,
    config_rule_evaluation_status,
    iam_simulate_principal_policy,
    cloudformation_stack_instance_status,
    config_org_pack_member_status,
)


def _make_reset(original: Any) -> Any:
    def reset(self: EmulatorState) -> None:
        original(self)
        config_rule_evaluation_status.reset_state()
        cloudformation_stack_instance_status.reset_state()
        config_org_pack_member_status.reset_state()

    return reset


def apply() -> None:
    """Install the five (each is idempotent) and the reset of their state."""
    for patch in PATCHES:
        patch.apply()
    install(EmulatorState, "reset", _make_reset)
