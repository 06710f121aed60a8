//! In-memory fakes of every port of this crate, for the tests of the Lambda and the CLI
//! (feature `testing`, enabled only as a dev-dependency: never in a release build).
//!
//! One [`FakeAws`] is one fake AWS account and Region. It implements every port, and its
//! clones share one state, so the CLI's `Services { store, keys, changer }` made of three
//! clones sees one world: what UpdateSecret changes is what a later DescribeSecret shows.
//!
//! | port | file | scripted with |
//! |---|---|---|
//! | [`SecretStore`](crate::SecretStore) | `secrets` | [`FakeAws::add_secret`], [`FakeAws::put_secret`], [`FakeAws::lag_describe`], [`FakeAws::fail_describe`], [`FakeAws::fail_list_page`], [`FakeAws::slow_pages`] |
//! | [`SecretKeyChanger`](crate::SecretKeyChanger) | `secrets` | [`FakeAws::fail_update_secret`], [`FakeAws::fail_update_call`], [`FakeAws::on_update_secret`]; read back with [`FakeAws::updates`] |
//! | [`KeyDirectory`](crate::KeyDirectory) | `keys` | [`FakeAws::add_key`], [`FakeAws::add_cmk`], [`FakeAws::add_alias`] |
//! | [`KeyUsage`](crate::KeyUsage) | `keys` | [`FakeAws::set_probe`] |
//! | [`EvaluationSink`](crate::EvaluationSink), [`ConfigHistory`](crate::ConfigHistory), [`ComplianceResults`](crate::ComplianceResults) | `config` | [`FakeAws::add_reported`], [`FakeAws::add_reported_result`], [`FakeAws::hold_what_was_put`], [`FakeAws::slow_puts`]; read back with [`FakeAws::puts`] |
//! | [`RoleAssumer`](crate::RoleAssumer) | `accounts` | [`FakeAws::fail_assume_role`], [`FakeAws::credentials_lifetime`] |
//!
//! Every call is counted in an [`ApiCalls`] under the real adapters' operation names
//! ([`crate::op`]) and logged in order ([`FakeAws::call_log`]), so a test can assert how
//! many calls were made and in which order.
//!
//! The fakes are deterministic: no randomness, and no clock except where asked for
//! (scripted delays sleep on tokio's clock; assumed credentials expire a
//! [`FakeAws::credentials_lifetime`] after the call, as `AccountSessions` needs).

mod accounts;
mod config;
mod keys;
mod secrets;

pub use config::Put;

use crate::calls::ApiCalls;
use crate::error::{AwsError, FailureKind};
use rule_core::{KeyDescription, KeyLookup, KeyManager, KeyState, Scope, SecretFacts};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The fake account the fixtures live in.
pub const ACCOUNT: &str = "111122223333";
/// The fake Region the fixtures live in.
pub const REGION: &str = "eu-west-1";

/// The ARN of the fixture secret `name` (in [`ACCOUNT`] and [`REGION`]).
pub fn secret_arn(name: &str) -> String {
    format!("arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-AbCdEf")
}

/// The ARN of the key `key_id` of [`ACCOUNT`] in [`REGION`].
pub fn key_arn(key_id: &str) -> String {
    format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}")
}

/// The ARN of the alias `alias/{name}` of [`ACCOUNT`] in [`REGION`] (what DescribeKey is
/// asked for when a secret stores `alias/{name}`).
pub fn alias_arn(name: &str) -> String {
    format!("arn:aws:kms:{REGION}:{ACCOUNT}:alias/{name}")
}

/// A plain secret `name` of [`ACCOUNT`] in [`REGION`] on `kms_key_id` (`None`: the
/// default key): no tags, not deleted, not owned by a service, replicas unknown.
pub fn secret_facts(name: &str, kms_key_id: Option<&str>) -> SecretFacts {
    let arn = secret_arn(name);
    SecretFacts {
        resource_id: arn.clone(),
        scope: Scope {
            partition: "aws".to_owned(),
            account: ACCOUNT.to_owned(),
            region: REGION.to_owned(),
        },
        arn,
        name: name.to_owned(),
        kms_key_id: kms_key_id.map(str::to_owned),
        deleted_date: None,
        owning_service: None,
        tags: vec![],
        replicas: None,
    }
}

/// What DescribeKey says of the key `arn` with this manager and state.
pub fn described(arn: &str, manager: KeyManager, state: KeyState) -> KeyLookup {
    KeyLookup::Described(KeyDescription {
        arn: arn.to_owned(),
        manager,
        state,
    })
}

