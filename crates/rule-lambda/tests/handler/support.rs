//! What every handler test uses: the events Config sends, an invocation, and the fake
//! account (`secrets_cmk_aws::testing::FakeAws`) behind a connector that records which
//! member accounts it was asked to reach.

use rule_core::Evaluation;
use rule_lambda::{
    AccountServices, Connector, HandlerSettings, Invocation, RuleError, RuleHandler,
};
use secrets_cmk_aws::testing::FakeAws;
use secrets_cmk_aws::{AccountAccessError, ApiCalls, op};
use serde_json::{Value, json};
use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

pub(crate) use secrets_cmk_aws::testing::{ACCOUNT, REGION, cmk, secret_arn};

pub(crate) const FUNCTION_ARN: &str =
    "arn:aws:lambda:eu-west-1:111122223333:function:secrets-cmk-rule";
pub(crate) const KEY_ARN: &str =
    "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
pub(crate) const OTHER_KEY_ARN: &str =
    "arn:aws:kms:eu-west-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321";

/// An invocation with five minutes to go.
pub(crate) fn invocation() -> Invocation {
    Invocation {
        invoked_function_arn: FUNCTION_ARN.to_owned(),
        deadline: SystemTime::now() + Duration::from_secs(300),
    }
}

/// The event Config sends around `invoking_event`, for the rule of `account`.
pub(crate) fn outer(invoking_event: Value, rule_parameters: Option<&str>, account: &str) -> Value {
    let mut event = json!({
        "version": "1.0",
        "invokingEvent": invoking_event.to_string(),
        "resultToken": "token-1",
        "eventLeftScope": false,
        "executionRoleArn": format!("arn:aws:iam::{account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"),
        "configRuleArn": format!("arn:aws:config:eu-west-1:{account}:config-rule/config-rule-abc123"),
        "configRuleName": "secrets-cmk",
        "configRuleId": "config-rule-abc123",
        "accountId": account,
        "evaluationMode": "DETECTIVE"
    });
    if let Some(params) = rule_parameters {
        event["ruleParameters"] = Value::String(params.to_owned());
    }
    event
}

/// A scheduled notification for the fake account.
pub(crate) fn scheduled(rule_parameters: Option<&str>) -> Value {
    outer(
        json!({
            "awsAccountId": ACCOUNT,
            "notificationCreationTime": "2026-11-28T12:00:00.000Z",
            "messageType": "ScheduledNotification",
            "recordVersion": "1.0"
        }),
        rule_parameters,
        ACCOUNT,
    )
}

/// A change notification for the secret `name`, on `kms_key_id`, with item `status`.
pub(crate) fn change(name: &str, kms_key_id: Option<&str>, status: &str) -> Value {
    let mut configuration = json!({ "Name": name });
    if let Some(key) = kms_key_id {
        configuration["KMSKeyId"] = json!(key);
    }
    outer(
        json!({
            "configurationItem": {
                "relatedEvents": [],
                "relationships": [],
                "configuration": if status == "ResourceDeleted" { Value::Null } else { configuration },
                "supplementaryConfiguration": {},
                "tags": {},
                "configurationItemVersion": "1.3",
                "configurationItemCaptureTime": "2026-11-28T11:59:00.000Z",
                "configurationStateId": 1_790_000_000_000u64,
                "awsAccountId": ACCOUNT,
                "configurationItemStatus": status,
                "resourceType": "AWS::SecretsManager::Secret",
                "resourceId": secret_arn(name),
                "resourceName": name,
                "ARN": secret_arn(name),
                "awsRegion": REGION,
                "availabilityZone": "Regional",
                "configurationStateMd5Hash": ""
            },
            "notificationCreationTime": "2026-11-28T12:00:00.000Z",
            "messageType": "ConfigurationItemChangeNotification",
            "recordVersion": "1.3"
        }),
        None,
        ACCOUNT,
    )
}

/// A connection to a member account: the account and the role name.
type Connection = (String, Option<String>);

/// The fake account, and the member accounts its connectors were asked to reach.
#[derive(Clone, Default)]
pub(crate) struct World {
    aws: FakeAws,
    connections: Arc<Mutex<Vec<Connection>>>,
}

impl Deref for World {
    type Target = FakeAws;
    fn deref(&self) -> &FakeAws {
        &self.aws
    }
}

impl World {
    pub(crate) fn new() -> World {
        World::default()
    }

    /// Every connection to a member account, in order.
    pub(crate) fn connections(&self) -> Vec<Connection> {
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn calls_except_put(&self) -> u64 {
        self.aws.total_calls() - self.aws.calls_of(op::PUT_EVALUATIONS)
    }

    /// Add `count` secrets on the default key, named `s000`, `s001`, …
    pub(crate) fn add_secrets(&self, count: usize) {
        for i in 0..count {
            self.aws.add_secret(&format!("s{i:03}"), None);
        }
    }

    /// Every evaluation put so far, batch after batch.
    pub(crate) fn evaluations(&self) -> Vec<Evaluation> {
        self.aws
            .puts()
            .into_iter()
            .flat_map(|p| p.evaluations)
            .collect()
    }

    /// A handler with the default settings, connected to this world.
    pub(crate) fn handler(&self) -> RuleHandler<FakeConnector> {
        RuleHandler::new(self.connector(), HandlerSettings::default())
    }

    /// Handle a scheduled notification (default parameters) with the default settings
    /// and five minutes to go.
    pub(crate) async fn sweep(&self) -> Result<Value, RuleError> {
        self.sweep_with(HandlerSettings::default(), &invocation())
            .await
    }

    /// Handle a scheduled notification (default parameters) with these settings, in
    /// this invocation.
    pub(crate) async fn sweep_with(
        &self,
        settings: HandlerSettings,
        invocation: &Invocation,
    ) -> Result<Value, RuleError> {
        RuleHandler::new(self.connector(), settings)
            .handle(&scheduled(None), invocation)
            .await
    }

    /// A connector to this world (every connector of one world shares its record).
    pub(crate) fn connector(&self) -> FakeConnector {
        FakeConnector {
            world: self.clone(),
        }
    }
}

/// Connects every account to the one fake account; a member account only with a role
/// name, as the real connector.
pub(crate) struct FakeConnector {
    world: World,
}

/// The fake account as the handler's services.
pub(crate) struct Account(FakeAws);

impl AccountServices for Account {
    type Store = FakeAws;
    type Keys = FakeAws;
    type Config = FakeAws;
    fn store(&self) -> &FakeAws {
        &self.0
    }
    fn keys(&self) -> &FakeAws {
        &self.0
    }
    fn config(&self) -> &FakeAws {
        &self.0
    }
}

impl Connector for FakeConnector {
    type Services = Account;

    async fn connect(
        &self,
        own_account: &str,
        account: &str,
        _partition: &str,
        role_name: Option<&str>,
        _valid_until: SystemTime,
    ) -> Result<Arc<Account>, AccountAccessError> {
        if account != own_account {
            if role_name.is_none() {
                return Err(AccountAccessError::NoExecutionRole {
                    account: account.to_owned(),
                    own_account: own_account.to_owned(),
                });
            }
            self.world
                .connections
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((account.to_owned(), role_name.map(str::to_owned)));
        }
        Ok(Arc::new(Account(self.world.aws.clone())))
    }

    // The renewal after rejected credentials is tested end to end
    // (tests/e2e/accounts.rs): the fake's credentials never expire.
    async fn forget(&self, _partition: &str, _account: &str) {}

    fn calls(&self) -> &ApiCalls {
        self.world.aws.api_calls()
    }
}
