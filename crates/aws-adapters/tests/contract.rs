//! The contract with the CDK app (`contract/contract.json`, which the CDK builds every
//! policy's actions from): every operation the code calls is an action its identity's
//! contract entry calls, and nothing in those entries is called by no code.
//!
//! The contract marks the grants our code never calls itself (`onBehalf`: what Secrets
//! Manager uses as the caller while UpdateSecret re-encrypts, the Lambda service writing
//! the function's logs); every other grant is a call of ours.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use secrets_cmk_aws::calls::{CONTRACT_PATH, action_of, contract_role_actions, op};
use serde_json::Value;
use std::collections::BTreeSet;

const CONTRACT: &str = include_str!("../../../contract/contract.json");
const CALLS: &str = include_str!("../src/calls.rs");

fn role<'a>(contract: &'a Value, name: &str) -> &'a serde_json::Map<String, Value> {
    contract["roles"][name]["grants"]
        .as_object()
        .unwrap_or_else(|| panic!("the contract has no role {name}"))
}

/// The actions of `role` its holder calls itself (grants without `onBehalf`).
fn called(name: &str) -> BTreeSet<String> {
    let contract: Value = serde_json::from_str(CONTRACT).unwrap();
    role(&contract, name)
        .values()
        .filter(|grant| grant.get("onBehalf").is_none())
        .flat_map(|grant| grant["actions"].as_array().unwrap().iter())
        .map(|action| action.as_str().unwrap().to_owned())
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

#[test]
fn the_rule_roles_call_exactly_the_rule_operations() {
    // GIVEN what the rule Lambda calls
    let rule = set(&op::RULE_OPERATIONS);
    assert_eq!(rule.len(), op::RULE_OPERATIONS.len(), "listed twice");
    let evaluating: BTreeSet<String> = rule
        .iter()
        .filter(|o| *o != op::ASSUME_ROLE)
        .cloned()
        .collect();
    // THEN the central function (its own account, and AssumeRole for the others) calls all of
    // it, the single-account function and the member role all of it but AssumeRole
    assert_eq!(called("centralFunction"), rule);
    assert_eq!(called("ruleFunction"), evaluating);
    assert_eq!(called("memberExecution"), evaluating);
}

#[test]
fn the_rule_roles_allow_every_rule_operation_they_may_be_served() {
    // What the end-to-end check relies on: the helper reads every Allow of the role.
    let central = contract_role_actions(CONTRACT, "centralFunction").unwrap();
    let member = contract_role_actions(CONTRACT, "memberExecution").unwrap();
    for operation in op::RULE_OPERATIONS {
        assert!(central.contains(operation), "{operation}");
        assert!(
            operation == op::ASSUME_ROLE || member.contains(operation),
            "{operation}"
        );
    }
    // The logs actions are the Lambda service's, in the role but called by no code.
    let single = contract_role_actions(CONTRACT, "ruleFunction").unwrap();
    assert!(single.contains("logs:PutLogEvents"));
    assert!(!single.contains(op::ASSUME_ROLE));
}

#[test]
fn the_cli_entries_call_exactly_the_cli_operations() {
    let cli: BTreeSet<String> = ["cliAudit", "cliRemediate", "cliBackout"]
        .into_iter()
        .flat_map(called)
        .collect();
    assert_eq!(cli, set(&op::CLI_OPERATIONS));
    // audit only reads
    assert_eq!(
        called("cliAudit"),
        set(&[op::LIST_SECRETS, op::DESCRIBE_SECRET, op::DESCRIBE_KEY])
    );
}

#[test]
fn the_rule_never_calls_what_only_the_cli_needs() {
    for operation in [op::UPDATE_SECRET, op::GENERATE_DATA_KEY, op::ENCRYPT] {
        assert!(!op::RULE_OPERATIONS.contains(&operation), "{operation}");
        assert!(op::CLI_OPERATIONS.contains(&operation), "{operation}");
    }
}

#[test]
fn every_operation_name_is_listed_for_the_rule_or_the_cli() {
    // GIVEN every operation name of `op` (read from the source: a new one must be listed)
    let (_, module) = CALLS.split_once("pub mod op {").unwrap();
    let (module, _) = module.split_once("\n}\n").unwrap();
    let names: Vec<&str> = module
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub const "))
        .filter_map(|rest| rest.split_once(": &str = \""))
        .map(|(_, value)| value.trim_end_matches("\";"))
        .collect();
    assert!(names.len() >= 10, "{names:?}");
    // THEN each is an operation of the rule or of the CLI
    for name in names {
        assert!(
            op::RULE_OPERATIONS.contains(&name) || op::CLI_OPERATIONS.contains(&name),
            "{name} is in neither op::RULE_OPERATIONS nor op::CLI_OPERATIONS"
        );
    }
}

#[test]
fn the_helpers_for_the_end_to_end_check() {
    // The emulator logs the SigV4 service and the operation: together, the IAM action.
    assert_eq!(action_of("kms", "DescribeKey"), op::DESCRIBE_KEY);
    assert_eq!(action_of("config", "PutEvaluations"), op::PUT_EVALUATIONS);
    // An unknown role or a broken file is an error that says so, never an empty allowance.
    let err = contract_role_actions(CONTRACT, "nobody").unwrap_err();
    assert!(
        err.contains("nobody") && err.contains(CONTRACT_PATH),
        "{err}"
    );
    assert!(contract_role_actions("{", "ruleFunction").is_err());
    let no_actions = r#"{"roles":{"r":{"grants":{"S":{}}}}}"#;
    assert!(
        contract_role_actions(no_actions, "r")
            .unwrap_err()
            .contains("r.S")
    );
}

#[test]
fn the_contract_path_is_this_file() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join(CONTRACT_PATH)).unwrap();
    assert_eq!(text, CONTRACT);
}
