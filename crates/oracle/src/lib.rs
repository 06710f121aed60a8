//! The hostile-input oracle: what must hold for ANY input to the four parsers Config and
//! the operator feed us (the event, `ruleParameters`, key references, a
//! GetResourceConfigHistory item). It panics on the first broken promise, which is how
//! both the proptest suite (`crates/rule-core/tests/all/hostile_input.rs`, in
//! `make test`) and the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`) report a finding:
//! one definition of "handled safely", a dependency of both.
//!
//! The promises:
//! - no parser panics;
//! - every rejection is a clear error: a non-empty message of bounded size that names
//!   what is wrong (the JSON path of the field, the parameter, or the echoed input);
//! - what is accepted keeps the invariants the rest of the rule relies on (12-digit
//!   accounts, key references that print back as given and qualify into ARNs, valid
//!   parameter values), and deciding on parsed facts yields a verdict Config accepts
//!   (row 1..=12, annotation of at most 256 characters) or an explicit "unverifiable",
//!   never asking DescribeKey about an `alias/aws/*` name.
//!
//! It depends on `rule_core`, `serde_json` and `std` only, so that the fuzz crate
//! (outside the workspace) builds it as it is.

// Panicking on a broken promise is this crate's whole job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use rule_core::Row;
use std::collections::HashMap;

use rule_core::{
    Annotation, ConfigRuleEvent, ConfigurationItem, Decision, EventError, HistoryItem,
    InvokingEvent, KeyDescription, KeyLookup, KeyManager, KeyRef, KeyState, QualifiedKeyRef,
    RuleParameters, Scope, SecretFacts, decide, key_lookups_needed, resource_gone,
};
use serde_json::Value;

/// No error message may be longer than this: they end up in logs, in the Lambda's error
/// response and in Config's console. Inputs are echoed bounded (80 characters, escaped),
/// so even the longest message stays far below.
pub const MAX_ERROR_CHARS: usize = 2048;

/// The Lambda's event, from raw bytes (what the runtime hands the handler): bytes that
/// are not JSON never reach the handler, anything that is JSON must be parsed safely.
pub fn event_bytes(data: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<Value>(data) {
        event_value(&value);
    }
}

/// The Lambda's event as JSON.
pub fn event_value(value: &Value) {
    match ConfigRuleEvent::parse(value) {
        Err(error) => event_error(&error),
        Ok(event) => {
            // Parsing is a function of its input.
            let again = ConfigRuleEvent::parse(value).map_err(|e| e.to_string());
            assert_eq!(again.as_ref(), Ok(&event), "parsing twice differs");
            accepted_event(&event);
        }
    }
}

/// `ruleParameters` as Config passes it (a string that should hold a JSON object).
pub fn rule_parameters(text: &str) {
    match RuleParameters::parse(Some(text)) {
        Err(error) => {
            let message = clear_message(&error);
            match error.parameter() {
                // The parameter is named, plainly or quoted and escaped as the message
                // shows names that may hold anything.
                Some(name) => assert!(
                    message.contains(name) || message.contains(&format!("{name:?}")),
                    "the error does not name parameter {name:?}: {message}"
                ),
                None => assert!(
                    message.contains("ruleParameters"),
                    "a whole-document error must say ruleParameters: {message}"
                ),
            }
        }
        Ok(params) => accepted_parameters(&params),
    }
}

/// One key reference (a `kmsKeyArns` item, or a secret's stored `KmsKeyId`).
pub fn key_ref(text: &str) {
    match KeyRef::parse(text) {
        Err(error) => {
            let message = clear_message(&error);
            assert!(
                !error.input().is_empty() && message.contains(error.input()),
                "the error does not echo its input: {message}"
            );
            assert!(
                message.contains(&error.problem().to_string()),
                "the error does not say what is wrong: {message}"
            );
        }
        Ok(key) => accepted_key_ref(text, &key),
    }
}

/// A GetResourceConfigHistory item as JSON (the API's field names), converted into the
/// configuration item an oversized notification is evaluated from.
pub fn history_item(data: &[u8]) {
    let Ok(item) = serde_json::from_slice::<HistoryItem>(data) else {
        // serde's own errors: the SDK adapter, not this JSON, fills real items.
        return;
    };
    match ConfigurationItem::try_from(item) {
        Err(error) => event_error(&error),
        Ok(item) => accepted_item(&item, &RuleParameters::default()),
    }
}

fn event_error(error: &EventError) {
    let message = clear_message(error);
    let path = error
        .path()
        .unwrap_or_else(|| panic!("an event error names no field: {message}"));
    assert!(
        !path.is_empty(),
        "an event error with an empty path: {message}"
    );
    if error.is_parameter_error() {
        assert!(
            message.contains("rule parameter"),
            "a parameter error must say so: {message}"
        );
    } else {
        assert!(
            message.contains(path),
            "the error does not name its field {path:?}: {message}"
        );
    }
}

/// Non-empty, bounded, and the same every time it is displayed.
fn clear_message(error: &dyn std::error::Error) -> String {
    let message = error.to_string();
    assert!(
        !message.trim().is_empty(),
        "an empty error message: {error:?}"
    );
    assert!(
        message.chars().count() <= MAX_ERROR_CHARS,
        "an error message of {} characters (more than {MAX_ERROR_CHARS}): {}…",
        message.chars().count(),
        message.chars().take(200).collect::<String>()
    );
    message
}

