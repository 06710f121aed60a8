//! Row 9: approved keys (kmsKeyArns), compared by resolved key ARN.

use rule_core::{Compliance, Decision, KeyLookup, Row, key_lookups_needed};

use crate::support::*;

/// What is decided for a secret on the happy-path key (`cmk_arn()`) when kmsKeyArns is
/// `approved` and DescribeKey answers with `keys`.
fn decided_on_the_cmk(approved: &[&str], keys: &Keys) -> Decision {
    decide_checked(&secret_with_key(&cmk_arn()), &approving(approved), keys)
}

// ---- row 9: approved keys

#[test]
fn row_9_key_not_approved_is_non_compliant() {
    // GIVEN kmsKeyArns naming another key
    let other_key = key_arn(REGION, ACCOUNT, OTHER_KEY_ID);
    // WHEN a secret on the CMK is decided
    let verdict = verdict_of(decided_on_the_cmk(&[&other_key], &cmk_keys()));
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
    let keys = cmk_keys().with("alias/app", cmk(&cmk_arn()));
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
    let approved = key_arn("us-west-2", ACCOUNT, KEY_ID);
    // WHEN a secret on the CMK is decided / THEN the regions differ, so it is not approved
    let verdict = verdict_of(decided_on_the_cmk(&[&approved], &cmk_keys()));
    assert_eq!(verdict.row, Row::NotApproved);
}

#[test]
fn row_9_approved_key_in_another_account_does_not_match() {
    // GIVEN kmsKeyArns naming the same key id in another account
    let approved = key_arn(REGION, OTHER_ACCOUNT, KEY_ID);
    // WHEN a secret on the CMK is decided / THEN it is not approved
    let verdict = verdict_of(decided_on_the_cmk(&[&approved], &cmk_keys()));
    assert_eq!(verdict.row, Row::NotApproved);
}

#[test]
fn row_9_key_id_case_does_not_matter() {
    // GIVEN kmsKeyArns naming the key with an upper-case key id
    let approved = key_arn(REGION, ACCOUNT, &KEY_ID.to_uppercase());
    // WHEN a secret on the CMK is decided / THEN it is the same key
    let verdict = verdict_of(decided_on_the_cmk(&[&approved], &cmk_keys()));
    assert_eq!(verdict.compliance, Compliance::Compliant);
}

#[test]
fn row_9_approved_alias_that_does_not_exist_matches_nothing() {
    // GIVEN kmsKeyArns "alias/gone", which does not exist
    let keys = cmk_keys().with("alias/gone", KeyLookup::NotFound);
    // WHEN a secret on the CMK is decided / THEN the key is not approved
    let verdict = verdict_of(decided_on_the_cmk(&["alias/gone"], &keys));
    assert_eq!(verdict.row, Row::NotApproved);
}

#[test]
fn row_9_approved_alias_that_failed_to_resolve_is_unverifiable() {
    // GIVEN an approved alias whose DescribeKey was throttled
    let keys = cmk_keys().with(
        "alias/app",
        KeyLookup::Failed {
            reason: "ThrottlingException".into(),
        },
    );
    // WHEN a secret on the CMK is decided / THEN it might have matched: no verdict
    let reason = unverifiable_reason(decided_on_the_cmk(&["alias/app"], &keys));
    assert!(
        reason.contains("alias/app") && reason.contains("ThrottlingException"),
        "{reason}"
    );
}

#[test]
fn row_9_approved_alias_denied_in_own_account_is_unverifiable() {
    // GIVEN an approved alias of the secret's own account whose DescribeKey was denied
    let keys = cmk_keys().with("alias/app", KeyLookup::AccessDenied);
    // WHEN a secret on the CMK is decided / THEN no verdict
    let reason = unverifiable_reason(decided_on_the_cmk(&["alias/app"], &keys));
    assert!(reason.contains("alias/app"), "{reason}");
}

#[test]
fn row_9_a_match_wins_over_an_unresolvable_approved_alias() {
    // GIVEN one approved alias that failed to resolve and one approved key ARN that matches
    let keys = cmk_keys().with(
        "alias/broken",
        KeyLookup::Failed {
            reason: "InternalFailure".into(),
        },
    );
    // WHEN a secret on the CMK is decided / THEN the match settles it
    let verdict = verdict_of(decided_on_the_cmk(&["alias/broken", &cmk_arn()], &keys));
    assert_eq!(verdict.compliance, Compliance::Compliant);
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
    let verdict = verdict_of(decided_on_the_cmk(&[&foreign_alias], &cmk_keys()));
    assert_eq!(verdict.row, Row::NotApproved);
}
