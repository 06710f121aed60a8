//! Rows 4 to 10 for one key in one scope: the default key, an AWS managed alias, a key
//! of an untrusted account (5a) or of another Region (5b), what DescribeKey said (6 to 8), approval (9, in
//! [`super::approval`]) and the cross-account key we may not describe (10).

use super::approval::{Approval, Identity, approval};
use crate::facts::{KeyFacts, KeyLookup, KeyManager, KeyState};
use crate::key_ref::{KeyRef, Scope};
use crate::params::{ALLOWED_KEY_ACCOUNTS, RuleParameters};
use crate::row::Row;

/// The outcome of rows 4 to 10 for one key in one scope.
pub(super) enum KeyCheck {
    /// A row from 4 to 9 failed; `why` is a lowercase sentence fragment naming the key.
    Fails { row: Row, why: String },
    /// The key passes.
    Passes(Pass),
    /// The facts do not settle it.
    Unverifiable(String),
}

/// A key that passed rows 4 to 10.
pub(super) struct Pass {
    /// The resolved key ARN, or the reference as given when it could not be resolved.
    pub(super) key: String,
    /// False when row 10 applied: a cross-account key whose DescribeKey was denied.
    pub(super) verified: bool,
    /// The state of a key that is not Enabled but passed because requireEnabledKey is
    /// false: worth saying in the annotation.
    pub(super) state: Option<KeyState>,
}

pub(super) fn check_key(
    stored: Option<&str>,
    scope: &Scope,
    params: &RuleParameters,
    keys: &dyn KeyFacts,
) -> KeyCheck {
    let fails = |row, why| KeyCheck::Fails { row, why };
    // Row 4.
    let Some(stored) = stored.filter(|s| !s.trim().is_empty()) else {
        return fails(
            Row::DefaultKey,
            "encrypted with the default AWS managed key aws/secretsmanager; a customer \
             managed KMS key is required"
                .to_owned(),
        );
    };
    // Secrets Manager only stores ids KMS accepted, so an id we cannot read means we
    // cannot verify the secret: say so rather than guess.
    let key = match KeyRef::parse(stored) {
        Ok(key) => key,
        Err(error) => {
            return KeyCheck::Unverifiable(format!(
                "the stored KmsKeyId cannot be checked: {error}"
            ));
        }
    };
    // Row 5, decided without DescribeKey.
    if key.is_aws_managed_alias() {
        return fails(
            Row::AwsManagedAlias,
            format!(
                "encrypted with the AWS managed key {key}; a customer managed KMS key is required"
            ),
        );
    }
    let q = key.qualify(scope);
    // Row 5a, decided without DescribeKey: a key of an account we do not trust fails
    // whatever it is, so it is never described (nor is its owner told we looked).
    if !params.trusts_key_account(q.account(), &scope.account) {
        return fails(
            Row::UntrustedKeyAccount,
            format!(
                "encrypted with KMS key {q} of account {}, not the secret's own and not \
                 trusted ({ALLOWED_KEY_ACCOUNTS}, kmsKeyArns): its owner can disable the key",
                q.account()
            ),
        );
    }
    // Row 5b, decided without DescribeKey: Secrets Manager only uses keys of the
    // secret's (or the replica's) own Region.
    if q.region() != scope.region {
        return fails(
            Row::KeyInAnotherRegion,
            format!(
                "encrypted with KMS key {q} of Region {}, not the secret's Region {}: Secrets \
                 Manager uses a key of the secret's own Region only",
                q.region(),
                scope.region
            ),
        );
    }
    let (identity, verified, state) = match keys.lookup(&q) {
        None => return KeyCheck::Unverifiable(format!("no DescribeKey result for {q}")),
        Some(KeyLookup::Described(described)) => {
            // Row 6.
            if described.manager == KeyManager::Aws {
                return fails(
                    Row::AwsManagedKey,
                    format!(
                        "encrypted with the AWS managed KMS key {}; a customer managed KMS key \
                         is required",
                        described.arn
                    ),
                );
            }
            // Row 8. Creating and Updating are passing states of a key that is being
            // set up or changed (multi-Region keys): a NON_COMPLIANT verdict then could
            // trigger a needless re-key, so the next run decides.
            let enabled = described.state == KeyState::Enabled;
            if params.require_enabled_key
                && matches!(described.state, KeyState::Creating | KeyState::Updating)
            {
                return KeyCheck::Unverifiable(format!(
                    "KMS key {} is in the passing state {}; evaluate again once it settles",
                    described.arn,
                    described.state.as_str()
                ));
            }
            if params.require_enabled_key && !enabled {
                return fails(
                    Row::KeyNotEnabled,
                    format!(
                        "KMS key {} is {} (KeyState {}): the secret is or will become unreadable",
                        described.arn,
                        state_words(&described.state),
                        described.state.as_str()
                    ),
                );
            }
            // Rows 9 and 12 rely on the resolved ARN: one that is not a key ARN is an
            // adapter fault, not a fact about the secret.
            if !matches!(KeyRef::parse(&described.arn), Ok(KeyRef::KeyArn { .. })) {
                return KeyCheck::Unverifiable(format!(
                    "DescribeKey on {q} returned {:?}, which is not a key ARN",
                    described.arn
                ));
            }
            let state = (!enabled).then(|| described.state.clone());
            (Identity::Resolved(&described.arn), true, state)
        }
        // Row 7.
        Some(KeyLookup::NotFound) => {
            return fails(
                Row::KeyNotFound,
                format!("KMS key {q} does not exist: the secret cannot be decrypted"),
            );
        }
        // Row 10: an AWS managed key cannot be used across accounts, so a foreign key is
        // customer managed even when we may not describe it.
        Some(KeyLookup::AccessDenied) if q.account() != scope.account => {
            (Identity::Unresolved(&q), false, None)
        }
        Some(KeyLookup::AccessDenied) => {
            return KeyCheck::Unverifiable(format!(
                "DescribeKey on {q} was denied in the secret's own account"
            ));
        }
        Some(KeyLookup::Failed { reason }) => {
            return KeyCheck::Unverifiable(format!("DescribeKey on {q} failed: {reason}"));
        }
    };
    // Row 9.
    if let Some(approved) = &params.approved_keys {
        match approval(&identity, &q, approved, scope, keys) {
            Approval::Approved => {}
            Approval::NotApproved => {
                let key = match identity {
                    Identity::Resolved(arn) => arn.to_owned(),
                    Identity::Unresolved(q) => q.to_string(),
                };
                return fails(
                    Row::NotApproved,
                    format!("KMS key {key} is not one of the approved keys (kmsKeyArns)"),
                );
            }
            Approval::Unknown(reason) => return KeyCheck::Unverifiable(reason),
        }
    }
    let key = match identity {
        Identity::Resolved(arn) => arn.to_owned(),
        Identity::Unresolved(q) => q.to_string(),
    };
    KeyCheck::Passes(Pass {
        key,
        verified,
        state,
    })
}

fn state_words(state: &KeyState) -> &'static str {
    match state {
        KeyState::Disabled => "disabled",
        KeyState::PendingDeletion => "pending deletion",
        KeyState::PendingReplicaDeletion => "pending replica deletion",
        KeyState::PendingImport => "waiting for its key material",
        KeyState::Unavailable => "unavailable (custom key store disconnected)",
        KeyState::Creating => "still being created",
        KeyState::Updating => "being updated",
        KeyState::Enabled | KeyState::Other(_) => "not enabled",
    }
}
