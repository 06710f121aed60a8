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
    pub(super) fn parse(
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
    pub(super) fn parse(
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
