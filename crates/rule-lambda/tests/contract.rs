//! The contract with the CDK app (`contract/contract.json`, which the CDK names the
//! function's environment variables from): the Lambda reads exactly the contract's
//! variables, with the contract's defaults.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use rule_lambda::{HandlerSettings, settings};
use serde_json::Value;
use std::cell::RefCell;
use std::path::Path;
use std::time::Duration;

const CONTRACT: &str = include_str!("../../../contract/contract.json");
const MAIN: &str = include_str!("../src/main.rs");

const SETTINGS_FILE: &str = "crates/rule-lambda/src/settings.rs";
const MAIN_FILE: &str = "crates/rule-lambda/src/main.rs";

/// `(name, readBy, default)` of every contract variable.
fn contract_variables() -> Vec<(String, String, Option<String>)> {
    let contract: Value = serde_json::from_str(CONTRACT).unwrap();
    contract["lambdaEnvironment"]
        .as_array()
        .expect("lambdaEnvironment is an array")
        .iter()
        .map(|v| {
            let text = |field: &str| v[field].as_str().unwrap_or_else(|| panic!("{v}: {field}"));
            let default = (!v["default"].is_null()).then(|| text("default").to_owned());
            (text("name").to_owned(), text("readBy").to_owned(), default)
        })
        .collect()
}

fn read_by(file: &str) -> Vec<String> {
    contract_variables()
        .into_iter()
        .filter(|(_, by, _)| by == file)
        .map(|(name, _, _)| name)
        .collect()
}

/// The names `settings::from_env` asks for, given `value` for every one.
fn looked_up(value: &str) -> Vec<String> {
    let asked = RefCell::new(Vec::new());
    let result = settings::from_env(|name| {
        asked.borrow_mut().push(name.to_owned());
        Some(value.to_owned())
    });
    drop(result);
    asked.into_inner()
}

#[test]
fn settings_read_exactly_the_contract_variables() {
    // GIVEN the contract's variables read by settings.rs
    let contract = read_by(SETTINGS_FILE);
    // WHEN the settings are read from an environment that has no / every variable
    for value in ["", "2500"] {
        // THEN exactly those names are asked for, each once
        assert_eq!(looked_up(value), contract, "with {value:?}");
    }
    // AND settings::VARIABLES lists them
    assert_eq!(settings::VARIABLES.to_vec(), contract);
    assert!(contract.contains(&settings::EXECUTION_ROLE_NAME_VAR.to_owned()));
    assert!(contract.contains(&settings::DEADLINE_MARGIN_VAR.to_owned()));
}

#[test]
fn the_contract_defaults_are_the_settings_defaults() {
    let defaults = HandlerSettings::default();
    for (name, by, default) in contract_variables() {
        if by != SETTINGS_FILE {
            continue;
        }
        if name == settings::DEADLINE_MARGIN_VAR {
            let millis: u64 = default.as_deref().unwrap().parse().unwrap();
            assert_eq!(defaults.deadline_margin, Duration::from_millis(millis));
        } else if name == settings::EXECUTION_ROLE_NAME_VAR {
            assert_eq!(default, None);
            assert_eq!(defaults.execution_role_name, None);
        } else {
            panic!("{name}: no default checked for this variable");
        }
    }
}

#[test]
fn main_reads_the_log_filter_the_contract_names() {
    // GIVEN the contract's variables read by main.rs
    let (name, default) = contract_variables()
        .into_iter()
        .filter(|(_, by, _)| by == MAIN_FILE)
        .map(|(name, _, default)| (name, default))
        .collect::<Vec<_>>()
        .pop()
        .expect("the contract names the log filter variable");
    assert_eq!(read_by(MAIN_FILE).len(), 1);
    // THEN it is tracing's filter variable, which main.rs reads, with the contract's default
    assert_eq!(name, tracing_subscriber::EnvFilter::DEFAULT_ENV);
    assert!(MAIN.contains("EnvFilter::try_from_default_env()"));
    let default = default.expect("the log filter has a default");
    assert!(
        MAIN.contains(&format!("EnvFilter::new({default:?})")),
        "{default}"
    );
}

#[test]
fn no_other_code_reads_the_environment() {
    // GIVEN every source file of the Lambda
    let mut reads = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                reads.extend(
                    text.lines()
                        .filter(|line| line.contains("env::var") || line.contains("var_os("))
                        .map(|line| format!("{}: {}", path.display(), line.trim())),
                );
            }
        }
    }
    // THEN the one read is main.rs handing the environment to settings::from_env
    assert_eq!(reads.len(), 1, "{reads:#?}");
    assert!(
        reads[0].contains("settings::from_env(|name| std::env::var(name).ok())"),
        "{reads:#?}"
    );
}
