//! Configuration items as a change notification carries them: the full item, the summary
//! of an oversized one, the item status, and the key and tags read from the item's
//! `configuration` object (shared with the GetResourceConfigHistory shape).

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::error::EventError;
use super::json::Obj;
use super::tags::parse_tags;
use crate::facts::Tag;
use crate::params::json_type;

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

/// A configuration item, with the fields the rule uses: the fields it shares with its
/// summary (an oversized notification's `configurationItemSummary`), read through
/// `Deref` (`item.resource_id`), and what only the full item has, its configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigurationItem {
    /// `resourceType`, `resourceId`, `ARN`, `awsAccountId`, the status and capture time
    /// (`arn` and `accountId` in GetResourceConfigHistory).
    pub summary: ConfigurationItemSummary,
    /// `configuration.KMSKeyId` (or `configuration.KmsKeyId`); `""` becomes `None`.
    pub kms_key_id: Option<String>,
    /// The top-level `tags` map merged with `configuration.Tags`, without duplicate keys.
    pub tags: Vec<Tag>,
}

impl std::ops::Deref for ConfigurationItem {
    type Target = ConfigurationItemSummary;

    fn deref(&self) -> &ConfigurationItemSummary {
        &self.summary
    }
}

impl std::ops::DerefMut for ConfigurationItem {
    fn deref_mut(&mut self) -> &mut ConfigurationItemSummary {
        &mut self.summary
    }
}

impl ConfigurationItem {
    pub(super) fn parse(
        ci: &Obj<'_>,
        fallback_time: Option<DateTime<Utc>>,
    ) -> Result<ConfigurationItem, EventError> {
        let summary = ConfigurationItemSummary::parse(ci, fallback_time)?;
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
        Ok(ConfigurationItem {
            summary,
            kms_key_id,
            tags: merged,
        })
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
    /// `fallback_time` stands in for a null or missing capture time (the notification's
    /// creation time): items of deleted, unrecorded resources may come without one, and
    /// row 1 must still be able to report them.
    pub(super) fn parse(
        item: &Obj<'_>,
        fallback_time: Option<DateTime<Utc>>,
    ) -> Result<ConfigurationItemSummary, EventError> {
        let capture_time = match item.optional_time("configurationItemCaptureTime")? {
            Some(time) => time,
            None => fallback_time.ok_or_else(|| EventError::Missing {
                path: item.path_of("configurationItemCaptureTime"),
            })?,
        };
        Ok(ConfigurationItemSummary {
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
}

/// The key and tags inside a `configuration` object (null or absent for deleted items).
pub(super) fn configuration_facts(
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
