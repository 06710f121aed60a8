//! Secrets Manager: listing secrets page by page and describing one secret.
//!
//! Only metadata calls: ListSecrets and DescribeSecret. Nothing here can read a secret
//! value, and the rule's role is not allowed to (the CDK tests assert it).

use crate::calls::{ApiCalls, op};
use crate::error::{AwsError, FailureKind};
use crate::time::to_chrono;
use aws_sdk_secretsmanager::Client;
use rule_core::{ReplicaFacts, Scope, SecretFacts, Tag};
use std::future::Future;

/// ListSecrets' page size limit: the sweep asks for full pages.
pub const LIST_PAGE_SIZE: i32 = 100;

/// One secret as ListSecrets reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedSecret {
    /// Everything the decision needs except replica details (ListSecrets has none).
    pub facts: SecretFacts,
    /// The region Secrets Manager originated the secret in (set for multi-Region secrets).
    pub primary_region: Option<String>,
}

impl ListedSecret {
    /// Whether this is the primary of a multi-Region secret, so its replicas' keys need
    /// DescribeSecret. A replica (primary elsewhere) is evaluated in its own region.
    pub fn may_have_replicas(&self) -> bool {
        self.primary_region.as_deref() == Some(self.facts.scope.region.as_str())
    }
}

/// One page of ListSecrets.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SecretPage {
    /// The secrets on this page, in AWS's order.
    pub secrets: Vec<ListedSecret>,
    /// Where the next page starts; `None` on the last page.
    pub next_token: Option<String>,
}

/// The Secrets Manager capability the rule needs: list and describe (never read values).
pub trait SecretStore {
    /// One page of ListSecrets, including secrets scheduled for deletion.
    fn list_page(
        &self,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<SecretPage, AwsError>> + Send;

    /// DescribeSecret by ARN or name, with replica details. `Ok(None)` when the secret
    /// does not exist (any more).
    fn describe(
        &self,
        secret_id: &str,
    ) -> impl Future<Output = Result<Option<SecretFacts>, AwsError>> + Send;
}

/// [`SecretStore`] over the real Secrets Manager client of one account and region.
#[derive(Debug, Clone)]
pub struct SecretsManagerStore {
    client: Client,
    calls: ApiCalls,
}

impl SecretsManagerStore {
    /// Wrap a client; calls are counted in `calls`.
    pub fn new(client: Client, calls: ApiCalls) -> SecretsManagerStore {
        SecretsManagerStore { client, calls }
    }

    /// A store over a new client made from `config`.
    pub fn from_config(config: &aws_config::SdkConfig, calls: ApiCalls) -> SecretsManagerStore {
        SecretsManagerStore::new(Client::new(config), calls)
    }

    /// The underlying client (the CLI's remediation uses it for UpdateSecret).
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl SecretStore for SecretsManagerStore {
    async fn list_page(&self, next_token: Option<String>) -> Result<SecretPage, AwsError> {
        self.calls.record(op::LIST_SECRETS);
        let output = self
            .client
            .list_secrets()
            .include_planned_deletion(true)
            .max_results(LIST_PAGE_SIZE)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| self.calls.failed(op::LIST_SECRETS, e))?;
        let secrets = output
            .secret_list()
            .iter()
            .map(listed_secret)
            .collect::<Result<Vec<_>, _>>()?;
        let next_token = output
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        Ok(SecretPage {
            secrets,
            next_token,
        })
    }

    async fn describe(&self, secret_id: &str) -> Result<Option<SecretFacts>, AwsError> {
        self.calls.record(op::DESCRIBE_SECRET);
        let output = match self
            .client
            .describe_secret()
            .secret_id(secret_id)
            .send()
            .await
        {
            Ok(output) => output,
            Err(err) => {
                let err = self.calls.failed(op::DESCRIBE_SECRET, err);
                return if err.kind == FailureKind::NotFound {
                    Ok(None)
                } else {
                    Err(err)
                };
            }
        };
        let arn = required(op::DESCRIBE_SECRET, output.arn(), "ARN")?;
        let mut facts = secret_facts(
            op::DESCRIBE_SECRET,
            arn,
            output.name(),
            output.kms_key_id(),
            output.deleted_date(),
            output.owning_service(),
            output.tags(),
        )?;
        facts.replicas = Some(
            output
                .replication_status()
                .iter()
                .filter_map(|replica| {
                    Some(ReplicaFacts {
                        region: replica.region()?.to_owned(),
                        kms_key_id: replica.kms_key_id().map(str::to_owned),
                        status: replica.status().map(|s| s.as_str().to_owned()),
                    })
                })
                .collect(),
        );
        Ok(Some(facts))
    }
}

fn listed_secret(
    entry: &aws_sdk_secretsmanager::types::SecretListEntry,
) -> Result<ListedSecret, AwsError> {
    let arn = required(op::LIST_SECRETS, entry.arn(), "SecretList[].ARN")?;
    let facts = secret_facts(
        op::LIST_SECRETS,
        arn,
        entry.name(),
        entry.kms_key_id(),
        entry.deleted_date(),
        entry.owning_service(),
        entry.tags(),
    )?;
    Ok(ListedSecret {
        facts,
        primary_region: entry.primary_region().map(str::to_owned),
    })
}

fn secret_facts(
    operation: &'static str,
    arn: &str,
    name: Option<&str>,
    kms_key_id: Option<&str>,
    deleted_date: Option<&aws_smithy_types::DateTime>,
    owning_service: Option<&str>,
    tags: &[aws_sdk_secretsmanager::types::Tag],
) -> Result<SecretFacts, AwsError> {
    let scope = Scope::from_secret_arn(arn).map_err(|e| {
        AwsError::malformed_response(operation, format!("secret ARN {arn:?} is not valid: {e}"))
    })?;
    Ok(SecretFacts {
        arn: arn.to_owned(),
        resource_id: arn.to_owned(),
        name: name.unwrap_or_default().to_owned(),
        scope,
        kms_key_id: kms_key_id
            .filter(|k| !k.trim().is_empty())
            .map(str::to_owned),
        deleted_date: deleted_date.and_then(to_chrono),
        owning_service: owning_service.filter(|s| !s.is_empty()).map(str::to_owned),
        tags: tags
            .iter()
            .filter_map(|t| {
                Some(Tag {
                    key: t.key()?.to_owned(),
                    value: t.value().unwrap_or_default().to_owned(),
                })
            })
            .collect(),
        replicas: None,
    })
}

fn required<'a>(
    operation: &'static str,
    value: Option<&'a str>,
    field: &str,
) -> Result<&'a str, AwsError> {
    value.filter(|v| !v.is_empty()).ok_or_else(|| {
        AwsError::malformed_response(operation, format!("the response has no {field}"))
    })
}
