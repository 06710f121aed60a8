//! Hostile input, in every `make test`: 100,000 generated inputs a run through the four
//! parsers Config and the operator feed us, each checked by the oracle (`crates/oracle`: no
//! panic, every rejection a clear and bounded error naming its field or parameter, what
//! is accepted keeps its invariants, verdicts on parsed facts fit Config).
//!
//! Random JSON mostly dies at the first field, so most inputs are real-shaped fixtures
//! with a few random edits at random depths, including inside the JSON documents carried
//! in strings (`invokingEvent`, `ruleParameters`, a history item's `configuration`).
//! cargo-fuzz (`fuzz/`, `make fuzz`) searches the same oracle with coverage guidance;
//! every crash it ever finds is replayed by `fuzz_regressions.rs`.
//!
//! | test | cases |
//! |---|---|
//! | fixture events with edits | 40,000 |
//! | raw bytes as an event | 10,000 |
//! | ruleParameters documents | 20,000 |
//! | key references | 20,000 |
//! | history items with edits | 10,000 |
//!
//! About 12 s of one core in the dev profile (CI's), 6 s on two. The random source is
//! XorShift rather than proptest's default ChaCha, which unoptimized costs about five
//! times as much to generate the same inputs. Each run draws new inputs; a failure
//! prints the minimal failing input.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm};
use serde_json::{Map, Value, json};

use crate::oracle;

/// Every real-shaped event the fixtures hold.
const EVENTS: [&str; 9] = [
    include_str!("../fixtures/change_kms_key_id_cmk.json"),
    include_str!("../fixtures/change_kms_key_id_camel_case.json"),
    include_str!("../fixtures/change_default_key.json"),
    include_str!("../fixtures/change_resource_deleted.json"),
    include_str!("../fixtures/change_event_left_scope.json"),
    include_str!("../fixtures/oversized_change.json"),
    include_str!("../fixtures/scheduled.json"),
    include_str!("../fixtures/scheduled_without_notification_time.json"),
    // Not an event: its field names still lure edits into odd places.
    include_str!("../fixtures/history_item.json"),
];
const HISTORY_ITEM: &str = include_str!("../fixtures/history_item.json");

/// Fields that hold a JSON document inside a string.
const NESTED_JSON: [&str; 3] = ["invokingEvent", "ruleParameters", "configuration"];

const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
const MRK_ID: &str = "mrk-1234abcd12ab34cd56ef1234567890ab";

/// Valid references of every form, the material the key-reference edits start from.
fn valid_key_refs() -> Vec<String> {
    vec![
        KEY_ID.to_owned(),
        MRK_ID.to_owned(),
        "alias/app".to_owned(),
        "alias/aws/secretsmanager".to_owned(),
        format!("arn:aws:kms:us-east-1:123456789012:key/{KEY_ID}"),
        format!("arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/{MRK_ID}"),
        "arn:aws:kms:eu-west-1:444455556666:alias/team/app_key-1".to_owned(),
        "arn:aws-cn:kms:cn-north-1:123456789012:alias/aws/secretsmanager".to_owned(),
    ]
}

