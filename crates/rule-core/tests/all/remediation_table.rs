//! The remediation table through the public API: what a re-key or a restore may use.
//! A target must pass the same decision table as a secret (`secret_on_key`).

use rule_core::{
    Compliance, KeyProblem, KeyRef, KeyUse, Row, RuleParameters, decide, key_lookups_needed,
    problem_before_lookup, secret_on_key,
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

/// The cases the runbook's script is tested against too (`cdk/test/remediation-table.test.ts`).
const SHARED_CASES: &str = include_str!("../../../../contract/remediation-cases.json");

/// What rule-core says of one shared case, composed as the CLI's `remediate` composes
/// it: the secret's refusals, the checks before DescribeKey, then the decision table on
/// the target (an Enabled customer managed key, as the case says).
fn refusal(secret_arn: &str, case: &serde_json::Value) -> Option<String> {
    let text = |field: &str| case["secret"][field].as_str().map(str::to_owned);
    let facts = rule_core::SecretFacts {
        owning_service: text("OwningService"),
        deleted_date: text("DeletedDate").map(|d| d.parse().unwrap()),
        ..secret_with_key("")
    };
    let facts = rule_core::SecretFacts {
        arn: secret_arn.to_owned(),
        resource_id: secret_arn.to_owned(),
        scope: rule_core::Scope::from_secret_arn(secret_arn).unwrap(),
        ..facts
    };
    let list = |field: &str| {
        case[field]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|i| i.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default()
    };
    let params = RuleParameters::from_pairs([
        ("allowedKeyAccounts", list("allowedKeyAccounts").as_str()),
        ("kmsKeyArns", list("approvedKeys").as_str()),
    ])
    .unwrap();
    let target = case["target"].as_str().unwrap();
    if let Some(reason) = rule_core::secret_refusal(&facts) {
        return Some(reason);
    }
    let key = KeyRef::parse(target).unwrap();
    if let Some(problem) = problem_before_lookup(&key, &facts.scope, &params, KeyUse::Target) {
        return Some(problem.to_string());
    }
    let mut keys = Keys::new();
    for lookup in rule_core::target_lookups(&facts, target, &params) {
        keys = keys.with(lookup.as_str(), cmk(lookup.as_str()));
    }
    rule_core::rule_rejects_target(&facts, target, &params, &keys)
}

#[test]
fn the_shared_remediation_cases_are_refused_exactly_as_listed() {
    let shared: serde_json::Value = serde_json::from_str(SHARED_CASES).unwrap();
    let secret_arn = shared["secretArn"].as_str().unwrap();
    let cases = shared["cases"].as_array().unwrap();
    assert!(cases.len() >= 8, "the table is the point: {}", cases.len());
    for case in cases {
        // GIVEN a case WHEN judged by rule-core THEN refused exactly when listed, naming why
        let name = case["name"].as_str().unwrap();
        let refused = refusal(secret_arn, case);
        assert_eq!(
            refused.is_some(),
            case["refused"].as_bool().unwrap(),
            "{name}: {refused:?}"
        );
        for word in case["mentions"].as_array().into_iter().flatten() {
            let word = word.as_str().unwrap();
            let reason = refused.as_deref().unwrap_or_default();
            assert!(
                reason.contains(word),
                "{name}: {reason:?} should name {word:?}"
            );
        }
    }
}
