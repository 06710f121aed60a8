//! Reading the row back from an annotation: every text the rule writes, produced by the
//! real `decide`, `resource_gone`, `out_of_scope` and `Evaluation::confirmed_gone`, is
//! recognised as the row that wrote it, with the owning-service note and when cut; other
//! texts are not.

use std::collections::{BTreeSet, HashMap};

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use rule_core::row_of_annotation::recognise;
use rule_core::{
    Annotation, ConfigurationItemStatus, Evaluation, KeyLookup, KeyManager, KeyState,
    RuleParameters, SecretFacts, Tag, out_of_scope, resource_gone,
};
use rule_core::{KeyRef, QualifiedKeyRef, Row};

use crate::support::*;

/// A scenario of the decision table: a secret, the parameters and the DescribeKey
/// results, and the row its tests say it reaches.
struct Scenario {
    what: &'static str,
    row: Row,
    secret: SecretFacts,
    params: RuleParameters,
    keys: Keys,
}

impl Scenario {
    fn new(what: &'static str, row: Row, secret: SecretFacts, keys: Keys) -> Scenario {
        let params = params();
        Scenario {
            what,
            row,
            secret,
            params,
            keys,
        }
    }

    /// The same scenario under other parameters.
    fn under(self, params: RuleParameters) -> Scenario {
        Scenario { params, ..self }
    }

    /// The annotation `decide` writes, after checking it reached the row.
    fn annotation(&self) -> String {
        let verdict = verdict_of(decide_checked(&self.secret, &self.params, &self.keys));
        assert_eq!(verdict.row, self.row, "{}", self.what);
        verdict.annotation.as_str().to_owned()
    }

    /// The same scenario for a secret another service manages.
    fn managed_by(self, service: &str) -> Scenario {
        let secret = SecretFacts {
            owning_service: Some(service.to_owned()),
            ..self.secret
        };
        Scenario { secret, ..self }
    }
}

fn replica_scope() -> rule_core::Scope {
    scope().in_region(REPLICA_REGION)
}

fn replica_key() -> String {
    key_arn(REPLICA_REGION, ACCOUNT, OTHER_KEY_ID)
}

/// A secret on the happy-path key with one replica on `key`, `lookup` its DescribeKey.
fn replica_on(what: &'static str, key: Option<&str>, lookup: Option<KeyLookup>) -> Scenario {
    let secret = with_replicas(&cmk_arn(), vec![replica(REPLICA_REGION, key)]);
    let keys = match (key, lookup) {
        (Some(key), Some(lookup)) => cmk_keys().with_in(key, &replica_scope(), lookup),
        _ => cmk_keys(),
    };
    Scenario::new(what, Row::ReplicaFails, secret, keys)
}

