//! AWS Config rule events shaped as Config sends them to a custom Lambda rule.
//!
//! The outer event carries `invokingEvent` and `ruleParameters` as JSON *strings*. A
//! change event's configuration item uses the notification's field names
//! (`awsAccountId`, `ARN`, `configurationItemVersion` "1.3"); the secret's configuration
//! uses the fields Config records for `AWS::SecretsManager::Secret` (`ARN`, `Name`,
//! `KMSKeyId`, `RotationEnabled`, `Deleted`, ...). The CI's `resourceId` is the secret ARN.

use std::time::SystemTime;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use crate::emulator::{DEFAULT_ACCOUNT, DEFAULT_REGION};

/// The resource type of a secret.
pub const SECRET_RESOURCE_TYPE: &str = "AWS::SecretsManager::Secret";

/// The rule name the events carry.
pub const RULE_NAME: &str = "secrets-cmk";

/// The rule id the events carry.
pub const RULE_ID: &str = "config-rule-e2e0001";

/// Now, to the millisecond (what Config timestamps carry).
pub fn now() -> DateTime<Utc> {
    let now = DateTime::<Utc>::from(SystemTime::now());
    DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
}

/// A timestamp as Config writes it: RFC 3339, milliseconds, `Z`.
pub fn config_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// What every event of one rule invocation shares: the evaluated account, the rule's
/// region, its parameters and the result token.
#[derive(Clone, Debug)]
pub struct RuleContext {
    /// The evaluated account (`accountId`; `awsAccountId` in the invoking event).
    pub account_id: String,
    /// The rule's region (in `configRuleArn`).
    pub region: String,
    /// `ruleParameters` as the JSON string Config sends; `None` leaves the field out.
    pub rule_parameters: Option<String>,
    /// `resultToken` (`TESTMODE` makes PutEvaluations a dry run).
    pub result_token: String,
    /// `executionRoleArn`: Config's service-linked role in the evaluated account.
    pub execution_role_arn: String,
}

impl RuleContext {
    /// A context for `account_id` in `region`, no parameters, a result token unique to
    /// this context.
    pub fn new(account_id: impl Into<String>, region: impl Into<String>) -> Self {
        let account_id = account_id.into();
        RuleContext {
            execution_role_arn: format!(
                "arn:aws:iam::{account_id}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
            ),
            account_id,
            region: region.into(),
            rule_parameters: None,
            result_token: format!("e2e-result-token-{}", now().timestamp_micros()),
        }
    }

    /// The default account in the default region.
    pub fn default_account() -> Self {
        RuleContext::new(DEFAULT_ACCOUNT, DEFAULT_REGION)
    }

    /// Sets `ruleParameters` (a JSON object as a string, e.g. `{"checkReplicas":"false"}`).
    pub fn with_parameters(mut self, rule_parameters_json: impl Into<String>) -> Self {
        self.rule_parameters = Some(rule_parameters_json.into());
        self
    }

    /// Sets `resultToken`.
    pub fn with_result_token(mut self, token: impl Into<String>) -> Self {
        self.result_token = token.into();
        self
    }

    /// The rule's ARN.
    pub fn config_rule_arn(&self) -> String {
        format!(
            "arn:aws:config:{}:{}:config-rule/{RULE_ID}",
            self.region, self.account_id
        )
    }

    /// The outer event around `invoking_event`.
    fn event(&self, invoking_event: &Value, event_left_scope: bool) -> Value {
        let mut event = Map::new();
        event.insert("version".into(), json!("1.0"));
        event.insert("invokingEvent".into(), json!(invoking_event.to_string()));
        if let Some(parameters) = &self.rule_parameters {
            event.insert("ruleParameters".into(), json!(parameters));
        }
        event.insert("resultToken".into(), json!(self.result_token));
        event.insert("eventLeftScope".into(), json!(event_left_scope));
        event.insert("executionRoleArn".into(), json!(self.execution_role_arn));
        event.insert("configRuleArn".into(), json!(self.config_rule_arn()));
        event.insert("configRuleName".into(), json!(RULE_NAME));
        event.insert("configRuleId".into(), json!(RULE_ID));
        event.insert("accountId".into(), json!(self.account_id));
        event.insert("evaluationMode".into(), json!("DETECTIVE"));
        Value::Object(event)
    }
}

/// A periodic (`ScheduledNotification`) event.
pub fn scheduled_event(context: &RuleContext, notification_time: DateTime<Utc>) -> Value {
    let invoking_event = json!({
        "awsAccountId": context.account_id,
        "notificationCreationTime": config_time(notification_time),
        "messageType": "ScheduledNotification",
        "recordVersion": "1.0",
    });
    context.event(&invoking_event, false)
}

