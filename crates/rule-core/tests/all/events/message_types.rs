//! Every message type Config sends, and the ordering timestamp each gives.

use super::*;
use crate::support::optional_names;

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
        optional_names(params),
        (Some("secrets-cmk:exempt"), Some("SecretsCmkAuditRole"))
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