/// Rows 2 to 12, each way `decide` writes them.
fn scenarios() -> Vec<Scenario> {
    let foreign = key_arn(REGION, OTHER_ACCOUNT, KEY_ID);
    let elsewhere = key_arn(REPLICA_REGION, ACCOUNT, KEY_ID);
    let aws_managed = described(&cmk_arn(), KeyManager::Aws, KeyState::Enabled);
    let exempting = RuleParameters {
        exemption_tag_key: Some("Exempt".into()),
        ..params()
    };
    let tolerant = RuleParameters {
        require_enabled_key: false,
        ..approving(&[&cmk_arn()])
    };
    let mut list = vec![
        Scenario::new(
            "scheduled for deletion",
            Row::ScheduledForDeletion,
            SecretFacts {
                deleted_date: Some(Utc.with_ymd_and_hms(2024, 6, 1, 8, 30, 0).unwrap()),
                ..secret()
            },
            Keys::new(),
        ),
        Scenario::new(
            "exempt",
            Row::Exempt,
            SecretFacts {
                tags: vec![Tag::new("Exempt", "until 2026 (ticket: SEC-1)")],
                ..secret()
            },
            Keys::new(),
        )
        .under(exempting),
        Scenario::new("default key", Row::DefaultKey, secret(), Keys::new()),
        Scenario::new(
            "empty key id",
            Row::DefaultKey,
            secret_with_key(""),
            Keys::new(),
        ),
        Scenario::new(
            "AWS managed alias",
            Row::AwsManagedAlias,
            secret_with_key("alias/aws/secretsmanager"),
            Keys::new(),
        ),
        Scenario::new(
            "AWS managed alias ARN",
            Row::AwsManagedAlias,
            secret_with_key(&alias_arn(REGION, ACCOUNT, "alias/aws/secretsmanager")),
            Keys::new(),
        ),
        Scenario::new(
            "untrusted account",
            Row::UntrustedKeyAccount,
            secret_with_key(&foreign),
            Keys::new(),
        ),
        Scenario::new(
            "another Region",
            Row::KeyInAnotherRegion,
            secret_with_key(&elsewhere),
            Keys::new(),
        ),
        Scenario::new(
            "AWS managed key",
            Row::AwsManagedKey,
            secret_with_key(&cmk_arn()),
            Keys::new().with(&cmk_arn(), aws_managed.clone()),
        ),
        Scenario::new(
            "key gone",
            Row::KeyNotFound,
            secret_with_key("alias/app"),
            Keys::new().with("alias/app", KeyLookup::NotFound),
        ),
        Scenario::new(
            "not approved",
            Row::NotApproved,
            secret_with_key(&cmk_arn()),
            cmk_keys(),
        )
        .under(approving(&[&key_arn(REGION, ACCOUNT, OTHER_KEY_ID)])),
        Scenario::new(
            "cross-account, not verified",
            Row::CrossAccountUnverified,
            secret_with_key(&foreign),
            Keys::new().with(&foreign, KeyLookup::AccessDenied),
        )
        .under(allowing(OTHER_ACCOUNT)),
        Scenario::new(
            "replica key cross-account, not verified",
            Row::CrossAccountUnverified,
            with_replicas(
                &cmk_arn(),
                vec![replica(
                    REPLICA_REGION,
                    Some(&key_arn(REPLICA_REGION, OTHER_ACCOUNT, KEY_ID)),
                )],
            ),
            cmk_keys().with_in(
                &key_arn(REPLICA_REGION, OTHER_ACCOUNT, KEY_ID),
                &replica_scope(),
                KeyLookup::AccessDenied,
            ),
        )
        .under(allowing(OTHER_ACCOUNT)),
        Scenario::new(
            "customer managed",
            Row::Compliant,
            secret_with_key(&cmk_arn()),
            cmk_keys(),
        ),
        Scenario::new(
            "customer managed, disabled tolerated, approved",
            Row::Compliant,
            secret_with_key(&cmk_arn()),
            Keys::new().with(
                &cmk_arn(),
                described(&cmk_arn(), KeyManager::Customer, KeyState::Disabled),
            ),
        )
        .under(tolerant),
        Scenario::new(
            "customer managed, a replica passes",
            Row::Compliant,
            with_replicas(
                &cmk_arn(),
                vec![replica(REPLICA_REGION, Some(&replica_key()))],
            ),
            cmk_keys().with_in(&replica_key(), &replica_scope(), cmk(&replica_key())),
        ),
    ];
    for (what, state) in [
        ("disabled", KeyState::Disabled),
        ("pending deletion", KeyState::PendingDeletion),
        ("pending replica deletion", KeyState::PendingReplicaDeletion),
        ("pending import", KeyState::PendingImport),
        ("unavailable", KeyState::Unavailable),
        ("unknown state", KeyState::Other("Frozen".into())),
    ] {
        list.push(Scenario::new(
            what,
            Row::KeyNotEnabled,
            secret_with_key(&cmk_arn()),
            Keys::new().with(
                &cmk_arn(),
                described(&cmk_arn(), KeyManager::Customer, state),
            ),
        ));
    }
    let here = key_arn(REPLICA_REGION, ACCOUNT, KEY_ID);
    let on_here = |what, lookup| replica_on(what, Some(&here), Some(lookup));
    list.extend([
        replica_on("replica default key", None, None),
        replica_on("replica AWS alias", Some("alias/aws/secretsmanager"), None),
        replica_on(
            "replica untrusted",
            Some(&key_arn(REPLICA_REGION, OTHER_ACCOUNT, KEY_ID)),
            None,
        ),
        replica_on("replica another Region", Some(&cmk_arn()), None),
        on_here(
            "replica AWS managed key",
            described(&here, KeyManager::Aws, KeyState::Enabled),
        ),
        on_here("replica key gone", KeyLookup::NotFound),
        on_here(
            "replica key disabled",
            described(&here, KeyManager::Customer, KeyState::Disabled),
        ),
    ]);
    let mut out_of_sync = replica_on("replica failed to sync", None, None);
    if let Some(replicas) = out_of_sync.secret.replicas.as_mut() {
        replicas[0].status = Some("Failed".into());
    }
    list.push(out_of_sync);
    list.push(
        Scenario::new(
            "replica not approved",
            Row::ReplicaFails,
            with_replicas(
                &cmk_arn(),
                vec![replica(REPLICA_REGION, Some(&replica_key()))],
            ),
            cmk_keys().with_in(&replica_key(), &replica_scope(), cmk(&replica_key())),
        )
        .under(approving(&[&cmk_arn()])),
    );
    list
}

