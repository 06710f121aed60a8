//! Which decision-table row wrote an annotation, from the annotation alone.
//!
//! An AWS Config aggregator gives back the rule's compliance and annotation, not the row
//! that decided. The annotation texts rule-core writes are an interface (tests and docs
//! quote them), so their fixed phrases tell the row: [`recognise`] matches the text
//! against [`PHRASES`], one template per text `decide`, `resource_gone`, `out_of_scope`
//! and `Evaluation::confirmed_gone` write. The templates are checked against those
//! writers by the tests in `tests/all/row_of_annotation.rs`, which produce every row's
//! annotation through the real code, so a changed text fails a test rather than
//! drifting.
//!
//! What the matcher allows for:
//! - the owning-service note `" (secret managed by X)"` that `decide` appends, even
//!   when [`crate::Annotation::with_suffix`] cut it;
//! - the `" [truncated]"` cut: a truncated text is recognised when what survives still
//!   holds the phrase that tells its row (the template's decisive part), else not.
//!
//! It never guesses: a text that is not wholly one of ours (another rule's, a
//! hand-written one), or that two rows could have written, is `None`.

use crate::decision::Compliance;
use crate::params::ALLOWED_KEY_ACCOUNTS;
use crate::row::Row;

/// What `decide` appends when another service manages the secret.
const OWNER_NOTE: &str = " (secret managed by ";
/// What a cut annotation ends with (before any owning-service note).
const TRUNCATION_MARKER: &str = " [truncated]";
/// The key rows 4 and 5 name.
const DEFAULT_KEY: &str = "aws/secretsmanager";
/// How row 10 says a key was only treated as customer managed.
const NOT_VERIFIED: &str = " not verified: cross-account, DescribeKey denied)";

/// An annotation's row, and the key it names where it names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recognised<'a> {
    /// The decision-table row that wrote the annotation.
    pub row: Row,
    /// The key as the annotation names it: the reference or resolved ARN of rows 5 to 10
    /// and 12, `aws/secretsmanager` for row 4; `None` for the rows that name no key, for
    /// row 11 (it names the replica's key, not the secret's) and when the cut fell
    /// inside the key.
    pub key: Option<&'a str>,
}

/// One piece of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Text rule-core writes as it is.
    Fixed(&'static str),
    /// A value without whitespace (an account, a Region, a date, a state, an id); it
    /// ends where the next fixed part begins.
    Word,
    /// The key: a run of the characters a key reference is made of (see
    /// `is_key_char`), so it also ends where a comma or full stop follows it.
    Key,
    /// Words with spaces (a key state in words); they end where the next fixed part
    /// begins.
    Words,
    /// Anything, to the end (a tag; what follows, read by the template's [`Then`]).
    Rest,
}

/// What a matched template says about the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    /// It is this row.
    Row(Row),
    /// Row 11: the rest is a replica's reason, one of rows 4 to 9 in lower case.
    ReplicaReason,
    /// Row 12, or row 10 when the rest says replica keys were not verified.
    CompliantTail,
}

/// The template of one annotation text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phrase {
    /// The text, piece by piece.
    pub parts: &'static [Part],
    /// How many leading parts tell the row: a truncated text is recognised once these
    /// survived whole.
    pub decisive: usize,
    /// What the match means.
    pub then: Then,
}

use Part::{Fixed, Key, Rest, Word, Words};

