//! Rule parameters: every valid form, and a named error for every invalid one.

use rule_core::{KeyRef, ParameterError, RuleParameters};

use crate::support::optional_names;

fn parse(raw: &str) -> Result<RuleParameters, ParameterError> {
    RuleParameters::parse(Some(raw))
}

fn error(raw: &str) -> ParameterError {
    parse(raw).unwrap_err()
}

#[test]
fn absent_empty_and_empty_object_mean_defaults() {
    // GIVEN each way of saying "no parameters"
    for raw in [None, Some(""), Some("  "), Some("{}")] {
        // WHEN parsed / THEN the defaults
        assert_eq!(
            RuleParameters::parse(raw).unwrap(),
            RuleParameters::default(),
            "{raw:?}"
        );
    }
    let defaults = RuleParameters::default();
    assert!(defaults.check_replicas && defaults.require_enabled_key);
    assert_eq!(defaults.approved_keys, None);
}

#[test]
fn every_parameter_is_read() {
    // GIVEN every parameter set
    let params = parse(
        r#"{"kmsKeyArns":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab,arn:aws:kms:us-east-1:111122223333:alias/app,alias/other",
            "checkReplicas":"false","requireEnabledKey":"FALSE",
            "exemptionTagKey":"secrets-cmk:exempt","executionRoleName":"Audit+Role=1,x.y@z_-"}"#,
    )
    .unwrap();
    // WHEN parsed / THEN each value is read
    let keys = params.approved_keys.as_ref().unwrap();
    assert_eq!(keys.len(), 3);
    assert!(matches!(keys[0], KeyRef::KeyArn { .. }));
    assert!(matches!(keys[1], KeyRef::AliasArn { .. }));
    assert_eq!(keys[2], KeyRef::AliasName("alias/other".into()));
    assert!(!params.check_replicas);
    assert!(!params.require_enabled_key);
    assert_eq!(
        optional_names(&params),
        (Some("secrets-cmk:exempt"), Some("Audit+Role=1,x.y@z_-"))
    );
}

#[test]
fn booleans_ignore_case_and_surrounding_whitespace() {
    for (raw, expected) in [
        ("true", true),
        (" TRUE ", true),
        ("False", false),
        ("\tfalse\n", false),
    ] {
        let params = RuleParameters::from_pairs([("checkReplicas", raw)]).unwrap();
        assert_eq!(params.check_replicas, expected, "{raw:?}");
    }
}

