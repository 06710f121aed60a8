//! Parsing the events Config sends, from real-shaped fixtures, and the errors for broken
//! ones.

use chrono::{DateTime, TimeZone, Utc};
use rule_core::{
    ConfigRuleEvent, ConfigurationItem, ConfigurationItemStatus, EventError, HistoryItem,
    InvokingEvent, KeyRef, SecretFacts, Tag, resource_gone,
};
use serde_json::{Value, json};

const CHANGE_CMK: &str = include_str!("../fixtures/change_kms_key_id_cmk.json");
const CHANGE_CAMEL: &str = include_str!("../fixtures/change_kms_key_id_camel_case.json");
const CHANGE_DEFAULT: &str = include_str!("../fixtures/change_default_key.json");
const CHANGE_DELETED: &str = include_str!("../fixtures/change_resource_deleted.json");
const CHANGE_LEFT_SCOPE: &str = include_str!("../fixtures/change_event_left_scope.json");
const OVERSIZED: &str = include_str!("../fixtures/oversized_change.json");
const SCHEDULED: &str = include_str!("../fixtures/scheduled.json");
const SCHEDULED_NO_TIME: &str =
    include_str!("../fixtures/scheduled_without_notification_time.json");
const HISTORY_ITEM: &str = include_str!("../fixtures/history_item.json");

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

// ---- message types

#[test]
fn change_notification_with_kms_key_id_is_parsed() {
    // GIVEN a change notification for a secret on a customer managed key
    // WHEN parsed
    let event = parse(CHANGE_CMK);
    let ci = change_item(&event);
    // THEN the envelope and the item are read
    assert_eq!(event.account_id, "123456789012");
    assert!(!event.event_left_scope);
    assert!(!event.is_test_mode());
    assert_eq!(event.config_rule_name.as_deref(), Some("secrets-cmk"));
    assert_eq!(event.evaluation_mode.as_deref(), Some("DETECTIVE"));
    assert!(
        event
            .execution_role_arn
            .as_deref()
            .unwrap()
            .ends_with("AWSServiceRoleForConfig")
    );
    assert_eq!(ci.resource_type, "AWS::SecretsManager::Secret");
    assert_eq!(ci.resource_id, SECRET_ARN);
    assert_eq!(ci.status, ConfigurationItemStatus::Ok);
    assert_eq!(ci.capture_time, time("2024-05-14T09:21:37.512Z"));
    assert_eq!(ci.kms_key_id.as_deref(), Some(CMK_ARN));
    // AND the rule parameters inside their string
    assert_eq!(
        event.rule_parameters.approved_keys,
        Some(vec![KeyRef::AliasName("alias/secrets-cmk".into())])
    );
}

#[test]
fn change_notification_tags_are_merged_without_duplicates() {
    // GIVEN an item with the same tags in its `tags` map and in configuration.Tags
    let event = parse(CHANGE_CMK);
    // WHEN parsed / THEN each key appears once
    let tags = &change_item(&event).tags;
    assert_eq!(tags.len(), 2);
    assert!(tags.contains(&Tag::new("team", "payments")));
    assert!(tags.contains(&Tag::new("env", "prod")));
}

#[test]
fn change_notification_merges_tags_found_only_in_configuration() {
    // GIVEN an item whose configuration.Tags has a key the tags map lacks
    let event = with_invoking_event(CHANGE_CMK, |inv| {
        inv["configurationItem"]["configuration"]["Tags"]
            .as_array_mut()
            .unwrap()
            .push(json!({"Key": "Exempt", "Value": "SEC-1"}));
        inv["configurationItem"]["tags"]["team"] = json!("ops");
    });
    // WHEN parsed
    let tags = change_item(&ConfigRuleEvent::parse(&event).unwrap())
        .tags
        .clone();
    // THEN it is added, and the tags map wins for keys in both
    assert!(tags.contains(&Tag::new("Exempt", "SEC-1")));
    assert!(tags.contains(&Tag::new("team", "ops")));
    assert_eq!(tags.iter().filter(|t| t.key == "team").count(), 1);
}

#[test]
fn change_notification_with_kms_key_id_camel_case_is_parsed() {
    // GIVEN an item spelling the field KmsKeyId, and no ruleParameters at all
    let event = parse(CHANGE_CAMEL);
    // WHEN parsed / THEN the key is read and the parameters are the defaults
    assert_eq!(
        change_item(&event).kms_key_id.as_deref(),
        Some("alias/secrets-cmk")
    );
    assert_eq!(event.rule_parameters, rule_core::RuleParameters::default());
}