/// Every text rule-core writes, by row; the decision table's order.
pub const PHRASES: &[Phrase] = &[
    // Row 1: resource_gone, out_of_scope, Evaluation::confirmed_gone.
    Phrase {
        parts: &[
            Fixed(
                "The secret was deleted or is not recorded by AWS Config (configurationItemStatus ",
            ),
            Word,
            Fixed(")."),
        ],
        decisive: 1,
        then: Then::Row(Row::Gone),
    },
    Phrase {
        parts: &[Fixed(
            "The secret is no longer in the rule's scope (eventLeftScope).",
        )],
        decisive: 1,
        then: Then::Row(Row::Gone),
    },
    Phrase {
        parts: &[Fixed(
            "The secret is no longer present: the latest periodic sweep did not list it and \
             DescribeSecret does not find it.",
        )],
        decisive: 1,
        then: Then::Row(Row::Gone),
    },
    Phrase {
        parts: &[
            Word,
            Fixed(" is a "),
            Word,
            Fixed(", not a Secrets Manager secret: outside this rule's scope"),
        ],
        decisive: 4,
        then: Then::Row(Row::Gone),
    },
    // Row 2.
    Phrase {
        parts: &[
            Fixed("The secret is scheduled for deletion on "),
            Word,
            Fixed("."),
        ],
        decisive: 1,
        then: Then::Row(Row::ScheduledForDeletion),
    },
    // Row 3: the tag's key and value may hold anything.
    Phrase {
        parts: &[Fixed("Exempt: the secret carries the exemption tag "), Rest],
        decisive: 1,
        then: Then::Row(Row::Exempt),
    },
    // Row 4.
    Phrase {
        parts: &[
            Fixed("Encrypted with the default AWS managed key aws/secretsmanager"),
            Fixed("; a customer managed KMS key is required."),
        ],
        decisive: 1,
        then: Then::Row(Row::DefaultKey),
    },
    // Row 5.
    Phrase {
        parts: &[
            Fixed("Encrypted with the AWS managed key "),
            Key,
            Fixed("; a customer managed KMS key is required."),
        ],
        decisive: 1,
        then: Then::Row(Row::AwsManagedAlias),
    },
    // Row 5a.
    Phrase {
        parts: &[
            Fixed("Encrypted with KMS key "),
            Key,
            Fixed(" of account "),
            Word,
            Fixed(", not the secret's own and not trusted ("),
            Fixed(ALLOWED_KEY_ACCOUNTS),
            Fixed(", kmsKeyArns): its owner can disable the key."),
        ],
        decisive: 3,
        then: Then::Row(Row::UntrustedKeyAccount),
    },
    // Row 5b.
    Phrase {
        parts: &[
            Fixed("Encrypted with KMS key "),
            Key,
            Fixed(" of Region "),
            Word,
            Fixed(", not the secret's Region "),
            Word,
            Fixed(": Secrets Manager uses a key of the secret's own Region only."),
        ],
        decisive: 3,
        then: Then::Row(Row::KeyInAnotherRegion),
    },
    // Row 6.
    Phrase {
        parts: &[
            Fixed("Encrypted with the AWS managed KMS key "),
            Key,
            Fixed("; a customer managed KMS key is required."),
        ],
        decisive: 1,
        then: Then::Row(Row::AwsManagedKey),
    },
    // Row 7.
    Phrase {
        parts: &[
            Fixed("KMS key "),
            Key,
            Fixed(" does not exist"),
            Fixed(": the secret cannot be decrypted."),
        ],
        decisive: 3,
        then: Then::Row(Row::KeyNotFound),
    },
    // Row 8: "is disabled (KeyState Disabled)", "is unavailable (custom key store
    // disconnected) (KeyState Unavailable)", ...
    Phrase {
        parts: &[
            Fixed("KMS key "),
            Key,
            Fixed(" is "),
            Words,
            Fixed(" (KeyState "),
            Word,
            Fixed("): the secret is or will become unreadable."),
        ],
        decisive: 5,
        then: Then::Row(Row::KeyNotEnabled),
    },
    // Row 9.
    Phrase {
        parts: &[
            Fixed("KMS key "),
            Key,
            Fixed(" is not one of the approved keys"),
            Fixed(" (kmsKeyArns)."),
        ],
        decisive: 3,
        then: Then::Row(Row::NotApproved),
    },
    // Row 10, the secret's own key unverified (what follows is as row 12's).
    Phrase {
        parts: &[
            Fixed("Encrypted with KMS key "),
            Key,
            Fixed(
                ", treated as customer managed (not verified: cross-account, DescribeKey denied)",
            ),
            Rest,
        ],
        decisive: 3,
        then: Then::Row(Row::CrossAccountUnverified),
    },
    // Row 11, with or without a replication status.
    Phrase {
        parts: &[Fixed("Replica in "), Word, Fixed(": "), Rest],
        decisive: 4,
        then: Then::ReplicaReason,
    },
    Phrase {
        parts: &[
            Fixed("Replica in "),
            Word,
            Fixed(" (replication status "),
            Word,
            Fixed("): "),
            Rest,
        ],
        decisive: 6,
        then: Then::ReplicaReason,
    },
    // Row 12, or 10 when replica keys were not verified.
    Phrase {
        parts: &[Fixed("Encrypted with customer managed KMS key "), Key, Rest],
        decisive: 3,
        then: Then::CompliantTail,
    },
];

