//! Bad input: parameters the rule does not understand and events that are not JSON are
//! refused, non-retryable, with nothing reported.

use crate::support::{World, invocation, scheduled};
use rule_lambda::RuleError;
use serde_json::json;

#[tokio::test]
async fn bad_parameters_are_non_retryable_and_report_nothing() {
    // GIVEN a scheduled event with an unknown parameter
    let world = World::new();
    world.add_secret("a", None);
    let handler = world.handler();
    // WHEN handled
    let err = handler
        .handle(&scheduled(Some(r#"{"kmsKeyArn":"x"}"#)), &invocation())
        .await
        .unwrap_err();
    // THEN a non-retryable parameter error naming it, and nothing reported
    assert!(matches!(err, RuleError::InvalidParameters(_)), "{err}");
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("kmsKeyArn"), "{err}");
    assert_eq!(
        err.full_message()
            .matches("invalid rule parameters")
            .count(),
        1,
        "{err}"
    );
    assert!(world.puts().is_empty());
    assert_eq!(world.calls_except_put(), 0);
}

#[tokio::test]
async fn malformed_event_is_non_retryable() {
    let world = World::new();
    let handler = world.handler();
    let err = handler
        .handle(&json!({"invokingEvent": "{not json"}), &invocation())
        .await
        .unwrap_err();
    assert!(matches!(err, RuleError::InvalidEvent(_)), "{err}");
    assert!(!err.is_retryable());
    assert!(world.puts().is_empty());
}
