//! The rule's parameters.
//!
//! Config passes `ruleParameters` as a JSON object inside a string, every value a string.
//! A mistake here is an operator's mistake that retrying cannot fix, so every error names
//! the parameter, and no evaluation is produced from parameters we did not understand.

use std::fmt;

use crate::key_ref::{KeyRef, KeyRefError, bounded, is_account_id, prefix};

/// `kmsKeyArns`: comma-separated approved keys.
pub const KMS_KEY_ARNS: &str = "kmsKeyArns";
/// `checkReplicas`: every replica region's key must pass too.
pub const CHECK_REPLICAS: &str = "checkReplicas";
/// `requireEnabledKey`: a key that is not Enabled fails.
pub const REQUIRE_ENABLED_KEY: &str = "requireEnabledKey";
/// `exemptionTagKey`: a secret carrying this tag key is NOT_APPLICABLE.
pub const EXEMPTION_TAG_KEY: &str = "exemptionTagKey";
/// `executionRoleName`: the role assumed in the evaluated account.
pub const EXECUTION_ROLE_NAME: &str = "executionRoleName";
/// `allowedKeyAccounts`: accounts whose keys may protect a secret, besides its own.
pub const ALLOWED_KEY_ACCOUNTS: &str = "allowedKeyAccounts";
/// `reportChangesOnly`: a periodic sweep puts only the results that differ from what
/// Config holds for the rule.
pub const REPORT_CHANGES_ONLY: &str = "reportChangesOnly";

/// Every parameter name the rule knows, in documentation order.
pub const KNOWN_PARAMETERS: [&str; 7] = [
    KMS_KEY_ARNS,
    CHECK_REPLICAS,
    REQUIRE_ENABLED_KEY,
    EXEMPTION_TAG_KEY,
    EXECUTION_ROLE_NAME,
    ALLOWED_KEY_ACCOUNTS,
    REPORT_CHANGES_ONLY,
];

/// Tag keys are at most 128 characters.
const MAX_TAG_KEY_CHARS: usize = 128;
/// IAM role names are at most 64 characters.
const MAX_ROLE_NAME_CHARS: usize = 64;

/// The rule's parameters, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleParameters {
    /// `kmsKeyArns`: key ARNs, alias ARNs and alias names (never bare key ids, never
    /// `alias/aws/*`); `None` when unset.
    pub approved_keys: Option<Vec<KeyRef>>,
    /// `checkReplicas`, default `true`.
    pub check_replicas: bool,
    /// `requireEnabledKey`, default `true`.
    pub require_enabled_key: bool,
    /// `exemptionTagKey`, unset by default.
    pub exemption_tag_key: Option<String>,
    /// `executionRoleName`, a valid IAM role name; unset by default.
    pub execution_role_name: Option<String>,
    /// `allowedKeyAccounts`: 12-digit account ids, deduplicated, in the order given;
    /// empty by default (only the secret's own account, and the accounts of
    /// `kmsKeyArns` entries, are trusted).
    pub allowed_key_accounts: Vec<String>,
    /// `reportChangesOnly`, default `false`: a periodic sweep reads back the rule's
    /// results first and puts only new secrets and changed compliance or annotation
    /// (Config bills every evaluation recorded; it keeps the last one until replaced).
    pub report_changes_only: bool,
}

impl Default for RuleParameters {
    /// The defaults: no approved-key list, replicas checked, keys must be enabled, every
    /// result put on every sweep.
    fn default() -> RuleParameters {
        RuleParameters {
            approved_keys: None,
            check_replicas: true,
            require_enabled_key: true,
            exemption_tag_key: None,
            execution_role_name: None,
            allowed_key_accounts: Vec::new(),
            report_changes_only: false,
        }
    }
}

impl RuleParameters {
    /// `raw` is the event's `ruleParameters` string (absent, `""` and `"{}"` all mean
    /// defaults).
    pub fn parse(raw: Option<&str>) -> Result<RuleParameters, ParameterError> {
        let Some(raw) = raw.filter(|raw| !raw.trim().is_empty()) else {
            return Ok(RuleParameters::default());
        };
        let value: serde_json::Value =
            serde_json::from_str(raw).map_err(|source| ParameterError::NotJson { source })?;
        let serde_json::Value::Object(object) = value else {
            return Err(ParameterError::NotAnObject {
                found: json_type(&value),
            });
        };
        let mut pairs = Vec::with_capacity(object.len());
        for (name, value) in &object {
            let Some(text) = value.as_str() else {
                return Err(ParameterError::NotAString {
                    name: prefix(name),
                    found: json_type(value),
                });
            };
            pairs.push((name.as_str(), text));
        }
        RuleParameters::from_pairs(pairs)
    }