/// Row 1's texts: the configuration item's, another type's, the sweep's cleanup.
fn row_1_annotations() -> Vec<String> {
    let now = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
    let mut texts: Vec<String> = [
        ConfigurationItemStatus::ResourceDeleted,
        ConfigurationItemStatus::ResourceDeletedNotRecorded,
        ConfigurationItemStatus::ResourceNotRecorded,
    ]
    .into_iter()
    .map(|status| resource_gone(status, false).unwrap())
    .chain(resource_gone(ConfigurationItemStatus::Ok, true))
    .chain(out_of_scope("AWS::S3::Bucket", "my-bucket"))
    .map(|verdict| {
        assert_eq!(verdict.row, Row::Gone);
        verdict.annotation.as_str().to_owned()
    })
    .collect();
    texts.push(
        Evaluation::confirmed_gone(SECRET_ARN, now)
            .annotation
            .as_str()
            .to_owned(),
    );
    texts
}

#[test]
fn every_row_is_recognised_from_the_text_the_rule_writes() {
    // GIVEN every way the rule writes each row, through its real code
    let mut covered = BTreeSet::new();
    for text in row_1_annotations() {
        // WHEN the annotation is read back / THEN it is row 1
        assert_eq!(Row::recognise(&text), Some(Row::Gone), "{text}");
        covered.insert(Row::Gone);
    }
    for scenario in scenarios() {
        let text = scenario.annotation();
        // THEN it is the row that wrote it
        assert_eq!(
            Row::recognise(&text),
            Some(scenario.row),
            "{}: {text}",
            scenario.what
        );
        covered.insert(scenario.row);
    }
    // AND no row of the table is left out
    assert_eq!(covered, BTreeSet::from(Row::ALL));
}

#[test]
fn the_owning_service_note_does_not_hide_the_row() {
    for scenario in scenarios() {
        // GIVEN the secret is managed by another service
        let (what, row) = (scenario.what, scenario.row);
        let text = scenario.managed_by("rds").annotation();
        assert!(text.ends_with(" (secret managed by rds)"), "{text}");
        // WHEN read back / THEN the same row
        assert_eq!(Row::recognise(&text), Some(row), "{what}: {text}");
    }
}

#[test]
fn the_key_is_read_where_the_text_names_it() {
    // GIVEN texts naming keys / THEN the key as named, and none where none is
    let key_of = |scenario: Scenario| {
        let text = scenario.annotation();
        recognise(&text).unwrap().key.map(str::to_owned)
    };
    for scenario in scenarios() {
        let (what, row) = (scenario.what, scenario.row);
        let stored = scenario.secret.kms_key_id.clone();
        let key = key_of(scenario);
        match row {
            Row::ScheduledForDeletion | Row::Exempt | Row::ReplicaFails => {
                assert_eq!(key.as_deref(), None, "{what}")
            }
            Row::DefaultKey => assert_eq!(key.as_deref(), Some("aws/secretsmanager"), "{what}"),
            // Row 5 names the alias as stored.
            Row::AwsManagedAlias => assert_eq!(key, stored, "{what}"),
            // The others the resolved ARN or the reference qualified in the secret's
            // scope (the fixtures store ARNs but for "key gone", an alias name).
            _ => {
                let stored = stored.unwrap();
                let expected = qualified(&stored, &scope()).to_string();
                assert_eq!(key, Some(expected), "{what}");
            }
        }
    }
}

