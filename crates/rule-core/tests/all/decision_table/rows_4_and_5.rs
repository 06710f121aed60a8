//! Rows 4 and 5: the default key and AWS managed aliases, NON_COMPLIANT without DescribeKey.

use rule_core::{Compliance, Row, key_lookups_needed};

use crate::support::*;

// ---- row 4: default key

#[test]
fn row_4_no_key_id_is_non_compliant_default_key() {
    // GIVEN a secret without a KmsKeyId
    let keys = Keys::new();
    // WHEN decided
    let verdict = verdict_of(decide_checked(&secret(), &params(), &keys));
    // THEN it is NON_COMPLIANT on the default key, with no lookup
    assert_eq!(verdict.compliance, Compliance::NonCompliant);
    assert_eq!(verdict.row, Row::DefaultKey);
    assert!(verdict.annotation.as_str().contains("aws/secretsmanager"));
    assert!(keys.asked().is_empty());
}

#[test]
fn row_4_empty_or_blank_key_id_is_the_default_key() {
    for stored in ["", "   "] {
        // GIVEN a secret whose KmsKeyId is empty or blank
        let secret = secret_with_key(stored);
        // WHEN decided / THEN it is the default key
        assert_eq!(
            verdict_of(decide_checked(&secret, &params(), &Keys::new())).row,
            Row::DefaultKey
        );
        assert!(key_lookups_needed(&secret, &params()).is_empty());
    }
}

// ---- row 5: alias/aws/*

#[test]
fn row_5_aws_alias_is_non_compliant_without_lookup() {
    // GIVEN a secret on alias/aws/secretsmanager
    let secret = secret_with_key("alias/aws/secretsmanager");
    let keys = Keys::new(); // panics if asked about alias/aws/*
    // WHEN its lookups are planned and it is decided
    let needed = key_lookups_needed(&secret, &params());
    let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
    // THEN nothing is looked up, and it is NON_COMPLIANT naming the alias
    assert!(needed.is_empty());
    assert!(keys.asked().is_empty());
    assert_eq!(verdict.compliance, Compliance::NonCompliant);
    assert_eq!(verdict.row, Row::AwsManagedAlias);
    assert!(
        verdict
            .annotation
            .as_str()
            .contains("alias/aws/secretsmanager")
    );
}

#[test]
fn row_5_aws_alias_arn_is_non_compliant_without_lookup() {
    // GIVEN a secret on the alias ARN of alias/aws/secretsmanager
    let secret = secret_with_key(&alias_arn(REGION, ACCOUNT, "alias/aws/secretsmanager"));
    let keys = Keys::new();
    // WHEN decided
    let verdict = verdict_of(decide_checked(&secret, &params(), &keys));
    // THEN row 5 applies without a lookup
    assert_eq!(verdict.row, Row::AwsManagedAlias);
    assert!(key_lookups_needed(&secret, &params()).is_empty());
    assert!(keys.asked().is_empty());
}
