//! Bytes to a [`Node`] tree: the encoding check, then JSON or YAML, within the
//! [limits](super::limits).
//!
//! Why yaml-rust2: it is a pure-Rust YAML 1.2 parser (no `unsafe` C library as behind
//! serde_yaml, which is deprecated), and its event API gives what a template check needs
//! and a serde deserializer hides: the line of every value (findings point at the line of
//! the logical id), tags kept as written (`!Ref`, `!GetAtt`: CloudFormation's short forms
//! are custom tags, which serde-based readers reject or drop), and aliases as events
//! rather than expanded trees, so this reader builds the tree itself and counts every
//! value, an alias's copy included, against [`MAX_NODES`]: an alias bomb stops there.
//! Its parser keeps its own state on a heap stack, not the call stack, and the tree is
//! built iteratively, so deep nesting stops at [`MAX_DEPTH`] without a stack overflow.
//!
//! JSON is YAML 1.2 too, but it is first checked by serde_json (the JSON CloudFormation
//! reads): a file that is not valid JSON is refused with serde_json's line, and only
//! then read by the same event reader for the lines of its values. JSON allows tabs
//! between tokens where YAML's block syntax does not; outside strings they are
//! whitespace (a raw tab inside a JSON string is invalid), so they become spaces.

use super::limits::{MAX_DEPTH, MAX_NODES, MAX_READ_TIME, ReadError, echo};
use super::node::{Entry, Node, Value};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::TScalarStyle;

