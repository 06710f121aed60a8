//! The event Config sends to a custom rule, parsed and validated.
//!
//! The envelope is JSON with two more JSON documents inside strings (`invokingEvent`,
//! `ruleParameters`). Parsing is hand-written over [`serde_json::Value`] rather than
//! derived so that every error names the exact field (as a JSON path such as
//! `invokingEvent.configurationItem.configurationItemCaptureTime`) and why it is wrong;
//! unknown fields are ignored everywhere, because Config adds fields over time.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::evaluation::SECRET_RESOURCE_TYPE;
use crate::facts::{SecretFacts, Tag};
use crate::key_ref::{KeyRefError, Scope, bounded, is_account_id, prefix};
use crate::params::{ParameterError, RuleParameters, json_type};

/// The result token Config sends when a rule is tested (PutEvaluations `TestMode`).
pub const TEST_MODE_RESULT_TOKEN: &str = "TESTMODE";

/// The path prefix used for errors in a GetResourceConfigHistory item: the adapter asks
/// for one item (limit 1).
const HISTORY_ITEM_PATH: &str = "configurationItems[0]";

/// The Lambda event Config sends to a custom rule, parsed and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigRuleEvent {
    /// The parsed `invokingEvent`.
    pub invoking_event: InvokingEvent,
    /// The parsed `ruleParameters` (defaults when absent).
    pub rule_parameters: RuleParameters,
    /// The token PutEvaluations must echo.
    pub result_token: String,
    /// `eventLeftScope`; `false` when missing.
    pub event_left_scope: bool,
    /// `executionRoleArn`: usually Config's service-linked role, which cannot be assumed.
    pub execution_role_arn: Option<String>,
    /// `configRuleName`.
    pub config_rule_name: Option<String>,
    /// `configRuleArn`.
    pub config_rule_arn: Option<String>,
    /// `accountId`: the evaluated account, 12 digits.
    pub account_id: String,
    /// `evaluationMode` (`DETECTIVE` or `PROACTIVE`), when sent.
    pub evaluation_mode: Option<String>,
}

impl ConfigRuleEvent {
    /// Parses and validates the event; never panics.
    pub fn parse(event: &Value) -> Result<ConfigRuleEvent, EventError> {
        let outer = Obj::root(event)?;
        let account_id = outer.required_account("accountId")?;
        let result_token = outer.required_str("resultToken")?.to_owned();
        let event_left_scope = outer.optional_bool("eventLeftScope")?.unwrap_or(false);
        let execution_role_arn = outer.optional_string("executionRoleArn")?;
        let config_rule_name = outer.optional_string("configRuleName")?;
        let config_rule_arn = outer.optional_string("configRuleArn")?;
        let evaluation_mode = outer.optional_string("evaluationMode")?;

        let invoking_text = outer.required_str("invokingEvent")?;
        let invoking: Value =
            serde_json::from_str(invoking_text).map_err(|source| EventError::NotJson {
                path: "invokingEvent".to_owned(),
                source,
            })?;
        let invoking_event = InvokingEvent::parse(&Obj::new(&invoking, "invokingEvent".into())?)?;

        let rule_parameters = RuleParameters::parse(outer.optional_str("ruleParameters")?)
            .map_err(EventError::Parameters)?;

        Ok(ConfigRuleEvent {
            invoking_event,
            rule_parameters,
            result_token,
            event_left_scope,
            execution_role_arn,
            config_rule_name,
            config_rule_arn,
            account_id,
            evaluation_mode,
        })
    }

    /// True when Config is testing the rule (`resultToken` is `TESTMODE`): evaluations
    /// must then be put with `TestMode` and are not recorded.
    pub fn is_test_mode(&self) -> bool {
        self.result_token == TEST_MODE_RESULT_TOKEN
    }
}