#[test]
fn change_notification_on_the_default_key_has_no_key_id() {
    // GIVEN an item without a key field
    let event = parse(CHANGE_DEFAULT);
    // WHEN parsed / THEN there is no key
    assert_eq!(change_item(&event).kms_key_id, None);
}

#[test]
fn empty_key_id_in_the_item_means_the_default_key() {
    // GIVEN an item whose KMSKeyId is ""
    let event = with_invoking_event(CHANGE_CMK, |inv| {
        inv["configurationItem"]["configuration"]["KMSKeyId"] = json!("");
    });
    // WHEN parsed / THEN there is no key
    assert_eq!(
        change_item(&ConfigRuleEvent::parse(&event).unwrap()).kms_key_id,
        None
    );
}

#[test]
fn deleted_resource_with_null_configuration_is_parsed_and_not_applicable() {
    // GIVEN a ResourceDeleted item whose configuration is null
    let event = parse(CHANGE_DELETED);
    let ci = change_item(&event);
    // WHEN parsed / THEN it is gone, and row 1 makes it NOT_APPLICABLE
    assert_eq!(ci.status, ConfigurationItemStatus::ResourceDeleted);
    assert_eq!(ci.kms_key_id, None);
    assert!(ci.status.is_gone());
    assert_eq!(
        resource_gone(ci.status, event.event_left_scope).map(|v| v.row),
        Some(rule_core::Row::Gone)
    );
}

#[test]
fn resource_that_left_scope_is_not_applicable() {
    // GIVEN an event with eventLeftScope true
    let event = parse(CHANGE_LEFT_SCOPE);
    // WHEN parsed / THEN row 1 applies although the item is OK
    assert!(event.event_left_scope);
    assert_eq!(change_item(&event).status, ConfigurationItemStatus::Ok);
    assert!(resource_gone(change_item(&event).status, event.event_left_scope).is_some());
}

#[test]
fn oversized_notification_is_parsed() {
    // GIVEN an oversized change notification
    let event = parse(OVERSIZED);
    // WHEN parsed / THEN the summary is read
    let InvokingEvent::OversizedConfigurationItemChange {
        summary,
        notification_creation_time,
    } = &event.invoking_event
    else {
        panic!("expected oversized, got {:?}", event.invoking_event);
    };
    assert_eq!(summary.resource_id, SECRET_ARN);
    assert_eq!(summary.arn.as_deref(), Some(SECRET_ARN));
    assert_eq!(summary.resource_name.as_deref(), Some("prod/db/password"));
    assert_eq!(summary.account_id, "123456789012");
    assert_eq!(summary.region, "us-east-1");
    assert_eq!(summary.status, ConfigurationItemStatus::Ok);
    assert_eq!(summary.capture_time, time("2024-05-14T11:02:48.331Z"));
    assert_eq!(
        *notification_creation_time,
        Some(time("2024-05-14T11:02:50.007Z"))
    );
}

#[test]
fn scheduled_notification_is_parsed_with_all_parameters() {
    // GIVEN a scheduled notification with every parameter set
    let event = parse(SCHEDULED);
    // WHEN parsed / THEN the notification time and the parameters are read
    assert_eq!(
        event.invoking_event,
        InvokingEvent::Scheduled {
            notification_creation_time: Some(time("2024-05-14T12:00:00.431Z"))
        }
    );
    let params = &event.rule_parameters;
    assert_eq!(params.approved_keys.as_ref().map(Vec::len), Some(2));
    assert!(params.check_replicas);
    assert!(!params.require_enabled_key);
    assert_eq!(
        params.exemption_tag_key.as_deref(),
        Some("secrets-cmk:exempt")
    );
    assert_eq!(
        params.execution_role_name.as_deref(),
        Some("SecretsCmkAuditRole")
    );
}

#[test]
fn scheduled_notification_without_creation_time_in_test_mode() {
    // GIVEN a scheduled notification without notificationCreationTime or recordVersion,
    // TESTMODE, and blank optional parameters
    let event = parse(SCHEDULED_NO_TIME);
    // WHEN parsed / THEN it is test mode, without a time, and parameters are unset
    assert!(event.is_test_mode());
    assert_eq!(
        event.invoking_event,
        InvokingEvent::Scheduled {
            notification_creation_time: None
        }
    );
    assert_eq!(event.rule_parameters, rule_core::RuleParameters::default());
}

// ---- ordering timestamps

