//! Why a key reference or secret ARN could not be parsed: the problem named, the input
//! echoed bounded.

use super::syntax::bounded;
use std::fmt;

/// What a [`KeyRefError`] was parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Expected {
    KeyRef,
    SecretArn,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Expected::KeyRef => "KMS key reference",
            Expected::SecretArn => "Secrets Manager secret ARN",
        })
    }
}

/// A key reference or secret ARN that could not be parsed: names the problem and echoes
/// a bounded prefix of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input} is not a valid {expected}: {problem}")]
pub struct KeyRefError {
    expected: Expected,
    /// Already quoted, escaped and bounded.
    input: String,
    problem: KeyRefProblem,
}

impl KeyRefError {
    pub(super) fn new(expected: Expected, input: &str, problem: KeyRefProblem) -> KeyRefError {
        KeyRefError {
            expected,
            input: bounded(input),
            problem,
        }
    }

    /// What was wrong with the input.
    pub fn problem(&self) -> &KeyRefProblem {
        &self.problem
    }

    /// The (quoted, escaped, bounded) input as echoed in the message.
    pub fn input(&self) -> &str {
        &self.input
    }
}

/// The ways a key reference or secret ARN can be malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyRefProblem {
    /// Nothing was given.
    #[error("it is empty")]
    Empty,
    /// Longer than KMS accepts.
    #[error("it is longer than {max} characters")]
    TooLong {
        /// The limit.
        max: usize,
    },
    /// Contains whitespace or control characters.
    #[error("it contains whitespace or control characters")]
    Whitespace,
    /// An ARN without the six `:`-separated parts.
    #[error("an ARN has the form arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE")]
    ArnShape,
    /// The partition is not `aws` or `aws-...`.
    #[error("the partition {found} is not an AWS partition (aws, aws-cn, aws-us-gov, ...)")]
    BadPartition {
        /// The partition found (quoted, bounded).
        found: String,
    },
    /// The ARN names another service.
    #[error("the service is {found}, expected {expected}")]
    WrongService {
        /// The service required.
        expected: &'static str,
        /// The service found (quoted, bounded).
        found: String,
    },
    /// The region is not of the form `us-east-1`.
    #[error("the region {found} is not a region name like us-east-1")]
    BadRegion {
        /// The region found (quoted, bounded).
        found: String,
    },
    /// The account is not 12 digits.
    #[error("the account {found} is not a 12-digit account id")]
    BadAccount {
        /// The account found (quoted, bounded).
        found: String,
    },
    /// A KMS ARN whose resource is neither `key/...` nor `alias/...`.
    #[error("the resource must be key/KEY_ID or alias/NAME")]
    NotAKmsResource,
    /// A Secrets Manager ARN whose resource is not `secret:NAME`.
    #[error("the resource must be secret:NAME")]
    NotASecretResource,
    /// A key id that is neither a UUID nor an `mrk-` id.
    #[error(
        "the key id must be a UUID like 1234abcd-12ab-34cd-56ef-1234567890ab or a \
         multi-Region id mrk- followed by 32 hex digits"
    )]
    BadKeyId,
    /// An alias name with illegal characters or length.
    #[error("an alias name is alias/ followed by 1 to 250 characters of a-z A-Z 0-9 / _ -")]
    BadAliasName,
    /// None of the four forms.
    #[error(
        "expected a key id, a key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), an alias name \
         (alias/NAME) or an alias ARN (arn:aws:kms:REGION:ACCOUNT:alias/NAME)"
    )]
    UnknownForm,
}
