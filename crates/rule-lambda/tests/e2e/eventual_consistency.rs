//! AWS's eventual consistency through the binary: ListSecrets lagging writes (modelled
//! by the emulator's `secretsmanager_list_lag` patch) never turns a real finding into
//! NOT_APPLICABLE, and the cleanup asks DescribeSecret only about its candidates.

use crate::RULE_BINARY;
use secrets_cmk_harness::events::SecretCi;
use secrets_cmk_harness::seed::{NewSecret, create_secret, force_delete_secret};
use secrets_cmk_harness::{DEFAULT_ACCOUNT, DEFAULT_REGION, Result, Stage};

#[tokio::test]
async fn a_secret_the_listing_lags_behind_keeps_its_finding_and_only_a_gone_one_is_cleared()
-> Result<()> {
    // GIVEN a secret on the default key, reported NON_COMPLIANT on its creation, that
    // ListSecrets does not show yet; and a secret reported before and deleted since
    let stage = Stage::start(RULE_BINARY).await?;
    let sm = stage.secretsmanager();
    let fresh = create_secret(&sm, &NewSecret::named("created-just-now")).await?;
    let gone = create_secret(&sm, &NewSecret::named("deleted-since")).await?;
    let steady = create_secret(&sm, &NewSecret::named("steady")).await?;
    stage.sweep(None).await?.assert_succeeded();
    stage
        .change(&SecretCi::for_arn(&fresh.arn), None)
        .await?
        .assert_verdict(&fresh.arn, "NON_COMPLIANT", &[]);
    force_delete_secret(&sm, &gone.arn).await?;
    stage
        .emulator
        .withhold_from_listing(DEFAULT_ACCOUNT, DEFAULT_REGION, &fresh.arn)
        .await?;
    let describes = stage.emulator.request_count("DescribeSecret").await?;

    // WHEN the periodic sweep runs
    let invocation = stage.sweep(None).await?;

    // THEN the lagging secret is still NON_COMPLIANT (decided again from DescribeSecret),
    // only the deleted one is NOT_APPLICABLE, and the listed one is untouched by the
    // cleanup
    let response = invocation.assert_succeeded();
    assert_eq!(response["cleanedUp"], 1, "{response}");
    assert_eq!(response["listedLate"], 1, "{response}");
    let stored = stage.stored_results().await?;
    assert_eq!(stored[&fresh.arn].compliance, "NON_COMPLIANT");
    assert_eq!(stored[&gone.arn].compliance, "NOT_APPLICABLE");
    assert!(
        stored[&gone.arn]
            .annotation
            .as_deref()
            .is_some_and(|a| a.contains("DescribeSecret does not find it")),
        "{:?}",
        stored[&gone.arn]
    );
    assert_eq!(stored[&steady.arn].compliance, "NON_COMPLIANT");
    // AND DescribeSecret was asked about the two candidates only
    assert_eq!(
        stage.emulator.request_count("DescribeSecret").await? - describes,
        2
    );
    Ok(())
}
