//! Row 12 (COMPLIANT) and what is never guessed: no verdict when the facts do not settle it.

use rule_core::{Compliance, KeyLookup, Row, key_lookups_needed};

use crate::support::*;

// ---- row 12: compliant

#[test]
fn row_12_enabled_customer_managed_key_is_compliant_naming_the_key_arn() {
    // GIVEN a secret on an enabled customer managed key
    let secret = secret_with_key(&cmk_arn());
    let keys = cmk_keys();
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
