//! The remediation table: when a tool may move a secret to a key, and when it must
//! refuse.
//!
//! The CLI's `remediate` and `backout` (and, mirrored and tested, the SSM runbooks)
//! change one thing: a secret's KMS key. A wrong change can leave a secret nobody can
//! decrypt, hand it to a key whose owner we do not trust, or quietly downgrade it to
//! the AWS managed key. So every key a tool is about to use passes these checks, in
//! this order, and the first problem refuses:
//!
//! | check | target (re-key) | restore (backout) |
//! |---|---|---|
//! | `alias/aws/...` | refused, never described | the caller restores the default key without a lookup, only when the plan recorded it |
//! | key ARN of another Region | refused, no call | refused, no call |
//! | key of an untrusted account (row 5a) | refused, no call | refused, no call |
//! | DescribeKey NotFound / denied / failed | refused | refused |
//! | KeyManager AWS | refused | allowed (the secret was on it) |
//! | KeyState not Enabled | refused | refused (the secret would become unreadable) |
//! | with `kmsKeyArns`: not one of them (row 9) | refused | allowed (it is where the secret was) |
//!
//! and per secret: scheduled for deletion, or managed by another service
//! (`OwningService`): refused ([`secret_refusal`]).
//!
//! For a target, the decision table itself then has the last word
//! ([`rule_rejects_target`]): with `kmsKeyArns`, only an approved key passes (row 9).
//!
//! Everything here is pure: the caller makes the one DescribeKey call between
//! [`problem_before_lookup`] and [`problem_after_lookup`], and the lookups
//! `key_lookups_needed` asks for before [`rule_rejects_target`]. The runbooks' script
//! (`cdk/lib/runbook-script.ts`) implements the same table; `contract/remediation-cases.json`
//! holds cases both are tested against.

use chrono::{DateTime, Utc};

use crate::decision::{Compliance, Decision, decide};
use crate::facts::{KeyDescription, KeyFacts, KeyLookup, KeyManager, KeyState, SecretFacts};
use crate::key_ref::{KeyRef, Scope};
use crate::params::{ALLOWED_KEY_ACCOUNTS, RuleParameters};
use crate::row::Row;

/// What a key is about to be used for; decides which checks apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    /// The remediation target: customer managed, Enabled, in the secret's Region, of a
    /// trusted account (and, with `kmsKeyArns`, one of them: see the CLI's check, which
    /// runs the decision table on the target).
    Target,
    /// The key a backout restores: it existed before, so it may be AWS managed, but it
    /// must be of a trusted account, exist, be Enabled (otherwise the secret becomes
    /// unreadable) and be in the secret's Region.
    Restore,
}

