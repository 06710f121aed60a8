//! The syntax of ARNs, regions, account ids, key ids and alias names, and the bounded
//! echo of bad input in messages.

use super::error::KeyRefProblem;

/// How much of a bad input an error message echoes: enough to recognise it, bounded
/// because the input may be anything (errors end up in logs and annotations).
const ECHO_CHARS: usize = 80;

/// Alias names are `alias/` followed by 1 to 250 characters of `[a-zA-Z0-9/_-]`.
const MAX_ALIAS_SUFFIX_CHARS: usize = 250;

/// The parts of an ARN, borrowed from the input.
pub(super) struct ArnParts<'a> {
    pub(super) partition: &'a str,
    pub(super) region: &'a str,
    pub(super) account: &'a str,
    pub(super) resource: &'a str,
}

/// Splits and validates the parts every ARN we handle shares: partition, service,
/// region and account, in that order (so an S3 ARN is reported as the wrong service, not
/// as lacking a region); the caller checks the resource.
pub(super) fn split_arn<'a>(
    arn: &'a str,
    service: &'static str,
) -> Result<ArnParts<'a>, KeyRefProblem> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(found), Some(region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(KeyRefProblem::ArnShape);
    };
    if !is_partition(partition) {
        return Err(KeyRefProblem::BadPartition {
            found: bounded(partition),
        });
    }
    if found != service {
        return Err(KeyRefProblem::WrongService {
            expected: service,
            found: bounded(found),
        });
    }
    if !is_region(region) {
        return Err(KeyRefProblem::BadRegion {
            found: bounded(region),
        });
    }
    if !is_account_id(account) {
        return Err(KeyRefProblem::BadAccount {
            found: bounded(account),
        });
    }
    Ok(ArnParts {
        partition,
        region,
        account,
        resource,
    })
}

/// `aws`, or `aws-` followed by lowercase segments (`aws-cn`, `aws-us-gov`, `aws-iso-b`).
fn is_partition(s: &str) -> bool {
    s == "aws"
        || s.strip_prefix("aws-").is_some_and(|rest| {
            rest.split('-')
                .all(|seg| !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_lowercase()))
        })
}

/// A region name: at least three `-`-separated segments, lowercase letters except the
/// last, which is a number (`us-east-1`, `us-gov-west-1`, `eusc-de-east-1`).
pub(crate) fn is_region(s: &str) -> bool {
    let segments: Vec<&str> = s.split('-').collect();
    let Some((last, rest)) = segments.split_last() else {
        return false;
    };
    s.len() <= 32
        && rest.len() >= 2
        && rest
            .iter()
            .all(|seg| !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_lowercase()))
        && !last.is_empty()
        && last.len() <= 2
        && last.bytes().all(|b| b.is_ascii_digit())
}

/// Exactly twelve ASCII digits.
pub(crate) fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A bare key id candidate: contains a `-` and only hex digits and dashes. Anything
/// else that is not an ARN or alias is reported as an unknown form rather than a bad id.
pub(super) fn looks_like_uuid_attempt(s: &str) -> bool {
    s.contains('-') && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

pub(super) fn check_key_id(s: &str) -> Result<(), KeyRefProblem> {
    let ok = match s.strip_prefix("mrk-") {
        Some(hex) => hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
        None => is_uuid(s),
    };
    if ok {
        Ok(())
    } else {
        Err(KeyRefProblem::BadKeyId)
    }
}

/// 8-4-4-4-12 hex digits.
fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub(super) fn check_alias_name(s: &str) -> Result<(), KeyRefProblem> {
    let ok = s.strip_prefix("alias/").is_some_and(|rest| {
        !rest.is_empty()
            && rest.len() <= MAX_ALIAS_SUFFIX_CHARS
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-'))
    });
    if ok {
        Ok(())
    } else {
        Err(KeyRefProblem::BadAliasName)
    }
}

/// At most [`ECHO_CHARS`] characters of a name, marked with `…` when cut: for names
/// that error messages quote themselves.
pub(crate) fn prefix(s: &str) -> String {
    let mut chars = s.chars();
    let mut kept: String = chars.by_ref().take(ECHO_CHARS).collect();
    if chars.next().is_some() {
        kept.push('…');
    }
    kept
}

/// Quotes and escapes a value for an error message, keeping at most [`ECHO_CHARS`]
/// characters: the value may be garbage of any size.
pub(crate) fn bounded(s: &str) -> String {
    let mut chars = s.chars();
    let prefix: String = chars.by_ref().take(ECHO_CHARS).collect();
    if chars.next().is_some() {
        format!("{prefix:?}…")
    } else {
        format!("{prefix:?}")
    }
}
