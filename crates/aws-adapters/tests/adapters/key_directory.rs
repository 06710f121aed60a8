//! KmsKeyDirectory: DescribeKey answers become KeyLookups.

use crate::support::*;
use aws_sdk_kms::Client;
use aws_sdk_kms::operation::describe_key::{DescribeKeyError, DescribeKeyOutput};
use aws_sdk_kms::types::{KeyManagerType, KeyMetadata, KeyState as SdkKeyState};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use rule_core::{KeyDescription, KeyLookup, KeyManager, KeyState};
use secrets_cmk_aws::{ApiCalls, KeyCache, KeyDirectory, KmsKeyDirectory, op};

const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

fn key_arn(account: &str) -> String {
    format!("arn:aws:kms:{REGION}:{account}:key/{KEY_ID}")
}

fn key_metadata(manager: KeyManagerType, state: SdkKeyState) -> DescribeKeyOutput {
    DescribeKeyOutput::builder()
        .key_metadata(
            KeyMetadata::builder()
                .key_id(KEY_ID)
                .arn(key_arn(ACCOUNT))
                .key_manager(manager)
                .key_state(state)
                .build()
                .unwrap(),
        )
        .build()
}

fn directory(client: Client, calls: &ApiCalls) -> KmsKeyDirectory {
    let base = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(REGION))
        .build();
    KmsKeyDirectory::new(base, calls.clone()).with_client(REGION, client)
}

/// A directory whose KMS answers DescribeKey once with HTTP 400 and `body`, the rule to
/// count its calls, and the retries the standard mode would make (up to 5 attempts).
fn answering_400_once(body: Option<String>) -> (aws_smithy_mocks::Rule, KmsKeyDirectory) {
    let rule = mock!(Client::describe_key)
        .sequence()
        .http_status(400, body)
        .build();
    let client = mock_client!(aws_sdk_kms, RuleMode::Sequential, [&rule], |c| c
        .retry_config(fast_retries(5)));
    let keys = directory(client, &ApiCalls::new());
    (rule, keys)
}