/// Why a key must not be used; each message names the key and says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyProblem {
    /// An `alias/aws/...` target: AWS managed by definition (and never described: that
    /// call can create the AWS managed key).
    #[error("{key} is an AWS managed key; the target must be a customer managed key")]
    AwsManagedAlias {
        /// The key as given.
        key: String,
    },
    /// A key ARN of another Region than the secret.
    #[error(
        "{key} is in {key_region}, the secret is in {secret_region}; a secret can only use \
         a key of its own Region"
    )]
    OtherRegion {
        /// The key as given.
        key: String,
        /// The key's Region.
        key_region: String,
        /// The secret's Region.
        secret_region: String,
    },
    /// A key of an account that is neither the secret's, nor allowed, nor that of an
    /// approved key (row 5a).
    #[error(
        "{key} belongs to account {key_account}, which is not the secret's account \
         {secret_account} and not trusted; add it to --allowed-key-accounts \
         ({ALLOWED_KEY_ACCOUNTS}) or name the key in --kms-key-arns if its owner may hold \
         the secret hostage"
    )]
    UntrustedAccount {
        /// The key as given.
        key: String,
        /// The key's account.
        key_account: String,
        /// The secret's account.
        secret_account: String,
    },
    /// DescribeKey: NotFoundException.
    #[error("{key} does not exist in {region} (or its alias points nowhere)")]
    NotFound {
        /// The key as given.
        key: String,
        /// Where it was looked up.
        region: String,
    },
    /// DescribeKey: KeyManager AWS.
    #[error("{key} is the AWS managed key {arn}; the target must be a customer managed key")]
    AwsManaged {
        /// The key as given.
        key: String,
        /// The resolved key ARN.
        arn: String,
    },
    /// DescribeKey: KeyState not Enabled.
    #[error("{key} ({arn}) is {state}, not Enabled; the secret would become unreadable")]
    NotEnabled {
        /// The key as given.
        key: String,
        /// The resolved key ARN.
        arn: String,
        /// The key's state.
        state: String,
    },
    /// DescribeKey: AccessDeniedException.
    #[error(
        "DescribeKey on {key} was denied, so it cannot be verified to be customer managed \
         and Enabled; grant kms:DescribeKey on it"
    )]
    AccessDenied {
        /// The key as given.
        key: String,
    },
    /// DescribeKey failed otherwise (throttling or 5xx after retries).
    #[error("{key} could not be checked: {reason}")]
    Unavailable {
        /// The key as given.
        key: String,
        /// Why.
        reason: String,
    },
    /// The key is not one the rule would accept (with `kmsKeyArns`: not one of them).
    #[error("{key} is not a key the rule accepts: {why}")]
    RuleRejects {
        /// The key as given.
        key: String,
        /// The rule's annotation.
        why: String,
    },
}

/// The checks that need no call: an `alias/aws/...` target, a key ARN of another
/// Region, a key of an untrusted account. `None` when DescribeKey must decide.
pub fn problem_before_lookup(
    key: &KeyRef,
    scope: &Scope,
    params: &RuleParameters,
    purpose: KeyUse,
) -> Option<KeyProblem> {
    let given = key.to_string();
    if purpose == KeyUse::Target && key.is_aws_managed_alias() {
        return Some(KeyProblem::AwsManagedAlias { key: given });
    }
    if let Some(key_region) = key.region()
        && key_region != scope.region
    {
        return Some(KeyProblem::OtherRegion {
            key: given,
            key_region: key_region.to_owned(),
            secret_region: scope.region.clone(),
        });
    }
    let qualified = key.qualify(scope);
    if !params.trusts_key_account(qualified.account(), &scope.account) {
        return Some(KeyProblem::UntrustedAccount {
            key: given,
            key_account: qualified.account().to_owned(),
            secret_account: scope.account.clone(),
        });
    }
    None
}

/// The checks on DescribeKey's answer for `key` (qualified in the secret's `scope`):
/// the resolved key on success.
pub fn problem_after_lookup(
    key: &KeyRef,
    scope: &Scope,
    lookup: KeyLookup,
    purpose: KeyUse,
) -> Result<KeyDescription, KeyProblem> {
    let given = key.to_string();
    let description = match lookup {
        KeyLookup::Described(description) => description,
        KeyLookup::NotFound => {
            return Err(KeyProblem::NotFound {
                key: given,
                region: scope.region.clone(),
            });
        }
        KeyLookup::AccessDenied => return Err(KeyProblem::AccessDenied { key: given }),
        KeyLookup::Failed { reason } => return Err(KeyProblem::Unavailable { key: given, reason }),
    };
    if purpose == KeyUse::Target && description.manager == KeyManager::Aws {
        return Err(KeyProblem::AwsManaged {
            key: given,
            arn: description.arn,
        });
    }
    if description.state != KeyState::Enabled {
        return Err(KeyProblem::NotEnabled {
            key: given,
            arn: description.arn,
            state: description.state.as_str().to_owned(),
        });
    }
    Ok(description)
}

