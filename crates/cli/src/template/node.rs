//! The template as a tree of values, each with the line it starts on: what the YAML and
//! JSON readers produce and what the rest of `check-template` reads. Short-form tags are
//! already turned into their long form (`!Ref x` is the map `{Ref: x}`), so nothing past
//! the reader knows which syntax a template used.

/// One value of a template and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// The 1-based line where the value starts.
    pub line: usize,
}

/// A template value. Numbers stay text: nothing here computes with them, and text keeps
/// them exactly as written (`"20"` and `20` are the same to CloudFormation).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false` (unquoted).
    Bool(bool),
    /// Any other scalar: a string or a number, as written.
    Text(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, keys in file order (the readers refuse duplicate keys).
    Map(Vec<Entry>),
}

/// One key of a mapping and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// The 1-based line where the key stands.
    pub line: usize,
    /// The value.
    pub node: Node,
}

impl Node {
    /// The text of a scalar (`true`, `false` as text too); `None` for null and collections.
    pub fn as_text(&self) -> Option<&str> {
        match &self.value {
            Value::Text(text) => Some(text),
            Value::Bool(true) => Some("true"),
            Value::Bool(false) => Some("false"),
            Value::Null | Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// The entries of a mapping; `None` for anything else.
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The items of a sequence; `None` for anything else.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|entry| &entry.node)
    }

    /// The entry under `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|entry| entry.key == key)
    }

    /// A mapping of exactly one entry (the shape of every intrinsic function).
    pub fn single_entry(&self) -> Option<&Entry> {
        match self.as_map() {
            Some([entry]) => Some(entry),
            _ => None,
        }
    }
}