/// What triggered the invocation.
#[derive(Debug, Clone, PartialEq)]
pub enum InvokingEvent {
    /// `ConfigurationItemChangeNotification`: one resource changed.
    ConfigurationItemChange {
        /// The changed item.
        configuration_item: ConfigurationItem,
        /// `notificationCreationTime`, when sent.
        notification_creation_time: Option<DateTime<Utc>>,
    },
    /// `OversizedConfigurationItemChangeNotification`: the item was too large to send; the
    /// caller fetches it with GetResourceConfigHistory.
    OversizedConfigurationItemChange {
        /// What Config did send.
        summary: ConfigurationItemSummary,
        /// `notificationCreationTime`, when sent.
        notification_creation_time: Option<DateTime<Utc>>,
    },
    /// `ScheduledNotification`: a periodic sweep.
    Scheduled {
        /// `notificationCreationTime`, when sent.
        notification_creation_time: Option<DateTime<Utc>>,
    },
}

impl InvokingEvent {
    fn parse(inv: &Obj<'_>) -> Result<InvokingEvent, EventError> {
        let notification_creation_time = inv.optional_time("notificationCreationTime")?;
        let message_type = inv.required_str("messageType")?;
        match message_type {
            "ConfigurationItemChangeNotification" => {
                let ci = inv.required_obj("configurationItem")?;
                Ok(InvokingEvent::ConfigurationItemChange {
                    configuration_item: ConfigurationItem::parse(&ci, notification_creation_time)?,
                    notification_creation_time,
                })
            }
            "OversizedConfigurationItemChangeNotification" => {
                let summary = inv.required_obj("configurationItemSummary")?;
                Ok(InvokingEvent::OversizedConfigurationItemChange {
                    summary: ConfigurationItemSummary::parse(&summary, notification_creation_time)?,
                    notification_creation_time,
                })
            }
            "ScheduledNotification" => Ok(InvokingEvent::Scheduled {
                notification_creation_time,
            }),
            other => Err(EventError::UnknownMessageType {
                path: inv.path_of("messageType"),
                value: bounded(other),
            }),
        }
    }

    /// The `OrderingTimestamp` for evaluations: the item's capture time for change and
    /// oversized notifications; `notificationCreationTime` for periodic ones, or `now`
    /// when it is missing.
    pub fn ordering_timestamp(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            InvokingEvent::ConfigurationItemChange {
                configuration_item, ..
            } => configuration_item.capture_time,
            InvokingEvent::OversizedConfigurationItemChange { summary, .. } => summary.capture_time,
            InvokingEvent::Scheduled {
                notification_creation_time,
            } => notification_creation_time.unwrap_or(now),
        }
    }

    /// `notificationCreationTime`, whatever the message type.
    pub fn notification_creation_time(&self) -> Option<DateTime<Utc>> {
        match self {
            InvokingEvent::ConfigurationItemChange {
                notification_creation_time,
                ..
            }
            | InvokingEvent::OversizedConfigurationItemChange {
                notification_creation_time,
                ..
            }
            | InvokingEvent::Scheduled {
                notification_creation_time,
            } => *notification_creation_time,
        }
    }
}

/// `configurationItemStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigurationItemStatus {
    /// `OK`: the resource exists and was recorded.
    Ok,
    /// `ResourceDiscovered`: first recorded.
    ResourceDiscovered,
    /// `ResourceNotRecorded`: the recorder does not record this type.
    ResourceNotRecorded,
    /// `ResourceDeleted`: the resource was deleted.
    ResourceDeleted,
    /// `ResourceDeletedNotRecorded`: deleted, and its type is not recorded.
    ResourceDeletedNotRecorded,
}

impl ConfigurationItemStatus {
    /// From the API spelling; `None` for anything else.
    pub fn parse(s: &str) -> Option<ConfigurationItemStatus> {
        match s {
            "OK" => Some(ConfigurationItemStatus::Ok),
            "ResourceDiscovered" => Some(ConfigurationItemStatus::ResourceDiscovered),
            "ResourceNotRecorded" => Some(ConfigurationItemStatus::ResourceNotRecorded),
            "ResourceDeleted" => Some(ConfigurationItemStatus::ResourceDeleted),
            "ResourceDeletedNotRecorded" => {
                Some(ConfigurationItemStatus::ResourceDeletedNotRecorded)
            }
            _ => None,
        }
    }

