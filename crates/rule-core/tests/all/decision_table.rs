//! One test per row of the decision table in docs/design.md, plus its variants.

use chrono::{TimeZone, Utc};
use rule_core::Row;
use rule_core::{
    Compliance, ConfigurationItemStatus, KeyLookup, KeyManager, KeyState, RuleParameters, Tag,
    key_lookups_needed, resource_gone,
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

// ---- row 4: default key

#[test]
fn row_4_no_key_id_is_non_compliant_default_key() {
    // GIVEN a secret without a KmsKeyId
    let keys = Keys::new();
    // WHEN decided
    let verdict = verdict_of(decide_checked(&secret(), &params(), &keys));
    // THEN it is NON_COMPLIANT on the default key, with no lookup
    assert_eq!(verdict.compliance, Compliance::NonCompliant);
    assert_eq!(verdict.row, Row::DefaultKey);
    assert!(verdict.annotation.as_str().contains("aws/secretsmanager"));
    assert!(keys.asked().is_empty());
}

#[test]
fn row_4_empty_or_blank_key_id_is_the_default_key() {
    for stored in ["", "   "] {
        // GIVEN a secret whose KmsKeyId is empty or blank
        let secret = secret_with_key(stored);
        // WHEN decided / THEN it is the default key
        assert_eq!(
            verdict_of(decide_checked(&secret, &params(), &Keys::new())).row,
            Row::DefaultKey
        );
        assert!(key_lookups_needed(&secret, &params()).is_empty());
    }
}

// ---- row 5: alias/aws/*

#[test]
fn row_5_aws_alias_is_non_compliant_without_lookup() {
    // GIVEN a secret on alias/aws/secretsmanager
    let secret = secret_with_key("alias/aws/secretsmanager");
    let keys = Keys::new(); // panics if asked about alias/aws/*
    // WHEN its lookups are planned and it is decided
    let needed = key_lookups_needed(&secret, &params());
    let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
    // THEN nothing is looked up, and it is NON_COMPLIANT naming the alias
    assert!(needed.is_empty());
    assert!(keys.asked().is_empty());
    assert_eq!(verdict.compliance, Compliance::NonCompliant);
    assert_eq!(verdict.row, Row::AwsManagedAlias);
    assert!(
        verdict
            .annotation
            .as_str()
            .contains("alias/aws/secretsmanager")
    );
}

#[test]
fn row_5_aws_alias_arn_is_non_compliant_without_lookup() {
    // GIVEN a secret on the alias ARN of alias/aws/secretsmanager
    let secret = secret_with_key(&alias_arn(REGION, ACCOUNT, "alias/aws/secretsmanager"));
    let keys = Keys::new();
    // WHEN decided
    let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
    // THEN row 5 applies without a lookup
    assert_eq!(verdict.row, Row::AwsManagedAlias);
    assert!(key_lookups_needed(&secret, &params()).is_empty());
    assert!(keys.asked().is_empty());
}

// ---- row 6: AWS managed key

#[test]
fn row_6_aws_managed_key_by_key_arn_is_non_compliant() {
    // GIVEN a secret naming the aws/secretsmanager key by its key ARN
    let arn = key_arn(REGION, ACCOUNT, OTHER_KEY_ID);
    let secret = secret_with_key(&arn);
    let keys = Keys::new().with(&arn, described(&arn, KeyManager::Aws, KeyState::Enabled));
    // WHEN decided
    let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
    // THEN it is NON_COMPLIANT naming the key ARN
    assert_eq!(verdict.compliance, Compliance::NonCompliant);
    assert_eq!(verdict.row, Row::AwsManagedKey);
    assert!(verdict.annotation.as_str().contains(&arn));
}

// ---- row 7: missing key

#[test]
fn row_7_missing_key_is_non_compliant() {
    // GIVEN a secret whose key does not exist
    let secret = secret_with_key(KEY_ID);
    let keys = Keys::new().with(KEY_ID, KeyLookup::NotFound);
    // WHEN decided
    let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
    // THEN it is NON_COMPLIANT, naming the key qualified in the secret's scope
    assert_eq!(verdict.compliance, Compliance::NonCompliant);
    assert_eq!(verdict.row, Row::KeyNotFound);
    assert!(verdict.annotation.as_str().contains(&cmk_arn()));
    assert!(verdict.annotation.as_str().contains("does not exist"));
}

// ---- row 8: key not usable

#[test]
fn row_8_every_state_but_enabled_is_non_compliant_naming_the_state() {
    for state in [
        KeyState::Disabled,
        KeyState::PendingDeletion,
        KeyState::PendingImport,
        KeyState::PendingReplicaDeletion,
        KeyState::Unavailable,
        KeyState::Other("Frozen".into()),
    ] {
        // GIVEN a customer managed key in that state
        let secret = secret_with_key(&cmk_arn());
        let keys = Keys::new().with(
            &cmk_arn(),
            described(&cmk_arn(), KeyManager::Customer, state.clone()),
        );
        // WHEN decided with the default requireEnabledKey=true
        let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
        // THEN NON_COMPLIANT at row 8, naming the state
        assert_eq!(verdict.compliance, Compliance::NonCompliant, "{state:?}");
        assert_eq!(verdict.row, Row::KeyNotEnabled);
        assert!(
            verdict.annotation.as_str().contains(state.as_str()),
            "{verdict:?}"
        );
        assert!(verdict.annotation.as_str().contains("unreadable"));
    }
}

#[test]
fn row_8_passing_states_are_unverifiable_not_non_compliant() {
    for state in [KeyState::Creating, KeyState::Updating] {
        // GIVEN a customer managed key that is being created or updated
        let secret = secret_with_key(&cmk_arn());
        let keys = Keys::new().with(
            &cmk_arn(),
            described(&cmk_arn(), KeyManager::Customer, state.clone()),
        );
        // WHEN decided
        let decision = decide_checked(&secret, &params(), &keys);
        // THEN no verdict yet (a NON_COMPLIANT could trigger a needless re-key)
        match decision {
            rule_core::Decision::Unverifiable { reason } => {
                assert!(reason.contains(state.as_str()), "{reason}")
            }
            other => panic!("{state:?}: expected Unverifiable, got {other:?}"),
        }
    }
}

#[test]
fn row_8_disabled_key_with_require_enabled_key_false_is_compliant() {
    // GIVEN a disabled customer managed key and requireEnabledKey=false
    let params = RuleParameters {
        require_enabled_key: false,
        ..params()
    };
    let secret = secret_with_key(&cmk_arn());
    let keys = Keys::new().with(
        &cmk_arn(),
        described(&cmk_arn(), KeyManager::Customer, KeyState::Disabled),
    );
    // WHEN decided
    let verdict = verdict_of(decide_checked(&secret, &params, &keys));
    // THEN COMPLIANT, still saying the key's state
    assert_eq!(verdict.compliance, Compliance::Compliant);
    assert_eq!(verdict.row, Row::Compliant);
    assert!(verdict.annotation.as_str().contains("Disabled"));
}

#[test]
fn row_8_disabled_key_with_require_enabled_key_false_still_goes_through_row_9() {
    // GIVEN a disabled key that is not approved, and requireEnabledKey=false
    let params = RuleParameters {
        require_enabled_key: false,
        ..approving(&[&key_arn(REGION, ACCOUNT, OTHER_KEY_ID)])
    };
    let secret = secret_with_key(&cmk_arn());
    let keys = Keys::new().with(
        &cmk_arn(),
        described(&cmk_arn(), KeyManager::Customer, KeyState::Disabled),
    );
    // WHEN decided / THEN row 9 decides
    assert_eq!(
        verdict_of(decide_checked(&secret, &params, &keys)).row,
        Row::NotApproved
    );
}

// ---- row 9: approved keys

#[test]
fn row_9_key_not_approved_is_non_compliant() {
    // GIVEN kmsKeyArns naming another key
    let params = approving(&[&key_arn(REGION, ACCOUNT, OTHER_KEY_ID)]);
    let secret = secret_with_key(&cmk_arn());
    let keys = Keys::new().with(&cmk_arn(), cmk(&cmk_arn()));
    // WHEN decided
    let verdict = verdict_of(decide_checked(&secret, &params, &keys));
    // THEN NON_COMPLIANT, naming the key and the parameter
    assert_eq!(verdict.compliance, Compliance::NonCompliant);
    assert_eq!(verdict.row, Row::NotApproved);
    assert!(verdict.annotation.as_str().contains(&cmk_arn()));
    assert!(verdict.annotation.as_str().contains("kmsKeyArns"));
}

#[test]
fn row_9_approved_by_key_arn_is_compliant_without_resolving_the_approved_key() {
    // GIVEN kmsKeyArns naming the secret's key by ARN, and a secret naming it by id
    let params = approving(&[&cmk_arn()]);
    let secret = secret_with_key(KEY_ID);
    let keys = Keys::new().with(KEY_ID, cmk(&cmk_arn()));
    // WHEN decided
    let verdict = verdict_of(decide_checked(&secret, &params, &keys));
    // THEN COMPLIANT, and only the secret's own key was looked up
    assert_eq!(verdict.compliance, Compliance::Compliant);
    assert_eq!(
        key_lookups_needed(&secret, &params),
        vec![qualified(KEY_ID, &scope())]
    );
}

#[test]
fn row_9_approved_alias_name_resolving_to_the_same_key_is_compliant() {
    // GIVEN kmsKeyArns "alias/app", which resolves to the secret's key
    let params = approving(&["alias/app"]);
    let secret = secret_with_key(&cmk_arn());
    let keys = Keys::new()
        .with(&cmk_arn(), cmk(&cmk_arn()))
        .with("alias/app", cmk(&cmk_arn()));
    // WHEN the lookups are planned and the secret decided
    let needed = key_lookups_needed(&secret, &params);
    let verdict = verdict_of(decide_checked(&secret, &params, &keys));
    // THEN the alias is resolved in the secret's scope, and the secret is COMPLIANT
    assert_eq!(
        needed,
        vec![
            qualified(&cmk_arn(), &scope()),
            qualified("alias/app", &scope())
        ]
    );
    assert_eq!(verdict.compliance, Compliance::Compliant);
    assert_eq!(verdict.row, Row::Compliant);
}

#[test]
fn row_9_secret_on_an_alias_matches_the_approved_key_arn_it_resolves_to() {
    // GIVEN a secret on "alias/app" and kmsKeyArns naming the key ARN behind it
    let params = approving(&[&cmk_arn()]);
    let secret = secret_with_key("alias/app");
    let keys = Keys::new().with("alias/app", cmk(&cmk_arn()));
    // WHEN decided / THEN resolved ARNs are compared, not strings
    let verdict = verdict_of(decide_checked(&secret, &params, &keys));
    assert_eq!(verdict.compliance, Compliance::Compliant);
    assert!(verdict.annotation.as_str().contains(&cmk_arn()));
}

#[test]
fn row_9_approved_key_in_another_region_does_not_match() {
    // GIVEN kmsKeyArns naming the same key id in another region (e.g. a multi-Region key)
    let params = approving(&[&key_arn("us-west-2", ACCOUNT, KEY_ID)]);
    let secret = secret_with_key(&cmk_arn());
    let keys = Keys::new().with(&cmk_arn(), cmk(&cmk_arn()));
    // WHEN decided / THEN the regions differ, so it is not approved
    assert_eq!(
        verdict_of(decide_checked(&secret, &params, &keys)).row,
        Row::NotApproved
    );
}

#[test]
fn row_9_approved_key_in_another_account_does_not_match() {
    // GIVEN kmsKeyArns naming the same key id in another account
    let params = approving(&[&key_arn(REGION, OTHER_ACCOUNT, KEY_ID)]);
    let secret = secret_with_key(&cmk_arn());
    let keys = Keys::new().with(&cmk_arn(), cmk(&cmk_arn()));
    // WHEN decided / THEN it is not approved
    assert_eq!(
        verdict_of(decide_checked(&secret, &params, &keys)).row,
        Row::NotApproved
    );
}

#[test]
fn row_9_key_id_case_does_not_matter() {
    // GIVEN kmsKeyArns naming the key with an upper-case key id
    let params = approving(&[&key_arn(REGION, ACCOUNT, &KEY_ID.to_uppercase())]);
    let secret = secret_with_key(&cmk_arn());
    let keys = Keys::new().with(&cmk_arn(), cmk(&cmk_arn()));
    // WHEN decided / THEN it is the same key
    assert_eq!(
        verdict_of(decide_checked(&secret, &params, &keys)).compliance,
        Compliance::Compliant
    );
}

#[test]
fn row_9_approved_alias_that_does_not_exist_matches_nothing() {
    // GIVEN kmsKeyArns "alias/gone", which does not exist
    let params = approving(&["alias/gone"]);
    let secret = secret_with_key(&cmk_arn());
    let keys = Keys::new()
        .with(&cmk_arn(), cmk(&cmk_arn()))
        .with("alias/gone", KeyLookup::NotFound);
    // WHEN decided / THEN the key is not approved
    assert_eq!(
        verdict_of(decide_checked(&secret, &params, &keys)).row,
        Row::NotApproved
    );
}

#[test]
fn row_9_approved_alias_that_failed_to_resolve_is_unverifiable() {
    // GIVEN an approved alias whose DescribeKey was throttled
    let params = approving(&["alias/app"]);
    let secret = secret_with_key(&cmk_arn());
    let keys = Keys::new().with(&cmk_arn(), cmk(&cmk_arn())).with(
        "alias/app",
        KeyLookup::Failed {
            reason: "ThrottlingException".into(),
        },
    );
    // WHEN decided / THEN it might have matched: no verdict
    let reason = unverifiable_reason(decide_checked(&secret, &params, &keys));
    assert!(
        reason.contains("alias/app") && reason.contains("ThrottlingException"),
        "{reason}"
    );
}

#[test]
fn row_9_approved_alias_denied_in_own_account_is_unverifiable() {
    // GIVEN an approved alias of the secret's own account whose DescribeKey was denied
    let params = approving(&["alias/app"]);
    let secret = secret_with_key(&cmk_arn());
    let keys = Keys::new()
        .with(&cmk_arn(), cmk(&cmk_arn()))
        .with("alias/app", KeyLookup::AccessDenied);
    // WHEN decided / THEN no verdict
    let reason = unverifiable_reason(decide_checked(&secret, &params, &keys));
    assert!(reason.contains("alias/app"), "{reason}");
}

#[test]
fn row_9_a_match_wins_over_an_unresolvable_approved_alias() {
    // GIVEN one approved alias that failed to resolve and one approved key ARN that matches
    let params = approving(&["alias/broken", &cmk_arn()]);
    let secret = secret_with_key(&cmk_arn());
    let keys = Keys::new().with(&cmk_arn(), cmk(&cmk_arn())).with(
        "alias/broken",
        KeyLookup::Failed {
            reason: "InternalFailure".into(),
        },
    );
    // WHEN decided / THEN the match settles it
    assert_eq!(
        verdict_of(decide_checked(&secret, &params, &keys)).compliance,
        Compliance::Compliant
    );
}

#[test]
fn row_9_approved_alias_arn_of_another_account_is_not_looked_up() {
    // GIVEN an approved alias ARN in another account and a same-account key
    let foreign_alias = alias_arn(REGION, OTHER_ACCOUNT, "alias/shared");
    let params = approving(&[&foreign_alias]);
    let secret = secret_with_key(&cmk_arn());
    // WHEN the lookups are planned
    let needed = key_lookups_needed(&secret, &params);
    // THEN only the secret's key is looked up: that alias cannot name a key of this
    // account, so the secret is not approved
    assert_eq!(needed, vec![qualified(&cmk_arn(), &scope())]);
    let keys = Keys::new().with(&cmk_arn(), cmk(&cmk_arn()));
    assert_eq!(
        verdict_of(decide_checked(&secret, &params, &keys)).row,
        Row::NotApproved
    );
}

// ---- row 10: cross-account key, DescribeKey denied

#[test]
fn row_10_cross_account_denied_key_is_compliant_not_verified() {
    // GIVEN a key ARN of another, allowed, account, DescribeKey denied, no approved list
    let foreign = key_arn(REGION, OTHER_ACCOUNT, KEY_ID);
    let secret = secret_with_key(&foreign);
    let keys = Keys::new().with(&foreign, KeyLookup::AccessDenied);
    // WHEN decided
    let verdict = verdict_of(decide_checked(&secret, &allowing(OTHER_ACCOUNT), &keys));
    // THEN it is treated as customer managed, and says it was not verified
    assert_eq!(verdict.compliance, Compliance::Compliant);
    assert_eq!(verdict.row, Row::CrossAccountUnverified);
    assert!(verdict.annotation.as_str().contains(&foreign));
    assert!(
        verdict
            .annotation
            .as_str()
            .contains("(not verified: cross-account, DescribeKey denied)")
    );
}

#[test]
fn row_10_cross_account_key_in_the_approved_list_is_compliant() {
    // GIVEN the foreign key ARN is approved
    let foreign = key_arn(REGION, OTHER_ACCOUNT, KEY_ID);
    let params = approving(&[&foreign]);
    let secret = secret_with_key(&foreign);
    let keys = Keys::new().with(&foreign, KeyLookup::AccessDenied);
    // WHEN decided / THEN row 9 passes on the ARN as given
    let verdict = verdict_of(decide_checked(&secret, &params, &keys));
    assert_eq!(verdict.compliance, Compliance::Compliant);
    assert_eq!(verdict.row, Row::CrossAccountUnverified);
}

#[test]
fn row_10_cross_account_key_not_in_the_approved_list_is_non_compliant() {
    // GIVEN the foreign account allowed, and an approved list that does not name its key
    let foreign = key_arn(REGION, OTHER_ACCOUNT, KEY_ID);
    let params = RuleParameters {
        allowed_key_accounts: vec![OTHER_ACCOUNT.to_owned()],
        ..approving(&[&cmk_arn(), "alias/app"])
    };
    let secret = secret_with_key(&foreign);
    let keys = Keys::new().with(&foreign, KeyLookup::AccessDenied);
    // WHEN decided / THEN row 9 still applies (the approved alias, of this account,
    // cannot name a foreign key and is not even looked up)
    let verdict = verdict_of(decide_checked(&secret, &params, &keys));
    assert_eq!(verdict.row, Row::NotApproved);
    assert_eq!(
        key_lookups_needed(&secret, &params),
        vec![qualified(&foreign, &scope())]
    );
}

#[test]
fn row_10_cross_account_alias_arn_matches_the_same_approved_alias_arn() {
    // GIVEN a secret on a foreign alias ARN that is itself approved, DescribeKey denied
    let foreign_alias = alias_arn(REGION, OTHER_ACCOUNT, "alias/shared");
    let params = approving(&[&foreign_alias]);
    let secret = secret_with_key(&foreign_alias);
    let keys = Keys::new().with(&foreign_alias, KeyLookup::AccessDenied);
    // WHEN decided / THEN the alias ARNs are the same: approved, not verified
    let verdict = verdict_of(decide_checked(&secret, &params, &keys));
    assert_eq!(verdict.compliance, Compliance::Compliant);
    assert_eq!(verdict.row, Row::CrossAccountUnverified);
}

#[test]
fn row_10_cross_account_alias_arn_against_an_approved_key_arn_is_unverifiable() {
    // GIVEN a secret on a foreign alias ARN we may not resolve, and an approved key of
    // that account: the alias may or may not point at it
    let foreign_alias = alias_arn(REGION, OTHER_ACCOUNT, "alias/shared");
    let params = approving(&[&key_arn(REGION, OTHER_ACCOUNT, KEY_ID)]);
    let secret = secret_with_key(&foreign_alias);
    let keys = Keys::new().with(&foreign_alias, KeyLookup::AccessDenied);
    // WHEN decided / THEN no guess either way
    let reason = unverifiable_reason(decide_checked(&secret, &params, &keys));
    assert!(reason.contains("alias/shared"), "{reason}");
}

// ---- row 11: replicas

fn with_replicas(key: &str, replicas: Vec<rule_core::ReplicaFacts>) -> rule_core::SecretFacts {
    rule_core::SecretFacts {
        replicas: Some(replicas),
        ..secret_with_key(key)
    }
}

#[test]
fn row_11_replica_on_the_default_key_is_non_compliant_naming_the_region() {
    // GIVEN a compliant primary and a replica on the default key
    let secret = with_replicas(&cmk_arn(), vec![replica(REPLICA_REGION, None)]);
    let keys = Keys::new().with(&cmk_arn(), cmk(&cmk_arn()));
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
    let keys = Keys::new().with(&cmk_arn(), cmk(&cmk_arn()));
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
    let replica_key = key_arn(REPLICA_REGION, ACCOUNT, OTHER_KEY_ID);
    let secret = with_replicas(
        &cmk_arn(),
        vec![replica(REPLICA_REGION, Some(&replica_key))],
    );
    let keys = Keys::new().with(&cmk_arn(), cmk(&cmk_arn())).with(
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
    let replica_key = key_arn(REPLICA_REGION, ACCOUNT, OTHER_KEY_ID);
    let secret = with_replicas(&cmk_arn(), vec![replica(REPLICA_REGION, Some("alias/app"))]);
    let keys = Keys::new().with(&cmk_arn(), cmk(&cmk_arn())).with_in(
        "alias/app",
        &replica_scope,
        cmk(&replica_key),
    );
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
    let replica_key = key_arn(REPLICA_REGION, ACCOUNT, OTHER_KEY_ID);
    let secret = with_replicas(
        &cmk_arn(),
        vec![replica(REPLICA_REGION, Some(&replica_key))],
    );
    let keys = Keys::new()
        .with(&cmk_arn(), cmk(&cmk_arn()))
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
    let replica_key = key_arn(REPLICA_REGION, ACCOUNT, OTHER_KEY_ID);
    let secret = with_replicas(
        &cmk_arn(),
        vec![replica(REPLICA_REGION, Some(&replica_key))],
    );
    let keys = Keys::new()
        .with(&cmk_arn(), cmk(&cmk_arn()))
        .with(&replica_key, cmk(&replica_key));
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
    let keys = Keys::new().with(&cmk_arn(), cmk(&cmk_arn()));
    // WHEN decided / THEN only the primary counts
    assert_eq!(
        verdict_of(decide_checked(&secret, &params, &keys)).compliance,
        Compliance::Compliant
    );
}

#[test]
fn row_11_unknown_replicas_leave_the_primary_to_decide() {
    // GIVEN replica details that were not fetched
    let secret = rule_core::SecretFacts {
        replicas: None,
        ..secret_with_key(&cmk_arn())
    };
    let keys = Keys::new().with(&cmk_arn(), cmk(&cmk_arn()));
    // WHEN decided / THEN the primary decides
    assert_eq!(
        verdict_of(decide_checked(&secret, &params(), &keys)).row,
        Row::Compliant
    );
}

#[test]
fn row_11_an_unverifiable_replica_makes_the_secret_unverifiable() {
    // GIVEN a replica whose key lookup failed
    let replica_key = key_arn(REPLICA_REGION, ACCOUNT, OTHER_KEY_ID);
    let secret = with_replicas(
        &cmk_arn(),
        vec![replica(REPLICA_REGION, Some(&replica_key))],
    );
    let keys = Keys::new().with(&cmk_arn(), cmk(&cmk_arn())).with(
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
    let replica_key = key_arn(REPLICA_REGION, ACCOUNT, OTHER_KEY_ID);
    let secret = with_replicas(
        &cmk_arn(),
        vec![
            replica(REPLICA_REGION, Some(&replica_key)),
            replica("ap-south-1", None),
        ],
    );
    let keys = Keys::new()
        .with(&cmk_arn(), cmk(&cmk_arn()))
        .with(&replica_key, KeyLookup::AccessDenied);
    // WHEN decided / THEN the certain failure is reported
    let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
    assert_eq!(verdict.row, Row::ReplicaFails);
    assert!(verdict.annotation.as_str().contains("ap-south-1"));
}

#[test]
fn row_11_a_replica_with_a_malformed_region_is_unverifiable() {
    // GIVEN a replica whose region is not a region name
    let secret = with_replicas(&cmk_arn(), vec![replica("eu:west", Some("alias/app"))]);
    let keys = Keys::new().with(&cmk_arn(), cmk(&cmk_arn()));
    // WHEN decided / THEN it is neither looked up nor guessed
    assert_eq!(key_lookups_needed(&secret, &params()).len(), 1);
    let reason = unverifiable_reason(decide_checked(&secret, &params(), &keys));
    assert!(reason.contains("eu:west"), "{reason}");
}

// ---- row 12: compliant

#[test]
fn row_12_enabled_customer_managed_key_is_compliant_naming_the_key_arn() {
    // GIVEN a secret on an enabled customer managed key
    let secret = secret_with_key(&cmk_arn());
    let keys = Keys::new().with(&cmk_arn(), cmk(&cmk_arn()));
    // WHEN decided
    let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
    // THEN COMPLIANT, naming the key ARN
    assert_eq!(verdict.compliance, Compliance::Compliant);
    assert_eq!(verdict.row, Row::Compliant);
    assert!(verdict.annotation.as_str().contains(&cmk_arn()));
    assert!(!verdict.annotation.as_str().contains("not verified"));
}

#[test]
fn row_12_key_id_and_alias_name_are_resolved_in_the_secret_scope() {
    for stored in [KEY_ID, "alias/app"] {
        // GIVEN a secret naming its key by bare id or alias name
        let secret = secret_with_key(stored);
        let keys = Keys::new().with(stored, cmk(&cmk_arn()));
        // WHEN decided
        let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
        // THEN the lookup was qualified in the secret's account and region
        let asked = keys.asked();
        assert_eq!(asked.len(), 1);
        assert_eq!(asked[0].account(), ACCOUNT);
        assert_eq!(asked[0].region(), REGION);
        assert_eq!(verdict.row, Row::Compliant);
        assert!(verdict.annotation.as_str().contains(&cmk_arn()));
    }
}

// ---- unverifiable: never a guess

#[test]
fn unverifiable_when_describe_key_is_denied_in_the_secrets_own_account() {
    // GIVEN a same-account key whose DescribeKey was denied
    let secret = secret_with_key(&cmk_arn());
    let keys = Keys::new().with(&cmk_arn(), KeyLookup::AccessDenied);
    // WHEN decided / THEN no verdict, saying why
    let reason = unverifiable_reason(decide_checked(&secret, &params(), &keys));
    assert!(
        reason.contains("denied") && reason.contains(&cmk_arn()),
        "{reason}"
    );
}

#[test]
fn unverifiable_when_describe_key_failed_after_retries() {
    // GIVEN a throttled lookup
    let secret = secret_with_key("alias/app");
    let keys = Keys::new().with(
        "alias/app",
        KeyLookup::Failed {
            reason: "ThrottlingException: Rate exceeded".into(),
        },
    );
    // WHEN decided / THEN no verdict, with the reason
    let reason = unverifiable_reason(decide_checked(&secret, &params(), &keys));
    assert!(reason.contains("Rate exceeded"), "{reason}");
}

#[test]
fn unverifiable_when_a_needed_lookup_is_missing() {
    // GIVEN no DescribeKey result at all
    let secret = secret_with_key(&cmk_arn());
    // WHEN decided / THEN no verdict (not a panic, not a guess)
    let reason = unverifiable_reason(decide_checked(&secret, &params(), &Keys::new()));
    assert!(reason.contains("no DescribeKey result"), "{reason}");
}

#[test]
fn unverifiable_when_the_stored_key_id_cannot_be_read() {
    for stored in [
        "not-a-key",
        "arn:aws:s3:::bucket",
        "alias/has space",
        "12345678",
    ] {
        // GIVEN a stored KmsKeyId that is no key reference
        let secret = secret_with_key(stored);
        // WHEN planned and decided
        let needed = key_lookups_needed(&secret, &params());
        let reason = unverifiable_reason(decide_checked(&secret, &params(), &Keys::new()));
        // THEN it is not looked up, and the reason names it
        assert!(needed.is_empty());
        assert!(reason.contains("KmsKeyId"), "{reason}");
        assert!(reason.contains(&format!("{stored:?}")), "{reason}");
    }
}

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
    let keys = Keys::new().with(&cmk_arn(), cmk(&cmk_arn()));
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