impl Row {
    /// The row that wrote `annotation`, if rule-core wrote it and it tells (see
    /// [`recognise`]).
    pub fn recognise(annotation: &str) -> Option<Row> {
        recognise(annotation).map(|recognised| recognised.row)
    }
}

/// The row that wrote `annotation`, and the key it names; `None` when the text is not
/// one of rule-core's, or was cut before the phrase that tells its row. Never a guess:
/// a text two rows could have written is `None`.
pub fn recognise(annotation: &str) -> Option<Recognised<'_>> {
    // The owning-service note is always last, and nothing before it holds its opening
    // (keys hold no spaces); a tag of row 3 might, and row 3 needs only its opening.
    let body = match annotation.rfind(OWNER_NOTE) {
        Some(at) => &annotation[..at],
        None => annotation,
    };
    let (body, truncated) = match body.strip_suffix(TRUNCATION_MARKER) {
        Some(kept) => (kept, true),
        None => (body, false),
    };
    recognise_body(body, truncated)
}

/// [`recognise`] on the text without its notes: exactly one row, or `None`.
fn recognise_body(body: &str, truncated: bool) -> Option<Recognised<'_>> {
    let mut found: Option<Recognised<'_>> = None;
    for phrase in PHRASES {
        let Some(recognised) = recognise_phrase(phrase, body, truncated) else {
            continue;
        };
        match found {
            Some(earlier) if earlier.row != recognised.row => return None,
            Some(_) => {}
            None => found = Some(recognised),
        }
    }
    found
}

fn recognise_phrase<'a>(phrase: &Phrase, body: &'a str, truncated: bool) -> Option<Recognised<'a>> {
    let matched = match_parts(phrase, body, truncated)?;
    let rest = matched.rest.unwrap_or("");
    let row = match phrase.then {
        Then::Row(row) => row,
        Then::ReplicaReason => {
            replica_reason(rest, truncated)?;
            return Some(Recognised {
                row: Row::ReplicaFails,
                key: None,
            });
        }
        Then::CompliantTail => compliant_tail(rest, truncated)?,
    };
    let key = match row {
        Row::DefaultKey => Some(DEFAULT_KEY),
        _ => matched.key,
    };
    Some(Recognised { row, key })
}

/// What matching a template captured.
#[derive(Default)]
struct Matched<'a> {
    key: Option<&'a str>,
    rest: Option<&'a str>,
}

/// The template's parts in order against `body`. Without a cut, the whole body must be
/// the template; with one, the body may end anywhere once the decisive parts matched,
/// provided what is left is the start of the next part.
fn match_parts<'a>(phrase: &Phrase, body: &'a str, truncated: bool) -> Option<Matched<'a>> {
    let mut matched = Matched::default();
    let mut left = body;
    let cut_here = |done: usize, left: &str, part: Part| {
        let next = match phrase.parts.get(done + 1) {
            Some(Fixed(next)) => Some(*next),
            _ => None,
        };
        truncated && done >= phrase.decisive && could_start(part, next, left)
    };
    let mut index = 0;
    while index < phrase.parts.len() {
        let part = phrase.parts[index];
        match part {
            Fixed(text) => match left.strip_prefix(text) {
                Some(after) => left = after,
                None if cut_here(index, left, part) => return Some(matched),
                None => return None,
            },
            Rest => {
                matched.rest = Some(left);
                left = "";
            }
            Key => {
                let end = left.find(|c| !is_key_char(c)).unwrap_or(left.len());
                if end == 0 {
                    return cut_here(index, left, part).then_some(matched);
                }
                // A key the cut may have shortened is not named.
                if end < left.len() {
                    matched.key = Some(&left[..end]);
                }
                left = &left[end..];
            }
            Word | Words => {
                let next = match phrase.parts.get(index + 1) {
                    Some(Fixed(next)) => *next,
                    _ => return None, // a template always ends a value with fixed text
                };
                let Some(end) = left.find(next) else {
                    return cut_here(index, left, part).then_some(matched);
                };
                let value = &left[..end];
                let spaces_allowed = part == Words;
                if value.is_empty() || (!spaces_allowed && value.contains(char::is_whitespace)) {
                    return None;
                }
                left = &left[end..];
            }
        }
        index += 1;
    }
    left.is_empty().then_some(matched)
}

/// Whether `c` can be part of a key reference: `KeyRef::parse` accepts ARNs, key ids and
/// alias names made of ASCII letters, digits and `:/_-` only.
fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '_' | '-')
}