    /// The API spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            ConfigurationItemStatus::Ok => "OK",
            ConfigurationItemStatus::ResourceDiscovered => "ResourceDiscovered",
            ConfigurationItemStatus::ResourceNotRecorded => "ResourceNotRecorded",
            ConfigurationItemStatus::ResourceDeleted => "ResourceDeleted",
            ConfigurationItemStatus::ResourceDeletedNotRecorded => "ResourceDeletedNotRecorded",
        }
    }

    /// True for the statuses of decision-table row 1: the resource is gone or not
    /// recorded, so there is nothing to evaluate.
    pub fn is_gone(&self) -> bool {
        matches!(
            self,
            ConfigurationItemStatus::ResourceDeleted
                | ConfigurationItemStatus::ResourceDeletedNotRecorded
                | ConfigurationItemStatus::ResourceNotRecorded
        )
    }
}

/// A configuration item, with the fields the rule uses.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigurationItem {
    /// `resourceType`.
    pub resource_type: String,
    /// `resourceId`: echoed as the ComplianceResourceId of a change result.
    pub resource_id: String,
    /// `resourceName`.
    pub resource_name: Option<String>,
    /// `ARN` (`arn` in GetResourceConfigHistory).
    pub arn: Option<String>,
    /// `awsAccountId` (`accountId` in GetResourceConfigHistory).
    pub account_id: String,
    /// `awsRegion`.
    pub region: String,
    /// `configurationItemStatus`.
    pub status: ConfigurationItemStatus,
    /// `configurationItemCaptureTime`.
    pub capture_time: DateTime<Utc>,
    /// `configuration.KMSKeyId` (or `configuration.KmsKeyId`); `""` becomes `None`.
    pub kms_key_id: Option<String>,
    /// The top-level `tags` map merged with `configuration.Tags`, without duplicate keys.
    pub tags: Vec<Tag>,
}

impl ConfigurationItem {
    fn parse(
        ci: &Obj<'_>,
        fallback_time: Option<DateTime<Utc>>,
    ) -> Result<ConfigurationItem, EventError> {
        let header = ItemHeader::parse(ci, fallback_time)?;
        let configuration = ci.optional("configuration");
        let (kms_key_id, mut tags) =
            configuration_facts(configuration, &ci.path_of("configuration"))?;
        // The top-level map is Config's own view of the tags: it goes first and wins.
        let mut merged = Vec::new();
        if let Some(top) = ci.optional("tags") {
            parse_tags(top, &ci.path_of("tags"), &mut merged)?;
        }
        tags.retain(|tag: &Tag| !merged.iter().any(|m| m.key == tag.key));
        merged.append(&mut tags);
        Ok(header.into_item(kms_key_id, merged))
    }
}

/// `configurationItemSummary` of an oversized notification.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigurationItemSummary {
    /// `resourceType`.
    pub resource_type: String,
    /// `resourceId`.
    pub resource_id: String,
    /// `resourceName`.
    pub resource_name: Option<String>,
    /// `ARN`.
    pub arn: Option<String>,
    /// `awsAccountId`.
    pub account_id: String,
    /// `awsRegion`.
    pub region: String,
    /// `configurationItemStatus`.
    pub status: ConfigurationItemStatus,
    /// `configurationItemCaptureTime`.
    pub capture_time: DateTime<Utc>,
}

impl ConfigurationItemSummary {
    fn parse(
        summary: &Obj<'_>,
        fallback_time: Option<DateTime<Utc>>,
    ) -> Result<ConfigurationItemSummary, EventError> {
        let h = ItemHeader::parse(summary, fallback_time)?;
        Ok(ConfigurationItemSummary {
            resource_type: h.resource_type,
            resource_id: h.resource_id,
            resource_name: h.resource_name,
            arn: h.arn,
            account_id: h.account_id,
            region: h.region,
            status: h.status,
            capture_time: h.capture_time,
        })
    }
}

