//! Properties: parsers never panic on anything, annotations always fit, and `decide`
//! only ever needs the lookups `key_lookups_needed` announced.

use rule_core::Row;
use std::collections::HashMap;

use proptest::prelude::*;
use rule_core::{
    Annotation, ConfigRuleEvent, Decision, KeyLookup, KeyManager, KeyRef, KeyState,
    QualifiedKeyRef, ReplicaFacts, RuleParameters, SecretFacts, Tag, decide, key_lookups_needed,
};
use serde_json::{Map, Value, json};

use crate::support::{SECRET_ARN, scope};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,20}".prop_map(Value::String),
        // Strings that look like what the parser looks for.
        prop_oneof![
            Just("ScheduledNotification"),
            Just("ConfigurationItemChangeNotification"),
            Just("OversizedConfigurationItemChangeNotification"),
            Just("2024-05-14T12:00:00Z"),
            Just("123456789012"),
            Just("OK"),
            Just("ResourceDeleted"),
            Just("{}"),
            Just("{\"messageType\":\"ScheduledNotification\"}"),
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    let keys = prop_oneof![
        Just("invokingEvent"),
        Just("ruleParameters"),
        Just("resultToken"),
        Just("accountId"),
        Just("eventLeftScope"),
        Just("messageType"),
        Just("configurationItem"),
        Just("configurationItemSummary"),
        Just("configuration"),
        Just("tags"),
        Just("KMSKeyId"),
        Just("other"),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..8).prop_map(|pairs| {
                Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

/// A plausible Config envelope whose invokingEvent is any JSON value, serialized.
fn envelope() -> impl Strategy<Value = Value> {
    (json_value(), json_value(), proptest::option::of(".{0,40}")).prop_map(
        |(invoking, extra, params)| {
            let mut event = Map::new();
            event.insert("invokingEvent".into(), Value::String(invoking.to_string()));
            event.insert("resultToken".into(), json!("TESTMODE"));
            event.insert("accountId".into(), json!("123456789012"));
            if let Some(params) = params {
                event.insert("ruleParameters".into(), Value::String(params));
            }
            event.insert("extra".into(), extra);
            Value::Object(event)
        },
    )
}

/// References kmsKeyArns may hold: alias names, alias ARNs and key ARNs, matching or not.
const APPROVABLE_KEYS: &[&str] = &[
    "alias/app",
    "alias/other",
    "arn:aws:kms:us-east-1:111122223333:alias/app",
    "arn:aws:kms:us-east-1:444455556666:alias/app",
    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "arn:aws:kms:eu-west-1:111122223333:key/0987dcba-09ba-87dc-65fe-abcdef012345",
];

/// What else a secret or replica may name as its key: nothing, bare key ids, an AWS
/// managed alias, another account's key, garbage.
const OTHER_KEY_TEXTS: &[&str] = &[
    "",
    "1234abcd-12ab-34cd-56ef-1234567890ab",
    "mrk-1234abcd12ab34cd56ef1234567890ab",
    "alias/aws/secretsmanager",
    "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "garbage",
];

fn key_text() -> impl Strategy<Value = String> {
    prop::sample::select([OTHER_KEY_TEXTS, APPROVABLE_KEYS].concat()).prop_map(str::to_owned)
}

fn approved_text() -> impl Strategy<Value = String> {
    prop::sample::select(APPROVABLE_KEYS).prop_map(str::to_owned)
}

fn lookup() -> impl Strategy<Value = KeyLookup> {
    let arn = prop_oneof![
        Just("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
        Just("arn:aws:kms:eu-west-1:111122223333:key/0987dcba-09ba-87dc-65fe-abcdef012345"),
    ];
    let manager = prop_oneof![Just(KeyManager::Aws), Just(KeyManager::Customer)];
    let state = prop_oneof![Just(KeyState::Enabled), Just(KeyState::Disabled)];
    prop_oneof![
        4 => (arn, manager, state).prop_map(|(arn, manager, state)| {
            KeyLookup::Described(rule_core::KeyDescription { arn: arn.to_owned(), manager, state })
        }),
        1 => Just(KeyLookup::NotFound),
        1 => Just(KeyLookup::AccessDenied),
        1 => Just(KeyLookup::Failed { reason: "throttled".into() }),
    ]
}

fn secret_and_params() -> impl Strategy<Value = (SecretFacts, RuleParameters)> {
    let replicas = proptest::option::of(prop::collection::vec(
        (
            prop_oneof![Just("eu-west-1"), Just("ap-south-1")],
            proptest::option::of(key_text()),
        ),
        0..3,
    ));
    let approved = proptest::option::of(prop::collection::vec(approved_text(), 1..4));
    (
        proptest::option::of(key_text()),
        replicas,
        approved,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(key, replicas, approved, check_replicas, require_enabled_key, owned)| {
                let secret = SecretFacts {
                    arn: SECRET_ARN.into(),
                    resource_id: SECRET_ARN.into(),
                    name: "app/db".into(),
                    scope: scope(),
                    kms_key_id: key,
                    deleted_date: None,
                    owning_service: owned.then(|| "rds".to_owned()),
                    tags: vec![Tag::new("team", "payments")],
                    replicas: replicas.map(|list| {
                        list.into_iter()
                            .map(|(region, key)| ReplicaFacts {
                                region: region.into(),
                                kms_key_id: key,
                                status: None,
                            })
                            .collect()
                    }),
                };
                let params = RuleParameters {
                    approved_keys: approved
                        .map(|list| list.iter().map(|k| KeyRef::parse(k).unwrap()).collect()),
                    check_replicas,
                    require_enabled_key,
                    ..RuleParameters::default()
                };
                (secret, params)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn key_ref_parse_never_panics_on_any_string(s in any::<String>()) {
        let _ = KeyRef::parse(&s);
    }

    #[test]
    fn key_ref_parse_never_panics_on_arn_like_strings(
        s in "arn:(aws|aws-cn|aws-us-gov|gcp|)?:(kms|s3|secretsmanager|)?:[a-z0-9-]{0,16}:[0-9a-z]{0,13}:((key|alias)/)?[a-zA-Z0-9/_:. -]{0,40}"
    ) {
        if let Ok(key) = KeyRef::parse(&s) {
            // Whatever parses, prints back as given and qualifies into a usable ARN.
            prop_assert_eq!(key.to_string(), s);
            let q = key.qualify(&scope());
            prop_assert_eq!(KeyRef::parse(q.as_str()).ok().map(|k| k.qualify(&scope())), Some(q));
        }
    }

    #[test]
    fn scope_from_secret_arn_never_panics(s in "(arn:)?.{0,60}") {
        let _ = rule_core::Scope::from_secret_arn(&s);
    }

    #[test]
    fn annotation_never_exceeds_256_chars(s in any::<String>(), extra in "\\PC{0,300}") {
        let text = format!("{s}{extra}");
        let annotation = Annotation::new(text.clone());
        prop_assert!(annotation.as_str().chars().count() <= Annotation::MAX_CHARS);
        if text.chars().count() <= Annotation::MAX_CHARS {
            prop_assert_eq!(annotation.as_str(), text.as_str());
        } else {
            let kept: String = text.chars().take(244).collect();
            prop_assert!(annotation.as_str().starts_with(&kept));
        }
        let with_suffix = Annotation::with_suffix(&text, &extra);
        prop_assert!(with_suffix.as_str().chars().count() <= Annotation::MAX_CHARS);
    }

    #[test]
    fn config_rule_event_parse_never_panics_on_any_json(value in json_value()) {
        let _ = ConfigRuleEvent::parse(&value);
    }

    #[test]
    fn config_rule_event_parse_never_panics_on_envelopes(value in envelope()) {
        let _ = ConfigRuleEvent::parse(&value);
    }

    #[test]
    fn rule_parameters_parse_never_panics_on_any_string(s in any::<String>()) {
        let _ = RuleParameters::parse(Some(&s));
    }

    #[test]
    fn rule_parameters_parse_never_panics_on_objects(
        pairs in prop::collection::vec((
            prop_oneof![Just("kmsKeyArns".to_owned()), Just("checkReplicas".to_owned()),
                Just("requireEnabledKey".to_owned()), Just("exemptionTagKey".to_owned()),
                Just("executionRoleName".to_owned()), ".{0,12}"],
            json_value(),
        ), 0..6)
    ) {
        let object: Map<String, Value> = pairs.into_iter().collect();
        let _ = RuleParameters::parse(Some(&Value::Object(object).to_string()));
    }

    #[test]
    fn decide_needs_only_the_announced_lookups(
        (secret, params) in secret_and_params(),
        results in prop::collection::vec(lookup(), 8),
    ) {
        // GIVEN every announced lookup answered (with arbitrary results)
        let needed = key_lookups_needed(&secret, &params);
        let keys: HashMap<QualifiedKeyRef, KeyLookup> = needed
            .iter()
            .cloned()
            .zip(results.into_iter().cycle())
            .collect();
        // THEN no alias/aws/* is ever announced, and nothing twice
        prop_assert!(needed.iter().all(|q| !q.is_aws_managed_alias()));
        let mut unique = needed.clone();
        unique.sort();
        unique.dedup();
        prop_assert_eq!(unique.len(), needed.len());
        // AND decide never lacks a lookup, and every annotation fits
        match decide(&secret, &params, &keys) {
            Decision::Unverifiable { reason } => {
                prop_assert!(!reason.contains("no DescribeKey result"), "{}", reason);
            }
            Decision::Verdict(verdict) => {
                prop_assert_ne!(verdict.row, Row::Gone);
                prop_assert!(verdict.annotation.as_str().chars().count() <= 256);
                if secret.owning_service.is_some() {
                    prop_assert!(verdict.annotation.as_str().contains("managed by rds"));
                }
            }
        }
    }
}
