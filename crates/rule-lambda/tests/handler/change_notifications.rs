//! A configuration item change: exactly its one resource is reported; a deleted
//! resource is NOT_APPLICABLE without a call.

use crate::support::{KEY_ARN, World, change, cmk, invocation, secret_arn};
use chrono::{TimeZone, Utc};

#[tokio::test]
async fn change_reports_exactly_its_one_resource() {
    // GIVEN an estate of three secrets, one of them changed to a CMK
    let world = World::new();
    world.add_secret("a", Some(KEY_ARN));
    world.add_secret("b", None);
    world.add_secret("c", None);
    world.add_key(KEY_ARN, cmk(KEY_ARN));
    let handler = world.handler();

    // WHEN the change notification for "a" is handled
    let response = handler
        .handle(&change("a", Some(KEY_ARN), "OK"), &invocation())
        .await
        .unwrap();

    // THEN one COMPLIANT evaluation for "a", ordered by the CI capture time, nothing else
    let puts = world.puts();
    assert_eq!(puts.len(), 1);
    let evaluation = &puts[0].evaluations[0];
    assert_eq!(puts[0].evaluations.len(), 1);
    assert_eq!(evaluation.resource_id, secret_arn("a"));
    assert_eq!(evaluation.compliance.as_str(), "COMPLIANT");
    assert_eq!(
        evaluation.ordering_timestamp,
        Utc.with_ymd_and_hms(2026, 11, 28, 11, 59, 0).unwrap()
    );
    assert_eq!(puts[0].result_token, "token-1");
    assert_eq!(response["reported"]["COMPLIANT"], 1);
    assert_eq!(
        world.calls_of("secretsmanager:ListSecrets"),
        0,
        "a change never lists"
    );
}

#[tokio::test]
async fn deleted_resource_is_not_applicable_without_api_calls() {
    let world = World::new();
    let handler = world.handler();
    handler
        .handle(&change("gone", None, "ResourceDeleted"), &invocation())
        .await
        .unwrap();
    let puts = world.puts();
    assert_eq!(puts[0].evaluations[0].compliance.as_str(), "NOT_APPLICABLE");
    assert_eq!(world.calls_except_put(), 0);
}

#[tokio::test]
async fn an_ok_item_describe_secret_cannot_find_gets_no_verdict_and_a_retryable_error() {
    // GIVEN an OK item for a secret Secrets Manager does not find (yet, or any more)
    let world = World::new();
    // WHEN its change notification is handled
    let err = world
        .handler()
        .handle(&change("lagging", None, "OK"), &invocation())
        .await
        .unwrap_err();
    // THEN nothing is put, and Config is asked to retry
    assert!(world.puts().is_empty());
    assert!(err.is_retryable());
    assert!(err.to_string().contains(&secret_arn("lagging")), "{err}");
    assert_eq!(world.calls_of("secretsmanager:DescribeSecret"), 1);
}
