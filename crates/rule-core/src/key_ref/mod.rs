//! KMS key references and the scope they are resolved in.
//!
//! Secrets Manager stores a secret's `KmsKeyId` exactly as it was given: a key id, a key
//! ARN, an alias name or an alias ARN. KMS resolves bare ids and alias names in the
//! caller's account and region, so before asking DescribeKey we qualify every reference
//! into the secret's own [`Scope`]: the result, a [`QualifiedKeyRef`], is both what
//! DescribeKey is called with and the cache key (one DescribeKey per distinct reference).
//!
//! Parsing is strict on purpose: an odd reference must end in a clear error naming it,
//! never in a verdict built on a guess.

mod error;
mod syntax;

pub use error::{KeyRefError, KeyRefProblem};
pub(crate) use syntax::{bounded, is_account_id, is_region, prefix};

use error::Expected;
use std::fmt;
use syntax::{check_alias_name, check_key_id, looks_like_uuid_attempt, split_arn};

/// Longest input accepted; KMS's own `KeyId` limit. Longer input is rejected before any
/// other check so that error messages and work stay bounded.
const MAX_KEY_REF_CHARS: usize = 2048;

/// The alias prefix KMS reserves for AWS managed keys.
const AWS_MANAGED_ALIAS_PREFIX: &str = "alias/aws/";

/// Where a secret lives: the scope in which bare key ids and alias names are resolved.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    /// The AWS partition, e.g. `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
    /// The 12-digit account id that owns the secret.
    pub account: String,
    /// The region the secret (or replica) lives in, e.g. `us-east-1`.
    pub region: String,
}

impl Scope {
    /// From a secret ARN `arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME-xxxxxx`.
    ///
    /// The random six-character suffix is not required: Config and callers sometimes hold
    /// partial ARNs, and the scope does not depend on it.
    pub fn from_secret_arn(arn: &str) -> Result<Scope, KeyRefError> {
        let fail = |problem| KeyRefError::new(Expected::SecretArn, arn, problem);
        let parts = split_arn(arn, "secretsmanager").map_err(fail)?;
        match parts.resource.strip_prefix("secret:") {
            Some(name) if !name.is_empty() => {}
            _ => return Err(fail(KeyRefProblem::NotASecretResource)),
        }
        Ok(Scope {
            partition: parts.partition.to_owned(),
            account: parts.account.to_owned(),
            region: parts.region.to_owned(),
        })
    }

    /// The same partition and account in another region: the scope of a replica.
    pub fn in_region(&self, region: &str) -> Scope {
        Scope {
            partition: self.partition.clone(),
            account: self.account.clone(),
            region: region.to_owned(),
        }
    }
}

/// A KMS key reference in one of the four forms KMS accepts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KeyRef {
    /// A bare key id: a UUID (`1234abcd-12ab-34cd-56ef-1234567890ab`) or a multi-Region
    /// key id (`mrk-` followed by 32 hex digits).
    KeyId(String),
    /// A key ARN `arn:PARTITION:kms:REGION:ACCOUNT:key/KEY_ID`.
    KeyArn {
        /// The partition, e.g. `aws`.
        partition: String,
        /// The key's region.
        region: String,
        /// The key's 12-digit account id.
        account: String,
        /// The key id (UUID or `mrk-` form).
        key_id: String,
    },
    /// An alias name including its prefix, e.g. `alias/my-key`.
    AliasName(String),
    /// An alias ARN `arn:PARTITION:kms:REGION:ACCOUNT:alias/NAME`.
    AliasArn {
        /// The partition, e.g. `aws`.
        partition: String,
        /// The alias's region.
        region: String,
        /// The alias's 12-digit account id.
        account: String,
        /// The alias name including the `alias/` prefix.
        alias: String,
    },
}

