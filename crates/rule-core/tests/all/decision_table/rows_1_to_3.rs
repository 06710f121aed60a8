//! Rows 1 to 3: gone or out of scope, scheduled for deletion, exempt: NOT_APPLICABLE with no key lookup.

use chrono::{TimeZone, Utc};
use rule_core::{
    Compliance, ConfigurationItemStatus, Row, RuleParameters, Tag, key_lookups_needed,
    resource_gone,
};

use crate::support::*;

// ---- row 1: gone or out of scope

#[test]
fn row_1_deleted_resource_is_not_applicable() {
    // GIVEN a change item for a deleted secret
    // WHEN row 1 is checked
    let verdict = resource_gone(ConfigurationItemStatus::ResourceDeleted, false).unwrap();
    // THEN it is NOT_APPLICABLE, naming the status
    assert_eq!(verdict.compliance, Compliance::NotApplicable);
    assert_eq!(verdict.row, Row::Gone);
    assert!(verdict.annotation.as_str().contains("ResourceDeleted"));
}

#[test]
// The status is passed by reference on purpose: callers may hold either, both compile.
#[allow(clippy::needless_borrows_for_generic_args)]
fn row_1_every_gone_status_is_not_applicable() {
    // GIVEN each status that means the resource is gone or not recorded
    for status in [
        ConfigurationItemStatus::ResourceDeleted,
        ConfigurationItemStatus::ResourceDeletedNotRecorded,
        ConfigurationItemStatus::ResourceNotRecorded,
    ] {
        // WHEN row 1 is checked (status passed by reference this time)
        let verdict = resource_gone(&status, false);
        // THEN it applies
        assert_eq!(
            verdict.map(|v| v.compliance),
            Some(Compliance::NotApplicable),
            "{status:?}"
        );
    }
}

#[test]
fn row_1_event_left_scope_is_not_applicable() {
    // GIVEN a recorded secret whose event left the rule's scope
    // WHEN row 1 is checked
    let verdict = resource_gone(ConfigurationItemStatus::Ok, true).unwrap();
    // THEN it is NOT_APPLICABLE, saying why
    assert_eq!(verdict.compliance, Compliance::NotApplicable);
    assert!(verdict.annotation.as_str().contains("scope"));
}

#[test]
fn row_1_does_not_apply_to_live_resources_in_scope() {
    // GIVEN recorded statuses and an event in scope
    for status in [
        ConfigurationItemStatus::Ok,
        ConfigurationItemStatus::ResourceDiscovered,
    ] {
        // WHEN row 1 is checked / THEN it does not apply
        assert_eq!(resource_gone(status, false), None);
    }
}

// ---- row 2: scheduled for deletion

#[test]
fn row_2_scheduled_for_deletion_is_not_applicable_with_the_date() {
    // GIVEN a secret on the default key that is scheduled for deletion
    let secret = rule_core::SecretFacts {
        deleted_date: Some(Utc.with_ymd_and_hms(2024, 6, 1, 8, 30, 0).unwrap()),
        ..secret_with_key(&cmk_arn())
    };
    let keys = Keys::new();
    // WHEN decided
    let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
    // THEN it is NOT_APPLICABLE, naming the date, without any lookup
    assert_eq!(verdict.compliance, Compliance::NotApplicable);
    assert_eq!(verdict.row, Row::ScheduledForDeletion);
    assert!(verdict.annotation.as_str().contains("2024-06-01T08:30:00Z"));
    assert!(key_lookups_needed(&secret, &params()).is_empty());
    assert!(keys.asked().is_empty());
}

// ---- row 3: exemption tag

#[test]
fn row_3_exemption_tag_is_not_applicable_naming_the_tag() {
    // GIVEN exemptionTagKey "Exempt" and a default-key secret carrying it
    let params = RuleParameters {
        exemption_tag_key: Some("Exempt".into()),
        ..params()
    };
    let mut secret = secret();
    secret.tags.push(Tag::new("Exempt", "SEC-1234"));
    // WHEN decided
    let verdict = verdict_of(decide_checked(&secret, &params, &Keys::new()));
    // THEN it is NOT_APPLICABLE, naming key and value, and needs no key lookup
    assert_eq!(verdict.compliance, Compliance::NotApplicable);
    assert_eq!(verdict.row, Row::Exempt);
    assert!(verdict.annotation.as_str().contains("Exempt=SEC-1234"));
    assert!(key_lookups_needed(&secret, &params).is_empty());
}

#[test]
fn row_3_exemption_tag_key_must_match_exactly() {
    // GIVEN exemptionTagKey "Exempt" and a secret tagged "exempt" (other case)
    let params = RuleParameters {
        exemption_tag_key: Some("Exempt".into()),
        ..params()
    };
    let mut secret = secret();
    secret.tags.push(Tag::new("exempt", "yes"));
    // WHEN decided
    let verdict = verdict_of(decide_checked(&secret, &params, &Keys::new()));
    // THEN the tag does not exempt it: the default key fails at row 4
    assert_eq!(verdict.row, Row::DefaultKey);
}

#[test]
fn row_3_needs_the_parameter() {
    // GIVEN no exemptionTagKey and a secret tagged "Exempt"
    let mut secret = secret();
    secret.tags.push(Tag::new("Exempt", "yes"));
    // WHEN decided / THEN tags alone exempt nothing
    assert_eq!(
        verdict_of(decide_checked(&secret, &params(), &Keys::new())).row,
        Row::DefaultKey
    );
}