/// Strings that have broken parsers elsewhere, or that sit on our parsers' edges.
fn tricky_string() -> impl Strategy<Value = String> {
    let fixed: Vec<String> = [
        "",
        " ",
        "\u{0}",
        "\n",
        "null",
        "{}",
        "[]",
        "{\"kmsKeyArns\":\"alias/app\"}",
        "{\"messageType\":\"ScheduledNotification\"}",
        "1e309",
        "-0",
        "123456789012",
        "12345678901",
        "1234567890123",
        "١٢٣٤٥٦٧٨٩٠١٢",
        "OK",
        "ResourceDeleted",
        "ResourceDeletedNotRecorded",
        "AWS::SecretsManager::Secret",
        "AWS::S3::Bucket",
        "ConfigurationItemChangeNotification",
        "OversizedConfigurationItemChangeNotification",
        "ScheduledNotification",
        "2024-05-14T09:21:37.512Z",
        "2024-02-30T00:00:00Z",
        "+275760-09-13T00:00:00Z",
        "9999-12-31T23:59:59.999999999+23:59",
        "TESTMODE",
        "true",
        "FALSE",
        "arn:",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:x",
        "arn:aws:kms:us-east-1:123456789012:",
        "arn:aws:kms:us-east-1:123456789012:key/",
        "arn:aws:kms:us-east-1:123456789012:alias/",
        "arn:aws:kms:us-east-1:123456789012:alias/aws/",
        "arn:aws:kms:::key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "alias/",
        "alias/aws",
        "alias/aws/",
        "mrk-",
        "é€😀",
        "\u{202e}gnp.exe",
        "\u{feff}alias/app",
        "secret:a:b:c:d:e:f:g",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain(valid_key_refs())
    .chain([
        "a".repeat(257),
        "é".repeat(300),
        "x".repeat(5_000),
        format!("alias/{}", "a".repeat(251)),
        format!(
            "arn:aws:kms:us-east-1:123456789012:alias/{}",
            "b".repeat(300)
        ),
        ",".repeat(50),
        format!("{KEY_ID},{KEY_ID},alias/app,,alias/app"),
    ])
    .collect();
    prop_oneof![
        3 => proptest::sample::select(fixed),
        1 => ".{0,24}",
        1 => "[a-z0-9:/_,.-]{0,40}",
    ]
}

/// A JSON value to put somewhere: mostly strings (most fields are strings), any type,
/// sometimes a small object or array (nesting deeper adds little: the parsers check
/// types before they look inside).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = || {
        prop_oneof![
            4 => tricky_string().prop_map(Value::String),
            1 => Just(Value::Null),
            1 => any::<bool>().prop_map(Value::Bool),
            1 => any::<i64>().prop_map(|n| json!(n)),
            1 => any::<f64>().prop_map(|f| json!(f)),
        ]
    };
    prop_oneof![
        8 => leaf(),
        1 => prop::collection::vec(leaf(), 0..3).prop_map(Value::Array),
        1 => prop::collection::vec((tricky_string(), leaf()), 0..3)
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
    ]
}

/// One edit at the node numbered `at` (modulo the number of nodes, in document order).
#[derive(Debug, Clone)]
enum Edit {
    /// Remove the node from its object or array.
    Remove(usize),
    /// Replace the node with a value.
    Replace(usize, Value),
    /// Add a member to an object node (or an element to an array node).
    Insert(usize, String, Value),
    /// Cut a string node to at most this many characters.
    Truncate(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        2 => any::<usize>().prop_map(Edit::Remove),
        4 => (any::<usize>(), json_value()).prop_map(|(at, v)| Edit::Replace(at, v)),
        2 => (any::<usize>(), tricky_string(), json_value())
            .prop_map(|(at, k, v)| Edit::Insert(at, k, v)),
        1 => (any::<usize>(), 0usize..40).prop_map(|(at, n)| Edit::Truncate(at, n)),
    ]
}

/// `document` with its nested JSON strings opened up, the edits applied, and closed again
/// (a nested document an edit turned into something else than an object stays as it is,
/// so the parsers also meet non-string `invokingEvent`s).
fn edited(document: &str, edits: &[Edit]) -> Value {
    let mut value = opened(document);
    for edit in edits {
        apply(&mut value, edit);
    }
    close_nested(&mut value);
    value
}

/// The document parsed, its nested JSON strings opened up; parsed once per document.
fn opened(document: &str) -> Value {
    static OPENED: LazyLock<Mutex<HashMap<usize, Value>>> = LazyLock::new(Mutex::default);
    let mut cache = OPENED.lock().unwrap();
    cache
        .entry(document.as_ptr() as usize)
        .or_insert_with(|| {
            let mut value: Value = serde_json::from_str(document).unwrap();
            open_nested(&mut value);
            value
        })
        .clone()
}

fn open_nested(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (name, member) in map.iter_mut() {
                if NESTED_JSON.contains(&name.as_str())
                    && let Some(inner) = member
                        .as_str()
                        .and_then(|s| serde_json::from_str::<Value>(s).ok())
                        .filter(Value::is_object)
                {
                    *member = inner;
                }
                open_nested(member);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(open_nested),
        _ => {}
    }
}