impl KeyRef {
    /// Parses a key reference; never panics.
    ///
    /// Rejects empty input, whitespace, ARNs of other services, malformed partitions,
    /// regions and account ids, alias names with characters KMS does not allow, and key
    /// ids that are neither a UUID nor a multi-Region (`mrk-`) id. The error names the
    /// problem and echoes a bounded prefix of the input.
    pub fn parse(s: &str) -> Result<KeyRef, KeyRefError> {
        let fail = |problem| KeyRefError::new(Expected::KeyRef, s, problem);
        if s.is_empty() {
            return Err(fail(KeyRefProblem::Empty));
        }
        if s.chars().count() > MAX_KEY_REF_CHARS {
            return Err(fail(KeyRefProblem::TooLong {
                max: MAX_KEY_REF_CHARS,
            }));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(fail(KeyRefProblem::Whitespace));
        }
        if s.starts_with("arn:") {
            let parts = split_arn(s, "kms").map_err(fail)?;
            if let Some(key_id) = parts.resource.strip_prefix("key/") {
                check_key_id(key_id).map_err(fail)?;
                return Ok(KeyRef::KeyArn {
                    partition: parts.partition.to_owned(),
                    region: parts.region.to_owned(),
                    account: parts.account.to_owned(),
                    key_id: key_id.to_owned(),
                });
            }
            if parts.resource.starts_with("alias/") {
                check_alias_name(parts.resource).map_err(fail)?;
                return Ok(KeyRef::AliasArn {
                    partition: parts.partition.to_owned(),
                    region: parts.region.to_owned(),
                    account: parts.account.to_owned(),
                    alias: parts.resource.to_owned(),
                });
            }
            return Err(fail(KeyRefProblem::NotAKmsResource));
        }
        if s.starts_with("alias/") {
            check_alias_name(s).map_err(fail)?;
            return Ok(KeyRef::AliasName(s.to_owned()));
        }
        if s.starts_with("mrk-") || looks_like_uuid_attempt(s) {
            check_key_id(s).map_err(fail)?;
            return Ok(KeyRef::KeyId(s.to_owned()));
        }
        Err(fail(KeyRefProblem::UnknownForm))
    }

    /// True for `alias/aws/...`, as a name or inside an alias ARN: the aliases KMS
    /// reserves for AWS managed keys.
    pub fn is_aws_managed_alias(&self) -> bool {
        match self {
            KeyRef::AliasName(alias) | KeyRef::AliasArn { alias, .. } => {
                alias.starts_with(AWS_MANAGED_ALIAS_PREFIX)
            }
            KeyRef::KeyId(_) | KeyRef::KeyArn { .. } => false,
        }
    }

    /// True for alias names and alias ARNs: references that must be resolved to learn
    /// which key they point at.
    pub fn is_alias(&self) -> bool {
        matches!(self, KeyRef::AliasName(_) | KeyRef::AliasArn { .. })
    }

    /// The account named by an ARN form; `None` for bare ids and alias names.
    pub fn account(&self) -> Option<&str> {
        match self {
            KeyRef::KeyArn { account, .. } | KeyRef::AliasArn { account, .. } => Some(account),
            KeyRef::KeyId(_) | KeyRef::AliasName(_) => None,
        }
    }

    /// The region named by an ARN form; `None` for bare ids and alias names.
    pub fn region(&self) -> Option<&str> {
        match self {
            KeyRef::KeyArn { region, .. } | KeyRef::AliasArn { region, .. } => Some(region),
            KeyRef::KeyId(_) | KeyRef::AliasName(_) => None,
        }
    }

    /// The ARN DescribeKey is called with: ARNs stay as they are; a key id or alias name
    /// is qualified into the given scope.
    pub fn qualify(&self, scope: &Scope) -> QualifiedKeyRef {
        let arn = match self {
            KeyRef::KeyArn { .. } | KeyRef::AliasArn { .. } => self.to_string(),
            KeyRef::KeyId(key_id) => format!(
                "arn:{}:kms:{}:{}:key/{key_id}",
                scope.partition, scope.region, scope.account
            ),
            KeyRef::AliasName(alias) => format!(
                "arn:{}:kms:{}:{}:{alias}",
                scope.partition, scope.region, scope.account
            ),
        };
        QualifiedKeyRef(arn)
    }
}

impl fmt::Display for KeyRef {
    /// The original textual form: parsing is strict, so it round-trips exactly.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyRef::KeyId(key_id) => f.write_str(key_id),
            KeyRef::AliasName(alias) => f.write_str(alias),
            KeyRef::KeyArn {
                partition,
                region,
                account,
                key_id,
            } => write!(f, "arn:{partition}:kms:{region}:{account}:key/{key_id}"),
            KeyRef::AliasArn {
                partition,
                region,
                account,
                alias,
            } => write!(f, "arn:{partition}:kms:{region}:{account}:{alias}"),
        }
    }
}

/// A key reference as a full key ARN or alias ARN: what DescribeKey is called with, and
/// the cache key ("one DescribeKey per distinct key reference").
///
/// Only [`KeyRef::qualify`] builds one, so the text is always a well-formed KMS ARN.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QualifiedKeyRef(String);

impl QualifiedKeyRef {
    /// The ARN text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The partition of the ARN.
    pub fn partition(&self) -> &str {
        self.field(1)
    }

    /// The account of the ARN: the account that owns the key or alias.
    pub fn account(&self) -> &str {
        self.field(4)
    }

