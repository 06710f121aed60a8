//! Reaching the evaluated account: the Lambda's own credentials for its own account, an
//! assumed role for a member account (organization rules), cached until it expires.

use crate::calls::{ApiCalls, op};
use crate::error::AwsError;
use aws_config::SdkConfig;
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use std::collections::HashMap;
use std::future::Future;
use std::time::{Duration, SystemTime};
use tokio::sync::Mutex;

/// Cached assumed credentials are reused only while they outlive the caller's deadline
/// by this much (clock skew, the last PutEvaluations); otherwise the role is assumed
/// again before any work starts, so a sweep never meets ExpiredToken half way through.
pub const RENEW_BEFORE_EXPIRY: Duration = Duration::from_secs(5 * 60);

/// The role session name of the rule's assumed roles (CloudTrail names the caller in the
/// member account by it).
pub const DEFAULT_SESSION_NAME: &str = "secrets-cmk-rule";

/// Temporary credentials from sts:AssumeRole.
#[derive(Debug, Clone)]
pub struct TemporaryCredentials {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token.
    pub session_token: String,
    /// When they stop working.
    pub expiration: SystemTime,
}

/// The STS capability the rule needs: AssumeRole.
pub trait RoleAssumer {
    /// Assume `role_arn` under `session_name`.
    fn assume_role(
        &self,
        role_arn: &str,
        session_name: &str,
    ) -> impl Future<Output = Result<TemporaryCredentials, AwsError>> + Send;
}

/// [`RoleAssumer`] over the real STS client.
#[derive(Debug, Clone)]
pub struct StsRoleAssumer {
    client: aws_sdk_sts::Client,
    calls: ApiCalls,
}

impl StsRoleAssumer {
    /// Wrap a client; calls are counted in `calls`.
    pub fn new(client: aws_sdk_sts::Client, calls: ApiCalls) -> StsRoleAssumer {
        StsRoleAssumer { client, calls }
    }

    /// An assumer over a new client made from `config`.
    pub fn from_config(config: &SdkConfig, calls: ApiCalls) -> StsRoleAssumer {
        StsRoleAssumer::new(aws_sdk_sts::Client::new(config), calls)
    }
}

impl RoleAssumer for StsRoleAssumer {
    async fn assume_role(
        &self,
        role_arn: &str,
        session_name: &str,
    ) -> Result<TemporaryCredentials, AwsError> {
        self.calls.record(op::ASSUME_ROLE);
        let output = self
            .client
            .assume_role()
            .role_arn(role_arn)
            .role_session_name(session_name)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(op::ASSUME_ROLE, e))?;
        let credentials = output.credentials().ok_or_else(|| {
            AwsError::malformed_response(op::ASSUME_ROLE, "the response has no Credentials")
        })?;
        let expiration = SystemTime::try_from(*credentials.expiration()).map_err(|_| {
            AwsError::malformed_response(
                op::ASSUME_ROLE,
                "the credentials' Expiration is out of range",
            )
        })?;
        Ok(TemporaryCredentials {
            access_key_id: credentials.access_key_id().to_owned(),
            secret_access_key: credentials.secret_access_key().to_owned(),
            session_token: credentials.session_token().to_owned(),
            expiration,
        })
    }
}

/// Why the evaluated account could not be reached.
#[derive(Debug, thiserror::Error)]
pub enum AccountAccessError {
    /// The event is for another account and no role name is configured to get there.
    #[error(
        "the event is for account {account} but this function runs in account {own_account} and no \
         execution role is configured: set the rule parameter executionRoleName or the environment \
         variable SECRETS_CMK_EXECUTION_ROLE_NAME"
    )]
    NoExecutionRole {
        /// The evaluated account.
        account: String,
        /// The Lambda's own account.
        own_account: String,
    },
    /// AssumeRole failed.
    #[error("could not assume {role_arn}")]
    AssumeRole {
        /// The role that was asked for.
        role_arn: String,
        /// STS's error.
        #[source]
        source: AwsError,
    },
}

