//! In-memory fakes of every AWS capability the handler uses, sharing one [`World`].

use rule_core::{
    ConfigurationItem, ConfigurationItemStatus, Evaluation, KeyLookup, QualifiedKeyRef, Scope,
    SecretFacts,
};
use rule_lambda::{AccountServices, Connector};
use secrets_cmk_aws::{
    AccountAccessError, ApiCalls, AwsError, ComplianceResults, ConfigHistory, EvaluationSink,
    KeyDirectory, ListedSecret, SecretPage, SecretStore,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const ACCOUNT: &str = "111122223333";
pub const REGION: &str = "eu-west-1";
pub const KEY_ARN: &str =
    "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
pub const OTHER_KEY_ARN: &str =
    "arn:aws:kms:eu-west-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321";

pub fn secret_arn(name: &str) -> String {
    format!("arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-AbCdEf")
}

#[derive(Debug, Clone)]
pub struct Put {
    pub result_token: String,
    pub test_mode: bool,
    pub evaluations: Vec<Evaluation>,
}

#[derive(Default)]
struct State {
    secrets: Vec<SecretFacts>,
    keys: HashMap<String, KeyLookup>,
    puts: Vec<Put>,
    reported: Vec<String>,
    connections: Vec<(String, Option<String>)>,
    /// How long ListSecrets takes for page i (0-based); pages past the list are instant.
    list_delays: Vec<Duration>,
    /// How long every PutEvaluations takes.
    put_delay: Duration,
}

/// One fake AWS: secrets, keys, Config's recorded results, and a call tally.
#[derive(Clone, Default)]
pub struct World {
    state: Arc<Mutex<State>>,
    calls: ApiCalls,
}

impl World {
    pub fn new() -> World {
        World::default()
    }

    pub fn add_secret(&self, name: &str, kms_key_id: Option<&str>) {
        let arn = secret_arn(name);
        self.state.lock().unwrap().secrets.push(SecretFacts {
            resource_id: arn.clone(),
            scope: Scope::from_secret_arn(&arn).unwrap(),
            arn,
            name: name.to_owned(),
            kms_key_id: kms_key_id.map(str::to_owned),
            deleted_date: None,
            owning_service: None,
            tags: vec![],
            replicas: None,
        });
    }

    /// What DescribeKey answers for a qualified reference (an ARN).
    pub fn add_key(&self, qualified: &str, lookup: KeyLookup) {
        self.state
            .lock()
            .unwrap()
            .keys
            .insert(qualified.to_owned(), lookup);
    }

    pub fn add_reported(&self, resource_id: &str) {
        self.state
            .lock()
            .unwrap()
            .reported
            .push(resource_id.to_owned());
    }

    /// ListSecrets takes `delays[i]` for page i (real time: the handler's deadline is
    /// wall-clock time).
    pub fn slow_pages(&self, delays: &[Duration]) {
        self.state.lock().unwrap().list_delays = delays.to_vec();
    }

    /// Every PutEvaluations takes `delay`.
    pub fn slow_puts(&self, delay: Duration) {
        self.state.lock().unwrap().put_delay = delay;
    }

    pub fn puts(&self) -> Vec<Put> {
        self.state.lock().unwrap().puts.clone()
    }

    pub fn connections(&self) -> Vec<(String, Option<String>)> {
        self.state.lock().unwrap().connections.clone()
    }

    pub fn calls_of(&self, operation: &str) -> u64 {
        self.calls.count(operation)
    }

    pub fn calls_except_put(&self) -> u64 {
        self.calls.total() - self.calls.count("config:PutEvaluations")
    }

    pub fn connector(&self) -> FakeConnector {
        FakeConnector {
            world: self.clone(),
        }
    }
}

pub struct FakeConnector {
    world: World,
}

impl Connector for FakeConnector {
    type Services = World;

    async fn connect(
        &self,
        own_account: &str,
        account: &str,
        _partition: &str,
        role_name: Option<&str>,
    ) -> Result<Arc<World>, AccountAccessError> {
        if account != own_account {
            if role_name.is_none() {
                return Err(AccountAccessError::NoExecutionRole {
                    account: account.to_owned(),
                    own_account: own_account.to_owned(),
                });
            }
            self.world
                .state
                .lock()
                .unwrap()
                .connections
                .push((account.to_owned(), role_name.map(str::to_owned)));
        }
        Ok(Arc::new(self.world.clone()))
    }

    fn calls(&self) -> &ApiCalls {
        &self.world.calls
    }
}

impl AccountServices for World {
    type Store = World;
    type Keys = World;
    type Config = World;
    fn store(&self) -> &World {
        self
    }
    fn keys(&self) -> &World {
        self
    }
    fn config(&self) -> &World {
        self
    }
}

impl SecretStore for World {
    async fn list_page(&self, next_token: Option<String>) -> Result<SecretPage, AwsError> {
        self.calls.record("secretsmanager:ListSecrets");
        let start: usize = next_token.map(|t| t.parse().unwrap()).unwrap_or(0);
        let delay = self
            .state
            .lock()
            .unwrap()
            .list_delays
            .get(start / 100)
            .copied();
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        let state = self.state.lock().unwrap();
        let end = (start + 100).min(state.secrets.len());
        Ok(SecretPage {
            secrets: state.secrets[start..end]
                .iter()
                .map(|facts| ListedSecret {
                    facts: facts.clone(),
                    primary_region: None,
                })
                .collect(),
            next_token: (end < state.secrets.len()).then(|| end.to_string()),
        })
    }

    async fn describe(&self, secret_id: &str) -> Result<Option<SecretFacts>, AwsError> {
        self.calls.record("secretsmanager:DescribeSecret");
        let state = self.state.lock().unwrap();
        Ok(state
            .secrets
            .iter()
            .find(|s| s.arn == secret_id || s.name == secret_id)
            .map(|s| {
                let mut s = s.clone();
                s.replicas = Some(vec![]);
                s
            }))
    }
}

impl KeyDirectory for World {
    async fn describe_key(&self, key: &QualifiedKeyRef) -> KeyLookup {
        self.calls.record("kms:DescribeKey");
        self.state
            .lock()
            .unwrap()
            .keys
            .get(key.as_str())
            .cloned()
            .unwrap_or(KeyLookup::NotFound)
    }
}

impl EvaluationSink for World {
    async fn put_evaluations(
        &self,
        result_token: &str,
        test_mode: bool,
        batch: &[Evaluation],
    ) -> Result<(), AwsError> {
        self.calls.record("config:PutEvaluations");
        assert!(batch.len() <= 100, "PutEvaluations takes at most 100");
        let delay = self.state.lock().unwrap().put_delay;
        tokio::time::sleep(delay).await;
        self.state.lock().unwrap().puts.push(Put {
            result_token: result_token.to_owned(),
            test_mode,
            evaluations: batch.to_vec(),
        });
        Ok(())
    }
}

impl ConfigHistory for World {
    async fn latest_configuration_item(
        &self,
        resource_type: &str,
        resource_id: &str,
    ) -> Result<Option<ConfigurationItem>, AwsError> {
        self.calls.record("config:GetResourceConfigHistory");
        let state = self.state.lock().unwrap();
        Ok(state
            .secrets
            .iter()
            .find(|s| s.arn == resource_id)
            .map(|s| ConfigurationItem {
                resource_type: resource_type.to_owned(),
                resource_id: s.arn.clone(),
                resource_name: Some(s.name.clone()),
                arn: Some(s.arn.clone()),
                account_id: ACCOUNT.to_owned(),
                region: REGION.to_owned(),
                status: ConfigurationItemStatus::Ok,
                capture_time: chrono::Utc::now(),
                kms_key_id: s.kms_key_id.clone(),
                tags: vec![],
            }))
    }
}

impl ComplianceResults for World {
    async fn reported_resource_ids(
        &self,
        _rule_name: &str,
        _resource_type: &str,
    ) -> Result<Vec<String>, AwsError> {
        self.calls.record("config:GetComplianceDetailsByConfigRule");
        Ok(self.state.lock().unwrap().reported.clone())
    }
}
