//! Key references in every form KMS accepts, and the many it does not.

use rule_core::{KeyRef, KeyRefProblem, Scope};

const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
const MRK_ID: &str = "mrk-1234abcd12ab34cd56ef1234567890ab";

fn scope() -> Scope {
    Scope {
        partition: "aws".into(),
        account: "111122223333".into(),
        region: "eu-west-1".into(),
    }
}

#[test]
fn key_ids_parse_in_uuid_and_multi_region_forms() {
    for id in [KEY_ID, MRK_ID, "1234ABCD-12AB-34CD-56EF-1234567890AB"] {
        assert_eq!(KeyRef::parse(id).unwrap(), KeyRef::KeyId(id.into()), "{id}");
    }
}

#[test]
fn key_arns_parse_into_their_parts() {
    let key = KeyRef::parse(&format!(
        "arn:aws-cn:kms:cn-north-1:111122223333:key/{MRK_ID}"
    ))
    .unwrap();
    assert_eq!(
        key,
        KeyRef::KeyArn {
            partition: "aws-cn".into(),
            region: "cn-north-1".into(),
            account: "111122223333".into(),
            key_id: MRK_ID.into(),
        }
    );
    assert_eq!(key.account(), Some("111122223333"));
    assert_eq!(key.region(), Some("cn-north-1"));
}

#[test]
fn alias_names_and_alias_arns_parse() {
    assert_eq!(
        KeyRef::parse("alias/team/app_key-1").unwrap(),
        KeyRef::AliasName("alias/team/app_key-1".into())
    );
    let arn = KeyRef::parse("arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/app").unwrap();
    assert_eq!(
        arn,
        KeyRef::AliasArn {
            partition: "aws-us-gov".into(),
            region: "us-gov-west-1".into(),
            account: "111122223333".into(),
            alias: "alias/app".into(),
        }
    );
    assert!(arn.is_alias());
    assert_eq!(KeyRef::AliasName("alias/x".into()).account(), None);
}

#[test]
fn every_form_displays_as_it_was_given() {
    for text in [
        KEY_ID,
        MRK_ID,
        "alias/app",
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-1:111122223333:alias/app/nested",
    ] {
        assert_eq!(KeyRef::parse(text).unwrap().to_string(), text);
    }
}

#[test]
fn aws_managed_aliases_are_recognised_as_name_and_arn() {
    assert!(
        KeyRef::parse("alias/aws/secretsmanager")
            .unwrap()
            .is_aws_managed_alias()
    );
    assert!(
        KeyRef::parse("arn:aws:kms:us-east-1:111122223333:alias/aws/secretsmanager")
            .unwrap()
            .is_aws_managed_alias()
    );
    // "alias/awsome" and key ARNs are not AWS managed aliases
    assert!(
        !KeyRef::parse("alias/awsome")
            .unwrap()
            .is_aws_managed_alias()
    );
    assert!(!KeyRef::parse(KEY_ID).unwrap().is_aws_managed_alias());
}

#[test]
fn bare_forms_are_qualified_into_the_scope_and_arns_kept() {
    // GIVEN a key id, an alias name, and an ARN of another region
    let other = "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    // WHEN qualified into eu-west-1 of 111122223333
    // THEN bare forms take the scope, ARNs stay as they are
    assert_eq!(
        KeyRef::parse(KEY_ID).unwrap().qualify(&scope()).as_str(),
        format!("arn:aws:kms:eu-west-1:111122223333:key/{KEY_ID}")
    );
    let alias = KeyRef::parse("alias/app").unwrap().qualify(&scope());
    assert_eq!(
        alias.as_str(),
        "arn:aws:kms:eu-west-1:111122223333:alias/app"
    );
    assert_eq!(alias.to_string(), alias.as_str());
    let kept = KeyRef::parse(other).unwrap().qualify(&scope());
    assert_eq!(kept.as_str(), other);
    assert_eq!(kept.account(), "444455556666");
    assert_eq!(kept.region(), "us-east-1");
    assert!(!kept.is_aws_managed_alias());
    assert!(
        KeyRef::parse("alias/aws/x")
            .unwrap()
            .qualify(&scope())
            .is_aws_managed_alias()
    );
}

