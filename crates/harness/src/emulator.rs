//! The AWS emulator (moto plus our patch layer, `tests/emulator/server.py`) as a child
//! process on a free loopback port, with SDK clients pointed at it and a thin client for
//! its admin API.
//!
//! The admin API's shapes belong to the emulator; this side stays thin on purpose:
//! every path is in [`admin`], results are `serde_json::Value` plus a few lenient typed
//! views ([`RecordedPutEvaluations`], [`RecordedRequest`]).

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::http::HttpClient;
use crate::process::{LineHook, ManagedChild};
use crate::{Error, Result, paths};

/// moto's default account: what the dummy `testing`/`testing` credentials act in.
pub const DEFAULT_ACCOUNT: &str = "123456789012";

/// The region tests use unless they say otherwise.
pub const DEFAULT_REGION: &str = "us-east-1";

/// How long the emulator may take to print its ready line.
pub const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// The line the emulator prints on stdout once it accepts connections.
const READY_PREFIX: &str = "SECRETS_CMK_EMULATOR_READY port=";

/// The emulator's admin API paths, in one place (`tests/emulator/.../admin.py` is the
/// other side).
pub mod admin {
    /// GET: `{"ok": true}`.
    pub const HEALTH: &str = "/_secrets_cmk/health";
    /// GET: `{"calls": [...]}`, the accepted PutEvaluations calls.
    pub const EVALUATIONS: &str = "/_secrets_cmk/evaluations";
    /// GET (query filters `service`, `operation`, `account`, `region`): `{"requests": [...]}`.
    pub const REQUESTS: &str = "/_secrets_cmk/requests";
    /// POST: clear all state (moto's and the patch layer's).
    pub const RESET: &str = "/_secrets_cmk/reset";
    /// GET: the fault configuration and injection counts; POST: replace it
    /// (`{"rules": [...], "failed_evaluations": {...}}`).
    pub const FAULTS: &str = "/_secrets_cmk/faults";
    /// GET: the latency model; POST `{"ms", "jitter_ms", "seed"}`: replace it.
    pub const LATENCY: &str = "/_secrets_cmk/latency";
    /// POST `{resourceId, recorded}`: Config reports this resource as (not) recorded.
    pub const CONFIG_NOT_RECORDED: &str = "/_secrets_cmk/config/not-recorded";
    /// POST `{configRuleName}`: `{"resultToken"}`, a token attributed to that rule.
    pub const CONFIG_RESULT_TOKENS: &str = "/_secrets_cmk/config/result-tokens";
    /// POST `{account, region, secretId, owningService}`: mark a secret service-owned.
    pub const SECRET_OWNING_SERVICE: &str = "/_secrets_cmk/secrets/owning-service";
    /// POST `{"account", "region", "secretId", "seconds"}`: ListSecrets leaves the
    /// secret out (AWS's listing lagging a write) for `seconds`, null = until cleared.
    pub const SECRET_LIST_LAG: &str = "/_secrets_cmk/secrets/list-lag";
}

/// AWS credentials for the emulator. moto maps an access key to an account: the dummy
/// `testing` key acts in [`DEFAULT_ACCOUNT`], keys returned by STS AssumeRole act in the
/// role's account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token, for assumed-role credentials.
    pub session_token: Option<String>,
}

impl Credentials {
    /// The dummy credentials of moto's default account ([`DEFAULT_ACCOUNT`]).
    pub fn default_account() -> Self {
        Credentials {
            access_key_id: "testing".to_owned(),
            secret_access_key: "testing".to_owned(),
            session_token: None,
        }
    }

    fn provider(&self) -> SharedCredentialsProvider {
        SharedCredentialsProvider::new(aws_credential_types::Credentials::new(
            &self.access_key_id,
            &self.secret_access_key,
            self.session_token.clone(),
            None,
            "secrets-cmk-e2e",
        ))
    }
}

