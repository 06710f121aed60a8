//! Getting the AWS capabilities for the account an event is about.
//!
//! The handler is generic over [`Connector`] so its unit tests run on in-memory fakes;
//! the Lambda uses [`AwsConnector`]: the real adapters, with assumed-role credentials for
//! member accounts, cached per account while they outlive the invocation's deadline.

use secrets_cmk_aws::accounts::outlives;
use secrets_cmk_aws::{
    AccountAccessError, AccountSessions, ApiCalls, ComplianceResults, ConfigHistory, ConfigService,
    EvaluationSink, KeyDirectory, KmsKeyDirectory, SdkConfig, SecretStore, SecretsManagerStore,
    StsRoleAssumer,
};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::SystemTime;
use tokio::sync::Mutex;

/// The capabilities one invocation needs, acting in the evaluated account.
pub trait AccountServices: Send + Sync {
    /// Secrets Manager (list, describe).
    type Store: SecretStore + Sync;
    /// KMS (describe keys).
    type Keys: KeyDirectory + Sync;
    /// Config (put evaluations, history, compliance read-back).
    type Config: EvaluationSink + ConfigHistory + ComplianceResults + Sync;
    /// Secrets Manager.
    fn store(&self) -> &Self::Store;
    /// KMS.
    fn keys(&self) -> &Self::Keys;
    /// Config.
    fn config(&self) -> &Self::Config;
}

/// Where an invocation's [`AccountServices`] come from.
pub trait Connector: Send + Sync {
    /// The services acting in the evaluated account.
    type Services: AccountServices;
    /// Services for `account`. `own_account` is the Lambda's own (from its function ARN);
    /// for any other account `role_name` must name the role to assume there, with
    /// credentials that outlive `valid_until` (the invocation's deadline).
    fn connect(
        &self,
        own_account: &str,
        account: &str,
        partition: &str,
        role_name: Option<&str>,
        valid_until: SystemTime,
    ) -> impl Future<Output = Result<Arc<Self::Services>, AccountAccessError>> + Send;
    /// Drop what is cached for `account` after AWS rejected its credentials, so the next
    /// [`Connector::connect`] assumes the role afresh.
    fn forget(&self, partition: &str, account: &str) -> impl Future<Output = ()> + Send;
    /// API calls made so far, by operation (the handler reports the difference per invocation).
    fn calls(&self) -> &ApiCalls;
}

/// The real adapters for one account.
#[derive(Debug)]
pub struct AwsServices {
    store: SecretsManagerStore,
    keys: KmsKeyDirectory,
    config: ConfigService,
}

impl AccountServices for AwsServices {
    type Store = SecretsManagerStore;
    type Keys = KmsKeyDirectory;
    type Config = ConfigService;
    fn store(&self) -> &SecretsManagerStore {
        &self.store
    }
    fn keys(&self) -> &KmsKeyDirectory {
        &self.keys
    }
    fn config(&self) -> &ConfigService {
        &self.config
    }
}

/// Services for one account and role, and when their credentials expire (never for the
/// Lambda's own account).
type CachedServices = (Arc<AwsServices>, Option<SystemTime>);

/// [`Connector`] over the real AWS APIs. Clients are built once per account (per set of
/// credentials) and kept across invocations of the same Lambda instance.
#[derive(Debug)]
pub struct AwsConnector {
    sessions: AccountSessions<StsRoleAssumer>,
    calls: ApiCalls,
    services: Mutex<HashMap<String, CachedServices>>,
}

impl AwsConnector {
    /// `base` is the Lambda's own configuration (its role, its region).
    pub fn new(base: SdkConfig) -> AwsConnector {
        let calls = ApiCalls::new();
        let assumer = StsRoleAssumer::from_config(&base, calls.clone());
        AwsConnector {
            sessions: AccountSessions::new(base, assumer),
            calls,
            services: Mutex::new(HashMap::new()),
        }
    }
}

impl Connector for AwsConnector {
    type Services = AwsServices;

    async fn connect(
        &self,
        own_account: &str,
        account: &str,
        partition: &str,
        role_name: Option<&str>,
        valid_until: SystemTime,
    ) -> Result<Arc<AwsServices>, AccountAccessError> {
        let mut services = self.services.lock().await;
        // Keyed by account and role: a rule parameter can change the role between invocations.
        let cache_key = format!("{account}/{}", role_name.unwrap_or_default());
        if let Some((cached, expiry)) = services.get(&cache_key)
            && expiry.is_none_or(|e| outlives(e, valid_until))
        {
            return Ok(Arc::clone(cached));
        }
        let (config, expiry) = self
            .sessions
            .config_for(own_account, account, partition, role_name, valid_until)
            .await?;
        let built = Arc::new(AwsServices {
            store: SecretsManagerStore::from_config(&config, self.calls.clone()),
            keys: KmsKeyDirectory::new(config.clone(), self.calls.clone()),
            config: ConfigService::from_config(&config, self.calls.clone()),
        });
        services.insert(cache_key, (Arc::clone(&built), expiry));
        Ok(built)
    }

    async fn forget(&self, partition: &str, account: &str) {
        let prefix = format!("{account}/");
        self.services
            .lock()
            .await
            .retain(|key, _| !key.starts_with(&prefix));
        self.sessions.forget(partition, account).await;
    }

    fn calls(&self) -> &ApiCalls {
        &self.calls
    }
}