/// Why a secret must not have its key changed by us, if it must not: scheduled for
/// deletion, or managed by another service (change its key through that service).
pub fn secret_refusal(facts: &SecretFacts) -> Option<String> {
    if let Some(date) = facts.deleted_date {
        return Some(scheduled_for_deletion(date));
    }
    facts
        .owning_service
        .as_deref()
        .filter(|owner| !owner.trim().is_empty())
        .map(|owner| {
            format!("managed by {owner}; change its key through {owner}, not Secrets Manager")
        })
}

fn scheduled_for_deletion(date: DateTime<Utc>) -> String {
    format!("scheduled for deletion on {}", date.format("%Y-%m-%d"))
}

/// The secret as it would be on `key_arn` (no replicas, no tags): what the decision
/// table is asked about a remediation target, so that the target passes exactly the
/// rows the rule applies (5a, 6, 8, 9), with no second copy of them.
pub fn secret_on_key(facts: &SecretFacts, key_arn: &str) -> SecretFacts {
    SecretFacts {
        kms_key_id: Some(key_arn.to_owned()),
        deleted_date: None,
        owning_service: None,
        tags: Vec::new(),
        replicas: Some(Vec::new()),
        ..facts.clone()
    }
}

/// The DescribeKey lookups [`rule_rejects_target`] needs for `key_arn` as the target of
/// `facts`' secret (the key itself, and the approved aliases it is compared with).
pub fn target_lookups(
    facts: &SecretFacts,
    key_arn: &str,
    params: &RuleParameters,
) -> Vec<crate::QualifiedKeyRef> {
    crate::key_lookups_needed(&secret_on_key(facts, key_arn), params)
}