/// Where the emulator comes from. [`EmulatorOptions::default`] is the project's own
/// (`.venv/bin/python tests/emulator/server.py`).
#[derive(Clone, Debug)]
pub struct EmulatorOptions {
    /// The Python interpreter (the project's venv).
    pub python: PathBuf,
    /// The emulator script.
    pub script: PathBuf,
    /// Extra environment for the emulator process.
    pub env: Vec<(String, String)>,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        EmulatorOptions {
            python: paths::venv_python(),
            script: paths::emulator_script(),
            env: Vec::new(),
        }
    }
}

/// A running emulator. Dropping it stops the process (always: kill, then reap).
#[derive(Debug)]
pub struct Emulator {
    process: ManagedChild,
    port: u16,
    http: HttpClient,
}

impl Emulator {
    /// Starts the project's emulator on a free port and waits for its ready line.
    pub async fn start() -> Result<Emulator> {
        Emulator::start_with(EmulatorOptions::default()).await
    }

    /// Starts an emulator from `options` (another script, extra environment).
    pub async fn start_with(options: EmulatorOptions) -> Result<Emulator> {
        if !options.python.exists() {
            return Err(Error::Missing {
                what: "the venv's Python",
                path: options.python.display().to_string(),
                hint: "run make venv",
            });
        }
        if !options.script.exists() {
            return Err(Error::Missing {
                what: "the emulator script",
                path: options.script.display().to_string(),
                hint: "it lives in tests/emulator/ of this repository",
            });
        }
        let mut command = Command::new(&options.python);
        command
            .arg(&options.script)
            .args(["--port", "0", "--exit-on-stdin-close"])
            .env("PYTHONUNBUFFERED", "1");
        // The emulator needs no AWS settings; the developer's must not leak into it.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("AWS_") {
                command.env_remove(name);
            }
        }
        command.envs(options.env.iter().map(|(k, v)| (k, v)));

        let (tx, rx) = tokio::sync::oneshot::channel();
        let mut tx = Some(tx);
        let hook: LineHook = Box::new(move |line: &str| {
            if let Some(port) = line.strip_prefix(READY_PREFIX)
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(port.trim().to_owned());
            }
        });
        let process = ManagedChild::spawn("emulator", command, Some(hook))?;
        let port = process
            .wait_for(rx, "the emulator's ready line", READY_TIMEOUT)
            .await?
            .map_err(|_| {
                Error::Invalid("the emulator's output closed before its ready line".into())
            })?;
        let port = port.parse::<u16>().map_err(|e| {
            Error::Invalid(format!(
                "the emulator's ready line has a bad port {port:?}: {e}"
            ))
        })?;
        Ok(Emulator {
            process,
            port,
            http: HttpClient::new(Duration::from_secs(30)),
        })
    }

    /// The port the emulator listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The endpoint URL for SDKs and for `AWS_ENDPOINT_URL`: `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Everything the emulator wrote on stdout and stderr so far.
    pub fn output(&self) -> String {
        self.process.output().text_since(0)
    }

    /// Stops the emulator now (what drop does).
    pub fn stop(self) {
        drop(self);
    }

    // ---- SDK ----------------------------------------------------------------------

    /// An SDK configuration for `credentials` in `region`, pointed at the emulator.
    /// Self-contained: reads no profile, environment variable or instance metadata.
    /// Retries are the standard mode's 3 attempts with short back-off (fault tests stay
    /// fast); an operation gives up after 30 s.
    pub fn sdk_config(&self, credentials: &Credentials, region: &str) -> SdkConfig {
        SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_owned()))
            .credentials_provider(credentials.provider())
            .endpoint_url(self.endpoint())
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_millis(20))
                    .with_max_backoff(Duration::from_millis(200)),
            )
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_timeout(Duration::from_secs(30))
                    .build(),
            )
            .build()
    }

    /// A Secrets Manager client for the default account in `region`.
    pub fn secretsmanager(&self, region: &str) -> aws_sdk_secretsmanager::Client {
        self.secretsmanager_as(&Credentials::default_account(), region)
    }

    /// A Secrets Manager client acting with `credentials` in `region`.
    pub fn secretsmanager_as(
        &self,
        credentials: &Credentials,
        region: &str,
    ) -> aws_sdk_secretsmanager::Client {
        aws_sdk_secretsmanager::Client::new(&self.sdk_config(credentials, region))
    }

    /// A KMS client for the default account in `region`.
    pub fn kms(&self, region: &str) -> aws_sdk_kms::Client {
        self.kms_as(&Credentials::default_account(), region)
    }

    /// A KMS client acting with `credentials` in `region`.
    pub fn kms_as(&self, credentials: &Credentials, region: &str) -> aws_sdk_kms::Client {
        aws_sdk_kms::Client::new(&self.sdk_config(credentials, region))
    }

    /// An STS client for the default account (in [`DEFAULT_REGION`]).
    pub fn sts(&self) -> aws_sdk_sts::Client {
        self.sts_as(&Credentials::default_account())
    }

    /// An STS client acting with `credentials`.
    pub fn sts_as(&self, credentials: &Credentials) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::new(&self.sdk_config(credentials, DEFAULT_REGION))
    }

    /// A Config client for the default account in `region`.
    pub fn config(&self, region: &str) -> aws_sdk_config::Client {
        self.config_as(&Credentials::default_account(), region)
    }

    /// A Config client acting with `credentials` in `region`.
    pub fn config_as(&self, credentials: &Credentials, region: &str) -> aws_sdk_config::Client {
        aws_sdk_config::Client::new(&self.sdk_config(credentials, region))
    }

    // ---- admin API ----------------------------------------------------------------

    /// GET an admin path; the JSON answer (`null` for an empty body).
    pub async fn admin_get(&self, path: &str) -> Result<Value> {
        let response = self.http.get(&self.url(path)).await?;
        check_admin("GET", path, &response)?;
        response.json()
    }

    /// POST a JSON body to an admin path; the JSON answer (`null` for an empty body).
    pub async fn admin_post(&self, path: &str, body: &Value) -> Result<Value> {
        let response = self.http.post_json(&self.url(path), body).await?;
        check_admin("POST", path, &response)?;
        response.json()
    }

    /// Clears all emulator state: moto's backends, recorded evaluations, the request log,
    /// faults and the patch layer's markers.
    pub async fn reset(&self) -> Result<()> {
        self.admin_post(admin::RESET, &json!({})).await.map(drop)
    }

    /// The recorded PutEvaluations calls, as JSON.
    pub async fn evaluations_json(&self) -> Result<Value> {
        self.admin_get(admin::EVALUATIONS).await
    }

    /// The recorded PutEvaluations calls, oldest first.
    pub async fn evaluations(&self) -> Result<Vec<RecordedPutEvaluations>> {
        let value = self.evaluations_json().await?;
        from_list(value, "the recorded PutEvaluations calls")
    }

    /// Every evaluation of every recorded PutEvaluations call, in order.
    pub async fn all_evaluations(&self) -> Result<Vec<RecordedEvaluation>> {
        Ok(self
            .evaluations()
            .await?
            .into_iter()
            .flat_map(|call| call.evaluations)
            .collect())
    }

    /// The request log, as JSON.
    pub async fn requests_json(&self) -> Result<Value> {
        self.admin_get(admin::REQUESTS).await
    }

    /// The request log, oldest first. To look at what one step did, note
    /// `requests().await?.len()` before it and skip that many after.
    pub async fn requests(&self) -> Result<Vec<RecordedRequest>> {
        let value = self.requests_json().await?;
        from_list(value, "the request log")
    }

    /// How many logged requests called `operation` (e.g. "DescribeKey").
    pub async fn request_count(&self, operation: &str) -> Result<usize> {
        Ok(self
            .requests()
            .await?
            .iter()
            .filter(|r| r.operation == operation)
            .count())
    }

    /// Whether the emulator answers its health check.
    pub async fn health(&self) -> Result<bool> {
        let value = self.admin_get(admin::HEALTH).await?;
        Ok(value.get("ok").and_then(Value::as_bool).unwrap_or(false))
    }

    /// A result token the emulator attributes to `config_rule_name` (so
    /// GetComplianceDetailsByConfigRule returns the results sent with it for that rule).
    pub async fn mint_result_token(&self, config_rule_name: &str) -> Result<String> {
        let value = self
            .admin_post(
                admin::CONFIG_RESULT_TOKENS,
                &json!({ "configRuleName": config_rule_name }),
            )
            .await?;
        value
            .get("resultToken")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| Error::Invalid(format!("no resultToken in {value}")))
    }

    /// The fault configuration and injection counts.
    pub async fn faults(&self) -> Result<Value> {
        self.admin_get(admin::FAULTS).await
    }

    /// Replaces the fault configuration (`{"rules": [...], "failed_evaluations": {...}}`;
    /// the emulator's README defines it). `json!({})` clears it.
    pub async fn set_faults(&self, rules: Value) -> Result<()> {
        self.admin_post(admin::FAULTS, &rules).await.map(drop)
    }

    /// Makes every API request wait `ms` milliseconds, ± a uniform draw of up to
    /// `jitter_ms` seeded with `seed`, outside the section that serialises moto (the
    /// emulator's latency model; `set_latency(0.0, 0.0, 0)` turns it off, so does a reset).
    pub async fn set_latency(&self, ms: f64, jitter_ms: f64, seed: u64) -> Result<()> {
        let body = json!({"ms": ms, "jitter_ms": jitter_ms, "seed": seed});
        self.admin_post(admin::LATENCY, &body).await.map(drop)
    }

    /// Makes Config treat `resource_id` as not recorded.
    pub async fn mark_not_recorded(&self, resource_id: &str) -> Result<()> {
        self.admin_post(
            admin::CONFIG_NOT_RECORDED,
            &json!({ "resourceId": resource_id, "recorded": false }),
        )
        .await
        .map(drop)
    }

    /// Marks a secret as owned by another service (ListSecrets/DescribeSecret then
    /// report `OwningService`).
    pub async fn set_owning_service(
        &self,
        account: &str,
        region: &str,
        secret_id: &str,
        owning_service: &str,
    ) -> Result<()> {
        let body = json!({
            "account": account,
            "region": region,
            "secretId": secret_id,
            "owningService": owning_service,
        });
        self.admin_post(admin::SECRET_OWNING_SERVICE, &body)
            .await
            .map(drop)
    }

    /// ListSecrets leaves the secret out until [`Emulator::list_again`], as AWS's
    /// listing may for minutes after a write; DescribeSecret still finds it.
    pub async fn withhold_from_listing(
        &self,
        account: &str,
        region: &str,
        secret_id: &str,
    ) -> Result<()> {
        let body = json!({ "account": account, "region": region, "secretId": secret_id });
        self.admin_post(admin::SECRET_LIST_LAG, &body)
            .await
            .map(drop)
    }

    /// Ends [`Emulator::withhold_from_listing`] for the secret.
    pub async fn list_again(&self, account: &str, region: &str, secret_id: &str) -> Result<()> {
        let body = json!({
            "account": account, "region": region, "secretId": secret_id, "seconds": 0,
        });
        self.admin_post(admin::SECRET_LIST_LAG, &body)
            .await
            .map(drop)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.endpoint())
    }
}

