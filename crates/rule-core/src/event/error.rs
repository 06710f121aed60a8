//! [`EventError`]: why an event (or a GetResourceConfigHistory item) cannot be used,
//! naming the field at fault as a JSON path.

use crate::key_ref::KeyRefError;
use crate::params::ParameterError;

/// An event that cannot be used: says which field (as a JSON path) and why.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// A required field is absent or null.
    #[error("`{path}` is missing")]
    Missing {
        /// The field's JSON path.
        path: String,
    },
    /// A field of the wrong JSON type.
    #[error("`{path}` must be {expected}, found {found}")]
    WrongType {
        /// The field's JSON path.
        path: String,
        /// The type required.
        expected: &'static str,
        /// The type found.
        found: &'static str,
    },
    /// A string field that must hold JSON and does not.
    #[error("`{path}` is not valid JSON: {source}")]
    NotJson {
        /// The field's JSON path.
        path: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// A `messageType` this rule does not handle.
    #[error(
        "`{path}`: unknown messageType {value}; expected ConfigurationItemChangeNotification, \
         OversizedConfigurationItemChangeNotification or ScheduledNotification"
    )]
    UnknownMessageType {
        /// The field's JSON path.
        path: String,
        /// The value (quoted, bounded).
        value: String,
    },
    /// A timestamp that is not RFC 3339.
    #[error("`{path}`: {value} is not an RFC 3339 timestamp")]
    BadTimestamp {
        /// The field's JSON path.
        path: String,
        /// The value (quoted, bounded).
        value: String,
    },
    /// An account id that is not 12 digits.
    #[error("`{path}`: {value} is not a 12-digit AWS account id")]
    BadAccountId {
        /// The field's JSON path.
        path: String,
        /// The value (quoted, bounded).
        value: String,
    },
    /// A `configurationItemStatus` this rule does not know.
    #[error(
        "`{path}`: unknown configurationItemStatus {value}; expected OK, ResourceDiscovered, \
         ResourceNotRecorded, ResourceDeleted or ResourceDeletedNotRecorded"
    )]
    UnknownStatus {
        /// The field's JSON path.
        path: String,
        /// The value (quoted, bounded).
        value: String,
    },
    /// A secret ARN that cannot be parsed.
    #[error("`{path}`: {source}")]
    BadArn {
        /// The field's JSON path.
        path: String,
        /// Why the ARN did not parse.
        #[source]
        source: KeyRefError,
    },
    /// A configuration item of another resource type than secrets.
    #[error("`{path}`: {found} is not AWS::SecretsManager::Secret")]
    WrongResourceType {
        /// The field's JSON path.
        path: String,
        /// The type found (quoted, bounded).
        found: String,
    },
    /// `ruleParameters` cannot be used: the rule's configuration must change.
    #[error("invalid rule parameters: {0}")]
    Parameters(#[source] ParameterError),
}

impl EventError {
    /// True when the rule parameters are at fault (not the event itself).
    pub fn is_parameter_error(&self) -> bool {
        matches!(self, EventError::Parameters(_))
    }

    /// The JSON path of the field at fault, when one field is.
    pub fn path(&self) -> Option<&str> {
        match self {
            EventError::Missing { path }
            | EventError::WrongType { path, .. }
            | EventError::NotJson { path, .. }
            | EventError::UnknownMessageType { path, .. }
            | EventError::BadTimestamp { path, .. }
            | EventError::BadAccountId { path, .. }
            | EventError::UnknownStatus { path, .. }
            | EventError::BadArn { path, .. }
            | EventError::WrongResourceType { path, .. } => Some(path),
            EventError::Parameters(_) => Some("ruleParameters"),
        }
    }
}

impl From<ParameterError> for EventError {
    fn from(error: ParameterError) -> EventError {
        EventError::Parameters(error)
    }
}
