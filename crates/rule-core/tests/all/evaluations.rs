//! Evaluations, batching by 100 and stale-result cleanup.

use rule_core::Row;
use std::collections::HashSet;

use chrono::{TimeZone, Utc};
use rule_core::{
    Annotation, Compliance, Evaluation, MAX_EVALUATIONS_PER_CALL, SECRET_RESOURCE_TYPE, Verdict,
    batches, stale_candidates,
};

use crate::support::secret;

fn evaluations(count: usize) -> Vec<Evaluation> {
    let at = Utc.with_ymd_and_hms(2024, 5, 14, 12, 0, 0).unwrap();
    (0..count)
        .map(|i| Evaluation {
            resource_type: SECRET_RESOURCE_TYPE.into(),
            resource_id: format!("secret-{i}"),
            compliance: Compliance::Compliant,
            annotation: Annotation::new("ok"),
            ordering_timestamp: at,
        })
        .collect()
}

#[test]
fn batches_hold_at_most_100_in_order() {
    for (count, expected) in [
        (0, vec![]),
        (1, vec![1]),
        (100, vec![100]),
        (101, vec![100, 1]),
        (250, vec![100, 100, 50]),
    ] {
        // GIVEN `count` evaluations / WHEN batched
        let all = evaluations(count);
        let sizes: Vec<usize> = batches(&all).map(<[Evaluation]>::len).collect();
        // THEN the batch sizes, and nothing lost or reordered
        assert_eq!(sizes, expected, "{count}");
        let flat: Vec<&Evaluation> = batches(&all).flatten().collect();
        assert_eq!(flat, all.iter().collect::<Vec<_>>());
    }
    assert_eq!(MAX_EVALUATIONS_PER_CALL, 100);
}

#[test]
fn evaluation_for_a_secret_uses_its_resource_id_and_the_verdict() {
    // GIVEN a secret whose resource id is a change item's id
    let secret = rule_core::SecretFacts {
        resource_id: "config-resource-id".into(),
        ..secret()
    };
    let verdict = Verdict {
        compliance: Compliance::NonCompliant,
        annotation: Annotation::new("why"),
        row: Row::DefaultKey,
    };
    let at = Utc.with_ymd_and_hms(2024, 5, 14, 9, 21, 37).unwrap();
    // WHEN its evaluation is made
    let evaluation = Evaluation::for_secret(&secret, &verdict, at);
    // THEN it carries the resource id, type, verdict and time
    assert_eq!(evaluation.resource_id, "config-resource-id");
    assert_eq!(evaluation.resource_type, "AWS::SecretsManager::Secret");
    assert_eq!(evaluation.compliance.as_str(), "NON_COMPLIANT");
    assert_eq!(evaluation.annotation.as_str(), "why");
    assert_eq!(evaluation.ordering_timestamp, at);
    assert!(evaluation.resource_id_fits());
}

#[test]
fn overlong_resource_ids_are_flagged_not_cut() {
    let long = "s".repeat(769);
    let verdict =
        rule_core::resource_gone(rule_core::ConfigurationItemStatus::ResourceDeleted, false)
            .unwrap();
    let evaluation = Evaluation::for_resource_id(
        &long,
        &verdict,
        Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(),
    );
    assert_eq!(evaluation.resource_id, long);
    assert!(!evaluation.resource_id_fits());
}

#[test]
fn compliance_types_use_the_api_spelling() {
    assert_eq!(Compliance::Compliant.as_str(), "COMPLIANT");
    assert_eq!(Compliance::NonCompliant.as_str(), "NON_COMPLIANT");
    assert_eq!(Compliance::NotApplicable.to_string(), "NOT_APPLICABLE");
}

#[test]
fn stale_candidates_are_the_unseen_ids_once_each_in_order() {
    // GIVEN previously reported ids, with a duplicate, and a sweep that saw some of them
    let previous = ["arn:a", "arn:b", "arn:c", "arn:b", "arn:d"];
    let seen: HashSet<String> = ["arn:a", "arn:d"].iter().map(|s| s.to_string()).collect();
    // WHEN the cleanup picks its candidates
    let candidates = stale_candidates(previous, &seen);
    // THEN the unseen ones, once each, in order
    assert_eq!(candidates, ["arn:b", "arn:c"]);
}

#[test]
fn stale_candidates_never_include_a_seen_id() {
    // GIVEN only seen ids / WHEN the cleanup picks its candidates / THEN none
    let seen: HashSet<String> = ["arn:a".to_owned()].into();
    assert!(stale_candidates(["arn:a", "arn:a"], &seen).is_empty());
    assert!(stale_candidates([], &seen).is_empty());
}

#[test]
fn a_confirmed_gone_secret_is_not_applicable_saying_both_checks() {
    // GIVEN a candidate DescribeSecret did not find / WHEN its evaluation is made
    let at = Utc.with_ymd_and_hms(2024, 5, 14, 12, 0, 0).unwrap();
    let evaluation = Evaluation::confirmed_gone("arn:b", at);
    // THEN NOT_APPLICABLE, of our resource type, naming both the listing and the lookup
    assert_eq!(evaluation.compliance, Compliance::NotApplicable);
    assert_eq!(evaluation.resource_type, SECRET_RESOURCE_TYPE);
    assert_eq!(evaluation.resource_id, "arn:b");
    assert!(evaluation.annotation.as_str().contains("did not list it"));
    assert!(evaluation.annotation.as_str().contains("DescribeSecret"));
    assert_eq!(evaluation.ordering_timestamp, at);
}