#[test]
fn bad_boolean_names_parameter_and_value() {
    // GIVEN requireEnabledKey "yes"
    let error = error(r#"{"requireEnabledKey":"yes"}"#);
    // WHEN parsed / THEN the error names both
    assert!(matches!(error, ParameterError::NotABoolean { .. }));
    assert_eq!(error.parameter(), Some("requireEnabledKey"));
    let message = error.to_string();
    assert!(
        message.contains("requireEnabledKey") && message.contains("\"yes\""),
        "{message}"
    );
}

#[test]
fn empty_values_mean_unset() {
    // GIVEN every parameter blank, as a Config console sends them
    let params = parse(
        r#"{"kmsKeyArns":"","checkReplicas":" ","requireEnabledKey":"","exemptionTagKey":"  ","executionRoleName":""}"#,
    )
    .unwrap();
    // WHEN parsed / THEN they are the defaults
    assert_eq!(params, RuleParameters::default());
}

#[test]
fn key_list_items_are_trimmed_empty_items_ignored_and_duplicates_dropped() {
    // GIVEN a list with spaces, empty items and a duplicate
    let params =
        RuleParameters::from_pairs([("kmsKeyArns", " alias/a , ,alias/b,, alias/a ,")]).unwrap();
    // WHEN parsed / THEN two keys
    assert_eq!(
        params.approved_keys,
        Some(vec![
            KeyRef::AliasName("alias/a".into()),
            KeyRef::AliasName("alias/b".into())
        ])
    );
}

#[test]
fn key_list_of_only_commas_is_unset() {
    let params = RuleParameters::from_pairs([("kmsKeyArns", " , ,, ")]).unwrap();
    assert_eq!(params.approved_keys, None);
}

#[test]
fn unknown_parameter_is_named_with_the_known_ones() {
    // GIVEN a misspelt parameter
    let error = error(r#"{"kmsKeyArn":"alias/a"}"#);
    // WHEN parsed / THEN it is named and the known names listed
    assert!(matches!(error, ParameterError::Unknown { .. }));
    assert_eq!(error.parameter(), Some("kmsKeyArn"));
    let message = error.to_string();
    assert!(message.contains("\"kmsKeyArn\""), "{message}");
    for known in rule_core::KNOWN_PARAMETERS {
        assert!(message.contains(known), "{message}");
    }
}

#[test]
fn parameter_names_are_case_sensitive() {
    assert!(matches!(
        error(r#"{"CheckReplicas":"true"}"#),
        ParameterError::Unknown { .. }
    ));
}

#[test]
fn non_string_values_name_the_parameter() {
    for (raw, found) in [
        (r#"{"checkReplicas":true}"#, "a boolean"),
        (r#"{"checkReplicas":1}"#, "a number"),
        (r#"{"checkReplicas":null}"#, "null"),
        (r#"{"checkReplicas":["true"]}"#, "an array"),
    ] {
        let error = error(raw);
        assert_eq!(error.parameter(), Some("checkReplicas"), "{raw}");
        assert!(error.to_string().contains(found), "{error}");
    }
}

#[test]
fn bad_key_in_the_list_is_named() {
    // GIVEN kmsKeyArns with an S3 ARN among good keys
    let error = error(r#"{"kmsKeyArns":"alias/ok, arn:aws:s3:::my-bucket"}"#);
    // WHEN parsed / THEN the bad item and the parameter are named, with the cause kept
    assert!(matches!(error, ParameterError::BadKey { .. }));
    assert_eq!(error.parameter(), Some("kmsKeyArns"));
    let message = error.to_string();
    assert!(
        message.contains("kmsKeyArns") && message.contains("arn:aws:s3:::my-bucket"),
        "{message}"
    );
    assert!(message.contains("service is \"s3\""), "{message}");
    assert!(std::error::Error::source(&error).is_some());
}

#[test]
fn bare_key_id_in_the_list_is_refused() {
    let error = error(r#"{"kmsKeyArns":"1234abcd-12ab-34cd-56ef-1234567890ab"}"#);
    assert!(matches!(error, ParameterError::BareKeyId { .. }));
    assert!(error.to_string().contains("kmsKeyArns"), "{error}");
    assert!(error.to_string().contains("key ARN"), "{error}");
}

#[test]
fn aws_managed_alias_in_the_list_is_refused() {
    for item in [
        "alias/aws/secretsmanager",
        "arn:aws:kms:us-east-1:111122223333:alias/aws/rds",
    ] {
        let error = RuleParameters::from_pairs([("kmsKeyArns", item)]).unwrap_err();
        assert!(
            matches!(error, ParameterError::AwsManagedAlias { .. }),
            "{item}"
        );
        assert!(error.to_string().contains("kmsKeyArns"), "{error}");
    }
}

#[test]
fn bad_role_names_are_refused() {
    for role in ["has space", "role/path", "x".repeat(65).as_str(), "rôle"] {
        let error = RuleParameters::from_pairs([("executionRoleName", role)]).unwrap_err();
        assert!(
            matches!(error, ParameterError::BadRoleName { .. }),
            "{role}"
        );
        assert_eq!(error.parameter(), Some("executionRoleName"));
    }
    let longest = "r".repeat(64);
    assert!(RuleParameters::from_pairs([("executionRoleName", longest.as_str())]).is_ok());
}

#[test]
fn overlong_exemption_tag_key_is_refused() {
    let long = "k".repeat(129);
    let error = RuleParameters::from_pairs([("exemptionTagKey", long.as_str())]).unwrap_err();
    assert_eq!(error.parameter(), Some("exemptionTagKey"));
}

#[test]
fn non_object_json_is_refused() {
    for raw in ["[]", "\"kmsKeyArns\"", "42", "null", "true"] {
        let error = error(raw);
        assert!(matches!(error, ParameterError::NotAnObject { .. }), "{raw}");
        assert!(error.to_string().contains("JSON object"), "{error}");
    }
}

#[test]
fn invalid_json_is_refused() {
    let error = error(r#"{"checkReplicas": "true""#);
    assert!(matches!(error, ParameterError::NotJson { .. }));
    assert!(
        error
            .to_string()
            .starts_with("ruleParameters is not valid JSON"),
        "{error}"
    );
    assert_eq!(error.parameter(), None);
}

#[test]
fn later_pairs_win_as_in_json() {
    let params =
        RuleParameters::from_pairs([("checkReplicas", "false"), ("checkReplicas", "true")])
            .unwrap();
    assert!(params.check_replicas);
    assert!(
        !parse(r#"{"checkReplicas":"true","checkReplicas":"false"}"#)
            .unwrap()
            .check_replicas
    );
}

#[test]
fn report_changes_only_is_off_by_default_and_read_as_a_boolean() {
    // GIVEN reportChangesOnly unset, blank, true and false in any case
    assert!(!RuleParameters::default().report_changes_only);
    for (raw, expected) in [("", false), (" ", false), ("TRUE", true), ("false", false)] {
        // WHEN parsed / THEN read as the boolean it says (blank: the default)
        let params = RuleParameters::from_pairs([("reportChangesOnly", raw)]).unwrap();
        assert_eq!(params.report_changes_only, expected, "{raw:?}");
    }
    assert!(
        parse(r#"{"reportChangesOnly":"true"}"#)
            .unwrap()
            .report_changes_only
    );
}

#[test]
fn bad_report_changes_only_names_parameter_and_value() {
    // GIVEN reportChangesOnly "1", and a JSON boolean instead of a string
    for (raw, shown) in [
        (r#"{"reportChangesOnly":"1"}"#, "\"1\""),
        (r#"{"reportChangesOnly":true}"#, "a boolean"),
    ] {
        // WHEN parsed / THEN refused, naming the parameter and what was given
        let error = error(raw);
        assert_eq!(error.parameter(), Some("reportChangesOnly"), "{raw}");
        let message = error.to_string();
        assert!(
            message.contains("reportChangesOnly") && message.contains(shown),
            "{message}"
        );
    }
}
