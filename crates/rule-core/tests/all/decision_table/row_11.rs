//! Row 11: a replica's key fails in the replica's Region.

use rule_core::{
    Compliance, KeyLookup, KeyManager, KeyState, Row, RuleParameters, SecretFacts,
    key_lookups_needed,
};

use crate::support::*;

/// The replica's key: another key of the secret's account, in the replica's region.
fn replica_key() -> String {
    key_arn(REPLICA_REGION, ACCOUNT, OTHER_KEY_ID)
}

/// A secret on the happy-path key with one replica, in `REPLICA_REGION`, on `replica_key()`.
fn secret_with_a_replica_on_its_key() -> SecretFacts {
    with_replicas(
        &cmk_arn(),
        vec![replica(REPLICA_REGION, Some(&replica_key()))],
    )
}

// ---- row 11: replicas

#[test]
fn row_11_replica_on_the_default_key_is_non_compliant_naming_the_region() {
    // GIVEN a compliant primary and a replica on the default key
    let secret = with_replicas(&cmk_arn(), vec![replica(REPLICA_REGION, None)]);
    let keys = cmk_keys();
    // WHEN decided
    let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
    // THEN NON_COMPLIANT at row 11, naming the region and why
    assert_eq!(verdict.compliance, Compliance::NonCompliant);
    assert_eq!(verdict.row, Row::ReplicaFails);
    assert!(verdict.annotation.as_str().contains(REPLICA_REGION));
    assert!(verdict.annotation.as_str().contains("aws/secretsmanager"));
}

#[test]
fn row_11_replica_on_an_aws_alias_is_non_compliant_without_lookup() {
    // GIVEN a replica on alias/aws/secretsmanager (as moto always reports)
    let secret = with_replicas(
        &cmk_arn(),
        vec![replica(REPLICA_REGION, Some("alias/aws/secretsmanager"))],
    );
    let keys = cmk_keys();
    // WHEN decided (Keys panics if asked about alias/aws/*)
    let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
    // THEN row 11, and only the primary key was looked up
    assert_eq!(verdict.row, Row::ReplicaFails);
    assert_eq!(
        key_lookups_needed(&secret, &params()),
        vec![qualified(&cmk_arn(), &scope())]
    );
}

#[test]
fn row_11_replica_on_a_disabled_key_is_non_compliant() {
    // GIVEN a replica whose key, in the replica region, is disabled
    let replica_key = replica_key();
    let secret = secret_with_a_replica_on_its_key();
    let keys = cmk_keys().with(
        &replica_key,
        described(&replica_key, KeyManager::Customer, KeyState::Disabled),
    );
    // WHEN decided
    let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
    // THEN row 11, naming region and state
    assert_eq!(verdict.row, Row::ReplicaFails);
    assert!(verdict.annotation.as_str().contains(REPLICA_REGION));
    assert!(verdict.annotation.as_str().contains("Disabled"));
}

#[test]
fn row_11_replica_alias_name_resolves_in_the_replica_region() {
    // GIVEN a replica on "alias/app" and that alias existing in the replica's region
    let replica_scope = scope().in_region(REPLICA_REGION);
    let replica_key = replica_key();
    let secret = with_replicas(&cmk_arn(), vec![replica(REPLICA_REGION, Some("alias/app"))]);
    let keys = cmk_keys().with_in("alias/app", &replica_scope, cmk(&replica_key));
    // WHEN the lookups are planned and the secret decided
    let needed = key_lookups_needed(&secret, &params());
    let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
    // THEN the alias was qualified in eu-west-1, and the secret is COMPLIANT
    assert_eq!(
        needed,
        vec![
            qualified(&cmk_arn(), &scope()),
            qualified("alias/app", &replica_scope)
        ]
    );
    assert_eq!(needed[1].region(), REPLICA_REGION);
    assert_eq!(verdict.compliance, Compliance::Compliant);
    assert!(verdict.annotation.as_str().contains("1 replica(s)"));
}

