//! The AWS side of secrets-cmk, shared by the Lambda (`secrets-cmk-rule`) and the CLI
//! (`secrets-cmk`): one narrow trait per AWS capability the rule needs, each with an
//! adapter over the real SDK client, plus the fact gathering that feeds rule-core.
//!
//! | capability | trait | adapter | API calls |
//! |---|---|---|---|
//! | list / describe secrets | [`SecretStore`] | [`SecretsManagerStore`] | ListSecrets, DescribeSecret |
//! | describe keys | [`KeyDirectory`] | [`KmsKeyDirectory`] | DescribeKey |
//! | advise on key use (CLI) | [`KeyUsage`] | [`KmsKeyDirectory`] | GenerateDataKey, Encrypt, both `DryRun` only |
//! | change a secret's key (CLI) | [`SecretKeyChanger`] | [`SecretsManagerKeyChanger`] | UpdateSecret |
//! | report verdicts | [`EvaluationSink`] | [`ConfigService`] | PutEvaluations |
//! | oversized items | [`ConfigHistory`] | [`ConfigService`] | GetResourceConfigHistory |
//! | stale cleanup | [`ComplianceResults`] | [`ConfigService`] | GetComplianceDetailsByConfigRule |
//! | member accounts | [`RoleAssumer`] | [`StsRoleAssumer`] | AssumeRole |
//!
//! Nothing here reads a secret value or decrypts anything; the only KMS calls besides
//! DescribeKey are dry runs, which encrypt nothing.
//!
//! With the feature `testing`, the module `testing` has in-memory fakes of every trait
//! above, for the tests of the crates that use them.

pub mod accounts;
pub mod calls;
pub mod clients;
pub mod config_service;
pub mod error;
pub mod key_use;
pub mod keys;
pub mod remediation;
pub mod secrets;
pub mod sweep;
#[cfg(feature = "testing")]
pub mod testing;
pub mod time;

pub use accounts::{
    AccountAccessError, AccountSessions, RoleAssumer, StsRoleAssumer, TemporaryCredentials,
};
pub use aws_config::SdkConfig;
pub use calls::{ApiCalls, op};
pub use clients::{ConfigSource, load_sdk_config, retry_config};
pub use config_service::{
    ComplianceResults, ConfigHistory, ConfigService, EvaluationSink, ReportedResult,
};
pub use error::{AwsError, FailureKind};
pub use key_use::{KeyUsage, KeyUseProbe};
pub use keys::{KeyCache, KeyDirectory, KmsKeyDirectory};
pub use remediation::{
    KeyProblem, KeyUse, SecretKeyChanger, SecretsManagerKeyChanger, UpdatePacer, check_key,
    is_default_key,
};
pub use secrets::{ListedSecret, SecretPage, SecretStore, SecretsManagerStore};
pub use sweep::{
    Listing, PageDecider, Sweep, SweepItem, Unlisted, evaluate_secret, recheck_unlisted,
};