#[test]
fn invalid_references_are_refused_with_the_reason() {
    type IsExpected = fn(&KeyRefProblem) -> bool;
    let cases: &[(&str, IsExpected)] = &[
        ("", |p| matches!(p, KeyRefProblem::Empty)),
        (" alias/app", |p| matches!(p, KeyRefProblem::Whitespace)),
        ("alias/app\n", |p| matches!(p, KeyRefProblem::Whitespace)),
        ("garbage", |p| matches!(p, KeyRefProblem::UnknownForm)),
        ("1234abcd", |p| matches!(p, KeyRefProblem::UnknownForm)),
        ("1234abcd-12ab-34cd-56ef-1234567890a", |p| {
            matches!(p, KeyRefProblem::BadKeyId)
        }),
        ("1234abcd-12ab-34cd-56ef1234567890ab", |p| {
            matches!(p, KeyRefProblem::BadKeyId)
        }),
        ("mrk-1234", |p| matches!(p, KeyRefProblem::BadKeyId)),
        ("mrk-1234abcd12ab34cd56ef1234567890ag", |p| {
            matches!(p, KeyRefProblem::BadKeyId)
        }),
        ("alias/", |p| matches!(p, KeyRefProblem::BadAliasName)),
        ("alias/has.dot", |p| {
            matches!(p, KeyRefProblem::BadAliasName)
        }),
        ("alias/ünïcode", |p| {
            matches!(p, KeyRefProblem::BadAliasName)
        }),
        ("arn:aws:kms:us-east-1:111122223333", |p| {
            matches!(p, KeyRefProblem::ArnShape)
        }),
        ("arn:aws:s3:::bucket", |p| {
            matches!(p, KeyRefProblem::WrongService { .. })
        }),
        ("arn:aws:s3:us-east-1:111122223333:bucket", |p| {
            matches!(p, KeyRefProblem::WrongService { .. })
        }),
        ("arn:gcp:kms:us-east-1:111122223333:alias/a", |p| {
            matches!(p, KeyRefProblem::BadPartition { .. })
        }),
        ("arn:aws:kms:useast1:111122223333:alias/a", |p| {
            matches!(p, KeyRefProblem::BadRegion { .. })
        }),
        ("arn:aws:kms:us-east-1:1111222233:alias/a", |p| {
            matches!(p, KeyRefProblem::BadAccount { .. })
        }),
        ("arn:aws:kms:us-east-1:11112222333x:alias/a", |p| {
            matches!(p, KeyRefProblem::BadAccount { .. })
        }),
        ("arn:aws:kms:us-east-1:111122223333:keys/1234", |p| {
            matches!(p, KeyRefProblem::NotAKmsResource)
        }),
        ("arn:aws:kms:us-east-1:111122223333:key/not-a-uuid", |p| {
            matches!(p, KeyRefProblem::BadKeyId)
        }),
        ("ARN:aws:kms:us-east-1:111122223333:alias/a", |p| {
            matches!(p, KeyRefProblem::UnknownForm)
        }),
    ];
    for (input, expected) in cases {
        // GIVEN an invalid reference / WHEN parsed
        let error = KeyRef::parse(input).unwrap_err();
        // THEN the problem is the expected one, and the message echoes the input
        assert!(expected(error.problem()), "{input:?}: {error}");
        assert!(error.to_string().contains(&format!("{input:?}")), "{error}");
    }
}

#[test]
fn alias_name_length_is_bounded() {
    assert!(KeyRef::parse(&format!("alias/{}", "a".repeat(250))).is_ok());
    assert!(KeyRef::parse(&format!("alias/{}", "a".repeat(251))).is_err());
}

#[test]
fn huge_input_is_refused_and_echoed_only_in_part() {
    // GIVEN a megabyte of garbage
    let huge = "x".repeat(1 << 20);
    // WHEN parsed / THEN the error is small
    let error = KeyRef::parse(&huge).unwrap_err();
    assert!(matches!(error.problem(), KeyRefProblem::TooLong { .. }));
    assert!(error.to_string().len() < 300, "{}", error.to_string().len());
}

#[test]
fn scope_comes_from_a_secret_arn() {
    // GIVEN a secret ARN with a path-like name / WHEN its scope is taken
    let scope = Scope::from_secret_arn(
        "arn:aws:secretsmanager:ap-southeast-2:111122223333:secret:a/b:c-AbCdEf",
    )
    .unwrap();
    // THEN partition, account and region are the ARN's
    assert_eq!(
        (
            scope.partition.as_str(),
            scope.account.as_str(),
            scope.region.as_str()
        ),
        ("aws", "111122223333", "ap-southeast-2")
    );
    // AND a replica's scope differs only in region
    let replica = scope.in_region("eu-west-1");
    assert_eq!(replica.region, "eu-west-1");
    assert_eq!(replica.account, scope.account);
    assert_eq!(replica.partition, scope.partition);
}

#[test]
fn bad_secret_arns_are_refused() {
    for arn in [
        "",
        "my-secret",
        "arn:aws:kms:us-east-1:111122223333:secret:x",
        "arn:aws:secretsmanager:us-east-1:111122223333:parameter/x",
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:",
        "arn:aws:secretsmanager:us-east-1:12:secret:x",
    ] {
        let error = Scope::from_secret_arn(arn).unwrap_err();
        assert!(error.to_string().contains("secret ARN"), "{error}");
    }
}