fn close_nested(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (name, member) in map.iter_mut() {
                close_nested(member);
                if NESTED_JSON.contains(&name.as_str()) && member.is_object() {
                    *member = Value::String(member.to_string());
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(close_nested),
        _ => {}
    }
}

fn count_nodes(value: &Value) -> usize {
    1 + match value {
        Value::Object(map) => map.values().map(count_nodes).sum(),
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        _ => 0,
    }
}

fn apply(root: &mut Value, edit: &Edit) {
    let nodes = count_nodes(root);
    let index = match edit {
        Edit::Remove(at) | Edit::Replace(at, _) | Edit::Insert(at, ..) | Edit::Truncate(at, _) => {
            at % nodes
        }
    };
    if let Edit::Remove(_) = edit {
        // The root itself cannot be removed: pick its first child instead.
        remove_nth(root, index.max(1));
        return;
    }
    let mut counter = 0;
    if let Some(node) = nth_node(root, index, &mut counter) {
        match edit {
            Edit::Replace(_, value) => *node = value.clone(),
            Edit::Insert(_, key, value) => match node {
                Value::Object(map) => {
                    map.insert(key.clone(), value.clone());
                }
                Value::Array(items) => items.push(value.clone()),
                other => *other = value.clone(),
            },
            Edit::Truncate(_, keep) => {
                if let Value::String(text) = node {
                    *text = text.chars().take(*keep).collect();
                }
            }
            Edit::Remove(_) => {}
        }
    }
}

fn nth_node<'a>(value: &'a mut Value, n: usize, counter: &mut usize) -> Option<&'a mut Value> {
    if *counter == n {
        return Some(value);
    }
    *counter += 1;
    match value {
        Value::Object(map) => map.values_mut().find_map(|v| nth_node_inner(v, n, counter)),
        Value::Array(items) => items.iter_mut().find_map(|v| nth_node_inner(v, n, counter)),
        _ => None,
    }
}

// `find_map` needs the recursion as a separate fn to satisfy the borrow checker.
fn nth_node_inner<'a>(
    value: &'a mut Value,
    n: usize,
    counter: &mut usize,
) -> Option<&'a mut Value> {
    nth_node(value, n, counter)
}

/// Removes node `n` (document order, the root being 0) from its parent.
fn remove_nth(root: &mut Value, n: usize) {
    fn walk(value: &mut Value, n: usize, counter: &mut usize) -> bool {
        *counter += 1;
        match value {
            Value::Object(map) => {
                let keys: Vec<String> = map.keys().cloned().collect();
                for key in keys {
                    if *counter == n {
                        map.remove(&key);
                        return true;
                    }
                    if let Some(child) = map.get_mut(&key)
                        && walk(child, n, counter)
                    {
                        return true;
                    }
                }
                false
            }
            Value::Array(items) => {
                for i in 0..items.len() {
                    if *counter == n {
                        items.remove(i);
                        return true;
                    }
                    if walk(&mut items[i], n, counter) {
                        return true;
                    }
                }
                false
            }
            _ => false,
        }
    }
    let mut counter = 0;
    walk(root, n, &mut counter);
}

/// A `ruleParameters` document: an object of known and unknown names with string values
/// (mostly), or anything else.
fn rule_parameters_text() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        4 => proptest::sample::select(vec![
            "kmsKeyArns", "checkReplicas", "requireEnabledKey", "exemptionTagKey",
            "executionRoleName",
        ])
        .prop_map(str::to_owned),
        1 => tricky_string(),
    ];
    let key_list = prop::collection::vec(key_ref_text(), 0..4).prop_map(|keys| keys.join(","));
    let value = prop_oneof![
        3 => tricky_string().prop_map(Value::String),
        2 => key_list.prop_map(Value::String),
        1 => json_value(),
    ];
    prop_oneof![
        8 => prop::collection::vec((name, value), 0..5)
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>()).to_string()),
        1 => tricky_string(),
        1 => json_value().prop_map(|v| v.to_string()),
    ]
}