    /// From name/value pairs (the CLI builds these from flags, with the same validation
    /// and messages). A later pair for the same name wins, as in JSON.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<RuleParameters, ParameterError> {
        let mut params = RuleParameters::default();
        for (name, value) in pairs {
            // Config consoles send "" for a blank optional parameter: it means unset.
            let value = value.trim();
            let unset = value.is_empty();
            match name {
                KMS_KEY_ARNS => params.approved_keys = parse_approved_keys(value)?,
                CHECK_REPLICAS => {
                    params.check_replicas = if unset {
                        true
                    } else {
                        parse_bool(CHECK_REPLICAS, value)?
                    }
                }
                REQUIRE_ENABLED_KEY => {
                    params.require_enabled_key = if unset {
                        true
                    } else {
                        parse_bool(REQUIRE_ENABLED_KEY, value)?
                    }
                }
                EXEMPTION_TAG_KEY => {
                    params.exemption_tag_key = if unset {
                        None
                    } else {
                        Some(parse_tag_key(value)?)
                    }
                }
                EXECUTION_ROLE_NAME => {
                    params.execution_role_name = if unset {
                        None
                    } else {
                        Some(parse_role_name(value)?)
                    }
                }
                ALLOWED_KEY_ACCOUNTS => {
                    params.allowed_key_accounts = if unset {
                        Vec::new()
                    } else {
                        parse_accounts(value)?
                    }
                }
                REPORT_CHANGES_ONLY => {
                    params.report_changes_only = !unset && parse_bool(REPORT_CHANGES_ONLY, value)?;
                }
                unknown => {
                    return Err(ParameterError::Unknown {
                        name: prefix(unknown),
                    });
                }
            }
        }
        Ok(params)
    }
}

impl RuleParameters {
    /// Whether a key owned by `key_account` may protect a secret of `secret_account`
    /// (row 5a): the secret's own account, an `allowedKeyAccounts` entry, or the account
    /// of a `kmsKeyArns` ARN (a key approved by name is trusted with its account; row 9
    /// still decides whether it is the approved key).
    pub fn trusts_key_account(&self, key_account: &str, secret_account: &str) -> bool {
        key_account == secret_account
            || self.allowed_key_accounts.iter().any(|a| a == key_account)
            || self
                .approved_keys
                .iter()
                .flatten()
                .any(|key| key.account() == Some(key_account))
    }
}

fn parse_bool(name: &'static str, value: &str) -> Result<bool, ParameterError> {
    if value.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if value.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(ParameterError::NotABoolean {
            name,
            value: bounded(value),
        })
    }
}

fn parse_approved_keys(value: &str) -> Result<Option<Vec<KeyRef>>, ParameterError> {
    let mut keys: Vec<KeyRef> = Vec::new();
    for item in value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
    {
        let key = KeyRef::parse(item).map_err(|source| ParameterError::BadKey { source })?;
        match key {
            // A bare id would silently mean "this id in every account and region".
            KeyRef::KeyId(_) => {
                return Err(ParameterError::BareKeyId {
                    item: bounded(item),
                });
            }
            _ if key.is_aws_managed_alias() => {
                return Err(ParameterError::AwsManagedAlias {
                    item: bounded(item),
                });
            }
            _ => {}
        }
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    Ok(if keys.is_empty() { None } else { Some(keys) })
}

fn parse_accounts(value: &str) -> Result<Vec<String>, ParameterError> {
    let mut accounts: Vec<String> = Vec::new();
    for item in value.split(',').map(str::trim) {
        if !is_account_id(item) {
            return Err(ParameterError::BadAccount {
                item: bounded(item),
            });
        }
        if !accounts.iter().any(|known| known == item) {
            accounts.push(item.to_owned());
        }
    }
    Ok(accounts)
}

fn parse_tag_key(value: &str) -> Result<String, ParameterError> {
    if value.chars().count() > MAX_TAG_KEY_CHARS {
        return Err(ParameterError::BadTagKey {
            value: bounded(value),
        });
    }
    Ok(value.to_owned())
}

/// IAM role names: 1 to 64 characters of `[A-Za-z0-9+=,.@_-]`.
fn parse_role_name(value: &str) -> Result<String, ParameterError> {
    let valid = value.chars().count() <= MAX_ROLE_NAME_CHARS
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
    if valid {
        Ok(value.to_owned())
    } else {
        Err(ParameterError::BadRoleName {
            value: bounded(value),
        })
    }
}

/// The JSON type of a value, for messages.
pub(crate) fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// The known parameter names, for "unknown parameter" messages.
struct KnownNames;

impl fmt::Display for KnownNames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&KNOWN_PARAMETERS.join(", "))
    }
}

