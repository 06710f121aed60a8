//! The contract with the CDK app (`contract/contract.json`, which the CDK builds the
//! rule's InputParameters from): its rule parameters are rule-core's, in rule-core's order,
//! with rule-core's defaults, and each example is a value the rule accepts.

use rule_core::{KNOWN_PARAMETERS, RuleParameters};
use serde_json::Value;

const CONTRACT: &str = include_str!("../../../../contract/contract.json");

/// `(name, default, example, meaning)` of every contract parameter, in its order.
fn contract_parameters() -> Vec<(String, Option<String>, String, String)> {
    let contract: Value = serde_json::from_str(CONTRACT).unwrap();
    let text = |parameter: &Value, field: &str| {
        parameter[field]
            .as_str()
            .unwrap_or_else(|| panic!("{parameter}: {field} is not a string"))
            .to_owned()
    };
    contract["ruleParameters"]
        .as_array()
        .expect("ruleParameters is an array")
        .iter()
        .map(|p| {
            let default = (!p["default"].is_null()).then(|| text(p, "default"));
            (
                text(p, "name"),
                default,
                text(p, "example"),
                text(p, "meaning"),
            )
        })
        .collect()
}

#[test]
fn the_contract_parameters_are_the_known_parameters_in_order() {
    // GIVEN the contract / WHEN its parameter names are read
    let names: Vec<String> = contract_parameters().into_iter().map(|p| p.0).collect();
    // THEN they are rule-core's, in rule-core's documentation order
    assert_eq!(names, KNOWN_PARAMETERS);
}

#[test]
fn the_contract_defaults_are_what_rule_core_assumes() {
    for (name, default, _, meaning) in contract_parameters() {
        // GIVEN a parameter set to the contract's default ("" when it has none: unset)
        let value = default.unwrap_or_default();
        // WHEN parsed / THEN the rule behaves as without it
        let parsed = RuleParameters::from_pairs([(name.as_str(), value.as_str())]).unwrap();
        assert_eq!(parsed, RuleParameters::default(), "{name}={value:?}");
        assert!(!meaning.trim().is_empty(), "{name} has no meaning");
    }
}

#[test]
fn every_contract_example_is_accepted_and_not_the_default() {
    for (name, _, example, _) in contract_parameters() {
        let parsed = RuleParameters::from_pairs([(name.as_str(), example.as_str())])
            .unwrap_or_else(|e| panic!("{name}={example:?}: {e}"));
        assert_ne!(parsed, RuleParameters::default(), "{name}={example:?}");
    }
}

const ROWS: &str = include_str!("../../../../contract/rows.json");

#[test]
fn the_contract_rows_are_rule_core_rows_in_order() {
    // GIVEN the shared row list the CDK Aspect reads
    let rows: Value = serde_json::from_str(ROWS).unwrap();
    let listed: Vec<(String, String, String, String)> = rows["rows"]
        .as_array()
        .expect("rows is an array")
        .iter()
        .map(|row| {
            let text = |field: &str| row[field].as_str().unwrap_or_default().to_owned();
            (
                text("name"),
                text("number"),
                text("label"),
                text("compliance"),
            )
        })
        .collect();
    // WHEN rule-core's rows are written the same way
    let ours: Vec<(String, String, String, String)> = rule_core::Row::ALL
        .iter()
        .map(|row| {
            let variant = format!("{row:?}");
            let mut name = variant[..1].to_lowercase();
            name.push_str(&variant[1..]);
            (
                name,
                row.number().to_owned(),
                row.label().to_owned(),
                row.compliance().as_str().to_owned(),
            )
        })
        .collect();
    // THEN they are the same, in the same order
    assert_eq!(listed, ours);
}
