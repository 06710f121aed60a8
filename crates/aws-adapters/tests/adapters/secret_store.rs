//! SecretsManagerStore: ListSecrets pages and DescribeSecret become SecretFacts.

use crate::support::*;
use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::operation::describe_secret::{
    DescribeSecretError, DescribeSecretOutput,
};
use aws_sdk_secretsmanager::operation::list_secrets::ListSecretsOutput;
use aws_sdk_secretsmanager::types::{
    ReplicationStatusType, SecretListEntry, StatusType, Tag as SdkTag,
};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_types::DateTime;
use secrets_cmk_aws::{ApiCalls, FailureKind, SecretStore, SecretsManagerStore, op};

fn arn(name: &str) -> String {
    format!("arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-AbCdEf")
}

#[tokio::test]
async fn a_page_carries_every_fact_the_decision_needs() {
    // GIVEN ListSecrets returns a CMK secret, a default-key secret scheduled for deletion,
    // and a multi-Region primary owned by RDS
    let rule = mock!(Client::list_secrets)
        .match_requests(|r| {
            r.include_planned_deletion() == Some(true) && r.max_results() == Some(100)
        })
        .then_output(|| {
            ListSecretsOutput::builder()
                .secret_list(
                    SecretListEntry::builder()
                        .arn(arn("app"))
                        .name("app")
                        .kms_key_id("alias/app")
                        .tags(SdkTag::builder().key("team").value("payments").build())
                        .build(),
                )
                .secret_list(
                    SecretListEntry::builder()
                        .arn(arn("old"))
                        .name("old")
                        .deleted_date(DateTime::from_secs(1_790_000_000))
                        .build(),
                )
                .secret_list(
                    SecretListEntry::builder()
                        .arn(arn("rds"))
                        .name("rds")
                        .kms_key_id("")
                        .owning_service("rds")
                        .primary_region(REGION)
                        .build(),
                )
                .next_token("page-2")
                .build()
        });
    let calls = ApiCalls::new();
    let store =
        SecretsManagerStore::new(mock_client!(aws_sdk_secretsmanager, [&rule]), calls.clone());

    // WHEN the first page is listed
    let page = store.list_page(None).await.unwrap();

    // THEN the facts are mapped, the empty key id means the default key, and the token is kept
    assert_eq!(
        rule.num_calls(),
        1,
        "the request asked for 100 a page including planned deletions"
    );
    assert_eq!(page.next_token.as_deref(), Some("page-2"));
    let [app, old, rds] = page.secrets.as_slice() else {
        panic!("three secrets expected")
    };
    assert_eq!(app.facts.kms_key_id.as_deref(), Some("alias/app"));
    assert_eq!(app.facts.scope, scope());
    assert_eq!(app.facts.resource_id, arn("app"));
    assert_eq!(app.facts.tags[0].key, "team");
    assert!(!app.may_have_replicas());
    assert_eq!(
        old.facts.deleted_date.map(|d| d.timestamp()),
        Some(1_790_000_000)
    );
    assert_eq!(rds.facts.kms_key_id, None);
    assert_eq!(rds.facts.owning_service.as_deref(), Some("rds"));
    assert!(rds.may_have_replicas());
    assert_eq!(calls.count(op::LIST_SECRETS), 1);
}

#[tokio::test]
async fn describe_adds_replica_details() {
    let rule = mock!(Client::describe_secret).then_output(|| {
        DescribeSecretOutput::builder()
            .arn(arn("app"))
            .name("app")
            .kms_key_id("alias/app")
            .primary_region(REGION)
            .replication_status(
                ReplicationStatusType::builder()
                    .region("us-east-1")
                    .kms_key_id("alias/aws/secretsmanager")
                    .status(StatusType::InSync)
                    .build(),
            )
            .build()
    });
    let store = SecretsManagerStore::new(
        mock_client!(aws_sdk_secretsmanager, [&rule]),
        ApiCalls::new(),
    );
    let facts = store.describe(&arn("app")).await.unwrap().unwrap();
    let replicas = facts.replicas.unwrap();
    assert_eq!(replicas.len(), 1);
    assert_eq!(replicas[0].region, "us-east-1");
    assert_eq!(
        replicas[0].kms_key_id.as_deref(),
        Some("alias/aws/secretsmanager")
    );
    assert_eq!(replicas[0].status.as_deref(), Some("InSync"));
}

#[tokio::test]
async fn describe_of_a_missing_secret_is_none() {
    let rule = mock!(Client::describe_secret).then_error(|| {
        DescribeSecretError::ResourceNotFoundException(
            aws_sdk_secretsmanager::types::error::ResourceNotFoundException::builder()
                .meta(metadata("ResourceNotFoundException"))
                .build(),
        )
    });
    let store = SecretsManagerStore::new(
        mock_client!(aws_sdk_secretsmanager, [&rule]),
        ApiCalls::new(),
    );
    assert_eq!(store.describe(&arn("gone")).await.unwrap(), None);
}

#[tokio::test]
async fn listing_rides_out_throttling() {
    // GIVEN ListSecrets is throttled three times before answering
    let rule = mock!(Client::list_secrets)
        .sequence()
        .http_status(400, throttling_body())
        .times(3)
        .output(|| ListSecretsOutput::builder().build())
        .build();
    let client = mock_client!(aws_sdk_secretsmanager, RuleMode::Sequential, [&rule], |c| c
        .retry_config(fast_retries(5)));
    let store = SecretsManagerStore::new(client, ApiCalls::new());
    // WHEN listed THEN the page arrives (empty, last)
    let page = store.list_page(None).await.unwrap();
    assert!(page.secrets.is_empty() && page.next_token.is_none());
    assert_eq!(rule.num_calls(), 4);
}

#[tokio::test]
async fn listing_denied_is_an_access_denied_error() {
    let rule = mock!(Client::list_secrets)
        .sequence()
        .http_status(
            400,
            Some(r#"{"__type":"AccessDeniedException","message":"no"}"#.into()),
        )
        .build();
    let client = mock_client!(aws_sdk_secretsmanager, RuleMode::Sequential, [&rule], |c| c
        .retry_config(fast_retries(5)));
    let store = SecretsManagerStore::new(client, ApiCalls::new());
    let err = store.list_page(None).await.unwrap_err();
    assert_eq!(err.kind, FailureKind::AccessDenied);
    assert_eq!(err.operation, op::LIST_SECRETS);
    assert!(!err.is_retryable());
}
