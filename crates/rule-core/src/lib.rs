//! The pure decision logic of the secrets-cmk AWS Config custom rule: every AWS Secrets
//! Manager secret must be encrypted with a customer managed KMS key.
//!
//! ```gherkin
//! Feature: Secrets Manager secrets are encrypted with a customer managed KMS key
//!
//!   Scenario: 1. the secret is gone or out of scope
//!     Given a change notification whose item status is ResourceDeleted,
//!           ResourceDeletedNotRecorded or ResourceNotRecorded, or eventLeftScope is true
//!     When the rule evaluates it
//!     Then it is NOT_APPLICABLE, without any API call
//!
//!   Scenario: 2. the secret is scheduled for deletion
//!     Given a secret with a DeletedDate
//!     Then it is NOT_APPLICABLE, annotated with the date
//!
//!   Scenario: 3. the secret is exempt
//!     Given exemptionTagKey is "Exempt" and the secret carries the tag key "Exempt"
//!     Then it is NOT_APPLICABLE, annotated with the tag
//!
//!   Scenario: 4. the secret uses the default key
//!     Given a secret without a KmsKeyId (or an empty one)
//!     Then it is NON_COMPLIANT: it uses the AWS managed key aws/secretsmanager
//!
//!   Scenario: 5. the secret names an AWS managed alias
//!     Given a secret whose KmsKeyId is alias/aws/... (as a name or an alias ARN)
//!     Then it is NON_COMPLIANT, and DescribeKey is never called on the alias
//!           (that call can create the AWS managed key)
//!
//!   Scenario: 5a. the key belongs to an account we do not trust
//!     Given the key's ARN names an account that is not the secret's own, not in
//!           allowedKeyAccounts, and not the account of a kmsKeyArns entry
//!     Then it is NON_COMPLIANT, naming the account and the parameter, and DescribeKey
//!          is never called (the key's owner could disable it: ransom)
//!
//!   Scenario: 5b. the key is in another Region
//!     Given the key's ARN names another Region than the secret's (or the replica's)
//!     Then it is NON_COMPLIANT, naming both Regions, and DescribeKey is never called
//!          (Secrets Manager uses keys of the secret's own Region only)
//!
//!   Scenario: 6. the key is AWS managed
//!     Given DescribeKey says KeyManager AWS
//!     Then it is NON_COMPLIANT, naming the key ARN
//!
//!   Scenario: 7. the key does not exist
//!     Given DescribeKey says NotFound
//!     Then it is NON_COMPLIANT
//!
//!   Scenario: 8. the key is not usable
//!     Given requireEnabledKey is true and the key's state is not Enabled
//!     Then it is NON_COMPLIANT, naming the state
//!
//!   Scenario: 9. the key is not an approved key
//!     Given kmsKeyArns is set and the key resolves to none of the approved keys
//!     Then it is NON_COMPLIANT (resolved key ARNs are compared, not strings; an
//!          approved multi-Region key approves the same key id in every Region)
//!
//!   Scenario: 10. the key is in another allowed account and may not be described
//!     Given the key's ARN names another account that is trusted (scenario 5a) and
//!           DescribeKey is denied
//!     Then the key is treated as customer managed, annotated "not verified"
//!     And scenario 9 still applies
//!
//!   Scenario: 11. a replica fails
//!     Given checkReplicas is true and a replica's key fails scenarios 4 to 10 in the
//!           replica's region
//!     Then it is NON_COMPLIANT, naming the region
//!
//!   Scenario: 12. otherwise
//!     Then it is COMPLIANT, annotated with the key ARN
//!
//!   Scenario: anything unverifiable
//!     Given DescribeKey was denied in the secret's own account, or failed after retries,
//!           or the stored key id cannot be read
//!     Then there is no verdict for that secret: never a guessed COMPLIANT, never a
//!          guessed NON_COMPLIANT (which could trigger automatic remediation)
//! ```
//!
//! The caller gathers facts (the event, the secret, DescribeKey results) and the core
//! decides: nothing here does I/O.
//!
//! ```
//! use std::collections::HashMap;
//! use rule_core::{decide, key_lookups_needed, Compliance, Decision, Row, RuleParameters, Scope, SecretFacts};
//!
//! let arn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-password-AbCdEf";
//! let secret = SecretFacts {
//!     arn: arn.to_owned(),
//!     resource_id: arn.to_owned(),
//!     name: "db-password".to_owned(),
//!     scope: Scope::from_secret_arn(arn)?,
//!     kms_key_id: None, // the default key, aws/secretsmanager
//!     deleted_date: None,
//!     owning_service: None,
//!     tags: vec![],
//!     replicas: Some(vec![]),
//! };
//! let params = RuleParameters::default();
//!
//! // No DescribeKey is needed to judge the default key.
//! assert!(key_lookups_needed(&secret, &params).is_empty());
//! let Decision::Verdict(verdict) = decide(&secret, &params, &HashMap::new()) else {
//!     panic!("the default key needs no lookup");
//! };
//! assert_eq!(verdict.compliance, Compliance::NonCompliant);
//! assert_eq!(verdict.row, Row::DefaultKey);
//! assert!(verdict.annotation.as_str().contains("aws/secretsmanager"));
//! # Ok::<(), rule_core::KeyRefError>(())
//! ```

pub mod annotation;
pub mod decision;
pub mod evaluation;
pub mod event;
pub mod facts;
pub mod key_ref;
pub mod params;
pub mod remediation;
pub mod row;
pub mod row_of_annotation;
#[cfg(test)]
mod test_support;

pub use annotation::Annotation;
pub use decision::{
    Compliance, Decision, Verdict, decide, key_lookups_needed, out_of_scope, replica_keys_matter,
    resource_gone,
};
pub use evaluation::{
    Evaluation, MAX_EVALUATIONS_PER_CALL, MAX_RESOURCE_ID_CHARS, SECRET_RESOURCE_TYPE, batches,
    stale_candidates,
};
pub use event::{
    ConfigRuleEvent, ConfigurationItem, ConfigurationItemStatus, ConfigurationItemSummary,
    EventError, HistoryItem, InvokingEvent, TEST_MODE_RESULT_TOKEN, partition_of_region,
};
pub use facts::{
    KeyDescription, KeyFacts, KeyLookup, KeyManager, KeyState, ReplicaFacts, SecretFacts, Tag,
};
pub use key_ref::{KeyRef, KeyRefError, KeyRefProblem, QualifiedKeyRef, Scope, same_key_arn};
pub use params::{KNOWN_PARAMETERS, ParameterError, RuleParameters};
pub use remediation::{
    KeyProblem, KeyUse, problem_after_lookup, problem_before_lookup, rule_rejects_target,
    secret_on_key, secret_refusal, target_lookups,
};
pub use row::Row;
