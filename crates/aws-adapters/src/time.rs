//! Converting between the SDK's timestamps and chrono's (rule-core uses chrono).

use chrono::{DateTime, Utc};

/// An SDK timestamp as chrono; `None` if it is outside chrono's range.
pub fn to_chrono(timestamp: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(timestamp.secs(), timestamp.subsec_nanos())
}

/// A chrono timestamp as the SDK's.
pub fn to_smithy(timestamp: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_secs_and_nanos(
        timestamp.timestamp(),
        timestamp.timestamp_subsec_nanos(),
    )
}
