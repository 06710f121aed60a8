"""DescribeConfigRuleEvaluationStatus: each rule's last invocation, evaluation and error.

Real AWS (botocore ``config/2014-11-12``, operation DescribeConfigRuleEvaluationStatus,
shape ``ConfigRuleEvaluationStatus``): for the named rules (all rules when none is
named; at most 25 names, ``Limit`` 0..50) answers ``ConfigRulesEvaluationStatus``, one
entry per rule with ``ConfigRuleName``, ``ConfigRuleArn``, ``ConfigRuleId``,
``LastSuccessfulInvocationTime``, ``LastFailedInvocationTime``,
``LastSuccessfulEvaluationTime``, ``LastFailedEvaluationTime``, ``FirstActivatedTime``,
``LastErrorCode``, ``LastErrorMessage`` and ``FirstEvaluationStarted``; an unknown name
is ``NoSuchConfigRuleException``. ``secrets-cmk doctor`` reads it for the rule's last
evaluation and last error.

moto 5.2.5: not implemented (NotImplementedError: HTTP 500 with an HTML body). Its
PutConfigRule also requires the custom rule's Lambda function to exist (as AWS requires
an invokable one), and creating a function requires an IAM role: tests seed both with
the admin endpoint below.

Patch: the emulator never invokes a rule's function, so the status is built from what
it does see. An invocation succeeded when the function put evaluations with a result
token minted for the rule (``POST /_secrets_cmk/config/result-tokens``), non-TestMode:
its time is LastSuccessfulInvocationTime and LastSuccessfulEvaluationTime. A failed
invocation is recorded by a test (``POST /_secrets_cmk/config/rule-invocation-failure``
``{"configRuleName", "errorCode", "errorMessage", "account"?, "region"?}``): it sets
LastFailedInvocationTime, LastErrorCode and LastErrorMessage. FirstActivatedTime is the
time the patch first saw the rule. ``POST /_secrets_cmk/lambda/stub-function``
``{"functionName", "account"?, "region"?}`` creates a function (and the role it runs as)
that PutConfigRule accepts, answering ``{"functionArn"}``.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import time
import zipfile
from dataclasses import dataclass
from typing import Any

from moto.config.models import config_backends
from moto.config.responses import ConfigResponse
from werkzeug.wrappers import Request, Response

from secrets_cmk_emulator import DEFAULT_ACCOUNT_ID, admin
from secrets_cmk_emulator.errors import AwsJsonError, length_violations, range_violations, validation_exception
from secrets_cmk_emulator.patches._install import install
from secrets_cmk_emulator.state import STATE

MAX_NAMES = 25


@dataclass(frozen=True)
class InvocationFailure:
    """A failed invocation a test recorded."""

    at: float
    code: str
    message: str


class RuleStatusState:
    """Recorded failures and first-seen times, per (account, region, rule)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: dict[tuple[str, str, str], InvocationFailure] = {}
        self._first_seen: dict[tuple[str, str, str], float] = {}

    def record_failure(self, key: tuple[str, str, str], failure: InvocationFailure) -> None:
        with self._lock:
            self._failures[key] = failure

    def failure(self, key: tuple[str, str, str]) -> InvocationFailure | None:
        with self._lock:
            return self._failures.get(key)

    def first_seen(self, key: tuple[str, str, str]) -> float:
        with self._lock:
            return self._first_seen.setdefault(key, time.time())

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()
            self._first_seen.clear()


RULE_STATUS = RuleStatusState()


def _last_success(account: str, region: str, rule_name: str) -> float | None:
    times = [
        call["recorded_time"]
        for call in STATE.config.calls()
        if call["account"] == account
        and call["region"] == region
        and call["config_rule_name"] == rule_name
        and not call["test_mode"]
    ]
    return max(times) if times else None