#[test]
fn ordering_timestamp_of_a_change_is_the_capture_time() {
    let now = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    // GIVEN a change and an oversized notification
    // WHEN their ordering timestamps are taken
    // THEN each is the item's capture time, not the notification time nor now
    assert_eq!(
        parse(CHANGE_CMK).invoking_event.ordering_timestamp(now),
        time("2024-05-14T09:21:37.512Z")
    );
    assert_eq!(
        parse(OVERSIZED).invoking_event.ordering_timestamp(now),
        time("2024-05-14T11:02:48.331Z")
    );
}

#[test]
fn ordering_timestamp_of_a_scheduled_run_is_the_notification_time_or_now() {
    let now = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    // GIVEN scheduled notifications with and without notificationCreationTime
    // WHEN their ordering timestamps are taken / THEN the time, else now
    assert_eq!(
        parse(SCHEDULED).invoking_event.ordering_timestamp(now),
        time("2024-05-14T12:00:00.431Z")
    );
    assert_eq!(
        parse(SCHEDULED_NO_TIME)
            .invoking_event
            .ordering_timestamp(now),
        now
    );
}

#[test]
fn missing_capture_time_falls_back_to_the_notification_time() {
    // GIVEN a deleted item whose capture time is null
    let event = with_invoking_event(CHANGE_DELETED, |inv| {
        inv["configurationItem"]["configurationItemCaptureTime"] = Value::Null;
    });
    // WHEN parsed / THEN the notification's creation time stands in
    let event = ConfigRuleEvent::parse(&event).unwrap();
    assert_eq!(
        change_item(&event).capture_time,
        time("2024-05-14T09:21:39.203Z")
    );
}

// ---- broken events: the error names the field

#[test]
fn event_that_is_not_an_object_is_rejected() {
    assert!(matches!(
        error_of(&json!([1, 2])),
        EventError::WrongType { .. }
    ));
}

#[test]
fn missing_invoking_event_is_named() {
    let mut event = json_of(SCHEDULED);
    event.as_object_mut().unwrap().remove("invokingEvent");
    let error = error_of(&event);
    assert_eq!(error.path(), Some("invokingEvent"));
    assert!(
        error.to_string().contains("`invokingEvent` is missing"),
        "{error}"
    );
}

#[test]
fn invoking_event_that_is_not_a_string_is_named() {
    let mut event = json_of(SCHEDULED);
    event["invokingEvent"] = json!({"messageType": "ScheduledNotification"});
    let error = error_of(&event);
    assert!(
        error
            .to_string()
            .contains("`invokingEvent` must be a string"),
        "{error}"
    );
}

#[test]
fn invoking_event_that_is_not_json_is_named() {
    let mut event = json_of(SCHEDULED);
    event["invokingEvent"] = json!("{not json");
    let error = error_of(&event);
    assert!(matches!(error, EventError::NotJson { .. }));
    assert!(
        error
            .to_string()
            .contains("`invokingEvent` is not valid JSON"),
        "{error}"
    );
}

#[test]
fn unknown_message_type_is_named() {
    let event = with_invoking_event(SCHEDULED, |inv| {
        inv["messageType"] = json!("ConfigurationSnapshotDeliveryCompleted");
    });
    let error = error_of(&event);
    assert_eq!(error.path(), Some("invokingEvent.messageType"));
    assert!(
        error
            .to_string()
            .contains("\"ConfigurationSnapshotDeliveryCompleted\""),
        "{error}"
    );
}

#[test]
fn bad_capture_time_is_named_with_its_path() {
    let event = with_invoking_event(CHANGE_CMK, |inv| {
        inv["configurationItem"]["configurationItemCaptureTime"] = json!("yesterday");
    });
    let error = error_of(&event);
    assert_eq!(
        error.path(),
        Some("invokingEvent.configurationItem.configurationItemCaptureTime")
    );
    assert!(
        error
            .to_string()
            .contains("\"yesterday\" is not an RFC 3339 timestamp"),
        "{error}"
    );
}

#[test]
fn missing_capture_time_without_notification_time_is_named() {
    let event = with_invoking_event(CHANGE_CMK, |inv| {
        inv["configurationItem"]
            .as_object_mut()
            .unwrap()
            .remove("configurationItemCaptureTime");
        inv.as_object_mut()
            .unwrap()
            .remove("notificationCreationTime");
    });
    assert_eq!(
        error_of(&event).path(),
        Some("invokingEvent.configurationItem.configurationItemCaptureTime")
    );
}

