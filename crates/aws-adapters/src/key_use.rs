//! Whether the caller may use a key to encrypt, asked without encrypting anything: KMS
//! `DryRun` on GenerateDataKey and Encrypt.
//!
//! UpdateSecret re-encrypts a secret's AWSCURRENT, AWSPENDING and AWSPREVIOUS versions
//! only if the caller may use the new key (kms:GenerateDataKey and kms:Encrypt) and the
//! old one (kms:Decrypt); otherwise the change "succeeds" but the existing versions stay
//! on the old key. A remediation should know that before it changes anything.
//!
//! KMS answers a `DryRun` request with `DryRunOperationException` when the call would
//! have succeeded, and with the usual error (AccessDenied, a key-state error) when it
//! would not. The answer is advice, never a reason to refuse: a grant or key policy may
//! allow the key only through Secrets Manager (`kms:ViaService`) or only with Secrets
//! Manager's encryption context (`kms:EncryptionContext:SecretARN`), and then a direct dry
//! run is denied although UpdateSecret would be allowed. So a denial is a warning that
//! names both possibilities. Decrypt on the old key cannot be probed this way: a dry-run
//! Decrypt needs a ciphertext of that key, and we hold none (by design).

use crate::calls::op;
use crate::error::AwsError;
use crate::keys::KmsKeyDirectory;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::DataKeySpec;
use rule_core::QualifiedKeyRef;
use std::future::Future;

/// The error code KMS answers a dry run that would have succeeded with.
const DRY_RUN_SUCCEEDED: &str = "DryRunOperationException";

/// What a dry run said about the caller's use of a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyUseProbe {
    /// Both dry runs would have succeeded.
    Allowed,
    /// A dry run was refused: the reason names the operation and AWS's words.
    Denied(String),
    /// The answer says nothing either way (throttled, unavailable, an endpoint that
    /// ignores `DryRun`): the reason says what happened.
    Unknown(String),
}

/// The KMS capability the CLI uses to advise before a re-key: dry runs only.
pub trait KeyUsage {
    /// Whether the caller may GenerateDataKey and Encrypt with `key` (a key ARN).
    fn probe_encrypt(&self, key: &QualifiedKeyRef) -> impl Future<Output = KeyUseProbe> + Send;
}

impl KeyUsage for KmsKeyDirectory {
    async fn probe_encrypt(&self, key: &QualifiedKeyRef) -> KeyUseProbe {
        let client = self.client(key.region());
        self.calls().record(op::GENERATE_DATA_KEY);
        let generate = client
            .generate_data_key()
            .key_id(key.as_str())
            .key_spec(DataKeySpec::Aes256)
            .dry_run(true)
            .send()
            .await
            .map(drop)
            .map_err(|e| AwsError::from_sdk(op::GENERATE_DATA_KEY, e));
        let first = probe_outcome(op::GENERATE_DATA_KEY, generate);
        if first != KeyUseProbe::Allowed {
            return first;
        }
        self.calls().record(op::ENCRYPT);
        let encrypt = client
            .encrypt()
            .key_id(key.as_str())
            // A dry run encrypts nothing; the field is required, so one byte of zeros.
            .plaintext(Blob::new(vec![0u8]))
            .dry_run(true)
            .send()
            .await
            .map(drop)
            .map_err(|e| AwsError::from_sdk(op::ENCRYPT, e));
        probe_outcome(op::ENCRYPT, encrypt)
    }
}

/// What one dry-run answer means.
fn probe_outcome(operation: &str, answer: Result<(), AwsError>) -> KeyUseProbe {
    match answer {
        Err(err) if err.code == DRY_RUN_SUCCEEDED => KeyUseProbe::Allowed,
        Err(err) if err.kind == crate::FailureKind::AccessDenied => {
            KeyUseProbe::Denied(format!("{operation} (DryRun) was denied: {}", err.message))
        }
        Err(err) => KeyUseProbe::Unknown(err.to_string()),
        // A real KMS never answers a dry run with success.
        Ok(()) => KeyUseProbe::Unknown(format!(
            "{operation} (DryRun) returned success instead of {DRY_RUN_SUCCEEDED}: the \
             endpoint does not honour DryRun"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ApiCalls;
    use aws_sdk_kms::operation::encrypt::EncryptError;
    use aws_sdk_kms::operation::generate_data_key::GenerateDataKeyError;
    use aws_smithy_mocks::{mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    const KEY: &str = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    fn key() -> QualifiedKeyRef {
        rule_core::KeyRef::parse(KEY)
            .unwrap()
            .qualify(&rule_core::Scope {
                partition: "aws".into(),
                account: "111122223333".into(),
                region: "eu-west-1".into(),
            })
    }

    fn error(code: &str) -> ErrorMetadata {
        ErrorMetadata::builder()
            .code(code)
            .message(format!("{code} said so"))
            .build()
    }

    fn directory(client: aws_sdk_kms::Client, calls: &ApiCalls) -> KmsKeyDirectory {
        let base = aws_config::SdkConfig::builder().build();
        KmsKeyDirectory::new(base, calls.clone()).with_client("eu-west-1", client)
    }

    #[tokio::test]
    async fn both_dry_runs_succeeding_means_allowed() {
        // GIVEN KMS answering both dry runs with DryRunOperationException
        let generate = mock!(aws_sdk_kms::Client::generate_data_key)
            .match_requests(|r| r.dry_run() == Some(true) && r.key_id() == Some(KEY))
            .then_error(|| GenerateDataKeyError::generic(error(DRY_RUN_SUCCEEDED)));
        let encrypt = mock!(aws_sdk_kms::Client::encrypt)
            .match_requests(|r| r.dry_run() == Some(true))
            .then_error(|| EncryptError::generic(error(DRY_RUN_SUCCEEDED)));
        let calls = ApiCalls::new();
        let keys = directory(mock_client!(aws_sdk_kms, [&generate, &encrypt]), &calls);
        // WHEN probed / THEN allowed, after one call of each, counted
        assert_eq!(keys.probe_encrypt(&key()).await, KeyUseProbe::Allowed);
        assert_eq!(
            (generate.num_calls(), encrypt.num_calls()),
            (1, 1),
            "one dry run each"
        );
        assert_eq!(calls.count(op::ENCRYPT), 1);
    }

    #[tokio::test]
    async fn a_denied_dry_run_names_the_operation_and_stops() {
        // GIVEN GenerateDataKey denied
        let generate = mock!(aws_sdk_kms::Client::generate_data_key)
            .then_error(|| GenerateDataKeyError::generic(error("AccessDeniedException")));
        let encrypt = mock!(aws_sdk_kms::Client::encrypt)
            .then_error(|| EncryptError::generic(error(DRY_RUN_SUCCEEDED)));
        let keys = directory(
            mock_client!(aws_sdk_kms, [&generate, &encrypt]),
            &ApiCalls::new(),
        );
        // WHEN probed
        let probe = keys.probe_encrypt(&key()).await;
        // THEN denied, naming GenerateDataKey, and Encrypt is not asked
        let KeyUseProbe::Denied(reason) = probe else {
            panic!("{probe:?}")
        };
        assert!(
            reason.contains("kms:GenerateDataKey (DryRun) was denied"),
            "{reason}"
        );
        assert_eq!(encrypt.num_calls(), 0);
    }

    #[test]
    fn an_endpoint_that_ignores_dry_run_says_nothing_either_way() {
        assert!(matches!(
            probe_outcome(op::ENCRYPT, Ok(())),
            KeyUseProbe::Unknown(reason) if reason.contains("does not honour DryRun")
        ));
    }
}