/// The CloudFormation intrinsic functions and condition functions that have a YAML short
/// form (`!Name`), and the long-form key each stands for.
const SHORT_FORMS: &[(&str, &str)] = &[
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
    ("FindInMap", "Fn::FindInMap"),
    ("ForEach", "Fn::ForEach"),
    ("GetAtt", "Fn::GetAtt"),
    ("GetAZs", "Fn::GetAZs"),
    ("ImportValue", "Fn::ImportValue"),
    ("Join", "Fn::Join"),
    ("Length", "Fn::Length"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("Sub", "Fn::Sub"),
    ("ToJsonString", "Fn::ToJsonString"),
    ("Transform", "Fn::Transform"),
    ("And", "Fn::And"),
    ("Equals", "Fn::Equals"),
    ("If", "Fn::If"),
    ("Not", "Fn::Not"),
    ("Or", "Fn::Or"),
];

/// The YAML core schema's tag prefix (`!!str` is `tag:yaml.org,2002:str`).
const CORE_TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// How often (in events) the reader looks at the clock.
const CLOCK_EVERY: usize = 4096;

/// Decode a template file's bytes: UTF-8, with or without a byte order mark. UTF-16 and
/// UTF-32 (which CloudFormation does not read) and invalid UTF-8 are refused, naming the
/// line of the first bad byte.
pub fn decode(bytes: &[u8]) -> Result<&str, ReadError> {
    let utf16 =
        "UTF-16 or UTF-32 text: CloudFormation reads templates as UTF-8; save the file as UTF-8";
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(ReadError::whole(format!(
            "{utf16} (it starts with a UTF-16 byte order mark)"
        )));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    // Without a byte order mark, UTF-16 text of ASCII has a NUL in its first two bytes.
    if bytes.iter().take(2).any(|&b| b == 0) {
        return Err(ReadError::whole(utf16));
    }
    std::str::from_utf8(bytes).map_err(|error| {
        let good = &bytes[..error.valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
        ReadError::at(
            line,
            format!(
                "not UTF-8 (invalid byte at offset {}): CloudFormation reads templates as \
                 UTF-8; save the file as UTF-8",
                error.valid_up_to()
            ),
        )
    })
}

/// Parse a template's text, JSON or YAML, into a tree.
pub fn parse(text: &str) -> Result<Node, ReadError> {
    let first = text.trim_start().chars().next();
    if matches!(first, Some('{' | '[')) {
        serde_json::from_str::<serde::de::IgnoredAny>(text)
            .map_err(|error| ReadError::at(error.line(), format!("not valid JSON: {error}")))?;
        let spaced = text.replace('\t', " ");
        return parse_yaml(&spaced);
    }
    parse_yaml(text)
}

/// A collection being built.
struct Open {
    line: usize,
    anchor: usize,
    wrap: Option<&'static str>,
    /// Nodes counted when it opened, to learn its size when it closes.
    counted_at: usize,
    kind: OpenKind,
}

enum OpenKind {
    Seq(Vec<Node>),
    Map {
        entries: Vec<Entry>,
        key: Option<(String, usize)>,
        /// The keys so far, for the duplicate check in constant time.
        seen: HashSet<String>,
    },
}

struct Builder {
    stack: Vec<Open>,
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    root: Option<Node>,
}

fn parse_yaml(text: &str) -> Result<Node, ReadError> {
    parse_yaml_within(text, MAX_READ_TIME)
}

fn parse_yaml_within(text: &str, max_time: Duration) -> Result<Node, ReadError> {
    let started = Instant::now();
    let mut parser = Parser::new_from_str(text);
    let mut builder = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        root: None,
    };
    let mut documents = 0usize;
    let mut events = 0usize;
    loop {
        let (event, marker) = parser.next_token().map_err(|error| {
            let line = error.marker().line().max(1);
            // The scanner's own bound on flow nesting ([[[...) is the same limit.
            if error.info() == "recursion limit exceeded" {
                ReadError::at(line, format!("nested deeper than {MAX_DEPTH} levels"))
            } else {
                ReadError::at(line, format!("not valid YAML: {}", error.info()))
            }
        })?;
        let line = marker.line().max(1);
        events += 1;
        if events.is_multiple_of(CLOCK_EVERY) && started.elapsed() > max_time {
            return Err(ReadError::at(
                line,
                format!("reading took longer than {} s", max_time.as_secs()),
            ));
        }
        match event {
            Event::StreamStart | Event::Nothing | Event::DocumentEnd => {}
            Event::StreamEnd => break,
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return Err(ReadError::at(
                        line,
                        "a second YAML document: a template is one document",
                    ));
                }
            }
            Event::Alias(id) => {
                let Some((node, size)) = builder.anchors.get(&id) else {
                    return Err(ReadError::at(line, "an alias to an unknown anchor"));
                };
                let (mut node, size) = (node.clone(), *size);
                builder.count(size, line)?;
                node.line = line;
                builder.complete(node)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let wrap = wrapper(tag.as_ref(), line)?;
                let forced_text =
                    matches!(&tag, Some(t) if t.handle == CORE_TAG_PREFIX && t.suffix == "str");
                let value = scalar_value(text, style, forced_text);
                builder.count(1 + usize::from(wrap.is_some()), line)?;
                let node = wrap_node(Node { value, line }, wrap);
                if anchor > 0 {
                    let size = 1 + usize::from(wrap.is_some());
                    builder.count(size, line)?;
                    builder.anchors.insert(anchor, (node.clone(), size));
                }
                builder.complete(node)?;
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                let wrap = wrapper(tag.as_ref(), line)?;
                if builder.stack.len() >= MAX_DEPTH {
                    return Err(ReadError::at(
                        line,
                        format!("nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                builder.count(1 + usize::from(wrap.is_some()), line)?;
                let kind = if matches!(event, Event::SequenceStart(..)) {
                    OpenKind::Seq(Vec::new())
                } else {
                    OpenKind::Map {
                        entries: Vec::new(),
                        key: None,
                        seen: HashSet::new(),
                    }
                };
                builder.stack.push(Open {
                    line,
                    anchor,
                    wrap,
                    counted_at: builder.nodes - 1 - usize::from(wrap.is_some()),
                    kind,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = builder.stack.pop() else {
                    return Err(ReadError::at(
                        line,
                        "a collection closed that was never opened",
                    ));
                };
                let value = match open.kind {
                    OpenKind::Seq(items) => Value::Seq(items),
                    OpenKind::Map {
                        entries, key: None, ..
                    } => Value::Map(entries),
                    OpenKind::Map { key: Some(_), .. } => {
                        return Err(ReadError::at(line, "a mapping key without a value"));
                    }
                };
                let node = wrap_node(
                    Node {
                        value,
                        line: open.line,
                    },
                    open.wrap,
                );
                if open.anchor > 0 {
                    // The anchor's copy is charged too: nested anchors would otherwise
                    // copy the same values once per level, outside the limit.
                    let size = builder.nodes - open.counted_at;
                    builder.count(size, line)?;
                    builder.anchors.insert(open.anchor, (node.clone(), size));
                }
                builder.complete(node)?;
            }
        }
    }
    builder
        .root
        .ok_or_else(|| ReadError::whole("the file is empty"))
}

impl Builder {
    fn count(&mut self, more: usize, line: usize) -> Result<(), ReadError> {
        self.nodes = self.nodes.saturating_add(more);
        if self.nodes > MAX_NODES {
            return Err(ReadError::at(
                line,
                format!(
                    "more than {MAX_NODES} values (YAML aliases expanded): an alias bomb or \
                     not a template"
                ),
            ));
        }
        Ok(())
    }

    /// A finished value goes into the collection being built, or becomes the root.
    fn complete(&mut self, node: Node) -> Result<(), ReadError> {
        let Some(open) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        match &mut open.kind {
            OpenKind::Seq(items) => items.push(node),
            OpenKind::Map { entries, key, seen } => match key.take() {
                None => {
                    let Some(text) = node
                        .as_text()
                        .map(str::to_owned)
                        .or_else(|| matches!(node.value, Value::Null).then(String::new))
                    else {
                        return Err(ReadError::at(
                            node.line,
                            "a mapping key that is not a plain scalar",
                        ));
                    };
                    *key = Some((text, node.line));
                }
                Some((name, line)) => {
                    if !seen.insert(name.clone()) {
                        return Err(ReadError::at(
                            line,
                            format!(
                                "duplicate key {:?}: which value CloudFormation would use \
                                 is not certain, so the template is refused",
                                echo(&name)
                            ),
                        ));
                    }
                    entries.push(Entry {
                        key: name,
                        line,
                        node,
                    });
                }
            },
        }
        Ok(())
    }
}

/// The long-form key a tag stands for (`!Sub` → `Fn::Sub`); `None` for no tag and for
/// the core schema's own tags; an error for any other tag, which CloudFormation refuses.
fn wrapper(tag: Option<&Tag>, line: usize) -> Result<Option<&'static str>, ReadError> {
    let Some(tag) = tag else { return Ok(None) };
    if tag.handle == CORE_TAG_PREFIX
        && matches!(
            tag.suffix.as_str(),
            "str" | "int" | "float" | "bool" | "null" | "map" | "seq"
        )
    {
        return Ok(None);
    }
    if tag.handle == "!"
        && let Some((_, long)) = SHORT_FORMS.iter().find(|(short, _)| *short == tag.suffix)
    {
        return Ok(Some(long));
    }
    let shown: String = format!("{}{}", tag.handle, tag.suffix)
        .chars()
        .take(64)
        .collect();
    Err(ReadError::at(
        line,
        format!(
            "unknown tag {:?}: CloudFormation knows only the short forms of its intrinsic \
             functions (!Ref, !GetAtt, !Sub, !If, ...)",
            shown.replace(CORE_TAG_PREFIX, "!!")
        ),
    ))
}

fn wrap_node(node: Node, wrap: Option<&'static str>) -> Node {
    match wrap {
        None => node,
        Some(key) => Node {
            line: node.line,
            value: Value::Map(vec![Entry {
                key: key.to_owned(),
                line: node.line,
                node,
            }]),
        },
    }
}

/// A scalar's value: unquoted `true`/`false` and nulls are typed, everything else text.
fn scalar_value(text: String, style: TScalarStyle, forced_text: bool) -> Value {
    if style != TScalarStyle::Plain || forced_text {
        return Value::Text(text);
    }
    match text.as_str() {
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        _ => Value::Text(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_stops_at_the_time_limit() {
        // GIVEN a template of more events than the clock's interval, and no time at all
        let text = format!("Resources:\n{}", "  - x\n".repeat(2 * CLOCK_EVERY));
        // WHEN read within zero seconds / THEN refused, naming the limit and the line
        let error = parse_yaml_within(&text, Duration::ZERO).unwrap_err();
        assert_eq!(error.problem, "reading took longer than 0 s");
        assert!(error.line.is_some_and(|line| line > 1));
        // AND with the real limit it is read
        assert!(parse_yaml(&text).is_ok());
    }

    #[test]
    fn scalars_are_typed_only_when_plain() {
        let root = parse("a: true\nb: 'true'\nc: !!str true\nd: ~\ne: 20\n").unwrap();
        assert_eq!(root.get("a").unwrap().value, Value::Bool(true));
        assert_eq!(root.get("b").unwrap().value, Value::Text("true".into()));
        assert_eq!(root.get("c").unwrap().value, Value::Text("true".into()));
        assert_eq!(root.get("d").unwrap().value, Value::Null);
        assert_eq!(root.get("e").unwrap().value, Value::Text("20".into()));
    }

    #[test]
    fn short_forms_become_long_forms_with_their_lines() {
        let root =
            parse("a:\n  b: !GetAtt Key.Arn\n  c: !If [C, !Ref X, !Ref AWS::NoValue]\n").unwrap();
        let b = root.get("a").unwrap().get("b").unwrap();
        assert_eq!(b.line, 2);
        assert_eq!(b.get("Fn::GetAtt").unwrap().as_text(), Some("Key.Arn"));
        let c = root.get("a").unwrap().get("c").unwrap();
        let branches = c.get("Fn::If").unwrap().as_seq().unwrap();
        assert_eq!(branches[1].get("Ref").unwrap().as_text(), Some("X"));
        assert_eq!(root.get("a").unwrap().entry("c").unwrap().line, 3);
    }

    #[test]
    fn nested_anchors_are_charged_for_their_copies() {
        // GIVEN 90 nested anchored sequences around 20,000 values: each anchor keeps a
        // copy of everything inside it (1.8 million values in copies)
        let inner = vec!["1"; 20_000].join(", ");
        let mut text = format!("[{inner}]");
        for i in 0..90 {
            text = format!("&a{i} [{text}]");
        }
        // WHEN read / THEN refused at the value limit, not after the copies are made
        let error = parse(&format!("Resources: {text}\n")).unwrap_err();
        assert!(
            error.problem.starts_with("more than 1000000 values"),
            "{error}"
        );
    }

    #[test]
    fn names_from_the_input_are_echoed_bounded() {
        let long = "K".repeat(10_000);
        // (explicit keys: YAML allows implicit ones of at most 1024 characters)
        let error = parse(&format!("a:\n  ? {long}\n  : 1\n  ? {long}\n  : 2\n")).unwrap_err();
        assert!(error.problem.len() < 300, "{}", error.problem);
        assert!(error.problem.contains("KKK...\""), "{}", error.problem);
    }

    #[test]
    fn a_second_document_and_an_empty_file_are_refused() {
        assert!(
            parse("a: 1\n---\nb: 2\n")
                .unwrap_err()
                .problem
                .contains("second YAML document")
        );
        assert_eq!(parse("").unwrap_err().problem, "the file is empty");
    }

    #[test]
    fn utf16_without_a_byte_order_mark_is_recognised() {
        let bytes: Vec<u8> = "Resources: {}"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(
            decode(&bytes)
                .unwrap_err()
                .problem
                .starts_with("UTF-16 or UTF-32")
        );
        assert_eq!(decode(b"\xEF\xBB\xBFa: 1").unwrap(), "a: 1");
    }
}