/// The fields a configuration item and its summary share.
struct ItemHeader {
    resource_type: String,
    resource_id: String,
    resource_name: Option<String>,
    arn: Option<String>,
    account_id: String,
    region: String,
    status: ConfigurationItemStatus,
    capture_time: DateTime<Utc>,
}

impl ItemHeader {
    /// `fallback_time` stands in for a null or missing capture time (the notification's
    /// creation time): items of deleted, unrecorded resources may come without one, and
    /// row 1 must still be able to report them.
    fn parse(
        item: &Obj<'_>,
        fallback_time: Option<DateTime<Utc>>,
    ) -> Result<ItemHeader, EventError> {
        let capture_time = match item.optional_time("configurationItemCaptureTime")? {
            Some(time) => time,
            None => fallback_time.ok_or_else(|| EventError::Missing {
                path: item.path_of("configurationItemCaptureTime"),
            })?,
        };
        Ok(ItemHeader {
            resource_type: item.required_str("resourceType")?.to_owned(),
            resource_id: item.required_str("resourceId")?.to_owned(),
            resource_name: item.optional_string("resourceName")?,
            arn: item.optional_string("ARN")?,
            account_id: item.required_account("awsAccountId")?,
            region: item.required_str("awsRegion")?.to_owned(),
            status: item.required_status("configurationItemStatus")?,
            capture_time,
        })
    }

    fn into_item(self, kms_key_id: Option<String>, tags: Vec<Tag>) -> ConfigurationItem {
        ConfigurationItem {
            resource_type: self.resource_type,
            resource_id: self.resource_id,
            resource_name: self.resource_name,
            arn: self.arn,
            account_id: self.account_id,
            region: self.region,
            status: self.status,
            capture_time: self.capture_time,
            kms_key_id,
            tags,
        }
    }
}

/// The item shape returned by GetResourceConfigHistory (`accountId` not `awsAccountId`,
/// `arn` not `ARN`, `configuration` as a JSON *string*). The adapter fills it from the
/// SDK; tests deserialize it from JSON fixtures (API field names, camelCase).
///
/// `configurationItemCaptureTime` deserializes from an RFC 3339 string (the CLI's output)
/// or from epoch seconds (the raw API's JSON).
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct HistoryItem {
    /// `accountId`.
    pub account_id: Option<String>,
    /// `arn`.
    pub arn: Option<String>,
    /// `awsRegion`.
    pub aws_region: Option<String>,
    /// `resourceType`.
    pub resource_type: Option<String>,
    /// `resourceId`.
    pub resource_id: Option<String>,
    /// `resourceName`.
    pub resource_name: Option<String>,
    /// `configurationItemStatus`.
    pub configuration_item_status: Option<String>,
    /// `configurationItemCaptureTime`.
    #[serde(deserialize_with = "deserialize_optional_time")]
    pub configuration_item_capture_time: Option<DateTime<Utc>>,
    /// `configuration`: the resource's configuration as a JSON string.
    pub configuration: Option<String>,
    /// `tags`.
    pub tags: Option<HashMap<String, String>>,
}

impl TryFrom<HistoryItem> for ConfigurationItem {
    type Error = EventError;

