"""The admin API: reset (both ways) and its error answers."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.request import Request, urlopen

from harness import Emulator


def _seed_state(aws: Emulator) -> None:
    aws.client("secretsmanager").create_secret(Name="s", SecretString="x")
    aws.client("config").put_evaluations(
        Evaluations=[{"ComplianceResourceType": "T", "ComplianceResourceId": "r", "ComplianceType": "COMPLIANT",
                      "OrderingTimestamp": datetime(2026, 1, 1, tzinfo=timezone.utc)}],
        ResultToken="t",
    )
    aws.post("faults", {"rules": [{"service": "kms", "kind": "throttle"}]})


def _assert_empty(aws: Emulator) -> None:
    assert aws.client("secretsmanager").list_secrets()["SecretList"] == []
    assert aws.client("config").get_compliance_details_by_config_rule(ConfigRuleName="r")["EvaluationResults"] == []
    assert aws.get("evaluations")["calls"] == []
    assert aws.get("faults")["rules"] == []


def test_admin_reset_clears_aws_and_emulator_state(aws: Emulator) -> None:
    # GIVEN secrets, evaluations, faults and logged requests
    _seed_state(aws)
    # WHEN reset through the admin API
    aws.post("reset")
    # THEN all of it is gone (the checks below log only their own calls)
    _assert_empty(aws)


def test_moto_reset_clears_emulator_state_too(aws: Emulator) -> None:
    # GIVEN the same state
    _seed_state(aws)
    # WHEN reset through moto's own endpoint
    with urlopen(Request(f"{aws.url}/moto-api/reset", data=b"", method="POST"), timeout=5) as response:
        assert response.status == 200
    # THEN everything is gone as well
    _assert_empty(aws)


def test_unknown_endpoint_and_bad_input_are_client_errors(aws: Emulator) -> None:
    # GIVEN a running emulator / WHEN asked for unknown paths, wrong methods or bad bodies
    # THEN 404 for what does not exist and 400 for bad input
    assert aws.admin("GET", "nope")[0] == 404
    assert aws.admin("GET", "reset")[0] == 404
    assert aws.admin("POST", "config/not-recorded", {})[0] == 400
    assert aws.admin("POST", "config/result-tokens", {"configRuleName": 3})[0] == 400
