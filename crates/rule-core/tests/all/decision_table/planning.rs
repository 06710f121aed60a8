//! Annotations and lookup planning across the rows.

use chrono::{TimeZone, Utc};
use rule_core::{Row, RuleParameters, Tag, key_lookups_needed};

use crate::support::*;

// ---- annotations and planning

#[test]
fn every_annotation_names_the_owning_service() {
    // GIVEN secrets managed by RDS, reaching rows 2, 3, 4, 9, 11 and 12
    let owned = |secret: rule_core::SecretFacts| rule_core::SecretFacts {
        owning_service: Some("rds".into()),
        ..secret
    };
    let exempt_params = RuleParameters {
        exemption_tag_key: Some("team".into()),
        ..params()
    };
    let keys = cmk_keys();
    let cases = [
        (
            owned(rule_core::SecretFacts {
                deleted_date: Some(Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap()),
                ..secret()
            }),
            params(),
        ),
        (owned(secret()), exempt_params),
        (owned(secret()), params()),
        (
            owned(secret_with_key(&cmk_arn())),
            approving(&[&key_arn(REGION, ACCOUNT, OTHER_KEY_ID)]),
        ),
        (
            owned(with_replicas(
                &cmk_arn(),
                vec![replica(REPLICA_REGION, None)],
            )),
            params(),
        ),
        (owned(secret_with_key(&cmk_arn())), params()),
    ];
    for (secret, params) in cases {
        // WHEN decided
        let verdict = verdict_of(decide_checked(&secret, &params, &keys));
        // THEN the annotation says who manages the secret
        assert!(
            verdict.annotation.as_str().contains("managed by rds"),
            "row {}: {}",
            verdict.row,
            verdict.annotation
        );
    }
}

#[test]
fn owning_service_survives_a_long_annotation() {
    // GIVEN an owned secret whose exemption tag value is very long
    let params = RuleParameters {
        exemption_tag_key: Some("Exempt".into()),
        ..params()
    };
    let secret = rule_core::SecretFacts {
        owning_service: Some("rds".into()),
        tags: vec![Tag::new("Exempt", "x".repeat(400))],
        ..secret()
    };
    // WHEN decided
    let verdict = verdict_of(decide_checked(&secret, &params, &Keys::new()));
    // THEN the annotation fits and still names the service
    assert!(verdict.annotation.as_str().chars().count() <= 256);
    assert!(
        verdict
            .annotation
            .as_str()
            .ends_with("(secret managed by rds)")
    );
}

#[test]
fn lookups_are_deduplicated_in_a_stable_order() {
    // GIVEN a primary and two replicas, one sharing the primary's alias ARN
    let shared = alias_arn(REGION, ACCOUNT, "alias/app");
    let secret = with_replicas(
        &shared,
        vec![
            replica("eu-west-1", Some("alias/app")),
            replica("eu-central-1", Some(&shared)),
        ],
    );
    // WHEN planned twice
    let first = key_lookups_needed(&secret, &params());
    let second = key_lookups_needed(&secret, &params());
    // THEN each reference once, first use first, and the same both times
    assert_eq!(
        first,
        vec![
            qualified(&shared, &scope()),
            qualified("alias/app", &scope().in_region("eu-west-1"))
        ]
    );
    assert_eq!(first, second);
}

#[test]
fn hash_map_key_facts_work_with_decide() {
    // GIVEN the caller's usual HashMap of lookups
    let secret = secret_with_key("alias/app");
    let mut keys = std::collections::HashMap::new();
    for q in key_lookups_needed(&secret, &params()) {
        keys.insert(q, cmk(&cmk_arn()));
    }
    // WHEN decided / THEN it is a verdict
    let decision = rule_core::decide(&secret, &params(), &keys);
    assert_eq!(decision.verdict().map(|v| v.row), Some(Row::Compliant));
}

#[test]
fn unverifiable_when_describe_key_returns_something_that_is_not_a_key_arn() {
    // GIVEN an adapter that filled the resolved ARN with the alias it was asked about
    let secret = secret_with_key("alias/app");
    let keys = Keys::new().with("alias/app", cmk("alias/app"));
    // WHEN decided / THEN no verdict is built on it
    let reason = unverifiable_reason(decide_checked(&secret, &params(), &keys));
    assert!(reason.contains("not a key ARN"), "{reason}");
}

#[test]
fn replica_keys_matter_only_when_checked_and_rows_2_and_3_do_not_apply() {
    // GIVEN a live, not exempt secret with the default parameters
    let live = secret_with_key(&cmk_arn());
    // THEN its replicas' keys can change the verdict
    assert!(rule_core::replica_keys_matter(&live, &params()));
    // BUT not with checkReplicas=false
    let unchecked = RuleParameters {
        check_replicas: false,
        ..params()
    };
    assert!(!rule_core::replica_keys_matter(&live, &unchecked));
    // NOR when the secret is scheduled for deletion (row 2)
    let mut leaving = live.clone();
    leaving.deleted_date = Some(Utc.with_ymd_and_hms(2024, 6, 1, 8, 30, 0).unwrap());
    assert!(!rule_core::replica_keys_matter(&leaving, &params()));
    // NOR when it carries the exemption tag (row 3)
    let mut exempt = live.clone();
    exempt.tags.push(Tag::new("Exempt", "yes"));
    let exempting = RuleParameters {
        exemption_tag_key: Some("Exempt".into()),
        ..params()
    };
    assert!(!rule_core::replica_keys_matter(&exempt, &exempting));
}
