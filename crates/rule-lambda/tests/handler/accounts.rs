//! Member accounts and refusals: which role reaches a member account, and events that
//! must not be acted on (no role, another role than the function's, an item of another
//! account).

use crate::support::{World, change, invocation, scheduled};
use rule_lambda::{HandlerSettings, RuleError, RuleHandler};
use serde_json::{Value, json};

#[tokio::test]
async fn member_account_without_a_role_is_refused() {
    let world = World::new();
    let handler = world.handler();
    let mut event = scheduled(None);
    event["accountId"] = json!("444455556666");
    let err = handler.handle(&event, &invocation()).await.unwrap_err();
    assert!(matches!(err, RuleError::AccountAccess(_)), "{err}");
    assert!(!err.is_retryable());
    assert!(world.puts().is_empty());
}

#[tokio::test]
async fn member_account_role_comes_from_the_setting_or_else_the_parameter() {
    // GIVEN a function with its own role setting, and one without
    let world = World::new();
    world.add_secret("a", None);
    let settings = HandlerSettings {
        execution_role_name: Some("FromEnv".into()),
        ..HandlerSettings::default()
    };
    let with_setting = RuleHandler::new(world.connector(), settings);
    let without = world.handler();
    let mut event = scheduled(None);
    event["accountId"] = json!("444455556666");
    // WHEN invoked without the parameter, and with one equal to the setting
    with_setting.handle(&event, &invocation()).await.unwrap();
    event["ruleParameters"] = json!(r#"{"executionRoleName":"FromEnv"}"#);
    with_setting.handle(&event, &invocation()).await.unwrap();
    // AND, without a setting, with a parameter
    event["ruleParameters"] = json!(r#"{"executionRoleName":"FromParameter"}"#);
    without.handle(&event, &invocation()).await.unwrap();
    // THEN the setting wins, the parameter serves only where there is none
    assert_eq!(
        world.connections(),
        vec![
            ("444455556666".to_owned(), Some("FromEnv".to_owned())),
            ("444455556666".to_owned(), Some("FromEnv".to_owned())),
            ("444455556666".to_owned(), Some("FromParameter".to_owned())),
        ]
    );
}

#[tokio::test]
async fn an_execution_role_parameter_other_than_the_setting_is_refused() {
    // GIVEN a function whose setting names its role
    let world = World::new();
    world.add_secret("a", None);
    let settings = HandlerSettings {
        execution_role_name: Some("SecretsCmkExecution".into()),
        ..HandlerSettings::default()
    };
    let handler = RuleHandler::new(world.connector(), settings);
    let mut event = scheduled(None);
    event["accountId"] = json!("444455556666");
    event["ruleParameters"] = json!(r#"{"executionRoleName":"OrganizationAccountAccessRole"}"#);
    // WHEN a member's rule names another role
    let err = handler.handle(&event, &invocation()).await.unwrap_err();
    // THEN refused, non-retryable, naming both, with no connection and nothing reported
    assert!(matches!(err, RuleError::Refused(_)), "{err}");
    assert!(!err.is_retryable());
    assert!(
        err.to_string().contains("OrganizationAccountAccessRole"),
        "{err}"
    );
    assert!(err.to_string().contains("SecretsCmkExecution"), "{err}");
    assert!(world.connections().is_empty());
    assert!(world.puts().is_empty());
}

#[tokio::test]
async fn a_configuration_item_of_another_account_is_refused() {
    // GIVEN a change event for this account whose item names another account
    let world = World::new();
    world.add_secret("a", None);
    let handler = world.handler();
    let mut event = change("a", None, "OK");
    let mut invoking: Value =
        serde_json::from_str(event["invokingEvent"].as_str().unwrap()).unwrap();
    invoking["configurationItem"]["awsAccountId"] = json!("444455556666");
    event["invokingEvent"] = json!(invoking.to_string());
    // WHEN handled
    let err = handler.handle(&event, &invocation()).await.unwrap_err();
    // THEN refused, non-retryable, naming both accounts; nothing called or reported
    assert!(matches!(err, RuleError::Refused(_)), "{err}");
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("444455556666"), "{err}");
    assert!(world.connections().is_empty());
    assert!(world.puts().is_empty());
}
