//! The contract's promise checked on every invocation a [`crate::Stage`] makes: each AWS
//! call the rule made is one its role's policy allows (`contract/contract.json`, which
//! the CDK builds the policies from). A call no role allows would fail with AccessDenied
//! in AWS although it passes against the emulator, which authorises nothing.

use crate::emulator::RecordedRequest;
use crate::lambda::LambdaOptions;
use crate::paths::workspace_root;
use crate::{Error, Result};
use secrets_cmk_aws::calls::{CONTRACT_PATH, action_of, contract_role_actions, op};
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

/// The setting the CDK gives only the central function of an organization.
const EXECUTION_ROLE_VAR: &str = "SECRETS_CMK_EXECUTION_ROLE_NAME";

/// The contract role whose credentials made `request`: the function's own (the central
/// function's when it assumes member roles, else the single-account function's), or, in
/// any other account, the member execution role it assumed.
fn role_of(request: &RecordedRequest, lambda: &LambdaOptions) -> &'static str {
    if request.account != lambda.account_id {
        "memberExecution"
    } else if lambda
        .env
        .iter()
        .any(|(name, _)| name == EXECUTION_ROLE_VAR)
    {
        "centralFunction"
    } else {
        "ruleFunction"
    }
}

/// Fails naming every request of `served` (the emulator's log of one invocation) whose
/// action the contract does not grant to the role that made it, or that is not one of
/// the rule's operations at all. Faulted and refused requests count: attempting a call
/// needs the permission.
pub(crate) fn check_rule_calls(served: &[RecordedRequest], lambda: &LambdaOptions) -> Result<()> {
    let path = workspace_root().join(CONTRACT_PATH);
    let contract = std::fs::read_to_string(&path)
        .map_err(|e| Error::Invalid(format!("reading {}: {e}", path.display())))?;
    // Each role's actions, parsed from the contract once per invocation, not per request.
    let mut allowed_by_role: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut refused = Vec::new();
    for request in served {
        let role = role_of(request, lambda);
        let action = action_of(&request.service, &request.operation);
        let allowed = match allowed_by_role.entry(role) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => {
                slot.insert(contract_role_actions(&contract, role).map_err(Error::Invalid)?)
            }
        };
        if !allowed.contains(&action) || !op::RULE_OPERATIONS.contains(&action.as_str()) {
            refused.push(format!(
                "#{} {action} in {} as {role}",
                request.seq, request.account
            ));
        }
    }
    if refused.is_empty() {
        return Ok(());
    }
    Err(Error::Invalid(format!(
        "the rule called what {CONTRACT_PATH} does not allow its role: {}",
        refused.join("; ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(seq: u64, service: &str, operation: &str, account: &str) -> RecordedRequest {
        serde_json::from_value(serde_json::json!({
            "seq": seq, "service": service, "operation": operation, "account": account
        }))
        .unwrap()
    }

    fn lambda(central: bool) -> LambdaOptions {
        let mut options = LambdaOptions::for_endpoint("secrets-cmk-rule", "http://127.0.0.1:9");
        options.account_id = "123456789012".into();
        if central {
            options
                .env
                .push((EXECUTION_ROLE_VAR.into(), "SecretsCmkExecution".into()));
        }
        options
    }

    #[test]
    fn the_rule_s_own_calls_pass_and_anything_else_is_named() {
        // GIVEN what a sweep calls, in the function's account
        let own = [
            request(1, "secretsmanager", "ListSecrets", "123456789012"),
            request(2, "kms", "DescribeKey", "123456789012"),
            request(3, "config", "PutEvaluations", "123456789012"),
        ];
        // WHEN checked / THEN allowed
        check_rule_calls(&own, &lambda(false)).unwrap();
        // AND a call outside the rule's operations, or one only the CLI makes, is named with its role
        let bad = [
            request(4, "secretsmanager", "DeleteSecret", "123456789012"),
            request(5, "secretsmanager", "UpdateSecret", "555566667777"),
        ];
        let err = check_rule_calls(&bad, &lambda(true))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("#4 secretsmanager:DeleteSecret in 123456789012 as centralFunction"),
            "{err}"
        );
        assert!(
            err.contains("#5 secretsmanager:UpdateSecret in 555566667777 as memberExecution"),
            "{err}"
        );
    }

    #[test]
    fn assume_role_is_the_central_function_s_only() {
        let assume = [request(1, "sts", "AssumeRole", "123456789012")];
        check_rule_calls(&assume, &lambda(true)).unwrap();
        assert!(check_rule_calls(&assume, &lambda(false)).is_err());
    }
}
