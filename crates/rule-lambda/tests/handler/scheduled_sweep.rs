//! The scheduled sweep: batches of 100 with the fewest calls, cleanup of results of
//! secrets that are gone, test mode, and what is skipped (unverifiable secrets, resource
//! ids Config cannot take) without sinking the rest.

use crate::support::{
    ACCOUNT, KEY_ARN, OTHER_KEY_ARN, REGION, World, cmk, invocation, scheduled, secret_arn,
};
use chrono::{TimeZone, Utc};
use rule_core::KeyLookup;
use secrets_cmk_aws::testing::Failure;
use serde_json::json;

#[tokio::test]
async fn sweep_batches_by_100_and_describes_each_key_once() {
    // GIVEN 250 secrets over 3 keys plus default-key secrets
    let world = World::new();
    let keys = [KEY_ARN, OTHER_KEY_ARN, "alias/app"];
    world.add_key(KEY_ARN, cmk(KEY_ARN));
    world.add_key(OTHER_KEY_ARN, cmk(OTHER_KEY_ARN));
    world.add_key(
        &format!("arn:aws:kms:{REGION}:{ACCOUNT}:alias/app"),
        cmk(KEY_ARN),
    );
    for i in 0..250 {
        world.add_secret(
            &format!("s{i:03}"),
            if i % 4 == 3 { None } else { Some(keys[i % 4]) },
        );
    }

    // WHEN the scheduled notification is handled
    let response = world.sweep().await.unwrap();

    // THEN 250 evaluations in batches of at most 100, with minimal calls
    let puts = world.puts();
    let sizes: Vec<usize> = puts.iter().map(|p| p.evaluations.len()).collect();
    assert_eq!(sizes.iter().sum::<usize>(), 250);
    assert!(sizes.iter().all(|s| *s <= 100), "{sizes:?}");
    assert_eq!(puts.len(), 3, "{sizes:?}");
    assert_eq!(world.calls_of("secretsmanager:ListSecrets"), 3);
    assert_eq!(world.calls_of("kms:DescribeKey"), 3);
    assert_eq!(world.calls_of("secretsmanager:DescribeSecret"), 0);
    assert_eq!(response["reported"]["NON_COMPLIANT"], 62);
    assert_eq!(response["reported"]["COMPLIANT"], 188);
    let ordering: Vec<_> = puts
        .iter()
        .flat_map(|p| p.evaluations.iter().map(|e| e.ordering_timestamp))
        .collect();
    assert!(
        ordering
            .iter()
            .all(|t| *t == Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap())
    );
}

#[tokio::test]
async fn sweep_cleans_up_results_of_secrets_that_are_gone() {
    // GIVEN Config holds a result for a secret that no longer exists
    let world = World::new();
    world.add_secret("live", None);
    world.add_reported(&secret_arn("deleted-long-ago"));
    world.add_reported(&secret_arn("live"));
    // WHEN swept
    let response = world.sweep().await.unwrap();
    // THEN the gone one is NOT_APPLICABLE, the live one keeps its verdict
    let all = world.evaluations();
    let gone = all
        .iter()
        .find(|e| e.resource_id == secret_arn("deleted-long-ago"))
        .unwrap();
    assert_eq!(gone.compliance.as_str(), "NOT_APPLICABLE");
    assert_eq!(
        all.iter()
            .filter(|e| e.resource_id == secret_arn("live"))
            .count(),
        1
    );
    assert_eq!(response["cleanedUp"], 1);
}

