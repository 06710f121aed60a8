//! `secrets-cmk report --aggregator --security-hub`: each result imported into Security
//! Hub by the account it belongs to, in its Region (the default product ARN takes only
//! the caller's own findings): the management account's with its own credentials, the
//! members' through `--role-name`; without the role, the members' findings are reported
//! as not imported (exit 2) and the management account's still are.

use crate::report::{AGGREGATOR, Member, OTHER_REGION, recorded_organization};
use crate::security_hub::{GENERATOR, stored_as};
use crate::support::Bench;
use secrets_cmk_harness::DEFAULT_REGION;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The Regions the organization's results are in.
const REGIONS: [&str; 2] = [DEFAULT_REGION, OTHER_REGION];

/// Security Hub enabled in every account and Region of the organization.
async fn enable_everywhere(bench: &Bench, members: &[Member]) {
    for member in members {
        for region in REGIONS {
            let config = bench.emulator.sdk_config(&member.credentials, region);
            aws_sdk_securityhub::Client::new(&config)
                .enable_security_hub()
                .send()
                .await
                .unwrap();
        }
    }
}

/// The finding Ids the report's JSON rows should become, by (account, Region).
fn expected_ids(rows: &Value) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut ids: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for row in rows.as_array().unwrap() {
        let text = |field: &str| row[field].as_str().unwrap().to_owned();
        ids.entry((text("account"), text("region")))
            .or_default()
            .insert(format!("{GENERATOR}/{}", text("resource_id")));
    }
    ids
}

/// The finding Ids Security Hub holds in each account and Region of the organization.
fn imported_ids(bench: &Bench, members: &[Member]) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut ids = BTreeMap::new();
    for member in members {
        for region in REGIONS {
            let found: BTreeSet<String> = stored_as(bench, &member.credentials, region)
                .into_keys()
                .collect();
            if !found.is_empty() {
                ids.insert((member.account.clone(), region.to_owned()), found);
            }
        }
    }
    ids
}

#[tokio::test]
async fn every_result_is_imported_by_its_own_account_in_its_region() {
    // GIVEN an organization whose accounts recorded the rule's verdicts, Security Hub on
    let (bench, members) = recorded_organization().await;
    enable_everywhere(&bench, &members).await;
    let rows = bench
        .run(&["report", "--aggregator", AGGREGATOR, "--format", "json"])
        .await
        .json();
    let expected = expected_ids(&rows);
    assert!(
        expected.len() >= 3,
        "results in several accounts: {expected:?}"
    );

    // WHEN the report imports them, reaching the members through their role
    let run = bench
        .run(&[
            "report",
            "--aggregator",
            AGGREGATOR,
            "--security-hub",
            "--role-name",
            "OrganizationAccountAccessRole",
        ])
        .await;

    // THEN it succeeds, and each account and Region holds exactly its own results
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(imported_ids(&bench, &members), expected);
}

#[tokio::test]
async fn without_a_role_the_members_findings_are_reported_not_imported() {
    // GIVEN the same organization, Security Hub on everywhere
    let (bench, members) = recorded_organization().await;
    enable_everywhere(&bench, &members).await;
    let rows = bench
        .run(&["report", "--aggregator", AGGREGATOR, "--format", "json"])
        .await
        .json();
    let management = members[0].account.clone();
    let own: BTreeMap<_, _> = expected_ids(&rows)
        .into_iter()
        .filter(|((account, _), _)| *account == management)
        .collect();

    // WHEN the report imports without --role-name
    let run = bench
        .run(&["report", "--aggregator", AGGREGATOR, "--security-hub"])
        .await;

    // THEN exit 2 names each member whose findings were not imported, and why
    assert_eq!(run.code, 2, "{}", run.stderr);
    for member in &members[1..] {
        run.assert_stderr_has(&format!("finding(s) of {} ", member.account));
    }
    run.assert_stderr_has("were not imported into Security Hub");
    // AND the management account's own findings were imported all the same
    assert_eq!(imported_ids(&bench, &members), own);
}