/// A change-triggered (`ConfigurationItemChangeNotification`) event for
/// `configuration_item` (see [`SecretCi`]).
pub fn change_event(
    context: &RuleContext,
    configuration_item: &Value,
    event_left_scope: bool,
) -> Value {
    let notification_time = configuration_item
        .get("configurationItemCaptureTime")
        .cloned()
        .unwrap_or_else(|| json!(config_time(now())));
    let invoking_event = json!({
        "configurationItemDiff": null,
        "configurationItem": configuration_item,
        "notificationCreationTime": notification_time,
        "messageType": "ConfigurationItemChangeNotification",
        "recordVersion": "1.3",
    });
    context.event(&invoking_event, event_left_scope)
}

/// An `OversizedConfigurationItemChangeNotification` event: only the item's summary
/// (built from `ci`); the rule must fetch the item with GetResourceConfigHistory.
pub fn oversized_event(context: &RuleContext, ci: &SecretCi) -> Value {
    let invoking_event = json!({
        "configurationItemSummary": {
            "changeType": "UPDATE",
            "configurationItemVersion": "1.3",
            "configurationItemCaptureTime": config_time(ci.capture_time),
            "configurationStateId": ci.capture_time.timestamp_millis(),
            "awsAccountId": ci.account_id,
            "configurationItemStatus": ci.status.as_str(),
            "resourceType": SECRET_RESOURCE_TYPE,
            "resourceId": ci.arn,
            "resourceName": ci.name,
            "ARN": ci.arn,
            "awsRegion": ci.region,
            "availabilityZone": "Not Applicable",
            "configurationStateMd5Hash": "",
            "resourceCreationTime": config_time(ci.capture_time),
        },
        "notificationCreationTime": config_time(ci.capture_time),
        "messageType": "OversizedConfigurationItemChangeNotification",
        "recordVersion": "1.0",
    });
    context.event(&invoking_event, false)
}

/// `configurationItemStatus` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CiStatus {
    /// `OK`: the resource changed.
    Ok,
    /// `ResourceDiscovered`: first recorded.
    ResourceDiscovered,
    /// `ResourceNotRecorded`: the recorder no longer records the type.
    ResourceNotRecorded,
    /// `ResourceDeleted`.
    ResourceDeleted,
    /// `ResourceDeletedNotRecorded`.
    ResourceDeletedNotRecorded,
}

impl CiStatus {
    /// The value as Config writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            CiStatus::Ok => "OK",
            CiStatus::ResourceDiscovered => "ResourceDiscovered",
            CiStatus::ResourceNotRecorded => "ResourceNotRecorded",
            CiStatus::ResourceDeleted => "ResourceDeleted",
            CiStatus::ResourceDeletedNotRecorded => "ResourceDeletedNotRecorded",
        }
    }

    fn is_deleted(self) -> bool {
        matches!(
            self,
            CiStatus::ResourceDeleted | CiStatus::ResourceDeletedNotRecorded
        )
    }
}

/// A secret's configuration item. [`SecretCi::for_arn`] reads name, account and region
/// from the ARN; the `with_*` methods set the rest.
#[derive(Clone, Debug)]
pub struct SecretCi {
    /// The secret ARN (also the CI's `resourceId`).
    pub arn: String,
    /// The secret name (`resourceName`, `configuration.Name`).
    pub name: String,
    /// `awsAccountId`.
    pub account_id: String,
    /// `awsRegion`.
    pub region: String,
    /// `configuration.KMSKeyId`; `None` leaves it out (the default key).
    pub kms_key_id: Option<String>,
    /// `configurationItemStatus`.
    pub status: CiStatus,
    /// `tags`.
    pub tags: Vec<(String, String)>,
    /// `configurationItemCaptureTime`.
    pub capture_time: DateTime<Utc>,
    /// Write the key field as `KmsKeyId` instead of Config's `KMSKeyId`.
    pub key_field_kms_key_id: bool,
}

impl SecretCi {
    /// A CI for the secret `arn` (`arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX`),
    /// status OK, default key, no tags, captured now. Parts the ARN lacks stay empty.
    pub fn for_arn(arn: impl Into<String>) -> Self {
        let arn = arn.into();
        let parts: Vec<&str> = arn.splitn(7, ':').collect();
        let part = |i: usize| parts.get(i).copied().unwrap_or_default().to_owned();
        let name = secret_name_from_arn(&part(6));
        SecretCi {
            region: part(3),
            account_id: part(4),
            name,
            arn,
            kms_key_id: None,
            status: CiStatus::Ok,
            tags: Vec::new(),
            capture_time: now(),
            key_field_kms_key_id: false,
        }
    }