#[test]
fn bad_notification_time_is_named() {
    let event = with_invoking_event(SCHEDULED, |inv| {
        inv["notificationCreationTime"] = json!("2024-13-45T99:00:00Z");
    });
    assert_eq!(
        error_of(&event).path(),
        Some("invokingEvent.notificationCreationTime")
    );
}

#[test]
fn unknown_item_status_is_named() {
    let event = with_invoking_event(CHANGE_CMK, |inv| {
        inv["configurationItem"]["configurationItemStatus"] = json!("Gone");
    });
    let error = error_of(&event);
    assert!(matches!(error, EventError::UnknownStatus { .. }));
    assert_eq!(
        error.path(),
        Some("invokingEvent.configurationItem.configurationItemStatus")
    );
}

#[test]
fn missing_configuration_item_is_named() {
    let event = with_invoking_event(CHANGE_CMK, |inv| {
        inv.as_object_mut().unwrap().remove("configurationItem");
    });
    assert_eq!(
        error_of(&event).path(),
        Some("invokingEvent.configurationItem")
    );
}

#[test]
fn key_id_of_the_wrong_type_is_named() {
    let event = with_invoking_event(CHANGE_CMK, |inv| {
        inv["configurationItem"]["configuration"]["KMSKeyId"] = json!(42);
    });
    assert_eq!(
        error_of(&event).path(),
        Some("invokingEvent.configurationItem.configuration.KMSKeyId")
    );
}

#[test]
fn tag_value_of_the_wrong_type_is_named() {
    let event = with_invoking_event(CHANGE_CMK, |inv| {
        inv["configurationItem"]["tags"]["team"] = json!(["a"]);
    });
    assert_eq!(
        error_of(&event).path(),
        Some("invokingEvent.configurationItem.tags.team")
    );
}

#[test]
fn bad_account_id_is_named() {
    for account in [
        json!("12345"),
        json!("12345678901a"),
        json!(123456789012u64),
    ] {
        let mut event = json_of(SCHEDULED);
        event["accountId"] = account;
        assert_eq!(error_of(&event).path(), Some("accountId"));
    }
    let mut event = json_of(SCHEDULED);
    event.as_object_mut().unwrap().remove("accountId");
    assert!(matches!(error_of(&event), EventError::Missing { .. }));
}

#[test]
fn missing_result_token_is_named() {
    let mut event = json_of(SCHEDULED);
    event.as_object_mut().unwrap().remove("resultToken");
    assert_eq!(error_of(&event).path(), Some("resultToken"));
}

#[test]
fn event_left_scope_must_be_a_boolean_but_may_be_missing() {
    // GIVEN eventLeftScope as a string: rejected
    let mut event = json_of(SCHEDULED);
    event["eventLeftScope"] = json!("true");
    assert_eq!(error_of(&event).path(), Some("eventLeftScope"));
    // AND missing: false
    event.as_object_mut().unwrap().remove("eventLeftScope");
    assert!(!ConfigRuleEvent::parse(&event).unwrap().event_left_scope);
}

#[test]
fn bad_rule_parameters_are_a_parameter_error() {
    // GIVEN an event whose ruleParameters has an unknown name
    let mut event = json_of(SCHEDULED);
    event["ruleParameters"] = json!("{\"kmsKeyArn\":\"alias/x\"}");
    // WHEN parsed
    let error = error_of(&event);
    // THEN the caller can tell it apart, and it names the parameter
    assert!(error.is_parameter_error());
    assert!(error.to_string().contains("kmsKeyArn"), "{error}");
    assert!(std::error::Error::source(&error).is_some());
    // AND an event error is not a parameter error
    assert!(!error_of(&json!({})).is_parameter_error());
}

// ---- GetResourceConfigHistory items

#[test]
fn history_item_converts_to_a_configuration_item() {
    // GIVEN a GetResourceConfigHistory item (configuration as a JSON string)
    let item: HistoryItem = serde_json::from_str(HISTORY_ITEM).unwrap();
    // WHEN converted
    let ci = ConfigurationItem::try_from(item).unwrap();
    // THEN the API's other field names are read
    assert_eq!(ci.account_id, "123456789012");
    assert_eq!(ci.arn.as_deref(), Some(SECRET_ARN));
    assert_eq!(ci.region, "us-east-1");
    assert_eq!(ci.capture_time, time("2024-05-14T11:02:48.331Z"));
    assert_eq!(ci.kms_key_id.as_deref(), Some(CMK_ARN));
    assert!(
        ci.tags
            .contains(&Tag::new("secrets-cmk:exempt", "ticket SEC-1234"))
    );
    // configuration.Tags adds "env", the map already had "team"
    assert_eq!(ci.tags.len(), 3);
}

