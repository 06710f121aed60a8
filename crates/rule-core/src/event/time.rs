//! Timestamps in an event: RFC 3339 strings (event JSON, CLI output) and epoch seconds
//! with a fraction (the raw AWS JSON protocols).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};

use super::error::EventError;
use crate::key_ref::bounded;

pub(super) fn parse_time(
    text: &str,
    path: impl FnOnce() -> String,
) -> Result<DateTime<Utc>, EventError> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|_| EventError::BadTimestamp {
            path: path(),
            value: bounded(text),
        })
}

pub(super) fn deserialize_optional_time<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        EpochSeconds(f64),
    }
    use serde::de::Error;
    match Option::<Raw>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Raw::Text(text)) => DateTime::parse_from_rfc3339(&text)
            .map(|time| Some(time.with_timezone(&Utc)))
            .map_err(|_| {
                D::Error::custom(format!("{} is not an RFC 3339 timestamp", bounded(&text)))
            }),
        Some(Raw::EpochSeconds(seconds)) => epoch_seconds(seconds)
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("{seconds} is not a valid epoch time"))),
    }
}

/// Epoch seconds with a fraction (the AWS JSON protocols' timestamp form). An `f64` of
/// today's epoch holds about six reliable decimals, so the fraction is rounded to whole
/// microseconds (1715684568.331 is .331000, not .330999990).
fn epoch_seconds(seconds: f64) -> Option<DateTime<Utc>> {
    if !seconds.is_finite() {
        return None;
    }
    let whole = seconds.floor();
    let micros = ((seconds - whole) * 1e6).round().clamp(0.0, 1e6);
    // `as` saturates; out-of-range values are then rejected by chrono.
    let (whole, micros) = if micros >= 1e6 {
        (whole as i64 + 1, 0)
    } else {
        (whole as i64, micros as u32)
    };
    DateTime::from_timestamp(whole, micros * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_seconds_keep_milliseconds() {
        let time = epoch_seconds(1_468_446_591.086).unwrap();
        assert_eq!(time.timestamp(), 1_468_446_591);
        assert_eq!(time.timestamp_subsec_millis(), 86);
        assert_eq!(epoch_seconds(f64::NAN), None);
        assert_eq!(epoch_seconds(f64::INFINITY), None);
    }
}