fn check_admin(method: &str, path: &str, response: &crate::http::HttpResponse) -> Result<()> {
    if response.status.is_success() {
        Ok(())
    } else {
        Err(Error::Admin {
            method: method.to_owned(),
            path: path.to_owned(),
            status: response.status.as_u16(),
            body: response.text(),
        })
    }
}

/// Reads a list from an admin answer: either a bare array, or an object holding exactly
/// one array (e.g. `{"evaluations": [...]}`), so the emulator may wrap its lists.
fn from_list<T: serde::de::DeserializeOwned>(value: Value, what: &str) -> Result<Vec<T>> {
    let list = match value {
        Value::Array(items) => items,
        Value::Object(map) => {
            let mut arrays = map.into_iter().filter_map(|(_, v)| match v {
                Value::Array(items) => Some(items),
                _ => None,
            });
            match (arrays.next(), arrays.next()) {
                (Some(items), None) => items,
                _ => {
                    return Err(Error::Invalid(format!(
                        "{what}: expected a list or an object with one list"
                    )));
                }
            }
        }
        Value::Null => Vec::new(),
        other => {
            return Err(Error::Invalid(format!(
                "{what}: expected a list, got {other}"
            )));
        }
    };
    list.into_iter()
        .map(|item| {
            let text = item.to_string();
            serde_json::from_value(item).map_err(Error::json(format!("{what}: reading {text}")))
        })
        .collect()
}

