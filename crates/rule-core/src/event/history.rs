//! The item shape GetResourceConfigHistory returns, and its conversion to a
//! [`ConfigurationItem`], with errors that name the field under `configurationItems[0]`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::error::EventError;
use super::item::{
    ConfigurationItem, ConfigurationItemStatus, ConfigurationItemSummary, configuration_facts,
};
use super::time::deserialize_optional_time;
use crate::facts::Tag;
use crate::key_ref::{bounded, is_account_id};

/// The path prefix used for errors in a GetResourceConfigHistory item: the adapter asks
/// for one item (limit 1).
const HISTORY_ITEM_PATH: &str = "configurationItems[0]";

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
            summary: ConfigurationItemSummary {
                resource_type: required(item.resource_type, "resourceType")?,
                resource_id: required(item.resource_id, "resourceId")?,
                resource_name: item.resource_name,
                arn: item.arn.filter(|arn| !arn.is_empty()),
                account_id,
                region: required(item.aws_region, "awsRegion")?,
                status,
                capture_time,
            },
            kms_key_id,
            tags,
        })
    }
}