#[tokio::test]
async fn a_reported_secret_the_listing_left_out_is_rechecked_and_decided_not_cleared() {
    // GIVEN Config holds results for a gone secret and for one ListSecrets leaves out
    // (its listing lagging the secret's creation)
    let world = World::new();
    world.add_secret("listed", Some(KEY_ARN));
    world.add_key(KEY_ARN, cmk(KEY_ARN));
    world.add_secret("created-just-now", None);
    world.hide_from_list(&secret_arn("created-just-now"));
    world.add_reported(&secret_arn("created-just-now"));
    world.add_reported(&secret_arn("gone"));
    // WHEN swept
    let response = world.sweep().await.unwrap();
    // THEN the unlisted one is decided from DescribeSecret (NON_COMPLIANT, not cleared),
    // the gone one is cleared, and DescribeSecret was asked about those two only
    let verdict_of = |name: &str| {
        world
            .evaluations()
            .into_iter()
            .filter(|e| e.resource_id == secret_arn(name))
            .map(|e| e.compliance.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(verdict_of("created-just-now"), ["NON_COMPLIANT"]);
    assert_eq!(verdict_of("gone"), ["NOT_APPLICABLE"]);
    assert_eq!(verdict_of("listed"), ["COMPLIANT"]);
    assert_eq!(
        world.calls_to("secretsmanager:DescribeSecret"),
        [secret_arn("created-just-now"), secret_arn("gone")]
    );
    assert_eq!(response["cleanedUp"], 1);
    assert_eq!(response["listedLate"], 1);
}

#[tokio::test]
async fn a_stale_candidate_describe_secret_cannot_check_keeps_its_result_and_fails_retryable() {
    // GIVEN a previous result for a secret not listed, whose DescribeSecret is throttled
    let world = World::new();
    world.add_secret("live", None);
    world.add_reported(&secret_arn("unknown"));
    world.fail_describe(&secret_arn("unknown"), Failure::throttled());
    // WHEN swept
    let err = world.sweep().await.unwrap_err();
    // THEN its result is not touched, the live one is reported, and Config retries
    assert!(
        world
            .evaluations()
            .iter()
            .all(|e| e.resource_id != secret_arn("unknown"))
    );
    assert_eq!(world.evaluations().len(), 1);
    assert!(err.is_retryable());
    assert!(err.to_string().contains(&secret_arn("unknown")), "{err}");
    assert!(err.to_string().contains("result was kept"), "{err}");
}

#[tokio::test]
async fn unverifiable_secret_is_skipped_others_reported_and_the_invocation_fails() {
    // GIVEN one secret whose key cannot be described (throttled after retries)
    let world = World::new();
    world.add_secret("ok", None);
    world.add_secret("unknown", Some(KEY_ARN));
    world.add_key(
        KEY_ARN,
        KeyLookup::Failed {
            reason: "ThrottlingException after 10 attempts".into(),
        },
    );
    // WHEN swept
    let err = world.sweep().await.unwrap_err();
    // THEN the other secret is reported, the skipped one is named, and Config may retry
    let all = world.evaluations();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].resource_id, secret_arn("ok"));
    assert!(err.is_retryable());
    assert!(err.to_string().contains(&secret_arn("unknown")), "{err}");
}

#[tokio::test]
async fn test_mode_token_puts_in_test_mode_and_skips_cleanup() {
    let world = World::new();
    world.add_secret("a", None);
    world.add_reported(&secret_arn("old"));
    let mut event = scheduled(None);
    event["resultToken"] = json!("TESTMODE");
    world.handler().handle(&event, &invocation()).await.unwrap();
    let puts = world.puts();
    assert!(puts.iter().all(|p| p.test_mode));
    assert_eq!(puts.iter().map(|p| p.evaluations.len()).sum::<usize>(), 1);
    assert_eq!(world.calls_of("config:GetComplianceDetailsByConfigRule"), 0);
}

#[tokio::test]
async fn a_resource_id_config_cannot_take_is_skipped_without_sinking_its_batch() {
    // GIVEN a secret whose ARN is longer than the 768 characters PutEvaluations accepts
    let world = World::new();
    let long_name = "n".repeat(760);
    world.add_secret(&long_name, None);
    world.add_secret("short", None);
    // WHEN swept
    let err = world.sweep().await.unwrap_err();
    // THEN the other secret is reported and the long one is named as skipped
    let all = world.evaluations();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].resource_id, secret_arn("short"));
    assert!(err.to_string().contains("768"), "{err}");
}

#[tokio::test]
async fn a_resource_id_skipped_in_a_batch_put_during_listing_is_still_named() {
    // GIVEN 150 secrets whose first page holds one ARN too long for PutEvaluations: its
    // batch is put while the second page is listed
    let world = World::new();
    world.add_secret(&"n".repeat(760), None);
    world.add_secrets(149);
    // WHEN swept
    let err = world.sweep().await.unwrap_err();
    // THEN the 149 others are reported and the long one is named as skipped
    assert_eq!(world.evaluations().len(), 149);
    assert!(err.to_string().contains("768"), "{err}");
}