/// One PutEvaluations call as the emulator recorded it. Field names are the
/// emulator's (snake_case); camelCase aliases are accepted.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct RecordedPutEvaluations {
    /// Position in the log (1-based).
    #[serde(default)]
    pub seq: u64,
    /// The calling account.
    #[serde(default, alias = "accountId")]
    pub account: String,
    /// The region called.
    #[serde(default)]
    pub region: String,
    /// Whether `TestMode` was set.
    #[serde(default, alias = "testMode")]
    pub test_mode: bool,
    /// The result token sent.
    #[serde(default, alias = "resultToken")]
    pub result_token: String,
    /// The rule the token was minted for ([`Emulator::mint_result_token`]), if any.
    #[serde(default, alias = "configRuleName")]
    pub config_rule_name: Option<String>,
    /// The evaluations, as sent.
    #[serde(default)]
    pub evaluations: Vec<RecordedEvaluation>,
    /// The evaluations answered in `FailedEvaluations` (fault hook).
    #[serde(default, alias = "failedEvaluations")]
    pub failed_evaluations: Vec<RecordedEvaluation>,
}

/// One evaluation, with the field names PutEvaluations uses.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct RecordedEvaluation {
    /// e.g. `AWS::SecretsManager::Secret`.
    #[serde(rename = "ComplianceResourceType")]
    pub resource_type: String,
    /// The secret ARN (periodic) or the CI's resourceId (change-triggered).
    #[serde(rename = "ComplianceResourceId")]
    pub resource_id: String,
    /// COMPLIANT, NON_COMPLIANT or NOT_APPLICABLE.
    #[serde(rename = "ComplianceType")]
    pub compliance_type: String,
    /// The annotation, if any.
    #[serde(rename = "Annotation", default)]
    pub annotation: Option<String>,
    /// The ordering timestamp as sent on the wire (the SDK sends epoch seconds).
    #[serde(rename = "OrderingTimestamp", default)]
    pub ordering_timestamp: Value,
}

/// One AWS API request the emulator served (admin and `/moto-api` requests are not
/// logged). Field names are the emulator's; camelCase aliases are accepted.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct RecordedRequest {
    /// Position in the log (1-based).
    #[serde(default)]
    pub seq: u64,
    /// The SigV4 signing name: `secretsmanager`, `kms`, `sts`, `config`.
    #[serde(default)]
    pub service: String,
    /// e.g. `ListSecrets`.
    #[serde(default)]
    pub operation: String,
    /// The region the request was signed for.
    #[serde(default)]
    pub region: String,
    /// The access key that signed it.
    #[serde(default, alias = "accessKeyId")]
    pub access_key_id: String,
    /// The account that key acts in.
    #[serde(default, alias = "accountId")]
    pub account: String,
    /// The HTTP status answered.
    #[serde(default)]
    pub status: Option<u16>,
    /// The injected fault's kind, if one was injected.
    #[serde(default)]
    pub fault: Option<String>,
}