    fn try_from(item: HistoryItem) -> Result<ConfigurationItem, EventError> {
        let path = |field: &str| format!("{HISTORY_ITEM_PATH}.{field}");
        let required = |value: Option<String>, field: &str| {
            value.ok_or_else(|| EventError::Missing { path: path(field) })
        };
        let account_id = required(item.account_id, "accountId")?;
        if !is_account_id(&account_id) {
            return Err(EventError::BadAccountId {
                path: path("accountId"),
                value: bounded(&account_id),
            });
        }
        let status_text = required(item.configuration_item_status, "configurationItemStatus")?;
        let status = ConfigurationItemStatus::parse(&status_text).ok_or_else(|| {
            EventError::UnknownStatus {
                path: path("configurationItemStatus"),
                value: bounded(&status_text),
            }
        })?;
        let capture_time =
            item.configuration_item_capture_time
                .ok_or_else(|| EventError::Missing {
                    path: path("configurationItemCaptureTime"),
                })?;
        let configuration =
            match item.configuration.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(text) => Some(serde_json::from_str::<Value>(text).map_err(|source| {
                    EventError::NotJson {
                        path: path("configuration"),
                        source,
                    }
                })?),
            };
        let (kms_key_id, mut config_tags) =
            configuration_facts(configuration.as_ref(), &path("configuration"))?;
        // Sorted so that the merged order does not depend on HashMap iteration.
        let mut tags: Vec<Tag> = item
            .tags
            .unwrap_or_default()
            .into_iter()
            .map(|(key, value)| Tag { key, value })
            .collect();
        tags.sort_by(|a, b| a.key.cmp(&b.key));
        config_tags.retain(|tag| !tags.iter().any(|t| t.key == tag.key));
        tags.append(&mut config_tags);
        Ok(ConfigurationItem {
            resource_type: required(item.resource_type, "resourceType")?,
            resource_id: required(item.resource_id, "resourceId")?,
            resource_name: item.resource_name,
            arn: item.arn.filter(|arn| !arn.is_empty()),
            account_id,
            region: required(item.aws_region, "awsRegion")?,
            status,
            capture_time,
            kms_key_id,
            tags,
        })
    }
}

impl SecretFacts {
    /// Facts from a change item: key, tags, ARN (the item's ARN, or a resource id that is
    /// an ARN, or one built from partition/account/region/name), scope, and
    /// `resource_id` = the item's `resourceId`. `deleted_date`, `owning_service` and
    /// `replicas` are left unknown: a configuration item does not carry them, the caller
    /// fills them from DescribeSecret.
    pub fn from_configuration_item(ci: &ConfigurationItem) -> Result<SecretFacts, EventError> {
        if ci.resource_type != SECRET_RESOURCE_TYPE {
            return Err(EventError::WrongResourceType {
                path: "configurationItem.resourceType".to_owned(),
                found: bounded(&ci.resource_type),
            });
        }
        let (arn, path) = if let Some(arn) = ci.arn.as_deref().filter(|arn| !arn.is_empty()) {
            (arn.to_owned(), "configurationItem.ARN")
        } else if ci.resource_id.starts_with("arn:") {
            (ci.resource_id.clone(), "configurationItem.resourceId")
        } else {
            let name = ci.resource_name.as_deref().unwrap_or(&ci.resource_id);
            let arn = format!(
                "arn:{}:secretsmanager:{}:{}:secret:{name}",
                partition_of_region(&ci.region),
                ci.region,
                ci.account_id
            );
            (arn, "configurationItem.resourceName")
        };
        let scope = Scope::from_secret_arn(&arn).map_err(|source| EventError::BadArn {
            path: path.to_owned(),
            source,
        })?;
        let name = match ci.resource_name.as_deref().filter(|name| !name.is_empty()) {
            Some(name) => name.to_owned(),
            None => secret_name_from_arn(&arn).to_owned(),
        };
        Ok(SecretFacts {
            arn,
            resource_id: ci.resource_id.clone(),
            name,
            scope,
            kms_key_id: ci.kms_key_id.clone(),
            deleted_date: None,
            owning_service: None,
            tags: ci.tags.clone(),
            replicas: None,
        })
    }
}

/// The partition a region belongs to, by its well-known prefixes.
pub fn partition_of_region(region: &str) -> &'static str {
    const PREFIXES: [(&str, &str); 7] = [
        ("cn-", "aws-cn"),
        ("us-gov-", "aws-us-gov"),
        ("us-isob-", "aws-iso-b"),
        ("us-isof-", "aws-iso-f"),
        ("eu-isoe-", "aws-iso-e"),
        ("us-iso-", "aws-iso"),
        ("eusc-", "aws-eusc"),
    ];
    PREFIXES
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map_or("aws", |(_, partition)| partition)
}

/// The resource part after `secret:` (including the random suffix, which cannot be told
/// apart from a name that happens to end in `-xxxxxx`).
fn secret_name_from_arn(arn: &str) -> &str {
    arn.splitn(7, ':').nth(6).unwrap_or(arn)
}

