//! The small pieces the judging uses: the template's key facts in front of what
//! DescribeKey said, a described key, a resource's literal tags, and the casing of the
//! reasons' sentences.

use super::node::Node;
use rule_core::{KeyDescription, KeyFacts, KeyLookup, KeyManager, KeyState, QualifiedKeyRef, Tag};
use std::collections::HashMap;

/// The template's key facts, then what DescribeKey said.
pub(super) struct Facts<'f> {
    pub(super) known: &'f HashMap<QualifiedKeyRef, KeyLookup>,
    pub(super) looked_up: &'f dyn KeyFacts,
}

impl KeyFacts for Facts<'_> {
    fn lookup(&self, key: &QualifiedKeyRef) -> Option<&KeyLookup> {
        self.known.get(key).or_else(|| self.looked_up.lookup(key))
    }
}

pub(super) fn described(arn: &str, state: KeyState) -> KeyLookup {
    KeyLookup::Described(KeyDescription {
        arn: arn.to_owned(),
        manager: KeyManager::Customer,
        state,
    })
}

/// The literal tags of a resource (`[{Key, Value}]`); tags set by expressions are skipped.
pub(super) fn tags(node: Option<&Node>) -> Vec<Tag> {
    node.and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|tag| {
            let key = tag.get("Key")?.as_text()?;
            let value = tag.get("Value").and_then(Node::as_text).unwrap_or_default();
            Some(Tag::new(key, value))
        })
        .collect()
}

/// `Encrypted with ...` as `encrypted with ...` after a lead; a name (`KMS`, `KmsKeyId`,
/// `Fn::If`) stays as it is.
pub(super) fn lowercase_first(text: &str) -> String {
    let word = text.split_whitespace().next().unwrap_or_default();
    let word = word.trim_end_matches([':', ',', '.']);
    let mut chars = word.chars();
    match chars.next() {
        Some(first) if first.is_ascii_uppercase() && chars.all(|c| c.is_ascii_lowercase()) => {
            format!("{}{}", first.to_ascii_lowercase(), &text[1..])
        }
        _ => text.to_owned(),
    }
}

pub(super) fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}
