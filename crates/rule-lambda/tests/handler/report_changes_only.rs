//! `reportChangesOnly`: a periodic sweep puts only what Config does not already hold for
//! the rule (new secrets, changed compliance or annotation); the cleanup is unchanged.

use crate::support::{KEY_ARN, World, cmk, invocation, scheduled, secret_arn};
use rule_core::Compliance;
use secrets_cmk_aws::ReportedResult;
use serde_json::Value;

const CHANGES_ONLY: &str = r#"{"reportChangesOnly":"true"}"#;

/// One periodic sweep with these rule parameters; its response.
async fn sweep(world: &World, rule_parameters: Option<&str>) -> Value {
    world
        .handler()
        .handle(&scheduled(rule_parameters), &invocation())
        .await
        .unwrap()
}

/// Evaluations put since `before` puts, as (resource id, compliance).
fn put_since(world: &World, before: usize) -> Vec<(String, &'static str)> {
    world.puts()[before..]
        .iter()
        .flat_map(|p| &p.evaluations)
        .map(|e| (e.resource_id.clone(), e.compliance.as_str()))
        .collect()
}

#[tokio::test]
async fn a_steady_state_sweep_puts_nothing_and_one_change_puts_exactly_one() {
    // GIVEN 150 secrets, swept once with reportChangesOnly (Config held nothing: every
    // secret is new, so every one is put), and Config now holding those results
    let world = World::new();
    world.add_secrets(150);
    world.add_key(KEY_ARN, cmk(KEY_ARN));
    let first = sweep(&world, Some(CHANGES_ONLY)).await;
    assert_eq!(first["reported"]["NON_COMPLIANT"], 150);
    world.hold_what_was_put();

    // WHEN nothing changed and the rule sweeps again
    let before = world.puts().len();
    let steady = sweep(&world, Some(CHANGES_ONLY)).await;
    // THEN nothing is put, and the response says why
    assert_eq!(put_since(&world, before), []);
    assert_eq!(steady["unchanged"], 150);
    assert_eq!(world.calls_of("secretsmanager:ListSecrets"), 4);

    // WHEN one secret moves to a customer managed key and the rule sweeps again
    world.add_secret("s042", Some(KEY_ARN));
    let before = world.puts().len();
    let changed = sweep(&world, Some(CHANGES_ONLY)).await;
    // THEN exactly its new verdict is put, in one call
    assert_eq!(
        put_since(&world, before),
        [(secret_arn("s042"), "COMPLIANT")]
    );
    assert_eq!(world.puts().len(), before + 1);
    assert_eq!(changed["unchanged"], 149);
}

#[tokio::test]
async fn without_the_parameter_every_unchanged_secret_is_put_again() {
    // GIVEN the same steady state, the parameter left at its default
    let world = World::new();
    world.add_secrets(150);
    sweep(&world, None).await;
    world.hold_what_was_put();
    // WHEN swept again
    let before = world.puts().len();
    let response = sweep(&world, None).await;
    // THEN every secret is put again, none counted unchanged
    assert_eq!(put_since(&world, before).len(), 150);
    assert_eq!(response["unchanged"], 0);
}

#[tokio::test]
async fn a_different_annotation_or_a_not_applicable_result_is_put_and_the_cleanup_still_runs() {
    // GIVEN Config holds, for three live secrets on the default key: the same verdict
    // with another annotation, NOT_APPLICABLE, and the very result the sweep will put;
    // and a COMPLIANT result for a secret that is gone
    let world = World::new();
    world.add_secrets(3);
    sweep(&world, None).await;
    world.hold_what_was_put();
    let held = |name: &str, compliance, annotation: &str| ReportedResult {
        resource_id: secret_arn(name),
        compliance,
        annotation: Some(annotation.to_owned()),
    };
    world.add_reported_result(held("s000", Compliance::NonCompliant, "an older wording"));
    world.add_reported_result(held("s001", Compliance::NotApplicable, "exempt then"));
    world.add_reported(&secret_arn("gone"));
    // WHEN swept with reportChangesOnly
    let before = world.puts().len();
    let response = sweep(&world, Some(CHANGES_ONLY)).await;
    // THEN the two that differ are put, the unchanged one is not, and the gone one is
    // cleared as without the parameter
    let mut put = put_since(&world, before);
    put.sort();
    assert_eq!(
        put,
        [
            (secret_arn("gone"), "NOT_APPLICABLE"),
            (secret_arn("s000"), "NON_COMPLIANT"),
            (secret_arn("s001"), "NON_COMPLIANT"),
        ]
    );
    assert_eq!(response["unchanged"], 1);
    assert_eq!(response["cleanedUp"], 1);
    assert_eq!(
        world.calls_to("secretsmanager:DescribeSecret"),
        [secret_arn("gone")]
    );
}