#[test]
fn row_11_approved_alias_name_is_resolved_in_each_replica_region() {
    // GIVEN kmsKeyArns "alias/app", a primary and a replica each on their region's key
    let params = approving(&["alias/app"]);
    let replica_scope = scope().in_region(REPLICA_REGION);
    let replica_key = replica_key();
    let secret = secret_with_a_replica_on_its_key();
    let keys = cmk_keys()
        .with("alias/app", cmk(&cmk_arn()))
        .with_in(&replica_key, &replica_scope, cmk(&replica_key))
        .with_in("alias/app", &replica_scope, cmk(&replica_key));
    // WHEN decided
    let needed = key_lookups_needed(&secret, &params);
    let verdict = verdict_of(decide_checked(&secret, &params, &keys));
    // THEN the alias is looked up in both regions and both keys are approved
    assert!(needed.contains(&qualified("alias/app", &replica_scope)));
    assert_eq!(needed.len(), 4);
    assert_eq!(verdict.compliance, Compliance::Compliant);
}

#[test]
fn row_11_replica_key_in_another_region_is_not_approved_by_the_primary_key_arn() {
    // GIVEN kmsKeyArns naming only the primary region's key
    let params = approving(&[&cmk_arn()]);
    let replica_key = replica_key();
    let secret = secret_with_a_replica_on_its_key();
    let keys = cmk_keys().with(&replica_key, cmk(&replica_key));
    // WHEN decided / THEN the replica fails row 9, reported as row 11
    let verdict = verdict_of(decide_checked(&secret, &params, &keys));
    assert_eq!(verdict.row, Row::ReplicaFails);
    assert!(verdict.annotation.as_str().contains("kmsKeyArns"));
}

#[test]
fn row_11_replicas_are_skipped_when_check_replicas_is_false() {
    // GIVEN checkReplicas=false and a replica on the default key
    let params = RuleParameters {
        check_replicas: false,
        ..params()
    };
    let secret = with_replicas(&cmk_arn(), vec![replica(REPLICA_REGION, None)]);
    let keys = cmk_keys();
    // WHEN decided / THEN only the primary counts
    assert_eq!(
        verdict_of(decide_checked(&secret, &params, &keys)).compliance,
        Compliance::Compliant
    );
}

#[test]
fn row_11_unknown_replicas_leave_the_primary_to_decide() {
    // GIVEN replica details that were not fetched
    let secret = SecretFacts {
        replicas: None,
        ..secret_with_key(&cmk_arn())
    };
    let keys = cmk_keys();
    // WHEN decided / THEN the primary decides
    assert_eq!(
        verdict_of(decide_checked(&secret, &params(), &keys)).row,
        Row::Compliant
    );
}

#[test]
fn row_11_an_unverifiable_replica_makes_the_secret_unverifiable() {
    // GIVEN a replica whose key lookup failed
    let replica_key = replica_key();
    let secret = secret_with_a_replica_on_its_key();
    let keys = cmk_keys().with(
        &replica_key,
        KeyLookup::Failed {
            reason: "HTTP 503".into(),
        },
    );
    // WHEN decided / THEN no verdict, naming the region
    let reason = unverifiable_reason(decide_checked(&secret, &params(), &keys));
    assert!(
        reason.contains(REPLICA_REGION) && reason.contains("HTTP 503"),
        "{reason}"
    );
}

#[test]
fn row_11_a_failing_replica_wins_over_an_unverifiable_one() {
    // GIVEN one replica that cannot be verified and one on the default key
    let replica_key = replica_key();
    let secret = with_replicas(
        &cmk_arn(),
        vec![
            replica(REPLICA_REGION, Some(&replica_key)),
            replica("ap-south-1", None),
        ],
    );
    let keys = cmk_keys().with(&replica_key, KeyLookup::AccessDenied);
    // WHEN decided / THEN the certain failure is reported
    let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
    assert_eq!(verdict.row, Row::ReplicaFails);
    assert!(verdict.annotation.as_str().contains("ap-south-1"));
}

#[test]
fn row_11_a_replica_with_a_malformed_region_is_unverifiable() {
    // GIVEN a replica whose region is not a region name
    let secret = with_replicas(&cmk_arn(), vec![replica("eu:west", Some("alias/app"))]);
    let keys = cmk_keys();
    // WHEN decided / THEN it is neither looked up nor guessed
    assert_eq!(key_lookups_needed(&secret, &params()).len(), 1);
    let reason = unverifiable_reason(decide_checked(&secret, &params(), &keys));
    assert!(reason.contains("eu:west"), "{reason}");
}
