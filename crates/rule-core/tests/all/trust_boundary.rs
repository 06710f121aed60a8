//! Row 5a and the parameter `allowedKeyAccounts`: a key of an account we do not trust
//! never passes, and is never described.

use rule_core::{
    Compliance, KeyLookup, KeyManager, KeyState, ParameterError, ReplicaFacts, Row, RuleParameters,
    key_lookups_needed,
};

use crate::support::*;

const THIRD_ACCOUNT: &str = "777788889999";

fn foreign_key() -> String {
    key_arn(REGION, OTHER_ACCOUNT, KEY_ID)
}

#[test]
fn row_5a_key_of_an_untrusted_account_is_non_compliant_without_lookup() {
    // GIVEN a secret on an Enabled customer managed key of another account, by default
    let secret = secret_with_key(&foreign_key());
    let keys = Keys::new().with(&foreign_key(), cmk(&foreign_key()));
    // WHEN decided
    let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
    // THEN NON_COMPLIANT at row 5a, naming the account and the parameter, with no lookup
    assert_eq!(verdict.compliance, Compliance::NonCompliant);
    assert_eq!(verdict.row, Row::UntrustedKeyAccount);
    let text = verdict.annotation.as_str();
    assert!(text.contains(OTHER_ACCOUNT), "{text}");
    assert!(text.contains("allowedKeyAccounts"), "{text}");
    assert!(key_lookups_needed(&secret, &params()).is_empty());
    assert!(keys.asked().is_empty());
}

#[test]
fn row_5a_applies_to_alias_arns_and_even_when_describe_key_would_be_denied() {
    // GIVEN a foreign alias ARN, and a foreign key whose DescribeKey would be denied
    // (before 5a, row 10 made that one COMPLIANT)
    for stored in [
        alias_arn(REGION, OTHER_ACCOUNT, "alias/shared"),
        foreign_key(),
    ] {
        let secret = secret_with_key(&stored);
        let keys = Keys::new().with(&stored, KeyLookup::AccessDenied);
        // WHEN decided / THEN row 5a, unasked
        let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
        assert_eq!(verdict.row, Row::UntrustedKeyAccount, "{stored}");
        assert!(keys.asked().is_empty());
    }
}

#[test]
fn row_5a_an_allowed_account_makes_its_key_go_through_the_table() {
    // GIVEN the foreign account allowed (with another one)
    let params = allowing(&format!("{THIRD_ACCOUNT}, {OTHER_ACCOUNT}"));
    let secret = secret_with_key(&foreign_key());
    let keys = Keys::new().with(&foreign_key(), cmk(&foreign_key()));
    // WHEN decided / THEN its key is described and passes: COMPLIANT at row 12
    let verdict = verdict_of(decide_checked(&secret, &params, &keys));
    assert_eq!(verdict.compliance, Compliance::Compliant);
    assert_eq!(verdict.row, Row::Compliant);
    assert_eq!(keys.asked(), vec![qualified(&foreign_key(), &scope())]);
    // AND a disabled key of an allowed account still fails at row 8
    let off = Keys::new().with(
        &foreign_key(),
        described(&foreign_key(), KeyManager::Customer, KeyState::Disabled),
    );
    let verdict = verdict_of(decide_checked(&secret, &params, &off));
    assert_eq!(verdict.row, Row::KeyNotEnabled);
}

#[test]
fn row_5a_a_key_approved_by_name_is_trusted_with_its_account() {
    // GIVEN kmsKeyArns naming the foreign key
    let params = approving(&[&foreign_key()]);
    let secret = secret_with_key(&foreign_key());
    let keys = Keys::new().with(&foreign_key(), cmk(&foreign_key()));
    // WHEN decided / THEN COMPLIANT
    let verdict = verdict_of(decide_checked(&secret, &params, &keys));
    assert_eq!(verdict.compliance, Compliance::Compliant);
    // AND another key of that account is described, and fails row 9 (not approved)
    let other = key_arn(REGION, OTHER_ACCOUNT, OTHER_KEY_ID);
    let secret = secret_with_key(&other);
    let keys = Keys::new().with(&other, cmk(&other));
    assert_eq!(
        verdict_of(decide_checked(&secret, &params, &keys)).row,
        Row::NotApproved
    );
    // AND a third account's key is still 5a
    let third = key_arn(REGION, THIRD_ACCOUNT, KEY_ID);
    let secret = secret_with_key(&third);
    assert_eq!(
        verdict_of(decide_checked(&secret, &params, &Keys::new())).row,
        Row::UntrustedKeyAccount
    );
}

#[test]
fn row_5a_bare_ids_and_alias_names_are_of_the_secret_s_own_account() {
    // GIVEN a bare key id and an alias name: KMS resolves them in the secret's account
    for stored in [KEY_ID, "alias/app"] {
        let secret = secret_with_key(stored);
        let keys = Keys::new().with_in(stored, &scope(), cmk(&cmk_arn()));
        // WHEN decided / THEN they go through the table as keys of the own account
        let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
        assert_eq!(verdict.row, Row::Compliant, "{stored}");
    }
}

#[test]
fn row_5a_a_replica_on_an_untrusted_key_fails_the_secret_at_row_11() {
    // GIVEN a compliant primary and a replica on another account's key
    let replica_key = key_arn(REPLICA_REGION, OTHER_ACCOUNT, KEY_ID);
    let secret = rule_core::SecretFacts {
        replicas: Some(vec![ReplicaFacts {
            region: REPLICA_REGION.into(),
            kms_key_id: Some(replica_key.clone()),
            status: Some("InSync".into()),
        }]),
        ..secret_with_key(&cmk_arn())
    };
    let keys = cmk_keys();
    // WHEN decided
    let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
    // THEN row 11 names the Region and the untrusted account; the replica key is unasked
    assert_eq!(verdict.row, Row::ReplicaFails);
    assert!(verdict.annotation.as_str().contains(OTHER_ACCOUNT));
    assert_eq!(keys.asked(), vec![qualified(&cmk_arn(), &scope())]);
}

#[test]
fn allowed_key_accounts_is_validated_and_named_in_errors() {
    // GIVEN good lists (spaces, duplicates, blank = unset)
    let parsed = RuleParameters::parse(Some(
        r#"{"allowedKeyAccounts":" 444455556666 ,777788889999,444455556666"}"#,
    ))
    .unwrap();
    assert_eq!(parsed.allowed_key_accounts, [OTHER_ACCOUNT, THIRD_ACCOUNT]);
    let blank = RuleParameters::parse(Some(r#"{"allowedKeyAccounts":""}"#)).unwrap();
    assert!(blank.allowed_key_accounts.is_empty());
    // WHEN an item is not 12 digits (short, letters, an empty item, an ARN)
    for bad in [
        "12345",
        "44445555666a",
        "444455556666,,777788889999",
        "arn:aws:iam::444455556666:root",
        "4444555566667",
    ] {
        let raw = format!(r#"{{"allowedKeyAccounts":"{bad}"}}"#);
        let err = RuleParameters::parse(Some(&raw)).unwrap_err();
        // THEN it is refused, naming the parameter
        assert!(
            matches!(err, ParameterError::BadAccount { .. }),
            "{bad}: {err}"
        );
        assert_eq!(err.parameter(), Some("allowedKeyAccounts"));
        assert!(err.to_string().contains("allowedKeyAccounts"), "{err}");
    }
}