fn accepted_event(event: &ConfigRuleEvent) {
    assert!(is_account(&event.account_id), "{:?}", event.account_id);
    accepted_parameters(&event.rule_parameters);
    match &event.invoking_event {
        InvokingEvent::ConfigurationItemChange {
            configuration_item, ..
        } => {
            if let Some(verdict) = resource_gone(configuration_item.status, event.event_left_scope)
            {
                assert_eq!(verdict.row, Row::Gone);
                fits(&verdict.annotation);
            }
            accepted_item(configuration_item, &event.rule_parameters);
        }
        InvokingEvent::OversizedConfigurationItemChange { summary, .. } => {
            assert!(is_account(&summary.account_id), "{:?}", summary.account_id);
        }
        InvokingEvent::Scheduled { .. } => {}
    }
}

fn accepted_parameters(params: &RuleParameters) {
    if let Some(keys) = &params.approved_keys {
        assert!(!keys.is_empty(), "an empty approved-key list must be None");
        for key in keys {
            assert!(
                !matches!(key, KeyRef::KeyId(_)),
                "bare key id approved: {key}"
            );
            assert!(
                !key.is_aws_managed_alias(),
                "AWS managed alias approved: {key}"
            );
        }
    }
    if let Some(tag) = &params.exemption_tag_key {
        assert!(!tag.is_empty() && tag.chars().count() <= 128, "{tag:?}");
    }
    if let Some(role) = &params.execution_role_name {
        assert!(
            !role.is_empty()
                && role.len() <= 64
                && role
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b)),
            "{role:?}"
        );
    }
}

fn accepted_key_ref(text: &str, key: &KeyRef) {
    // Parsing is strict, so what parsed prints back exactly as given.
    assert_eq!(key.to_string(), text);
    let scope = Scope {
        partition: "aws".to_owned(),
        account: "111122223333".to_owned(),
        region: "eu-west-1".to_owned(),
    };
    // Qualified, it is an ARN that parses, is qualified already, and keeps the alias
    // kind and the AWS-managed mark (row 5 must not be lost on the way to DescribeKey).
    let qualified = key.qualify(&scope);
    let reparsed = KeyRef::parse(qualified.as_str())
        .unwrap_or_else(|e| panic!("{text:?} qualifies into {qualified}, which fails: {e}"));
    assert!(reparsed.account().is_some() && reparsed.region().is_some());
    assert_eq!(reparsed.qualify(&scope), qualified);
    assert_eq!(qualified.is_alias(), key.is_alias());
    assert_eq!(qualified.is_aws_managed_alias(), key.is_aws_managed_alias());
    assert!(is_account(qualified.account()), "{qualified}");
}

fn accepted_item(item: &ConfigurationItem, params: &RuleParameters) {
    assert!(is_account(&item.account_id), "{:?}", item.account_id);
    assert!(
        item.kms_key_id.as_deref() != Some(""),
        "an empty key id must be None"
    );
    let mut keys: Vec<&str> = item.tags.iter().map(|t| t.key.as_str()).collect();
    keys.sort_unstable();
    let all = keys.len();
    keys.dedup();
    assert_eq!(keys.len(), all, "duplicate tag keys: {:?}", item.tags);

    match SecretFacts::from_configuration_item(item) {
        Err(error) => event_error(&error),
        Ok(mut facts) => {
            assert!(is_account(&facts.scope.account), "{:?}", facts.scope);
            // What the handler adds from DescribeSecret; no replicas keeps it simple.
            facts.replicas = Some(Vec::new());
            decide_on(&facts, params);
        }
    }
}

/// Decide on parsed facts under several DescribeKey worlds: every verdict must be one
/// Config accepts, and nothing outside the announced lookups may be needed.
fn decide_on(facts: &SecretFacts, params: &RuleParameters) {
    let needed = key_lookups_needed(facts, params);
    assert!(
        needed.iter().all(|q| !q.is_aws_managed_alias()),
        "DescribeKey would be called on an AWS managed alias: {needed:?}"
    );
    for world in 0..5 {
        let answers: HashMap<QualifiedKeyRef, KeyLookup> = needed
            .iter()
            .map(|q| (q.clone(), answer(q, world)))
            .collect();
        match decide(facts, params, &answers) {
            Decision::Verdict(verdict) => {
                assert_ne!(verdict.row, Row::Gone, "row {}", verdict.row);
                fits(&verdict.annotation);
            }
            Decision::Unverifiable { reason } => {
                assert!(!reason.trim().is_empty(), "unverifiable without a reason");
                assert!(
                    !reason.contains("no DescribeKey result"),
                    "decide needed a lookup it did not announce: {reason}"
                );
            }
        }
    }
}

/// What DescribeKey says about `q` in world `world`.
fn answer(q: &QualifiedKeyRef, world: u8) -> KeyLookup {
    // An alias resolves to some key of its own location; a key ARN to itself.
    let arn = if q.is_alias() {
        format!(
            "arn:{}:kms:{}:{}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            q.partition(),
            q.region(),
            q.account()
        )
    } else {
        q.as_str().to_owned()
    };
    let described = |manager, state| {
        KeyLookup::Described(KeyDescription {
            arn,
            manager,
            state,
        })
    };
    match world {
        0 => described(KeyManager::Customer, KeyState::Enabled),
        1 => described(KeyManager::Aws, KeyState::Enabled),
        2 => described(KeyManager::Customer, KeyState::PendingDeletion),
        3 => KeyLookup::AccessDenied,
        _ => KeyLookup::NotFound,
    }
}

fn fits(annotation: &Annotation) {
    let chars = annotation.as_str().chars().count();
    assert!(
        (1..=Annotation::MAX_CHARS).contains(&chars),
        "an annotation of {chars} characters: {annotation}"
    );
}

fn is_account(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}
