//! Row 5b and multi-Region keys: a key of another Region never protects a secret, and a
//! multi-Region key approved in `kmsKeyArns` approves its replicas in every Region.

use rule_core::{Compliance, KeyLookup, ReplicaFacts, Row, key_lookups_needed};

use crate::support::*;

const MRK_ID: &str = "mrk-1234abcd12ab34cd56ef1234567890ab";

fn mrk_arn(region: &str) -> String {
    key_arn(region, ACCOUNT, MRK_ID)
}

#[test]
fn row_5b_a_key_arn_of_another_region_is_non_compliant_without_lookup() {
    // GIVEN a secret in us-east-1 whose key ARN names eu-west-1
    let elsewhere = key_arn(REPLICA_REGION, ACCOUNT, KEY_ID);
    let secret = secret_with_key(&elsewhere);
    let keys = Keys::new().with(&elsewhere, cmk(&elsewhere));
    // WHEN decided
    let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
    // THEN NON_COMPLIANT at row 5b, naming both Regions, and the key is never described
    assert_eq!(verdict.compliance, Compliance::NonCompliant);
    assert_eq!(verdict.row, Row::KeyInAnotherRegion);
    let text = verdict.annotation.as_str();
    assert!(
        text.contains(REPLICA_REGION) && text.contains(REGION),
        "{text}"
    );
    assert!(key_lookups_needed(&secret, &params()).is_empty());
    assert!(keys.asked().is_empty());
}

#[test]
fn row_5b_an_alias_arn_of_another_region_too_and_5a_comes_first() {
    // GIVEN an alias ARN of another Region, and a key ARN of another Region and account
    let alias = alias_arn(REPLICA_REGION, ACCOUNT, "alias/app");
    let foreign = key_arn(REPLICA_REGION, OTHER_ACCOUNT, KEY_ID);
    // WHEN decided / THEN 5b for the first, 5a (the account) for the second
    let row = |stored: &str| {
        verdict_of(decide_checked(
            &secret_with_key(stored),
            &params(),
            &Keys::new(),
        ))
        .row
    };
    assert_eq!(row(&alias), Row::KeyInAnotherRegion);
    assert_eq!(row(&foreign), Row::UntrustedKeyAccount);
}

#[test]
fn row_5b_a_replica_on_a_key_of_another_region_fails_the_secret_at_row_11() {
    // GIVEN a compliant primary and a replica in eu-west-1 whose key ARN names us-east-1
    let secret = with_replicas(
        &cmk_arn(),
        vec![ReplicaFacts {
            region: REPLICA_REGION.into(),
            kms_key_id: Some(cmk_arn()),
            status: Some("InSync".into()),
        }],
    );
    let keys = cmk_keys();
    // WHEN decided / THEN row 11, the replica's key judged in the replica's Region
    let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
    assert_eq!(verdict.row, Row::ReplicaFails);
    assert!(
        verdict.annotation.as_str().contains("Region"),
        "{verdict:?}"
    );
}

#[test]
fn an_approved_multi_region_key_approves_its_replica_in_every_region() {
    // GIVEN kmsKeyArns naming a multi-Region key in us-east-1, and a secret with a
    // replica in eu-west-1 on the replica key (same id, same account)
    let params = approving(&[&mrk_arn(REGION)]);
    let secret = with_replicas(
        &mrk_arn(REGION),
        vec![replica(REPLICA_REGION, Some(&mrk_arn(REPLICA_REGION)))],
    );
    let keys = Keys::new()
        .with(&mrk_arn(REGION), cmk(&mrk_arn(REGION)))
        .with(&mrk_arn(REPLICA_REGION), cmk(&mrk_arn(REPLICA_REGION)));
    // WHEN decided
    let verdict = verdict_of(decide_checked(&secret, &params, &keys));
    // THEN COMPLIANT: the replica key is the approved key's replica
    assert_eq!(verdict.compliance, Compliance::Compliant, "{verdict:?}");
    assert_eq!(verdict.row, Row::Compliant);
}

#[test]
fn a_multi_region_approval_is_bounded_by_key_id_and_account() {
    // GIVEN an approved multi-Region key
    let params = approving(&[&mrk_arn(REGION)]);
    // WHEN the secret's key is another mrk id, or the same id in another account
    let other_id = key_arn(REGION, ACCOUNT, "mrk-00000000000000000000000000000000");
    let other_account = key_arn(REGION, OTHER_ACCOUNT, MRK_ID);
    let single_region = approving(&[&key_arn(REPLICA_REGION, ACCOUNT, KEY_ID)]);
    // THEN row 9 (not approved), row 5a (untrusted account), and a single-Region key
    // approved in another Region approves nothing here
    let keys = Keys::new().with(&other_id, cmk(&other_id));
    assert_eq!(
        verdict_of(decide_checked(&secret_with_key(&other_id), &params, &keys)).row,
        Row::NotApproved
    );
    assert_eq!(
        verdict_of(decide_checked(
            &secret_with_key(&other_account),
            &params,
            &Keys::new()
        ))
        .row,
        Row::UntrustedKeyAccount
    );
    let keys = cmk_keys();
    assert_eq!(
        verdict_of(decide_checked(
            &secret_with_key(&cmk_arn()),
            &single_region,
            &keys
        ))
        .row,
        Row::NotApproved
    );
}

#[test]
fn an_approved_multi_region_key_needs_no_extra_lookup() {
    // GIVEN the approved mrk ARN of another Region WHEN planning THEN only the secret's key
    let params = approving(&[&mrk_arn(REPLICA_REGION)]);
    let secret = secret_with_key(&mrk_arn(REGION));
    assert_eq!(
        key_lookups_needed(&secret, &params),
        vec![qualified(&mrk_arn(REGION), &scope())]
    );
    let keys = Keys::new().with(&mrk_arn(REGION), KeyLookup::AccessDenied);
    // AND a same-account key we may not describe is unverifiable, never a guess
    assert!(matches!(
        decide_checked(&secret, &params, &keys),
        rule_core::Decision::Unverifiable { .. }
    ));
}