impl AccountAccessError {
    /// Whether retrying the invocation later may help (a missing role name will not).
    pub fn is_retryable(&self) -> bool {
        match self {
            AccountAccessError::NoExecutionRole { .. } => false,
            AccountAccessError::AssumeRole { source, .. } => source.is_retryable(),
        }
    }
}

/// SDK configurations per evaluated account: the base one for the Lambda's own account,
/// assumed-role ones for member accounts, cached until shortly before they expire.
#[derive(Debug)]
pub struct AccountSessions<A> {
    base: SdkConfig,
    assumer: A,
    session_name: &'static str,
    cache: Mutex<HashMap<String, (SdkConfig, SystemTime)>>,
}

impl<A: RoleAssumer + Sync> AccountSessions<A> {
    /// `base` acts in the caller's own account (for the Lambda: the account in its
    /// function ARN).
    pub fn new(base: SdkConfig, assumer: A) -> AccountSessions<A> {
        AccountSessions {
            base,
            assumer,
            session_name: DEFAULT_SESSION_NAME,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The same, with roles assumed under `session_name` (what CloudTrail shows as the
    /// caller in the member account), e.g. the CLI's own name rather than the rule's.
    pub fn with_session_name(mut self, session_name: &'static str) -> AccountSessions<A> {
        self.session_name = session_name;
        self
    }

    /// A configuration acting in `account`, and when its credentials expire: the base one
    /// (no expiry) for `own_account`; for another, `arn:{partition}:iam::{account}:role/{role_name}`
    /// assumed, or reused from the cache while the credentials outlive `valid_until` (the
    /// invocation's deadline) by more than [`RENEW_BEFORE_EXPIRY`].
    pub async fn config_for(
        &self,
        own_account: &str,
        account: &str,
        partition: &str,
        role_name: Option<&str>,
        valid_until: SystemTime,
    ) -> Result<(SdkConfig, Option<SystemTime>), AccountAccessError> {
        if account == own_account {
            return Ok((self.base.clone(), None));
        }
        let Some(role_name) = role_name else {
            return Err(AccountAccessError::NoExecutionRole {
                account: account.to_owned(),
                own_account: own_account.to_owned(),
            });
        };
        let role_arn = format!("arn:{partition}:iam::{account}:role/{role_name}");
        // One lock for the whole lookup-or-assume: concurrent invocations for the same
        // account then assume the role once, not once each.
        let mut cache = self.cache.lock().await;
        if let Some((config, expiration)) = cache.get(&role_arn)
            && outlives(*expiration, valid_until)
        {
            return Ok((config.clone(), Some(*expiration)));
        }
        let credentials = self
            .assumer
            .assume_role(&role_arn, self.session_name)
            .await
            .map_err(|source| AccountAccessError::AssumeRole {
                role_arn: role_arn.clone(),
                source,
            })?;
        let provider = SharedCredentialsProvider::new(Credentials::new(
            credentials.access_key_id,
            credentials.secret_access_key,
            Some(credentials.session_token),
            Some(credentials.expiration),
            "secrets-cmk-assume-role",
        ));
        let config = self
            .base
            .to_builder()
            .credentials_provider(provider)
            .build();
        if !outlives(credentials.expiration, valid_until) {
            tracing::warn!(
                role_arn = %role_arn,
                "the assumed credentials expire before the deadline: raise the role's maximum session duration"
            );
        }
        cache.insert(role_arn, (config.clone(), credentials.expiration));
        Ok((config, Some(credentials.expiration)))
    }

    /// Drop the cached credentials of `account` (every role): after AWS rejected them
    /// (ExpiredToken, InvalidClientTokenId), the next call assumes the role afresh.
    pub async fn forget(&self, partition: &str, account: &str) {
        let prefix = format!("arn:{partition}:iam::{account}:role/");
        self.cache
            .lock()
            .await
            .retain(|role_arn, _| !role_arn.starts_with(&prefix));
    }
}

/// Whether credentials expiring at `expiration` still work [`RENEW_BEFORE_EXPIRY`] after
/// `valid_until`.
pub fn outlives(expiration: SystemTime, valid_until: SystemTime) -> bool {
    valid_until + RENEW_BEFORE_EXPIRY < expiration
}
