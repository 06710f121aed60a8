"""The patch layer: one module per gap between moto 5.2.5 and real AWS.

Every module's docstring says what real AWS does, what moto does (measured), and
what the patch changes; ``tests/emulator/test_*.py`` has a test per patch. Patches
replace methods on moto's classes (never instances), so they survive moto's reset.
"""

from __future__ import annotations

from secrets_cmk_emulator.patches import (
    account_list_regions,
    cloudformation_stack_set_targets,
    config_aggregate_compliance,
    config_compliance_details,
    config_cross_account_function,
    config_put_evaluations,
    config_resource_history,
    doctor_apis,
    kms_aws_managed_keys,
    kms_dry_run,
    kms_foreign_arns,
    kms_multi_region_ids,
    secretsmanager_list_lag,
    secretsmanager_primary_region,
    secretsmanager_replicas,
    securityhub_import,
)

ALL = (
    account_list_regions,
    kms_aws_managed_keys,
    kms_foreign_arns,
    kms_dry_run,
    kms_multi_region_ids,
    secretsmanager_replicas,
    secretsmanager_primary_region,
    secretsmanager_list_lag,
    config_put_evaluations,
    config_resource_history,
    config_compliance_details,
    config_aggregate_compliance,
    doctor_apis,
    cloudformation_stack_set_targets,
    config_cross_account_function,
    securityhub_import,
)


def apply_all() -> None:
    """Install every patch (idempotent)."""
    for patch in ALL:
        patch.apply()
