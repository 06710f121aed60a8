//! A sweep over more than a page of secrets: batching by 100, and exactly the minimum of
//! API calls: ceil(N/100) ListSecrets + K DescribeKey + ceil((N + cleaned)/100)
//! PutEvaluations (the last partial batch goes with the cleanup's) + the cleanup pages +
//! one DescribeSecret per stale candidate, nothing else.

use crate::RULE_BINARY;
use secrets_cmk_harness::seed::{
    NewSecret, create_alias, create_cmk, create_secret, create_secrets, force_delete_secret,
};
use secrets_cmk_harness::{Result, Stage};
use std::collections::BTreeMap;

#[tokio::test]
async fn sweep_of_250_secrets_over_4_key_references_makes_the_minimum_calls() -> Result<()> {
    // GIVEN 250 secrets: 4 key references (id, ARN, alias, alias ARN of 3 CMKs) plus
    // the default key
    let stage = Stage::start(RULE_BINARY).await?;
    let kms = stage.kms();
    let a = create_cmk(&kms, "a").await?;
    let b = create_cmk(&kms, "b").await?;
    let c = create_cmk(&kms, "c").await?;
    create_alias(&kms, "alias/c", &c.key_id).await?;
    let references = [
        Some(a.key_id.clone()),
        Some(b.arn.clone()),
        Some("alias/c".to_owned()),
        Some("arn:aws:kms:us-east-1:123456789012:alias/c".to_owned()),
        None,
    ];
    let secrets = create_secrets(&stage.secretsmanager(), "bulk", 250, |i| {
        references[i % 5].clone()
    })
    .await?;
    // AND one more secret, reported by a first sweep and deleted since: the one stale
    // candidate of the cleanup
    let gone = create_secret(&stage.secretsmanager(), &NewSecret::named("gone")).await?;
    stage.sweep(None).await?.assert_succeeded();
    force_delete_secret(&stage.secretsmanager(), &gone.arn).await?;
    let before = stage.emulator.requests().await?.len();

    // WHEN one scheduled sweep runs
    let invocation = stage.sweep(None).await?;

    // THEN every secret is reported once, in batches of at most 100
    invocation.assert_succeeded();
    assert_eq!(invocation.resources_reported(), 251);
    assert_eq!(
        invocation.batch_sizes().iter().sum::<usize>(),
        251,
        "each secret exactly once, and the gone one's NOT_APPLICABLE"
    );
    invocation.assert_verdict(&gone.arn, "NOT_APPLICABLE", &["no longer present"]);
    assert!(
        invocation.batch_sizes().iter().all(|n| *n <= 100),
        "{:?}",
        invocation.batch_sizes()
    );
    for (i, secret) in secrets.iter().enumerate() {
        let expected = if references[i % 5].is_some() {
            "COMPLIANT"
        } else {
            "NON_COMPLIANT"
        };
        invocation.assert_verdict(&secret.arn, expected, &[]);
    }

    // AND the calls are exactly the minimum
    let mut calls: BTreeMap<String, usize> = BTreeMap::new();
    for request in stage.emulator.requests().await?.into_iter().skip(before) {
        *calls.entry(request.operation).or_default() += 1;
    }
    let expected: BTreeMap<String, usize> = [
        ("ListSecrets", 3),
        // alias/c and its ARN are one reference once qualified
        ("DescribeKey", 3),
        // 200 verdicts while listing, then the last 50 together with the cleanup's one
        // NOT_APPLICABLE: ceil(251/100)
        ("PutEvaluations", 3),
        // the cleanup reads back the 251 results recorded, 100 a page
        ("GetComplianceDetailsByConfigRule", 3),
        // and confirms its one candidate is gone before clearing it
        ("DescribeSecret", 1),
    ]
    .into_iter()
    .map(|(op, n)| (op.to_owned(), n))
    .collect();
    assert_eq!(calls, expected);
    Ok(())
}