#[tokio::test]
async fn customer_key_is_described_with_manager_and_state() {
    // GIVEN KMS describes a customer-managed, disabled key
    let rule = mock!(Client::describe_key)
        .then_output(|| key_metadata(KeyManagerType::Customer, SdkKeyState::Disabled));
    let calls = ApiCalls::new();
    let keys = directory(mock_client!(aws_sdk_kms, [&rule]), &calls);

    // WHEN it is looked up by key id
    let lookup = keys.describe_key(&qualified(KEY_ID)).await;

    // THEN the lookup carries the resolved ARN, manager and state, from one call
    assert_eq!(
        lookup,
        KeyLookup::Described(KeyDescription {
            arn: key_arn(ACCOUNT),
            manager: KeyManager::Customer,
            state: KeyState::Disabled
        })
    );
    assert_eq!(calls.count(op::DESCRIBE_KEY), 1);
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn not_found_becomes_not_found() {
    // GIVEN KMS answers NotFoundException
    let rule = mock!(Client::describe_key).then_error(|| {
        DescribeKeyError::NotFoundException(
            aws_sdk_kms::types::error::NotFoundException::builder()
                .message("Invalid keyId")
                .meta(metadata("NotFoundException"))
                .build(),
        )
    });
    let keys = directory(mock_client!(aws_sdk_kms, [&rule]), &ApiCalls::new());
    // WHEN looked up THEN NotFound (row 7), not a failure
    assert_eq!(
        keys.describe_key(&qualified(KEY_ID)).await,
        KeyLookup::NotFound
    );
}

#[tokio::test]
async fn access_denied_becomes_access_denied_without_retrying() {
    // GIVEN KMS denies DescribeKey on a key in another account
    let (rule, keys) = answering_400_once(access_denied_body());
    // WHEN looked up by its ARN
    let lookup = keys
        .describe_key(&qualified(&key_arn("444455556666")))
        .await;
    // THEN AccessDenied (rule-core decides row 10 vs unverifiable), after one attempt
    assert_eq!(lookup, KeyLookup::AccessDenied);
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn an_expired_token_on_a_foreign_key_is_unverifiable_never_access_denied() {
    // GIVEN KMS rejects the credentials themselves, for a key of another account (where
    // AccessDenied would mean row 10, "treated as customer managed")
    for code in ["ExpiredTokenException", "UnrecognizedClientException"] {
        let body = format!(r#"{{"__type":"{code}","message":"The security token is invalid"}}"#);
        let (_rule, keys) = answering_400_once(Some(body));
        // WHEN looked up by its ARN
        let lookup = keys
            .describe_key(&qualified(&key_arn("444455556666")))
            .await;
        // THEN a failed lookup (the secret is unverifiable), naming the code
        match lookup {
            KeyLookup::Failed { reason } => assert!(reason.contains(code), "{reason}"),
            other => panic!("{code}: expected a failed lookup, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn throttling_is_retried_until_it_succeeds() {
    // GIVEN KMS throttles twice, then answers
    let rule = mock!(Client::describe_key)
        .sequence()
        .http_status(400, throttling_body())
        .times(2)
        .output(|| key_metadata(KeyManagerType::Aws, SdkKeyState::Enabled))
        .build();
    let client = mock_client!(aws_sdk_kms, RuleMode::Sequential, [&rule], |c| c
        .retry_config(fast_retries(5)));
    let calls = ApiCalls::new();
    let keys = directory(client, &calls);
    // WHEN looked up
    let lookup = keys.describe_key(&qualified(KEY_ID)).await;
    // THEN the SDK retried and the answer is used; one logical call, three attempts
    assert!(
        matches!(
            lookup,
            KeyLookup::Described(KeyDescription {
                manager: KeyManager::Aws,
                ..
            })
        ),
        "{lookup:?}"
    );
    assert_eq!(rule.num_calls(), 3);
    assert_eq!(calls.count(op::DESCRIBE_KEY), 1);
}

#[tokio::test]
async fn throttling_beyond_the_retries_is_a_failure_not_a_verdict() {
    // GIVEN KMS throttles every attempt
    let rule = mock!(Client::describe_key)
        .sequence()
        .http_status(400, throttling_body())
        .times(3)
        .build();
    let client = mock_client!(aws_sdk_kms, RuleMode::Sequential, [&rule], |c| c
        .retry_config(fast_retries(3)));
    let keys = directory(client, &ApiCalls::new());
    // WHEN looked up THEN Failed with a reason naming throttling
    match keys.describe_key(&qualified(KEY_ID)).await {
        KeyLookup::Failed { reason } => assert!(reason.contains("ThrottlingException"), "{reason}"),
        other => panic!("expected Failed, got {other:?}"),
    }
    assert_eq!(rule.num_calls(), 3);
}

#[tokio::test]
async fn server_errors_are_retried_then_fail() {
    let rule = mock!(Client::describe_key)
        .sequence()
        .http_status(500, None)
        .times(2)
        .build();
    let client = mock_client!(aws_sdk_kms, RuleMode::Sequential, [&rule], |c| c
        .retry_config(fast_retries(2)));
    let keys = directory(client, &ApiCalls::new());
    assert!(matches!(
        keys.describe_key(&qualified(KEY_ID)).await,
        KeyLookup::Failed { .. }
    ));
    assert_eq!(rule.num_calls(), 2);
}

#[tokio::test]
async fn aws_managed_aliases_are_never_described() {
    // GIVEN a directory whose client would answer anything
    let rule = mock!(Client::describe_key)
        .then_output(|| key_metadata(KeyManagerType::Aws, SdkKeyState::Enabled));
    let keys = directory(mock_client!(aws_sdk_kms, [&rule]), &ApiCalls::new());
    // WHEN asked about alias/aws/secretsmanager
    let lookup = keys
        .describe_key(&qualified("alias/aws/secretsmanager"))
        .await;
    // THEN it refuses without calling KMS (the call could create the AWS managed key)
    assert!(matches!(lookup, KeyLookup::Failed { .. }));
    assert_eq!(rule.num_calls(), 0);
}

#[tokio::test]
async fn cache_describes_each_distinct_reference_once() {
    // GIVEN a cache and a directory answering every call
    let rule = mock!(Client::describe_key)
        .then_output(|| key_metadata(KeyManagerType::Customer, SdkKeyState::Enabled));
    let client = mock_client!(aws_sdk_kms, RuleMode::MatchAny, [&rule]);
    let calls = ApiCalls::new();
    let keys = directory(client, &calls);
    let mut cache = KeyCache::new();
    // WHEN the same two references are resolved three times
    for _ in 0..3 {
        cache
            .resolve(
                &keys,
                [qualified(KEY_ID), qualified("alias/app"), qualified(KEY_ID)],
            )
            .await;
    }
    // THEN KMS was asked twice in all
    assert_eq!(calls.count(op::DESCRIBE_KEY), 2);
    assert_eq!(cache.len(), 2);
}
