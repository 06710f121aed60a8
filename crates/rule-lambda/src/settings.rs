//! The Lambda's settings from its environment, validated once at start-up.

use crate::handler::HandlerSettings;
use std::time::Duration;

/// Role name to assume in member accounts; an `executionRoleName` rule parameter must
/// equal it when it is set.
pub const EXECUTION_ROLE_NAME_VAR: &str = "SECRETS_CMK_EXECUTION_ROLE_NAME";
/// Milliseconds before the deadline at which a sweep stops starting new pages.
pub const DEADLINE_MARGIN_VAR: &str = "SECRETS_CMK_DEADLINE_MARGIN_MS";
/// Every variable [`from_env`] reads (the contract's, `contract/contract.json`).
pub const VARIABLES: [&str; 2] = [EXECUTION_ROLE_NAME_VAR, DEADLINE_MARGIN_VAR];

/// A setting in the environment that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("environment variable {name}={value:?}: {problem}")]
pub struct SettingsError {
    name: &'static str,
    value: String,
    problem: String,
}

/// Read [`HandlerSettings`] through `lookup` (the process environment in `main`).
pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<HandlerSettings, SettingsError> {
    let mut settings = HandlerSettings::default();
    if let Some(value) = lookup(EXECUTION_ROLE_NAME_VAR).filter(|v| !v.trim().is_empty()) {
        // Same validation as the executionRoleName rule parameter.
        rule_core::RuleParameters::from_pairs([("executionRoleName", value.as_str())]).map_err(
            |e| SettingsError {
                name: EXECUTION_ROLE_NAME_VAR,
                value: value.clone(),
                problem: e.to_string(),
            },
        )?;
        settings.execution_role_name = Some(value.trim().to_owned());
    }
    if let Some(value) = lookup(DEADLINE_MARGIN_VAR).filter(|v| !v.trim().is_empty()) {
        let millis: u64 = value.trim().parse().map_err(|_| SettingsError {
            name: DEADLINE_MARGIN_VAR,
            value: value.clone(),
            problem: "expected a whole number of milliseconds".to_owned(),
        })?;
        settings.deadline_margin = Duration::from_millis(millis);
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn defaults_without_environment() {
        // GIVEN no variables WHEN read THEN defaults
        let settings = from_env(env(&[])).unwrap();
        assert_eq!(settings.execution_role_name, None);
        assert_eq!(settings.deadline_margin, Duration::from_secs(10));
    }

    #[test]
    fn role_name_and_margin_are_read() {
        let settings = from_env(env(&[
            (EXECUTION_ROLE_NAME_VAR, "SecretsCmkExecution"),
            (DEADLINE_MARGIN_VAR, "2500"),
        ]))
        .unwrap();
        assert_eq!(
            settings.execution_role_name.as_deref(),
            Some("SecretsCmkExecution")
        );
        assert_eq!(settings.deadline_margin, Duration::from_millis(2500));
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = from_env(env(&[(DEADLINE_MARGIN_VAR, "soon")])).unwrap_err();
        assert!(err.to_string().contains(DEADLINE_MARGIN_VAR), "{err}");
        let err = from_env(env(&[(EXECUTION_ROLE_NAME_VAR, "bad role/name")])).unwrap_err();
        assert!(err.to_string().contains(EXECUTION_ROLE_NAME_VAR), "{err}");
    }
}