#[test]
fn history_item_capture_time_may_be_epoch_seconds() {
    // GIVEN the raw API's JSON, where timestamps are epoch seconds
    let item: HistoryItem = serde_json::from_value(json!({
        "accountId": "123456789012", "awsRegion": "us-east-1",
        "resourceType": "AWS::SecretsManager::Secret", "resourceId": SECRET_ARN,
        "configurationItemStatus": "OK", "configurationItemCaptureTime": 1715684568.331
    }))
    .unwrap();
    // WHEN converted / THEN the time is exact to the millisecond, and no key is the default
    let ci = ConfigurationItem::try_from(item).unwrap();
    assert_eq!(ci.capture_time, time("2024-05-14T11:02:48.331Z"));
    assert_eq!(ci.kms_key_id, None);
}

#[test]
fn history_item_with_invalid_configuration_json_names_configuration() {
    // GIVEN a history item whose configuration string is not JSON
    let mut item: HistoryItem = serde_json::from_str(HISTORY_ITEM).unwrap();
    item.configuration = Some("{\"KMSKeyId\": ".into());
    // WHEN converted
    let error = ConfigurationItem::try_from(item).unwrap_err();
    // THEN the error names the field
    assert!(matches!(error, EventError::NotJson { .. }));
    assert_eq!(error.path(), Some("configurationItems[0].configuration"));
}

#[test]
fn history_item_missing_required_fields_are_named() {
    for field in [
        "accountId",
        "resourceId",
        "configurationItemStatus",
        "configurationItemCaptureTime",
    ] {
        // GIVEN the fixture without one required field
        let mut value = json_of(HISTORY_ITEM);
        value.as_object_mut().unwrap().remove(field);
        let item: HistoryItem = serde_json::from_value(value).unwrap();
        // WHEN converted / THEN that field is named
        let error = ConfigurationItem::try_from(item).unwrap_err();
        assert_eq!(
            error.path(),
            Some(format!("configurationItems[0].{field}").as_str())
        );
    }
}

// ---- secret facts from an item

#[test]
fn secret_facts_come_from_a_change_item() {
    // GIVEN the change notification fixture
    let event = parse(CHANGE_CMK);
    // WHEN facts are taken from its item
    let facts = SecretFacts::from_configuration_item(change_item(&event)).unwrap();
    // THEN the ARN, scope, key and tags are the item's, the rest unknown
    assert_eq!(facts.arn, SECRET_ARN);
    assert_eq!(facts.resource_id, SECRET_ARN);
    assert_eq!(facts.name, "prod/db/password");
    assert_eq!(facts.scope.account, "123456789012");
    assert_eq!(facts.scope.region, "us-east-1");
    assert_eq!(facts.kms_key_id.as_deref(), Some(CMK_ARN));
    assert_eq!(facts.tags.len(), 2);
    assert_eq!(facts.replicas, None);
    assert_eq!(facts.deleted_date, None);
}

#[test]
fn secret_arn_is_built_when_the_item_has_none() {
    // GIVEN an item in GovCloud without ARN, identified by name
    let mut ci = change_item(&parse(CHANGE_CMK)).clone();
    ci.arn = None;
    ci.resource_id = "prod/db/password".into();
    ci.region = "us-gov-west-1".into();
    // WHEN facts are taken
    let facts = SecretFacts::from_configuration_item(&ci).unwrap();
    // THEN the ARN is built in the region's partition, and the resource id is echoed
    assert_eq!(
        facts.arn,
        "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:prod/db/password"
    );
    assert_eq!(facts.scope.partition, "aws-us-gov");
    assert_eq!(facts.resource_id, "prod/db/password");
}

#[test]
fn secret_facts_refuse_other_resource_types_and_bad_arns() {
    let mut ci = change_item(&parse(CHANGE_CMK)).clone();
    ci.resource_type = "AWS::S3::Bucket".into();
    assert!(matches!(
        SecretFacts::from_configuration_item(&ci),
        Err(EventError::WrongResourceType { .. })
    ));
    let mut ci = change_item(&parse(CHANGE_CMK)).clone();
    ci.arn = Some("arn:aws:s3:::bucket".into());
    let error = SecretFacts::from_configuration_item(&ci).unwrap_err();
    assert_eq!(error.path(), Some("configurationItem.ARN"));
}
