//! Row 10: a key of another, allowed, account that DescribeKey may not describe.

use rule_core::{Compliance, KeyLookup, Row, RuleParameters, key_lookups_needed};

use crate::support::*;

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