/// The key and tags inside a `configuration` object (null or absent for deleted items).
fn configuration_facts(
    configuration: Option<&Value>,
    path: &str,
) -> Result<(Option<String>, Vec<Tag>), EventError> {
    let map = match configuration {
        None | Some(Value::Null) => return Ok((None, Vec::new())),
        Some(Value::Object(map)) => map,
        Some(other) => {
            return Err(EventError::WrongType {
                path: path.to_owned(),
                expected: "an object",
                found: json_type(other),
            });
        }
    };
    let obj = Obj {
        map,
        path: path.to_owned(),
    };
    // The Secrets Manager item spells it KMSKeyId; KmsKeyId is accepted too (the API's
    // spelling), the first non-empty one wins.
    let mut kms_key_id = None;
    for field in ["KMSKeyId", "KmsKeyId"] {
        if let Some(id) = obj.optional_string(field)?.filter(|id| !id.is_empty()) {
            kms_key_id = Some(id);
            break;
        }
    }
    let mut tags = Vec::new();
    for field in ["Tags", "tags"] {
        if let Some(value) = obj.optional(field) {
            parse_tags(value, &obj.path_of(field), &mut tags)?;
        }
    }
    Ok((kms_key_id, tags))
}

/// Tags as a map (`{"k": "v"}`) or a list (`[{"Key": "k", "Value": "v"}]`, also
/// `key`/`value`); a key seen before is skipped.
fn parse_tags(value: &Value, path: &str, out: &mut Vec<Tag>) -> Result<(), EventError> {
    let mut push = |key: String, value: String| {
        if !out.iter().any(|tag| tag.key == key) {
            out.push(Tag { key, value });
        }
    };
    match value {
        Value::Null => {}
        Value::Object(map) => {
            for (key, value) in map {
                let value = match value {
                    Value::String(text) => text.clone(),
                    Value::Null => String::new(),
                    other => {
                        // The key is input of any length: the path echoes it bounded.
                        return Err(EventError::WrongType {
                            path: format!("{path}.{}", prefix(key)),
                            expected: "a string",
                            found: json_type(other),
                        });
                    }
                };
                push(key.clone(), value);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let obj = Obj::new(item, format!("{path}[{index}]"))?;
                let key = match obj.optional_string("Key")? {
                    Some(key) => key,
                    None => obj.required_str("key")?.to_owned(),
                };
                let value = match obj.optional_string("Value")? {
                    Some(value) => value,
                    None => obj.optional_string("value")?.unwrap_or_default(),
                };
                push(key, value);
            }
        }
        other => {
            return Err(EventError::WrongType {
                path: path.to_owned(),
                expected: "an object of tags",
                found: json_type(other),
            });
        }
    }
    Ok(())
}

fn parse_time(text: &str, path: impl FnOnce() -> String) -> Result<DateTime<Utc>, EventError> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|_| EventError::BadTimestamp {
            path: path(),
            value: bounded(text),
        })
}

fn deserialize_optional_time<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        EpochSeconds(f64),
    }
    use serde::de::Error;
    match Option::<Raw>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Raw::Text(text)) => DateTime::parse_from_rfc3339(&text)
            .map(|time| Some(time.with_timezone(&Utc)))
            .map_err(|_| {
                D::Error::custom(format!("{} is not an RFC 3339 timestamp", bounded(&text)))
            }),
        Some(Raw::EpochSeconds(seconds)) => epoch_seconds(seconds)
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("{seconds} is not a valid epoch time"))),
    }
}

/// Epoch seconds with a fraction (the AWS JSON protocols' timestamp form). An `f64` of
/// today's epoch holds about six reliable decimals, so the fraction is rounded to whole
/// microseconds (1715684568.331 is .331000, not .330999990).
fn epoch_seconds(seconds: f64) -> Option<DateTime<Utc>> {
    if !seconds.is_finite() {
        return None;
    }
    let whole = seconds.floor();
    let micros = ((seconds - whole) * 1e6).round().clamp(0.0, 1e6);
    // `as` saturates; out-of-range values are then rejected by chrono.
    let (whole, micros) = if micros >= 1e6 {
        (whole as i64 + 1, 0)
    } else {
        (whole as i64, micros as u32)
    };
    DateTime::from_timestamp(whole, micros * 1000)
}