/// A key reference: a valid one with a few character edits, an ARN-shaped string, or
/// anything.
fn key_ref_text() -> impl Strategy<Value = String> {
    let mutated = (
        proptest::sample::select(valid_key_refs()),
        prop::collection::vec((any::<usize>(), 0u8..3, any::<char>()), 0..3),
    )
        .prop_map(|(base, edits)| {
            let mut chars: Vec<char> = base.chars().collect();
            for (at, kind, c) in edits {
                let at = at % (chars.len() + 1);
                match kind {
                    0 => chars.insert(at, c),
                    1 if at < chars.len() => {
                        chars.remove(at);
                    }
                    _ if at < chars.len() => chars[at] = c,
                    _ => chars.push(c),
                }
            }
            chars.into_iter().collect()
        });
    prop_oneof![
        4 => mutated,
        2 => "arn:(aws|aws-cn|aws-us-gov|aws-|AWS|)?:(kms|secretsmanager|KMS|)?:[a-z0-9-]{0,16}:[0-9]{0,13}:((key|alias)/)?[a-zA-Z0-9/_:.-]{0,40}",
        1 => "(alias/|mrk-)?[a-zA-Z0-9/_-]{0,40}",
        1 => tricky_string(),
        1 => any::<String>(),
    ]
}

proptest! {
    #![proptest_config(Config {
        cases: 40_000,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::XorShift,
        ..Config::default()
    })]

    #[test]
    fn fixture_events_with_random_edits_are_parsed_or_clearly_rejected(
        fixture in 0..EVENTS.len(),
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        oracle::event_value(&edited(EVENTS[fixture], &edits));
    }
}

proptest! {
    #![proptest_config(Config {
        cases: 10_000,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::XorShift,
        ..Config::default()
    })]

    #[test]
    fn raw_bytes_as_an_event_are_parsed_or_clearly_rejected(
        fixture in 0..EVENTS.len(),
        flips in prop::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        random in prop::collection::vec(any::<u8>(), 0..64),
        use_random in any::<bool>(),
    ) {
        let bytes = if use_random {
            random
        } else {
            let mut bytes = EVENTS[fixture].as_bytes().to_vec();
            for (at, byte) in flips {
                let at = at % bytes.len();
                bytes[at] = byte;
            }
            bytes
        };
        oracle::event_bytes(&bytes);
    }

    #[test]
    fn history_items_with_random_edits_are_converted_or_clearly_rejected(
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        oracle::history_item(edited(HISTORY_ITEM, &edits).to_string().as_bytes());
    }
}

proptest! {
    #![proptest_config(Config {
        cases: 20_000,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::XorShift,
        ..Config::default()
    })]

    #[test]
    fn rule_parameters_are_parsed_or_clearly_rejected(text in rule_parameters_text()) {
        oracle::rule_parameters(&text);
    }

    #[test]
    fn key_references_are_parsed_or_clearly_rejected(text in key_ref_text()) {
        oracle::key_ref(&text);
    }
}

#[test]
fn the_edits_reach_inside_nested_documents() {
    // GIVEN an edit that replaces the KMSKeyId inside invokingEvent's configuration item
    let fixture = EVENTS[0];
    let mut value: Value = serde_json::from_str(fixture).unwrap();
    open_nested(&mut value);
    let nodes = count_nodes(&value);
    let target = (0..nodes)
        .find(|&n| {
            let mut copy = value.clone();
            let mut counter = 0;
            nth_node(&mut copy, n, &mut counter)
                .is_some_and(|node| node.as_str().is_some_and(|s| s.contains(":key/")))
        })
        .unwrap();
    // WHEN it is applied
    let event = edited(
        fixture,
        &[Edit::Replace(target, json!("alias/aws/secretsmanager"))],
    );
    // THEN the nested documents are strings again and one of them carries the edit
    assert!(event["invokingEvent"].is_string());
    assert!(event["ruleParameters"].is_string());
    assert!(
        event["invokingEvent"]
            .as_str()
            .unwrap()
            .contains("alias/aws/secretsmanager")
    );
}
