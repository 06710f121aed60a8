//! An oversized configuration item change: the item is fetched from Config's history,
//! unless the resource is outside the rule's scope.

use crate::support::{ACCOUNT, KEY_ARN, REGION, World, cmk, invocation, outer, secret_arn};
use serde_json::{Value, json};

#[tokio::test]
async fn oversized_item_is_fetched_from_config_history() {
    let world = World::new();
    world.add_secret("big", Some(KEY_ARN));
    world.add_key(KEY_ARN, cmk(KEY_ARN));
    let handler = world.handler();
    let event = oversized("AWS::SecretsManager::Secret", &secret_arn("big"));
    handler.handle(&event, &invocation()).await.unwrap();
    assert_eq!(world.calls_of("config:GetResourceConfigHistory"), 1);
    let puts = world.puts();
    assert_eq!(puts[0].evaluations[0].compliance.as_str(), "COMPLIANT");
    assert_eq!(puts[0].evaluations[0].resource_id, secret_arn("big"));
}

#[tokio::test]
async fn a_resource_of_another_type_is_not_applicable_without_fetching_it() {
    // GIVEN an oversized notification for a resource outside the rule's scope
    let world = World::new();
    let handler = world.handler();
    let event = oversized("AWS::EC2::Instance", "i-0123456789abcdef0");
    // WHEN handled
    handler.handle(&event, &invocation()).await.unwrap();
    // THEN NOT_APPLICABLE under its own type and id, and no call but the put
    let puts = world.puts();
    let evaluation = &puts[0].evaluations[0];
    assert_eq!(evaluation.compliance.as_str(), "NOT_APPLICABLE");
    assert_eq!(evaluation.resource_type, "AWS::EC2::Instance");
    assert_eq!(evaluation.resource_id, "i-0123456789abcdef0");
    assert!(
        evaluation
            .annotation
            .as_str()
            .contains("outside this rule's scope")
    );
    assert_eq!(world.calls_except_put(), 0);
}

/// An oversized notification for `resource_id` of `resource_type`.
fn oversized(resource_type: &str, resource_id: &str) -> Value {
    outer(
        json!({
            "configurationItemSummary": {
                "changeType": "UPDATE",
                "configurationItemVersion": "1.3",
                "configurationItemCaptureTime": "2026-11-28T11:58:00.000Z",
                "configurationStateId": 1,
                "awsAccountId": ACCOUNT,
                "configurationItemStatus": "OK",
                "resourceType": resource_type,
                "resourceId": resource_id,
                "resourceName": "big",
                "ARN": resource_id,
                "awsRegion": REGION,
                "availabilityZone": "Regional",
                "configurationStateMd5Hash": ""
            },
            "s3DeliverySummary": { "s3BucketLocation": null, "errorCode": null, "errorMessage": null },
            "notificationCreationTime": "2026-11-28T12:00:00.000Z",
            "messageType": "OversizedConfigurationItemChangeNotification",
            "recordVersion": "1.0"
        }),
        None,
        ACCOUNT,
    )
}