/// What DescribeKey says of an Enabled customer managed key `arn`.
pub fn cmk(arn: &str) -> KeyLookup {
    described(arn, KeyManager::Customer, KeyState::Enabled)
}

/// A scripted failure: what a fake call answers instead of success. It becomes an
/// [`AwsError`] of the operation that failed, as the real adapters classify them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// How the caller should treat it.
    pub kind: FailureKind,
    /// AWS's error code.
    pub code: String,
    /// AWS's error message.
    pub message: String,
}

impl Failure {
    /// A failure of this kind, code and message.
    pub fn new(kind: FailureKind, code: impl Into<String>, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            code: code.into(),
            message: message.into(),
        }
    }

    /// `AccessDeniedException` with `message`.
    pub fn access_denied(message: impl Into<String>) -> Failure {
        Failure::new(FailureKind::AccessDenied, "AccessDeniedException", message)
    }

    /// `ThrottlingException`, still after the SDK's retries.
    pub fn throttled() -> Failure {
        Failure::new(
            FailureKind::Throttled,
            "ThrottlingException",
            "Rate exceeded",
        )
    }

    /// `ResourceNotFoundException` with `message`.
    pub fn not_found(message: impl Into<String>) -> Failure {
        Failure::new(FailureKind::NotFound, "ResourceNotFoundException", message)
    }

    /// The error `operation` answers with.
    pub fn error(&self, operation: &'static str) -> AwsError {
        AwsError {
            operation,
            kind: self.kind,
            code: self.code.clone(),
            message: self.message.clone(),
            source: None,
        }
    }
}

/// One call made to a fake, in the order made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The operation, as in [`crate::op`].
    pub operation: &'static str,
    /// What it was about: the secret id, the key, the role ARN, the result token, the
    /// resource id, the rule name, or the page token (`""` for the first page).
    pub target: String,
}

#[derive(Default)]
struct State {
    log: Vec<Call>,
    secrets: secrets::SecretsState,
    keys: keys::KeysState,
    config: config::ConfigState,
    accounts: accounts::AccountsState,
}

/// One fake AWS account and Region: secrets, keys, Config's results, STS, and a log of
/// every call. Clones share the same state.
#[derive(Clone, Default)]
pub struct FakeAws {
    state: Arc<Mutex<State>>,
    calls: ApiCalls,
}

impl fmt::Debug for FakeAws {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeAws")
            .field("calls", &self.calls.snapshot())
            .finish_non_exhaustive()
    }
}

impl FakeAws {
    /// An empty account: no secrets, no keys (DescribeKey answers NotFound), nothing
    /// reported, every call succeeding.
    pub fn new() -> FakeAws {
        FakeAws::default()
    }

    /// The call tally, shared with every clone (what a `Connector` reports).
    pub fn api_calls(&self) -> &ApiCalls {
        &self.calls
    }

    /// Calls of `operation` so far.
    pub fn calls_of(&self, operation: &str) -> u64 {
        self.calls.count(operation)
    }

    /// Calls of any operation so far.
    pub fn total_calls(&self) -> u64 {
        self.calls.total()
    }

    /// Every call so far, in order.
    pub fn call_log(&self) -> Vec<Call> {
        self.state().log.clone()
    }

    /// The targets of the calls of `operation` so far, in order.
    pub fn calls_to(&self, operation: &str) -> Vec<String> {
        self.state()
            .log
            .iter()
            .filter(|call| call.operation == operation)
            .map(|call| call.target.clone())
            .collect()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Count and log one call.
    fn record(&self, operation: &'static str, target: &str) {
        self.calls.record(operation);
        self.state().log.push(Call {
            operation,
            target: target.to_owned(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op;

    #[test]
    fn a_failure_becomes_an_error_of_the_operation() {
        let error = Failure::access_denied("no").error(op::UPDATE_SECRET);
        assert_eq!(error.kind, FailureKind::AccessDenied);
        assert_eq!(
            error.to_string(),
            "secretsmanager:UpdateSecret failed (AccessDeniedException): no"
        );
        assert!(Failure::throttled().error(op::LIST_SECRETS).is_retryable());
    }

    #[test]
    fn clones_share_calls_and_state() {
        let aws = FakeAws::new();
        let clone = aws.clone();
        clone.record(op::DESCRIBE_KEY, "k");
        assert_eq!(aws.calls_of(op::DESCRIBE_KEY), 1);
        assert_eq!(aws.calls_to(op::DESCRIBE_KEY), ["k"]);
        assert_eq!(aws.total_calls(), 1);
    }
}
