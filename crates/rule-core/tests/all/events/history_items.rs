//! GetResourceConfigHistory items, and the secret facts read from an item.

use super::*;

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
