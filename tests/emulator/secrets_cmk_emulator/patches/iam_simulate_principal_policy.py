"""SimulatePrincipalPolicy: the IAM policy simulator, for a user's or a role's policies.

Real AWS (botocore ``iam/2010-05-08``, operation SimulatePrincipalPolicy; the IAM API
reference page of the same name): evaluates the identity policies of
``PolicySourceArn`` (a user with its groups' policies, a group, or a role), and its
permissions boundary, for each of ``ActionNames`` on each of ``ResourceArns`` (default
``*``), with the condition keys given in ``ContextEntries``. Each result has
``EvalActionName``, ``EvalResourceName``, ``EvalDecision`` (``allowed``,
``explicitDeny``, ``implicitDeny``), ``MatchedStatements`` and
``MissingContextValues``; the answer is paged (``IsTruncated``, ``Marker``). An unknown
principal is ``NoSuchEntity``. The simulator performs no call. ``secrets-cmk doctor``
uses it to say which calls the CLI, the rule and the runbooks need are denied.

moto 5.2.5: not implemented (NotImplementedError: HTTP 500 with an HTML body).

Patch: evaluates inline and attached managed policies of the user (and its groups) or
role, and the permissions boundary, with IAM's order (an explicit Deny wins; else an
Allow is needed in the identity policies and, if there is one, in the boundary).
Statements match on ``Action``/``NotAction`` and ``Resource``/``NotResource`` with
``*`` and ``?`` wildcards (actions case-insensitively). Conditions: ``StringEquals``,
``StringLike``, ``StringNotEquals``, ``StringNotLike`` and ``Bool`` are evaluated
against ``ContextEntries``; a key not given makes the statement not apply and is listed
in ``MissingContextValues``; any other operator makes the statement not apply. SCPs and
resource policies are not modelled (an emulator account has neither). One page, never
truncated.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

from moto.core.responses import ActionResult
from moto.iam.exceptions import NotFoundException as IAMNotFoundException
from moto.iam.models import iam_backends
from moto.iam.responses import IamResponse

from secrets_cmk_emulator.patches._install import install

_STRING_OPERATORS = {"StringEquals", "StringLike", "StringNotEquals", "StringNotLike", "Bool"}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _matches(pattern: str, value: str, ignore_case: bool) -> bool:
    if ignore_case:
        pattern, value = pattern.lower(), value.lower()
    # IAM wildcards are only * and ?; escape fnmatch's character classes.
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


def _condition_applies(condition: dict[str, Any], context: dict[str, list[str]], missing: set[str]) -> bool:
    for operator, tests in condition.items():
        if operator not in _STRING_OPERATORS:
            return False
        for key, wanted in tests.items():
            given = context.get(key.lower())
            if given is None:
                missing.add(key)
                return False
            wanted = [str(w) for w in _as_list(wanted)]
            if operator in ("StringEquals", "Bool"):
                ok = any(g == w for g in given for w in wanted)
            elif operator == "StringLike":
                ok = any(_matches(w, g, False) for g in given for w in wanted)
            elif operator == "StringNotEquals":
                ok = not any(g == w for g in given for w in wanted)
            else:
                ok = not any(_matches(w, g, False) for g in given for w in wanted)
            if not ok:
                return False
    return True


def _statement_applies(statement: dict[str, Any], action: str, resource: str, context: dict[str, list[str]], missing: set[str]) -> bool:
    if "Action" in statement:
        if not any(_matches(a, action, True) for a in _as_list(statement["Action"])):
            return False
    elif any(_matches(a, action, True) for a in _as_list(statement.get("NotAction"))):
        return False
    if "Resource" in statement:
        if not any(_matches(r, resource, False) for r in _as_list(statement["Resource"])):
            return False
    elif "NotResource" in statement and any(_matches(r, resource, False) for r in _as_list(statement["NotResource"])):
        return False
    return _condition_applies(statement.get("Condition") or {}, context, missing)


def _decide(documents: list[str], action: str, resource: str, context: dict[str, list[str]], missing: set[str]) -> str:
    """``allowed``, ``explicitDeny`` or ``implicitDeny`` for one set of policies."""
    allowed = False
    for document in documents:
        for statement in _as_list(json.loads(document).get("Statement")):
            if _statement_applies(statement, action, resource, context, missing):
                if statement.get("Effect") == "Deny":
                    return "explicitDeny"
                allowed = True
    return "allowed" if allowed else "implicitDeny"


def _default_document(policy: Any) -> str:
    return next(v.document for v in policy.versions if v.is_default)


def _policies_of(account: str, arn: str) -> tuple[list[str], list[str] | None]:
    """(identity policy documents, boundary documents or None) of a user, group or role."""
    iam = iam_backends[account]["aws"]
    kind_and_name = arn.split(":", 5)[-1]
    kind = kind_and_name.split("/", 1)[0]
    owners: list[Any]
    if kind == "user":
        user = next((u for u in iam.users.values() if u.arn == arn), None)
        if user is None:
            raise IAMNotFoundException(f"The user with ARN {arn} cannot be found.")
        owners = [user, *iam.get_groups_for_user(user.name)]
        boundary = getattr(user, "permissions_boundary_arn", None)
    elif kind == "role":
        try:
            role = iam.get_role_by_arn(arn)
        except IAMNotFoundException as error:
            raise IAMNotFoundException(f"The role with ARN {arn} cannot be found.") from error
        owners = [role]
        boundary = role.permissions_boundary_arn
    else:
        raise IAMNotFoundException(f"PolicySourceArn {arn} is not a user or a role.")
    documents: list[str] = []
    for owner in owners:
        documents += [d if isinstance(d, str) else json.dumps(d) for d in owner.policies.values()]
        documents += [_default_document(p) for p in owner.managed_policies.values()]
    boundaries = [_default_document(iam.get_policy(boundary))] if boundary else None
    return documents, boundaries


def _context(entries: list[dict[str, Any]]) -> dict[str, list[str]]:
    return {e["ContextKeyName"].lower(): [str(v) for v in _as_list(e.get("ContextKeyValues"))] for e in entries}


def simulate_principal_policy(response: IamResponse) -> ActionResult:
    """The handler moto lacks."""
    source = response._get_param("PolicySourceArn")  # noqa: SLF001 - moto's own parameter reader
    actions = response._get_param("ActionNames", [])  # noqa: SLF001
    resources = response._get_param("ResourceArns", []) or ["*"]  # noqa: SLF001
    context = _context(response._get_param("ContextEntries", []))  # noqa: SLF001
    documents, boundaries = _policies_of(response.current_account, source)
    results = []
    for action in actions:
        for resource in resources:
            missing: set[str] = set()
            decision = _decide(documents, action, resource, context, missing)
            if decision == "allowed" and boundaries is not None:
                decision = _decide(boundaries, action, resource, context, missing)
            results.append(
                {
                    "EvalActionName": action,
                    "EvalResourceName": resource,
                    "EvalDecision": decision,
                    "MatchedStatements": [],
                    "MissingContextValues": sorted(missing),
                }
            )
    return ActionResult({"EvaluationResults": results, "IsTruncated": False})


def apply() -> None:
    install(IamResponse, "simulate_principal_policy", lambda _original: simulate_principal_policy)