/// A JSON object and its path, for field access with errors that name the field.
struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Obj<'a> {
    fn root(value: &'a Value) -> Result<Obj<'a>, EventError> {
        match value {
            Value::Object(map) => Ok(Obj {
                map,
                path: String::new(),
            }),
            other => Err(EventError::WrongType {
                path: "(event)".to_owned(),
                expected: "an object",
                found: json_type(other),
            }),
        }
    }

    fn new(value: &'a Value, path: String) -> Result<Obj<'a>, EventError> {
        match value {
            Value::Object(map) => Ok(Obj { map, path }),
            other => Err(EventError::WrongType {
                path,
                expected: "an object",
                found: json_type(other),
            }),
        }
    }

    fn path_of(&self, field: &str) -> String {
        if self.path.is_empty() {
            field.to_owned()
        } else {
            format!("{}.{field}", self.path)
        }
    }

    /// The field, `None` when absent.
    fn optional(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field)
    }

    fn required(&self, field: &str) -> Result<&'a Value, EventError> {
        match self.map.get(field) {
            None | Some(Value::Null) => Err(EventError::Missing {
                path: self.path_of(field),
            }),
            Some(value) => Ok(value),
        }
    }

    fn required_obj(&self, field: &str) -> Result<Obj<'a>, EventError> {
        Obj::new(self.required(field)?, self.path_of(field))
    }

    fn required_str(&self, field: &str) -> Result<&'a str, EventError> {
        let value = self.required(field)?;
        value.as_str().ok_or_else(|| EventError::WrongType {
            path: self.path_of(field),
            expected: "a string",
            found: json_type(value),
        })
    }

    /// A string field; null and absent are both `None`.
    fn optional_str(&self, field: &str) -> Result<Option<&'a str>, EventError> {
        match self.map.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(other) => Err(EventError::WrongType {
                path: self.path_of(field),
                expected: "a string",
                found: json_type(other),
            }),
        }
    }

    fn optional_string(&self, field: &str) -> Result<Option<String>, EventError> {
        Ok(self.optional_str(field)?.map(str::to_owned))
    }

    fn optional_bool(&self, field: &str) -> Result<Option<bool>, EventError> {
        match self.map.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(other) => Err(EventError::WrongType {
                path: self.path_of(field),
                expected: "a boolean",
                found: json_type(other),
            }),
        }
    }

    fn optional_time(&self, field: &str) -> Result<Option<DateTime<Utc>>, EventError> {
        match self.optional_str(field)? {
            None => Ok(None),
            Some(text) => parse_time(text, || self.path_of(field)).map(Some),
        }
    }

    fn required_account(&self, field: &str) -> Result<String, EventError> {
        let account = self.required_str(field)?;
        if is_account_id(account) {
            Ok(account.to_owned())
        } else {
            Err(EventError::BadAccountId {
                path: self.path_of(field),
                value: bounded(account),
            })
        }
    }

    fn required_status(&self, field: &str) -> Result<ConfigurationItemStatus, EventError> {
        let text = self.required_str(field)?;
        ConfigurationItemStatus::parse(text).ok_or_else(|| EventError::UnknownStatus {
            path: self.path_of(field),
            value: bounded(text),
        })
    }
}