    /// Sets `KMSKeyId` (any form).
    pub fn with_kms_key(mut self, kms_key_id: impl Into<String>) -> Self {
        self.kms_key_id = Some(kms_key_id.into());
        self
    }

    /// Sets the status.
    pub fn with_status(mut self, status: CiStatus) -> Self {
        self.status = status;
        self
    }

    /// Adds a tag.
    pub fn with_tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.push((key.into(), value.into()));
        self
    }

    /// Sets the capture time.
    pub fn with_capture_time(mut self, time: DateTime<Utc>) -> Self {
        self.capture_time = time;
        self
    }

    /// The configuration item as JSON. A deleted resource's CI has a `null`
    /// configuration, as Config sends it.
    pub fn to_json(&self) -> Value {
        let configuration = if self.status.is_deleted() {
            Value::Null
        } else {
            let mut configuration = Map::new();
            configuration.insert("ARN".into(), json!(self.arn));
            configuration.insert("Name".into(), json!(self.name));
            if let Some(key) = &self.kms_key_id {
                let field = if self.key_field_kms_key_id {
                    "KmsKeyId"
                } else {
                    "KMSKeyId"
                };
                configuration.insert(field.into(), json!(key));
            }
            configuration.insert("RotationEnabled".into(), json!(false));
            configuration.insert("Deleted".into(), json!(false));
            Value::Object(configuration)
        };
        let tags: Map<String, Value> = self
            .tags
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        let time = config_time(self.capture_time);
        json!({
            "relatedEvents": [],
            "relationships": [],
            "configuration": configuration,
            "supplementaryConfiguration": {},
            "tags": tags,
            "configurationItemVersion": "1.3",
            "configurationItemCaptureTime": time,
            "configurationStateId": self.capture_time.timestamp_millis(),
            "awsAccountId": self.account_id,
            "configurationItemStatus": self.status.as_str(),
            "resourceType": SECRET_RESOURCE_TYPE,
            "resourceId": self.arn,
            "resourceName": self.name,
            "ARN": self.arn,
            "awsRegion": self.region,
            "availabilityZone": "Not Applicable",
            "configurationStateMd5Hash": "",
            "resourceCreationTime": time,
        })
    }
}

/// The secret name in the last ARN field: `NAME-XXXXXX` without the 6-character suffix
/// Secrets Manager appends (left as is when there is none).
fn secret_name_from_arn(last: &str) -> String {
    let suffix_len = 7; // '-' + 6 characters
    match last.len().checked_sub(suffix_len) {
        Some(cut) if last.is_char_boundary(cut) && last[cut..].starts_with('-') && cut > 0 => {
            last[..cut].to_owned()
        }
        _ => last.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_ci_reads_name_account_and_region_from_the_arn() {
        // GIVEN a secret ARN with a name that itself contains dashes
        let arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-pass-AbC123";

        // WHEN a CI is built for it
        let ci = SecretCi::for_arn(arn).with_kms_key("alias/app").to_json();

        // THEN name, account and region come from the ARN and resourceId is the ARN
        assert_eq!(ci["resourceName"], "app/db-pass");
        assert_eq!(ci["awsAccountId"], "111122223333");
        assert_eq!(ci["awsRegion"], "eu-west-1");
        assert_eq!(ci["resourceId"], arn);
        assert_eq!(ci["configuration"]["KMSKeyId"], "alias/app");
    }

    #[test]
    fn outer_event_carries_json_strings() {
        // GIVEN a context with parameters
        let context =
            RuleContext::default_account().with_parameters(r#"{"checkReplicas":"false"}"#);

        // WHEN a scheduled event is built
        let event = scheduled_event(&context, now());

        // THEN invokingEvent and ruleParameters are strings holding JSON
        let invoking: Value =
            serde_json::from_str(event["invokingEvent"].as_str().unwrap_or_default())
                .unwrap_or_default();
        assert_eq!(invoking["messageType"], "ScheduledNotification");
        assert_eq!(event["ruleParameters"], r#"{"checkReplicas":"false"}"#);
        assert_eq!(event["eventLeftScope"], false);
        assert_eq!(event["evaluationMode"], "DETECTIVE");
    }

    #[test]
    fn deleted_ci_has_null_configuration() {
        // GIVEN / WHEN a deleted secret's CI
        let ci = SecretCi::for_arn("arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbC123")
            .with_status(CiStatus::ResourceDeleted)
            .to_json();

        // THEN its configuration is null
        assert!(ci["configuration"].is_null());
        assert_eq!(ci["configurationItemStatus"], "ResourceDeleted");
    }
}
