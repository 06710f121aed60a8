//! Broken events: the error names the field.

use super::*;

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