/// Whether the rule would pass `facts`' secret on the key `key_arn`: anything but a
/// verified COMPLIANT (row 12) is the rule's own reason to refuse the key as a target.
/// `keys` holds the lookups [`target_lookups`] asks for. This is where `kmsKeyArns` (row 9) and
/// `allowedKeyAccounts` (row 5a) bound a remediation target, with no second copy of them.
pub fn rule_rejects_target(
    facts: &SecretFacts,
    key_arn: &str,
    params: &RuleParameters,
    keys: &dyn KeyFacts,
) -> Option<String> {
    match decide(&secret_on_key(facts, key_arn), params, keys) {
        Decision::Verdict(verdict)
            if verdict.compliance == Compliance::Compliant && verdict.row == Row::Compliant =>
        {
            None
        }
        Decision::Verdict(verdict) => Some(verdict.annotation.to_string()),
        Decision::Unverifiable { reason } => Some(format!("it cannot be verified: {reason}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    use crate::test_support::{KEY_ID, scope_in};

    fn scope() -> Scope {
        scope_in("eu-west-1")
    }

    fn key(text: &str) -> KeyRef {
        KeyRef::parse(text).unwrap()
    }

    fn before(text: &str, params: &RuleParameters, purpose: KeyUse) -> Option<KeyProblem> {
        problem_before_lookup(&key(text), &scope(), params, purpose)
    }

    #[test]
    fn targets_of_untrusted_accounts_other_regions_and_aws_aliases_need_no_call() {
        let params = RuleParameters::default();
        // GIVEN/WHEN/THEN an aws/ alias target is refused
        assert!(matches!(
            before("alias/aws/secretsmanager", &params, KeyUse::Target),
            Some(KeyProblem::AwsManagedAlias { .. })
        ));
        // a key ARN of another Region is refused
        let east = format!("arn:aws:kms:us-east-1:111122223333:key/{KEY_ID}");
        assert!(matches!(
            before(&east, &params, KeyUse::Target),
            Some(KeyProblem::OtherRegion { .. })
        ));
        // a key of another account is refused, for a target and a restore alike
        let foreign = format!("arn:aws:kms:eu-west-1:999988887777:key/{KEY_ID}");
        for purpose in [KeyUse::Target, KeyUse::Restore] {
            let problem = before(&foreign, &params, purpose).unwrap();
            assert!(
                problem.to_string().contains("account 999988887777"),
                "{problem}"
            );
            assert!(problem.to_string().contains("allowedKeyAccounts"));
        }
        // AND keys of the secret's own account need DescribeKey to judge
        for fine in [
            "alias/app",
            KEY_ID,
            &foreign.replace("999988887777", "111122223333"),
        ] {
            assert_eq!(before(fine, &params, KeyUse::Target), None, "{fine}");
        }
    }

    #[test]
    fn allowed_accounts_and_approved_keys_make_a_foreign_key_trusted() {
        let foreign = format!("arn:aws:kms:eu-west-1:999988887777:key/{KEY_ID}");
        // GIVEN the account allowed
        let allowed = RuleParameters::from_pairs([("allowedKeyAccounts", "999988887777")]).unwrap();
        assert_eq!(before(&foreign, &allowed, KeyUse::Target), None);
        // GIVEN the key approved by name
        let approved = RuleParameters::from_pairs([("kmsKeyArns", foreign.as_str())]).unwrap();
        assert_eq!(before(&foreign, &approved, KeyUse::Restore), None);
    }

    #[test]
    fn a_restore_may_go_to_an_aws_managed_key_but_never_to_an_unusable_one() {
        let described = |manager, state| {
            KeyLookup::Described(KeyDescription {
                arn: format!("arn:aws:kms:eu-west-1:111122223333:key/{KEY_ID}"),
                manager,
                state,
            })
        };
        let k = key(KEY_ID);
        let aws = described(KeyManager::Aws, KeyState::Enabled);
        assert!(problem_after_lookup(&k, &scope(), aws.clone(), KeyUse::Restore).is_ok());
        assert!(matches!(
            problem_after_lookup(&k, &scope(), aws, KeyUse::Target),
            Err(KeyProblem::AwsManaged { .. })
        ));
        let off = described(KeyManager::Customer, KeyState::PendingDeletion);
        assert!(matches!(
            problem_after_lookup(&k, &scope(), off, KeyUse::Restore),
            Err(KeyProblem::NotEnabled { .. })
        ));
        assert!(matches!(
            problem_after_lookup(&k, &scope(), KeyLookup::AccessDenied, KeyUse::Target),
            Err(KeyProblem::AccessDenied { .. })
        ));
        assert!(matches!(
            problem_after_lookup(&k, &scope(), KeyLookup::NotFound, KeyUse::Restore),
            Err(KeyProblem::NotFound { .. })
        ));
    }

    #[test]
    fn secrets_scheduled_for_deletion_or_owned_by_a_service_are_refused() {
        let arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf";
        let plain = SecretFacts {
            arn: arn.into(),
            resource_id: arn.into(),
            name: "db".into(),
            scope: scope(),
            kms_key_id: None,
            deleted_date: None,
            owning_service: None,
            tags: vec![],
            replicas: None,
        };
        assert_eq!(secret_refusal(&plain), None);
        let deleted = SecretFacts {
            deleted_date: Some(Utc.with_ymd_and_hms(2030, 1, 2, 0, 0, 0).unwrap()),
            ..plain.clone()
        };
        assert_eq!(
            secret_refusal(&deleted).as_deref(),
            Some("scheduled for deletion on 2030-01-02")
        );
        let owned = SecretFacts {
            owning_service: Some("rds".into()),
            ..plain.clone()
        };
        assert_eq!(
            secret_refusal(&owned).as_deref(),
            Some("managed by rds; change its key through rds, not Secrets Manager")
        );
        // AND the target question keeps the secret's identity but none of its state
        let on_key = secret_on_key(&owned, "arn:aws:kms:eu-west-1:111122223333:key/x");
        assert_eq!(on_key.arn, arn);
        assert_eq!(on_key.owning_service, None);
        assert_eq!(on_key.replicas, Some(vec![]));
    }
}