/// Rule parameters that cannot be used. Never retryable: the rule's configuration has to
/// change. Every variant names the parameter, or says what is wrong with the whole.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParameterError {
    /// `ruleParameters` is not JSON.
    #[error("ruleParameters is not valid JSON: {source}")]
    NotJson {
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// `ruleParameters` is JSON but not an object.
    #[error("ruleParameters must be a JSON object of string values, found {found}")]
    NotAnObject {
        /// The JSON type found.
        found: &'static str,
    },
    /// A name the rule does not know (a typo would otherwise be silently ignored).
    #[error("unknown rule parameter {name:?}; known parameters: {known}", known = KnownNames)]
    Unknown {
        /// The unknown name (bounded).
        name: String,
    },
    /// A value that is not a JSON string.
    #[error("rule parameter {name:?} must be a JSON string (Config sends strings), found {found}")]
    NotAString {
        /// The parameter name (bounded).
        name: String,
        /// The JSON type found.
        found: &'static str,
    },
    /// A boolean parameter that is not `true` or `false`.
    #[error("rule parameter {name:?} must be \"true\" or \"false\", found {value}")]
    NotABoolean {
        /// The parameter name.
        name: &'static str,
        /// The value (quoted, bounded).
        value: String,
    },
    /// An item of `kmsKeyArns` that is not a key reference.
    #[error("rule parameter kmsKeyArns: {source}")]
    BadKey {
        /// Why the item did not parse.
        #[source]
        source: KeyRefError,
    },
    /// A bare key id in `kmsKeyArns`.
    #[error(
        "rule parameter kmsKeyArns: {item} is a bare key id; give its key ARN \
         (arn:aws:kms:REGION:ACCOUNT:key/ID) or an alias"
    )]
    BareKeyId {
        /// The item (quoted, bounded).
        item: String,
    },
    /// An `alias/aws/*` item in `kmsKeyArns`.
    #[error(
        "rule parameter kmsKeyArns: {item} is an AWS managed key alias; approved keys must \
         be customer managed"
    )]
    AwsManagedAlias {
        /// The item (quoted, bounded).
        item: String,
    },
    /// An `exemptionTagKey` longer than a tag key can be.
    #[error("rule parameter exemptionTagKey: {value} is longer than 128 characters")]
    BadTagKey {
        /// The value (quoted, bounded).
        value: String,
    },
    /// An item of `allowedKeyAccounts` that is not a 12-digit account id (an empty item,
    /// as in `"1,,2"`, included: a typo must not silently shrink the list).
    #[error(
        "rule parameter allowedKeyAccounts: {item} is not a 12-digit AWS account id \
         (give comma-separated account ids, e.g. 111122223333,444455556666)"
    )]
    BadAccount {
        /// The item (quoted, bounded).
        item: String,
    },
    /// An `executionRoleName` that is not an IAM role name.
    #[error(
        "rule parameter executionRoleName: {value} is not an IAM role name (1 to 64 \
         characters of letters, digits and +=,.@_-)"
    )]
    BadRoleName {
        /// The value (quoted, bounded).
        value: String,
    },
}

impl ParameterError {
    /// The parameter at fault, when one parameter is.
    pub fn parameter(&self) -> Option<&str> {
        match self {
            ParameterError::NotJson { .. } | ParameterError::NotAnObject { .. } => None,
            ParameterError::Unknown { name } | ParameterError::NotAString { name, .. } => {
                Some(name)
            }
            ParameterError::NotABoolean { name, .. } => Some(name),
            ParameterError::BadKey { .. }
            | ParameterError::BareKeyId { .. }
            | ParameterError::AwsManagedAlias { .. } => Some(KMS_KEY_ARNS),
            ParameterError::BadTagKey { .. } => Some(EXEMPTION_TAG_KEY),
            ParameterError::BadRoleName { .. } => Some(EXECUTION_ROLE_NAME),
            ParameterError::BadAccount { .. } => Some(ALLOWED_KEY_ACCOUNTS),
        }
    }
}