#[test]
fn a_cut_text_keeps_its_row_while_the_phrase_that_tells_it_survives() {
    // GIVEN a service name so long that its note takes half the annotation, leaving
    // 116 characters of the rule's text before " [truncated]"
    let service = "s".repeat(200);
    let mut cut = 0;
    for scenario in scenarios() {
        let (what, row) = (scenario.what, scenario.row);
        let text = scenario.managed_by(&service).annotation();
        assert!(text.chars().count() <= Annotation::MAX_CHARS, "{text}");
        let recognised = Row::recognise(&text);
        if text.contains(" [truncated]") {
            cut += 1;
            // THEN a cut text is its row or unknown, never another row
            assert!(
                recognised.is_none() || recognised == Some(row),
                "{what}: {text}"
            );
        } else {
            assert_eq!(recognised, Some(row), "{what}: {text}");
        }
    }
    assert!(cut >= 10, "only {cut} annotations were cut");
    // AND these keep their row: the phrase comes before the cut
    for (what, row) in [
        ("untrusted account", Row::UntrustedKeyAccount),
        ("another Region", Row::KeyInAnotherRegion),
        ("disabled", Row::KeyNotEnabled),
        ("not approved", Row::NotApproved),
        ("replica AWS managed key", Row::ReplicaFails),
        ("replica failed to sync", Row::ReplicaFails),
    ] {
        let scenario = scenarios().into_iter().find(|s| s.what == what).unwrap();
        let text = scenario.managed_by(&service).annotation();
        assert!(text.contains(" [truncated]"), "{what}: {text}");
        assert_eq!(Row::recognise(&text), Some(row), "{what}: {text}");
    }
}

#[test]
fn a_cut_that_may_hide_what_tells_rows_10_and_12_apart_is_unknown() {
    // GIVEN row 12's text cut before its end (row 10's note on replica keys, if any,
    // would come last) / THEN unknown
    let long = "s".repeat(200);
    for what in [
        "customer managed, disabled tolerated, approved",
        "customer managed, a replica passes",
    ] {
        let scenario = scenarios().into_iter().find(|s| s.what == what).unwrap();
        let text = scenario.managed_by(&long).annotation();
        assert!(text.contains(" [truncated]"), "{text}");
        assert_eq!(Row::recognise(&text), None, "{text}");
    }
}

#[test]
fn long_values_cut_after_the_phrase_keep_the_row_and_before_it_lose_it() {
    let alias = |prefix: &str| format!("alias/{prefix}{}", "a".repeat(240));
    // GIVEN an AWS managed alias of 250 characters: the phrase comes first
    let long_aws = alias("aws/");
    let text = Scenario::new(
        "long AWS alias",
        Row::AwsManagedAlias,
        secret_with_key(&long_aws),
        Keys::new(),
    )
    .annotation();
    assert!(text.ends_with(" [truncated]"), "{text}");
    // THEN the row, but not a key the cut shortened
    let recognised = recognise(&text).unwrap();
    assert_eq!(
        (recognised.row, recognised.key),
        (Row::AwsManagedAlias, None)
    );

    // GIVEN an exemption tag of 128 + 256 characters / THEN row 3
    let exempt = Scenario::new(
        "long tag",
        Row::Exempt,
        SecretFacts {
            tags: vec![Tag::new("Exempt", "v".repeat(256))],
            ..secret()
        },
        Keys::new(),
    )
    .under(RuleParameters {
        exemption_tag_key: Some("Exempt".into()),
        ..params()
    })
    .annotation();
    assert!(exempt.ends_with(" [truncated]"));
    assert_eq!(Row::recognise(&exempt), Some(Row::Exempt));

    // GIVEN a key name so long that the cut falls inside it, before the phrase that
    // tells rows 5a, 7 and 9 apart / THEN unknown, not a guess
    let long_alias = alias("app-");
    let gone = Scenario::new(
        "long alias gone",
        Row::KeyNotFound,
        secret_with_key(&long_alias),
        Keys::new().with(&long_alias, KeyLookup::NotFound),
    )
    .annotation();
    assert!(gone.ends_with(" [truncated]"), "{gone}");
    assert_eq!(Row::recognise(&gone), None);
    // AND another type's resource id too long to keep the phrase after it
    let id = "r".repeat(300);
    let other = out_of_scope("AWS::S3::Bucket", &id).unwrap();
    assert_eq!(Row::recognise(other.annotation.as_str()), None);
}