/// Whether `left`, the end of a cut text, could be the start of `part` and then of
/// `next`, the fixed text that follows it (if any).
fn could_start(part: Part, next: Option<&str>, left: &str) -> bool {
    let then_next = |rest: &str| next.is_some_and(|next| next.starts_with(rest));
    match part {
        Fixed(text) => text.starts_with(left),
        // The value, then perhaps the start of what follows it.
        Word => {
            let value_end = left.find(char::is_whitespace).unwrap_or(left.len());
            value_end == left.len()
                || left
                    .char_indices()
                    .take_while(|(at, _)| *at <= value_end)
                    .any(|(at, _)| then_next(&left[at..]))
        }
        Key => {
            let value_end = left.find(|c| !is_key_char(c)).unwrap_or(left.len());
            value_end == left.len() || then_next(&left[value_end..])
        }
        Words | Rest => true,
    }
}

/// Row 11's reason for the replica: one of rows 4 to 9, as `check_key` writes it (lower
/// case, capitalised when it is the secret's own).
fn replica_reason(reason: &str, truncated: bool) -> Option<Row> {
    let mut chars = reason.chars();
    let first = chars.next()?;
    let capitalised = format!("{}{}", first.to_uppercase(), chars.as_str());
    let row = recognise_body(&capitalised, truncated)?.row;
    // Rows 4 to 9 are the NON_COMPLIANT rows of a key check: every one but row 11 itself.
    (row.compliance() == Compliance::NonCompliant && row != Row::ReplicaFails).then_some(row)
}

/// What follows row 12's key: `[ in state S][, an approved key][; N replica(s) pass
/// too[ (replica keys in R not verified: cross-account, DescribeKey denied)]].` The
/// note on replica keys makes it row 10; a cut before the end leaves it unknown.
fn compliant_tail(tail: &str, truncated: bool) -> Option<Row> {
    let mut left = tail;
    if let Some(after) = left.strip_prefix(" in state ") {
        let state_end = after
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(after.len());
        if state_end == 0 {
            return None;
        }
        left = &after[state_end..];
    }
    left = left.strip_prefix(", an approved key").unwrap_or(left);
    if let Some(after) = left.strip_prefix("; ") {
        let count_end = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        left = after[count_end..].strip_prefix(" replica(s) pass too")?;
        if count_end == 0 {
            return None;
        }
        if let Some(regions) = left.strip_prefix(" (replica keys in ") {
            let unverified_end = regions.find(NOT_VERIFIED);
            return match unverified_end {
                Some(end) if &regions[end + NOT_VERIFIED.len()..] == "." => {
                    Some(Row::CrossAccountUnverified)
                }
                Some(_) => None,
                None => truncated.then_some(Row::CrossAccountUnverified),
            };
        }
    }
    (left == "." && !truncated).then_some(Row::Compliant)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_a_phrase() {
        // GIVEN the phrase table / THEN every row of the table but 11 and 12 (read from
        // a template's rest) is named by one
        for row in Row::ALL {
            let named = PHRASES.iter().any(|phrase| match phrase.then {
                Then::Row(named) => named == row,
                Then::ReplicaReason => row == Row::ReplicaFails,
                Then::CompliantTail => row == Row::Compliant,
            });
            assert!(named, "no phrase for row {row}");
        }
    }

    #[test]
    fn every_value_is_followed_by_fixed_text_and_decisive_parts_exist() {
        for phrase in PHRASES {
            assert!(phrase.decisive >= 1 && phrase.decisive <= phrase.parts.len());
            for (index, part) in phrase.parts.iter().enumerate() {
                if matches!(part, Word | Words) {
                    assert!(
                        matches!(phrase.parts.get(index + 1), Some(Fixed(_))),
                        "{phrase:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_tail_cut_before_its_end_is_unknown() {
        // GIVEN row 12's tail cut inside it / THEN unknown: the cut may hide row 10's note
        assert_eq!(compliant_tail(" in state Disabled", true), None);
        assert_eq!(compliant_tail(".", false), Some(Row::Compliant));
        assert_eq!(
            compliant_tail("; 2 replica(s) pass too (replica keys in eu-w", true),
            Some(Row::CrossAccountUnverified)
        );
        assert_eq!(compliant_tail("; replica(s) pass too.", false), None);
        assert_eq!(compliant_tail(" in state .", false), None);
    }
}
