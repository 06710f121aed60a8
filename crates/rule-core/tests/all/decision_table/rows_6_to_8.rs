//! Rows 6 to 8: what DescribeKey says: AWS managed, missing, not Enabled.

use rule_core::{Compliance, KeyLookup, KeyManager, KeyState, Row, RuleParameters};

use crate::support::*;

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
            other @ rule_core::Decision::Verdict(_) => {
                panic!("{state:?}: expected Unverifiable, got {other:?}")
            }
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
