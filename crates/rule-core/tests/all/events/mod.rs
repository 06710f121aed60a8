//! Parsing the events Config sends, from real-shaped fixtures, and the errors for broken
//! ones; the fixtures and helpers every part shares.

mod broken_events;
mod history_items;
mod message_types;

use chrono::{DateTime, TimeZone, Utc};
use rule_core::{
    ConfigRuleEvent, ConfigurationItem, ConfigurationItemStatus, EventError, HistoryItem,
    InvokingEvent, KeyRef, SecretFacts, Tag, resource_gone,
};
use serde_json::{Value, json};

const CHANGE_CMK: &str = include_str!("../../fixtures/change_kms_key_id_cmk.json");
const CHANGE_CAMEL: &str = include_str!("../../fixtures/change_kms_key_id_camel_case.json");
const CHANGE_DEFAULT: &str = include_str!("../../fixtures/change_default_key.json");
const CHANGE_DELETED: &str = include_str!("../../fixtures/change_resource_deleted.json");
const CHANGE_LEFT_SCOPE: &str = include_str!("../../fixtures/change_event_left_scope.json");
const OVERSIZED: &str = include_str!("../../fixtures/oversized_change.json");
const SCHEDULED: &str = include_str!("../../fixtures/scheduled.json");
const SCHEDULED_NO_TIME: &str =
    include_str!("../../fixtures/scheduled_without_notification_time.json");
const HISTORY_ITEM: &str = include_str!("../../fixtures/history_item.json");

const SECRET_ARN: &str =
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db/password-AbCdEf";
const CMK_ARN: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn parse(text: &str) -> ConfigRuleEvent {
    ConfigRuleEvent::parse(&json_of(text)).unwrap()
}

fn change_item(event: &ConfigRuleEvent) -> &ConfigurationItem {
    match &event.invoking_event {
        InvokingEvent::ConfigurationItemChange {
            configuration_item, ..
        } => configuration_item,
        other => panic!("expected a change notification, got {other:?}"),
    }
}

fn time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// The fixture with one change applied to its invokingEvent document.
fn with_invoking_event(fixture: &str, change: impl FnOnce(&mut Value)) -> Value {
    let mut event = json_of(fixture);
    let mut invoking: Value =
        serde_json::from_str(event["invokingEvent"].as_str().unwrap()).unwrap();
    change(&mut invoking);
    event["invokingEvent"] = Value::String(invoking.to_string());
    event
}

fn error_of(event: &Value) -> EventError {
    ConfigRuleEvent::parse(event).unwrap_err()
}
