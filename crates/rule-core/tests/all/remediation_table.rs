//! The remediation table through the public API: what a re-key or a restore may use.
//! A target must pass the same decision table as a secret (`secret_on_key`).

use rule_core::{
    Compliance, KeyProblem, KeyRef, KeyUse, Row, decide, key_lookups_needed, problem_before_lookup,
    secret_on_key,
};

use crate::support::*;

#[test]
fn a_target_passes_only_what_the_rule_would_pass() {
    // GIVEN kmsKeyArns approving one key, and a secret on the default key
    let approved = cmk_arn();
    let other = key_arn(REGION, ACCOUNT, OTHER_KEY_ID);
    let params = approving(&[&approved]);
    let secret = secret();
    let keys = Keys::new()
        .with(&approved, cmk(&approved))
        .with(&other, cmk(&other));
    // WHEN each is asked as a target
    let judge = |target: &str| {
        let on_target = secret_on_key(&secret, target);
        assert_eq!(key_lookups_needed(&on_target, &params).len(), 1);
        decide(&on_target, &params, &keys)
            .verdict()
            .map(|v| (v.compliance, v.row))
    };
    // THEN the approved key passes and the other fails at row 9
    assert_eq!(
        judge(&approved),
        Some((Compliance::Compliant, Row::Compliant))
    );
    assert_eq!(
        judge(&other),
        Some((Compliance::NonCompliant, Row::NotApproved))
    );
}

#[test]
fn an_untrusted_target_or_previous_key_is_refused_before_any_call() {
    let foreign = KeyRef::parse(&key_arn(REGION, OTHER_ACCOUNT, KEY_ID)).unwrap();
    for purpose in [KeyUse::Target, KeyUse::Restore] {
        // GIVEN default parameters WHEN checked THEN refused naming the account
        let problem = problem_before_lookup(&foreign, &scope(), &params(), purpose);
        assert!(
            matches!(&problem, Some(KeyProblem::UntrustedAccount { key_account, .. }) if key_account == OTHER_ACCOUNT),
            "{problem:?}"
        );
        // AND allowed, it needs DescribeKey to judge
        assert_eq!(
            problem_before_lookup(&foreign, &scope(), &allowing(OTHER_ACCOUNT), purpose),
            None
        );
    }
}