/// An event that cannot be used: says which field (as a JSON path) and why.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// A required field is absent or null.
    #[error("`{path}` is missing")]
    Missing {
        /// The field's JSON path.
        path: String,
    },
    /// A field of the wrong JSON type.
    #[error("`{path}` must be {expected}, found {found}")]
    WrongType {
        /// The field's JSON path.
        path: String,
        /// The type required.
        expected: &'static str,
        /// The type found.
        found: &'static str,
    },
    /// A string field that must hold JSON and does not.
    #[error("`{path}` is not valid JSON: {source}")]
    NotJson {
        /// The field's JSON path.
        path: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// A `messageType` this rule does not handle.
    #[error(
        "`{path}`: unknown messageType {value}; expected ConfigurationItemChangeNotification, \
         OversizedConfigurationItemChangeNotification or ScheduledNotification"
    )]
    UnknownMessageType {
        /// The field's JSON path.
        path: String,
        /// The value (quoted, bounded).
        value: String,
    },
    /// A timestamp that is not RFC 3339.
    #[error("`{path}`: {value} is not an RFC 3339 timestamp")]
    BadTimestamp {
        /// The field's JSON path.
        path: String,
        /// The value (quoted, bounded).
        value: String,
    },
    /// An account id that is not 12 digits.
    #[error("`{path}`: {value} is not a 12-digit AWS account id")]
    BadAccountId {
        /// The field's JSON path.
        path: String,
        /// The value (quoted, bounded).
        value: String,
    },
    /// A `configurationItemStatus` this rule does not know.
    #[error(
        "`{path}`: unknown configurationItemStatus {value}; expected OK, ResourceDiscovered, \
         ResourceNotRecorded, ResourceDeleted or ResourceDeletedNotRecorded"
    )]
    UnknownStatus {
        /// The field's JSON path.
        path: String,
        /// The value (quoted, bounded).
        value: String,
    },
    /// A secret ARN that cannot be parsed.
    #[error("`{path}`: {source}")]
    BadArn {
        /// The field's JSON path.
        path: String,
        /// Why the ARN did not parse.
        #[source]
        source: KeyRefError,
    },
    /// A configuration item of another resource type than secrets.
    #[error("`{path}`: {found} is not AWS::SecretsManager::Secret")]
    WrongResourceType {
        /// The field's JSON path.
        path: String,
        /// The type found (quoted, bounded).
        found: String,
    },
    /// `ruleParameters` cannot be used: the rule's configuration must change.
    #[error("invalid rule parameters: {0}")]
    Parameters(#[source] ParameterError),
}

impl EventError {
    /// True when the rule parameters are at fault (not the event itself).
    pub fn is_parameter_error(&self) -> bool {
        matches!(self, EventError::Parameters(_))
    }

    /// The JSON path of the field at fault, when one field is.
    pub fn path(&self) -> Option<&str> {
        match self {
            EventError::Missing { path }
            | EventError::WrongType { path, .. }
            | EventError::NotJson { path, .. }
            | EventError::UnknownMessageType { path, .. }
            | EventError::BadTimestamp { path, .. }
            | EventError::BadAccountId { path, .. }
            | EventError::UnknownStatus { path, .. }
            | EventError::BadArn { path, .. }
            | EventError::WrongResourceType { path, .. } => Some(path),
            EventError::Parameters(_) => Some("ruleParameters"),
        }
    }
}

impl From<ParameterError> for EventError {
    fn from(error: ParameterError) -> EventError {
        EventError::Parameters(error)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn partitions_follow_region_prefixes() {
        assert_eq!(partition_of_region("us-east-1"), "aws");
        assert_eq!(partition_of_region("cn-northwest-1"), "aws-cn");
        assert_eq!(partition_of_region("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_of_region("us-iso-east-1"), "aws-iso");
        assert_eq!(partition_of_region("us-isob-east-1"), "aws-iso-b");
        assert_eq!(partition_of_region("eusc-de-east-1"), "aws-eusc");
    }

    #[test]
    fn epoch_seconds_keep_milliseconds() {
        let time = epoch_seconds(1_468_446_591.086).unwrap();
        assert_eq!(time.timestamp(), 1_468_446_591);
        assert_eq!(time.timestamp_subsec_millis(), 86);
        assert_eq!(epoch_seconds(f64::NAN), None);
        assert_eq!(epoch_seconds(f64::INFINITY), None);
    }

    #[test]
    fn secret_name_is_the_part_after_secret() {
        assert_eq!(
            secret_name_from_arn(
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:db/app-AbCdEf"
            ),
            "db/app-AbCdEf"
        );
    }
}
