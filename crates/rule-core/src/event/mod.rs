//! The event Config sends to a custom rule, parsed and validated.
//!
//! The envelope is JSON with two more JSON documents inside strings (`invokingEvent`,
//! `ruleParameters`). Parsing is hand-written over [`serde_json::Value`] rather than
//! derived so that every error names the exact field (as a JSON path such as
//! `invokingEvent.configurationItem.configurationItemCaptureTime`) and why it is wrong;
//! unknown fields are ignored everywhere, because Config adds fields over time.
//!
//! This file holds the envelope ([`ConfigRuleEvent`]) and the message it carries
//! ([`InvokingEvent`]); the submodules hold the rest:
//!
//! - `item`: configuration items, their summaries and statuses, and the key and tags
//!   inside a `configuration` object;
//! - `history`: the GetResourceConfigHistory item shape and its conversion;
//! - `secret`: [`SecretFacts`](crate::facts::SecretFacts) built from a configuration item;
//! - `partition`: the partition of a region;
//! - `tags`: the two shapes tags come in;
//! - `time`: RFC 3339 and epoch-seconds timestamps;
//! - `json`: field access on a JSON object with errors that name the field;
//! - `error`: [`EventError`].

mod error;
mod history;
mod item;
mod json;
mod partition;
mod secret;
mod tags;
mod time;

pub use error::EventError;
pub use history::HistoryItem;
pub use item::{ConfigurationItem, ConfigurationItemStatus, ConfigurationItemSummary};
pub use partition::partition_of_region;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::key_ref::bounded;
use crate::params::RuleParameters;
use json::Obj;

/// The result token Config sends when a rule is tested (PutEvaluations `TestMode`).
pub const TEST_MODE_RESULT_TOKEN: &str = "TESTMODE";

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