#[test]
fn texts_the_rule_did_not_write_are_not_recognised() {
    for text in [
        "",
        "ok",
        "uses the default key",
        "Key not Enabled. It is Disabled.",
        "Encrypted with the AWS managed key aws/secretsmanager (the default key).",
        "Encrypted with customer managed KMS key",
        "Encrypted with customer managed KMS key k, I think.",
        "Encrypted with customer managed KMS key k. [truncated] extra",
        "Encrypted with KMS key k of account 444455556666",
        "Encrypted with KMS key k of account 444455556666 [truncated] (oops)",
        "KMS key k is disabled, says Bob.",
        "KMS key k is not one of the approved keys (kmsKeyArns). Really.",
        "The secret is scheduled for deletion on 2026-01-02 by ops.",
        "Replica in eu-west-1: all good.",
        "Replica in eu-west-1: replica in us-east-1: encrypted with the default AWS managed \
         key aws/secretsmanager; a customer managed KMS key is required.",
        "Exempt",
        "The bucket my-bucket is a AWS::S3::Bucket, not a Secrets Manager secret: outside this \
         rule's scope",
        " [truncated]",
        " (secret managed by rds)",
    ] {
        // WHEN read / THEN not ours
        assert_eq!(recognise(text), None, "{text:?}");
    }
}

fn key_texts() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        Just(String::new()),
        Just(cmk_arn()),
        Just(key_arn(REGION, OTHER_ACCOUNT, KEY_ID)),
        Just(key_arn(REPLICA_REGION, ACCOUNT, OTHER_KEY_ID)),
        Just("alias/aws/secretsmanager".to_owned()),
        "alias/[a-z0-9/_-]{1,250}",
    ])
}

fn lookups() -> impl Strategy<Value = KeyLookup> {
    let manager = prop_oneof![Just(KeyManager::Aws), Just(KeyManager::Customer)];
    let state = prop_oneof![
        Just(KeyState::Enabled),
        Just(KeyState::Disabled),
        Just(KeyState::PendingDeletion),
        Just(KeyState::Unavailable),
    ];
    prop_oneof![
        4 => (manager, state, prop_oneof![Just(cmk_arn()), Just(key_arn(REPLICA_REGION, ACCOUNT, OTHER_KEY_ID))])
            .prop_map(|(manager, state, arn)| described(&arn, manager, state)),
        1 => Just(KeyLookup::NotFound),
        1 => Just(KeyLookup::AccessDenied),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn whatever_the_rule_decides_its_annotation_tells_that_row_or_nothing(
        key in key_texts(),
        replica_key_text in key_texts(),
        with_replica in any::<bool>(),
        service in proptest::option::of("[a-z0-9.-]{0,200}"),
        tag_value in "\\PC{0,300}",
        tagged in any::<bool>(),
        approved in proptest::option::of(prop_oneof![Just(cmk_arn()), Just("alias/app".to_owned())]),
        require_enabled_key in any::<bool>(),
        results in prop::collection::vec(lookups(), 6),
    ) {
        // GIVEN any secret, parameters and DescribeKey results
        let secret = SecretFacts {
            kms_key_id: key,
            owning_service: service,
            tags: if tagged { vec![Tag::new("Exempt", tag_value)] } else { vec![] },
            replicas: Some(if with_replica {
                vec![replica(REPLICA_REGION, replica_key_text.as_deref())]
            } else {
                vec![]
            }),
            ..secret()
        };
        let params = RuleParameters {
            approved_keys: approved.map(|k| vec![KeyRef::parse(&k).unwrap()]),
            exemption_tag_key: Some("Exempt".into()),
            require_enabled_key,
            allowed_key_accounts: vec![OTHER_ACCOUNT.into()],
            ..params()
        };
        let keys: HashMap<QualifiedKeyRef, KeyLookup> = rule_core::key_lookups_needed(&secret, &params)
            .into_iter()
            .zip(results.into_iter().cycle())
            .collect();
        // WHEN decided and read back
        if let Some(verdict) = rule_core::decide(&secret, &params, &keys).verdict() {
            let text = verdict.annotation.as_str();
            let recognised = Row::recognise(text);
            // THEN never another row; and the row whenever the text was not cut
            if text.contains(" [truncated]") {
                prop_assert!(recognised.is_none() || recognised == Some(verdict.row), "{}", text);
            } else {
                prop_assert_eq!(recognised, Some(verdict.row), "{}", text);
            }
        }
    }

    #[test]
    fn any_text_is_read_without_panicking(text in any::<String>()) {
        let _ = recognise(&text);
        let _ = recognise(Annotation::new(text).as_str());
    }
}