def _status(account: str, region: str, rule: Any) -> dict[str, Any]:
    name = rule.config_rule_name
    key = (account, region, name)
    entry: dict[str, Any] = {
        "ConfigRuleName": name,
        "ConfigRuleArn": rule.config_rule_arn,
        "ConfigRuleId": rule.config_rule_id,
        "FirstActivatedTime": RULE_STATUS.first_seen(key),
    }
    success = _last_success(account, region, name)
    failure = RULE_STATUS.failure(key)
    if success is not None:
        entry["LastSuccessfulInvocationTime"] = success
        entry["LastSuccessfulEvaluationTime"] = success
    if failure is not None:
        entry["LastFailedInvocationTime"] = failure.at
        entry["LastErrorCode"] = failure.code
        entry["LastErrorMessage"] = failure.message
    entry["FirstEvaluationStarted"] = success is not None or failure is not None
    return entry


def describe_config_rule_evaluation_status(response: ConfigResponse) -> str:
    """The handler moto lacks."""
    body = json.loads(response.body or "{}")
    names = body.get("ConfigRuleNames") or []
    limit = body.get("Limit", 0)
    violations = length_violations(names, "configRuleNames", 0, MAX_NAMES) + range_violations(limit, "limit", 0, 50)
    if violations:
        raise validation_exception(violations)
    account, region = response.current_account, response.region
    rules = config_backends[account][region].config_rules
    for name in names:
        if name not in rules:
            raise AwsJsonError(
                "NoSuchConfigRuleException",
                f"The ConfigRule '{name}' provided in the request is invalid. Please check the configRule name.",
            )
    chosen = names or sorted(rules)
    return json.dumps({"ConfigRulesEvaluationStatus": [_status(account, region, rules[n]) for n in chosen]})


def _required(doc: dict[str, Any], name: str) -> str:
    value = doc.get(name)
    if not isinstance(value, str) or not value:
        raise admin.AdminError(f"{name} is required (a non-empty string)")
    return value


def rule_invocation_failure(request: Request) -> Response:
    """Admin: record that Config's last invocation of a rule failed."""
    doc = admin._body(request)  # noqa: SLF001 - the admin app's own body parser
    name = _required(doc, "configRuleName")
    key = (doc.get("account") or DEFAULT_ACCOUNT_ID, doc.get("region") or "us-east-1", name)
    failure = InvocationFailure(time.time(), _required(doc, "errorCode"), doc.get("errorMessage") or "")
    RULE_STATUS.record_failure(key, failure)
    return admin._json({"configRuleName": name, "lastFailedInvocationTime": failure.at})  # noqa: SLF001


def _stub_zip() -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bootstrap", "#!/bin/sh\n# never run: the emulator does not invoke rule functions\n")
    return base64.b64encode(buffer.getvalue()).decode()


def stub_function(request: Request) -> Response:
    """Admin: a Lambda function (and its role) that PutConfigRule accepts; never invoked."""
    from moto.awslambda.models import lambda_backends
    from moto.iam.models import iam_backends

    doc = admin._body(request)  # noqa: SLF001
    name = _required(doc, "functionName")
    account = doc.get("account") or DEFAULT_ACCOUNT_ID
    region = doc.get("region") or "us-east-1"
    iam = iam_backends[account]["aws"]
    role_name = f"{name}-stub-role"
    trust = json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    })
    try:
        role = iam.get_role(role_name)
    except Exception:  # noqa: BLE001 - moto's IAMNotFoundException: create it
        role = iam.create_role(role_name, trust, "/", None, "stub role", [], None)
    function = lambda_backends[account][region].create_function(
        {
            "FunctionName": name,
            "Runtime": "provided.al2023",
            "Role": role.arn,
            "Handler": "bootstrap",
            "Code": {"ZipFile": _stub_zip()},
        }
    )
    return admin._json({"functionArn": function.function_arn})  # noqa: SLF001


def reset_state() -> None:
    """Forget recorded failures and first-seen times."""
    RULE_STATUS.reset()


def apply() -> None:
    install(ConfigResponse, "describe_config_rule_evaluation_status", lambda _original: describe_config_rule_evaluation_status)
    # The admin app's route table is a plain dict: these test-only endpoints join it.
    admin._ROUTES.setdefault(("POST", "config/rule-invocation-failure"), rule_invocation_failure)  # noqa: SLF001
    admin._ROUTES.setdefault(("POST", "lambda/stub-function"), stub_function)  # noqa: SLF001