    /// The region of the ARN.
    pub fn region(&self) -> &str {
        self.field(3)
    }

    /// True for an alias ARN (rather than a key ARN).
    pub fn is_alias(&self) -> bool {
        self.field(5).starts_with("alias/")
    }

    /// True for an `alias/aws/...` alias ARN: never to be described, because DescribeKey
    /// on it can create the AWS managed key.
    pub fn is_aws_managed_alias(&self) -> bool {
        self.field(5).starts_with(AWS_MANAGED_ALIAS_PREFIX)
    }

    /// The same reference as a [`KeyRef`] (always an ARN form).
    pub fn to_key_ref(&self) -> Option<KeyRef> {
        KeyRef::parse(&self.0).ok()
    }

    /// True when both name the same partition, account and region. An alias resolves
    /// to a key of its own account and region, so references in different locations can
    /// never resolve to the same key.
    pub fn same_location(&self, other: &QualifiedKeyRef) -> bool {
        self.partition() == other.partition()
            && self.account() == other.account()
            && self.region() == other.region()
    }

    /// True when both name the same partition and account (any Region).
    pub fn same_account(&self, other: &QualifiedKeyRef) -> bool {
        self.partition() == other.partition() && self.account() == other.account()
    }

    fn field(&self, index: usize) -> &str {
        self.0.splitn(6, ':').nth(index).unwrap_or("")
    }
}

impl fmt::Display for QualifiedKeyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// True when two key ARNs name the same key: partition, region and account compared
/// exactly, the key id without regard to ASCII case (key ids are hex, KMS writes them in
/// lower case). Falls back to exact text equality when either is not a key ARN.
pub fn same_key_arn(a: &str, b: &str) -> bool {
    match (KeyRef::parse(a), KeyRef::parse(b)) {
        (
            Ok(KeyRef::KeyArn {
                partition: pa,
                region: ra,
                account: aa,
                key_id: ka,
            }),
            Ok(KeyRef::KeyArn {
                partition: pb,
                region: rb,
                account: ab,
                key_id: kb,
            }),
        ) => pa == pb && ra == rb && aa == ab && ka.eq_ignore_ascii_case(&kb),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::{KEY_ID, scope_in};

    fn scope() -> Scope {
        scope_in("us-east-1")
    }

    #[test]
    fn region_names_of_every_partition_are_accepted() {
        // GIVEN region names from the commercial, China, GovCloud, ISO and EUSC partitions
        for region in [
            "us-east-1",
            "ap-southeast-5",
            "cn-north-1",
            "us-gov-west-1",
            "us-isob-east-1",
            "eusc-de-east-1",
        ] {
            // WHEN validated / THEN accepted
            assert!(is_region(region), "{region}");
        }
        // AND malformed ones are not
        for region in [
            "",
            "us",
            "us-east",
            "US-EAST-1",
            "us-east-",
            "us--1",
            "us-east-123",
        ] {
            assert!(!is_region(region), "{region}");
        }
    }

    #[test]
    fn bounded_echo_is_quoted_escaped_and_cut() {
        // GIVEN a long input with a newline
        let long = format!("a\n{}", "b".repeat(500));
        // WHEN echoed
        let echo = bounded(&long);
        // THEN it is quoted, escaped and cut with an ellipsis
        assert!(echo.starts_with("\"a\\n"));
        assert!(echo.ends_with('…'));
        assert!(echo.chars().count() < 100);
    }

    #[test]
    fn qualified_ref_fields_come_from_the_arn() {
        // GIVEN an alias name qualified into a scope
        let q = KeyRef::AliasName("alias/app".into()).qualify(&scope());
        // THEN its fields are the scope's
        assert_eq!(q.partition(), "aws");
        assert_eq!(q.account(), "111122223333");
        assert_eq!(q.region(), "us-east-1");
        assert!(q.is_alias());
        assert!(!q.is_aws_managed_alias());
        assert_eq!(q.to_key_ref(), Some(KeyRef::parse(q.as_str()).unwrap()));
    }

    #[test]
    fn same_key_arn_ignores_key_id_case_only() {
        let a = format!("arn:aws:kms:us-east-1:111122223333:key/{KEY_ID}");
        let upper = format!(
            "arn:aws:kms:us-east-1:111122223333:key/{}",
            KEY_ID.to_ascii_uppercase()
        );
        let other_region = format!("arn:aws:kms:us-west-2:111122223333:key/{KEY_ID}");
        assert!(same_key_arn(&a, &upper));
        assert!(!same_key_arn(&a, &other_region));
        assert!(same_key_arn("not an arn", "not an arn"));
        assert!(!same_key_arn(&a, "not an arn"));
    }
}
