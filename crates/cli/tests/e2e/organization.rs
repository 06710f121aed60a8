//! `secrets-cmk audit --organization --role-name NAME` over an organization of several
//! accounts in two Regions: every secret of every account once with its verdict, an
//! account that cannot be reached (AssumeRole denied) reported while the others complete
//! (exit 2), `--accounts`, `--all-regions`, `--concurrency`, a closed (SUSPENDED) member
//! left out, and every format.
//!
//! The caller is the management account (moto's default account creates the
//! organization); the members are accounts it creates; moto's AssumeRole needs no role
//! to exist, and its credentials act in the role's account.

use crate::support::{Bench, Run};
use secrets_cmk_harness::organization::{create_organization_with, organizations};
use secrets_cmk_harness::seed::{NewSecret, assume_role, create_cmk, create_secret};
use secrets_cmk_harness::{Credentials, DEFAULT_ACCOUNT, DEFAULT_REGION};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const ROLE: &str = "SecretsCmkAudit";
const REGIONS: [&str; 2] = [DEFAULT_REGION, "eu-west-1"];
/// The Regions an emulator account has enabled by default (the account patch's list).
const DEFAULT_REGIONS: usize = 17;

/// One secret as the audit should report it: account, Region, name, compliance.
type Expected = BTreeSet<(String, String, String, String)>;

/// An organization of the management account and `members` new accounts; its ids,
/// management first.
async fn organization(bench: &Bench, members: usize) -> Vec<String> {
    let names: Vec<String> = (0..members).map(|n| format!("member{n}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut accounts = vec![DEFAULT_ACCOUNT.to_owned()];
    accounts.extend(
        create_organization_with(&bench.emulator, &names)
            .await
            .unwrap(),
    );
    accounts
}

async fn credentials(bench: &Bench, account: &str) -> Credentials {
    if account == DEFAULT_ACCOUNT {
        return Credentials::default_account();
    }
    assume_role(&bench.emulator.sts(), account, "seeder")
        .await
        .unwrap()
}

/// In `account` and `region`: a secret on a customer managed key of that account
/// (COMPLIANT) and one on the default key (NON_COMPLIANT); what the audit should say.
async fn seed(bench: &Bench, account: &str, region: &str) -> Expected {
    let creds = credentials(bench, account).await;
    let kms = bench.emulator.kms_as(&creds, region);
    let sm = bench.emulator.secretsmanager_as(&creds, region);
    let key = create_cmk(&kms, "org audit").await.unwrap();
    create_secret(&sm, &NewSecret::named("on-cmk").with_kms_key(&key.arn))
        .await
        .unwrap();
    create_secret(&sm, &NewSecret::named("on-default"))
        .await
        .unwrap();
    [("on-cmk", "COMPLIANT"), ("on-default", "NON_COMPLIANT")]
        .into_iter()
        .map(|(name, verdict)| {
            (
                account.to_owned(),
                region.to_owned(),
                name.to_owned(),
                verdict.to_owned(),
            )
        })
        .collect()
}

/// Seed every account in both Regions; what the audit should say.
async fn seed_all(bench: &Bench, accounts: &[String]) -> Expected {
    let mut expected = Expected::new();
    for account in accounts {
        for region in REGIONS {
            expected.extend(seed(bench, account, region).await);
        }
    }
    expected
}

/// The secrets of the JSON output, failing on one reported twice.
fn reported(run: &Run) -> Expected {
    let rows = run.json();
    let rows = rows.as_array().expect("a JSON array");
    let set: Expected = rows
        .iter()
        .map(|row| {
            let text = |field: &str| row[field].as_str().unwrap_or("(null)").to_owned();
            (
                text("account"),
                text("region"),
                text("name"),
                text("compliance"),
            )
        })
        .collect();
    assert_eq!(set.len(), rows.len(), "a secret was reported twice");
    set
}

fn only(expected: &Expected, accounts: &[&str]) -> Expected {
    expected
        .iter()
        .filter(|(account, ..)| accounts.contains(&account.as_str()))
        .cloned()
        .collect()
}

fn org_audit<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "audit",
        "--organization",
        "--role-name",
        ROLE,
        "--region",
        REGIONS[0],
        "--region",
        REGIONS[1],
    ];
    args.extend_from_slice(extra);
    args
}

#[tokio::test]
async fn every_secret_of_every_account_is_reported_once_with_its_verdict() {
    // GIVEN an organization of 3 accounts, each with 2 secrets in each of 2 Regions
    let bench = Bench::start().await.unwrap();
    let accounts = organization(&bench, 2).await;
    let expected = seed_all(&bench, &accounts).await;
    let seeding_assumes = bench.emulator.request_count("AssumeRole").await.unwrap();

    // WHEN the organization is audited as JSON
    let run = bench.run(&org_audit(&["--format", "json"])).await;

    // THEN every seeded secret is reported once, with its account, Region and verdict
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(reported(&run), expected);
    // AND the role was assumed once per member account (cached across its Regions), the
    // caller's own account reached with its own credentials
    let assumed = bench.emulator.request_count("AssumeRole").await.unwrap() - seeding_assumes;
    assert_eq!(assumed, accounts.len() - 1);
    // AND the summary and the reach are on stderr
    run.assert_stderr_has("12 secrets in 2 Regions: 6 COMPLIANT, 6 NON_COMPLIANT");
    run.assert_stderr_has("Accounts: 3 audited (6 account-Region(s) swept");

    // AND --fail-on-noncompliant fails on the findings of any account
    let run = bench
        .run(&org_audit(&["--format", "json", "--fail-on-noncompliant"]))
        .await;
    assert_eq!(run.code, 1);
    run.assert_stderr_has("6 NON_COMPLIANT secret(s) found");
}

#[tokio::test]
async fn an_unreachable_account_is_reported_and_the_others_complete() {
    // GIVEN an organization whose second member denies the audit role
    let bench = Bench::start().await.unwrap();
    let accounts = organization(&bench, 2).await;
    let expected = seed_all(&bench, &accounts).await;
    let denied = accounts[2].as_str();
    bench
        .emulator
        .set_faults(json!({"rules": [
            {"service": "sts", "operation": "AssumeRole", "kind": "access_denied", "match": denied}
        ]}))
        .await
        .unwrap();

    // WHEN audited as JSON
    let run = bench.run(&org_audit(&["--format", "json"])).await;

    // THEN the other accounts' secrets are all there, exit 2, the denied account named
    assert_eq!(run.code, 2);
    assert_eq!(
        reported(&run),
        only(&expected, &[&accounts[0], &accounts[1]])
    );
    run.assert_stderr_has(&format!(
        "{denied} (every Region): could not assume arn:aws:iam::{denied}:role/{ROLE}"
    ));
    run.assert_stderr_has("AccessDenied");

    // AND the table says which account was not audited and why, after the findings
    let run = bench.run(&org_audit(&[])).await;
    assert_eq!(run.code, 2);
    run.assert_stdout_has("Not audited (1):");
    run.assert_stdout_has(&format!("  {denied} (every Region): could not assume"));
    run.assert_stdout_has("Accounts: 2 audited (4 account-Region(s) swept");
    run.assert_stdout_has(&accounts[1]);
}

#[tokio::test]
async fn accounts_audits_only_those_and_checks_them() {
    // GIVEN an organization of 3 accounts with secrets
    let bench = Bench::start().await.unwrap();
    let accounts = organization(&bench, 2).await;
    let expected = seed_all(&bench, &accounts).await;
    let member = accounts[1].as_str();

    // WHEN one member is named, without --organization
    let named = [
        "audit",
        "--accounts",
        member,
        "--role-name",
        ROLE,
        "--region",
        REGIONS[0],
        "--region",
        REGIONS[1],
        "--format",
        "json",
    ];
    let run = bench.run(&named).await;
    // THEN only its secrets are reported
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(reported(&run), only(&expected, &[member]));

    // WHEN the caller's own account is named alone / THEN no role is needed
    let own = [
        "audit",
        "--accounts",
        DEFAULT_ACCOUNT,
        "--region",
        REGIONS[0],
        "--format",
        "json",
    ];
    let run = bench.run(&own).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(reported(&run).len(), 2);

    // WHEN with --organization, an account outside it is named too
    let outsider = "999988887777";
    let list = format!("{member},{outsider}");
    let run = bench
        .run(&org_audit(&["--accounts", &list, "--format", "json"]))
        .await;
    // THEN the member is audited, the outsider reported as not a member, exit 2
    assert_eq!(run.code, 2);
    assert_eq!(reported(&run), only(&expected, &[member]));
    run.assert_stderr_has(&format!(
        "{outsider} (every Region): not a member of the organization"
    ));

    // AND a malformed id, or another account without --role-name, is bad input
    let run = bench.run(&["audit", "--accounts", "12345678901x"]).await;
    assert_eq!(run.code, 2);
    run.assert_stderr_has("--accounts: \"12345678901x\" is not an account id (12 digits)");
    let run = bench.run(&["audit", "--organization"]).await;
    assert_eq!(run.code, 2);
    run.assert_stderr_has("--role-name is required");
}

#[tokio::test]
async fn a_suspended_member_is_left_out() {
    // GIVEN an organization of 3 accounts, one of them closed (SUSPENDED)
    let bench = Bench::start().await.unwrap();
    let accounts = organization(&bench, 2).await;
    let expected = seed_all(&bench, &accounts).await;
    let closed = accounts[2].as_str();
    organizations(&bench.emulator)
        .close_account()
        .account_id(closed)
        .send()
        .await
        .unwrap();

    // WHEN the organization is audited
    let run = bench.run(&org_audit(&["--format", "json"])).await;

    // THEN the closed account is not audited, and that is not a failure
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        reported(&run),
        only(&expected, &[&accounts[0], &accounts[1]])
    );
    run.assert_stderr_has(&format!("Left out, not ACTIVE: {closed} (SUSPENDED)"));
    // AND naming it explicitly reports it as not audited
    let run = bench
        .run(&org_audit(&["--accounts", closed, "--format", "json"]))
        .await;
    assert_eq!(run.code, 2);
    run.assert_stderr_has("its state in the organization is SUSPENDED");
}

#[tokio::test]
async fn all_regions_sweeps_each_accounts_enabled_regions() {
    // GIVEN an organization of 3 accounts, seeded in 2 default Regions, and one member
    // that enabled the opt-in Region af-south-1 and keeps a secret there
    let bench = Bench::start().await.unwrap();
    let accounts = organization(&bench, 2).await;
    let mut expected = seed_all(&bench, &accounts).await;
    let member = accounts[1].as_str();
    let creds = credentials(&bench, member).await;
    aws_sdk_account::Client::new(&bench.emulator.sdk_config(&creds, DEFAULT_REGION))
        .enable_region()
        .region_name("af-south-1")
        .send()
        .await
        .unwrap();
    expected.extend(seed(&bench, member, "af-south-1").await);

    // WHEN audited with --all-regions
    let args = [
        "audit",
        "--organization",
        "--role-name",
        ROLE,
        "--all-regions",
        "--format",
        "json",
    ];
    let run = bench.run(&args).await;

    // THEN every secret is found, af-south-1 swept in that member only
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(reported(&run), expected);
    let pairs = DEFAULT_REGIONS * accounts.len() + 1;
    run.assert_stderr_has(&format!(
        "Accounts: 3 audited ({pairs} account-Region(s) swept"
    ));
    // AND ListRegions was asked once per account (the request log names no operation for
    // this REST service, so its calls are counted by service)
    let log = bench.emulator.requests_json().await.unwrap();
    let account_calls = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["service"] == "account")
        .count();
    // one EnableRegion by the seeding, then one ListRegions per account
    assert_eq!(account_calls, 1 + accounts.len());

    // AND --all-regions with --region is bad input
    let run = bench
        .run(&["audit", "--all-regions", "--region", "us-east-1"])
        .await;
    assert_eq!(run.code, 2);
}

#[tokio::test]
async fn concurrency_one_and_high_give_the_same_results() {
    // GIVEN an organization of 4 accounts in 2 Regions
    let bench = Bench::start().await.unwrap();
    let accounts = organization(&bench, 3).await;
    let expected = seed_all(&bench, &accounts).await;

    // WHEN audited one pair at a time, and 64 at once
    let one = bench
        .run(&org_audit(&["--format", "json", "--concurrency", "1"]))
        .await;
    let many = bench
        .run(&org_audit(&["--format", "json", "--concurrency", "64"]))
        .await;

    // THEN both report every secret, in the same order
    assert_eq!((one.code, many.code), (0, 0));
    assert_eq!(reported(&one), expected);
    assert_eq!(one.json(), many.json());
    // AND a concurrency out of 1..=64 is bad input
    for bad in ["0", "65"] {
        let run = bench.run(&org_audit(&["--concurrency", bad])).await;
        assert_eq!(run.code, 2);
        run.assert_stderr_has("--concurrency");
    }
}

#[tokio::test]
async fn csv_and_html_carry_every_account() {
    // GIVEN an organization of 3 accounts, one denying the audit role
    let bench = Bench::start().await.unwrap();
    let accounts = organization(&bench, 2).await;
    seed_all(&bench, &accounts).await;
    let denied = accounts[2].as_str();
    bench
        .emulator
        .set_faults(json!({"rules": [
            {"service": "sts", "operation": "AssumeRole", "kind": "access_denied", "match": denied}
        ]}))
        .await
        .unwrap();

    // WHEN written as CSV
    let run = bench.run(&org_audit(&["--format", "csv"])).await;
    // THEN a row per secret of the reachable accounts, with account and Region columns
    assert_eq!(run.code, 2);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].starts_with("arn,name,account,region,"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), 1 + 8);
    for account in &accounts[..2] {
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.contains(&format!(",{account},")))
                .count(),
            4
        );
    }

    // WHEN written as the HTML report
    let report = bench.path("org.html");
    let path = report.to_str().unwrap();
    let run = bench
        .run(&org_audit(&["--format", "html", "--output", path]))
        .await;
    // THEN its parameters list the accounts audited and the one not reached
    assert_eq!(run.code, 2);
    let page = std::fs::read_to_string(&report).unwrap();
    assert!(
        page.contains("Accounts audited"),
        "no accounts in the report"
    );
    assert!(page.contains(&format!("2: {}, {}", accounts[0], accounts[1])));
    assert!(page.contains(&format!("{denied} (every Region): could not assume")));
    let rows: Value = bench.run(&org_audit(&["--format", "json"])).await.json();
    assert_eq!(rows.as_array().unwrap().len(), 8);
}

#[tokio::test]
async fn security_hub_gets_each_accounts_findings_from_that_account() {
    // GIVEN an organization of 3 accounts in 2 Regions, Security Hub enabled everywhere
    let bench = Bench::start().await.unwrap();
    let accounts = organization(&bench, 2).await;
    seed_all(&bench, &accounts).await;
    for account in &accounts {
        let creds = credentials(&bench, account).await;
        for region in REGIONS {
            let config = bench.emulator.sdk_config(&creds, region);
            aws_sdk_securityhub::Client::new(&config)
                .enable_security_hub()
                .send()
                .await
                .unwrap();
        }
    }

    let before = bench.emulator.requests_json().await.unwrap()["requests"]
        .as_array()
        .unwrap()
        .len();

    // WHEN the organization is audited with --security-hub
    let run = bench
        .run(&org_audit(&["--format", "json", "--security-hub"]))
        .await;

    // THEN every finding is imported, each account's by that account in its Region
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.assert_stderr_has("Security Hub: 12 finding(s) imported, 0 failed");
    // (the request log names no operation for this REST service: after the enabling,
    // every Security Hub call is an import)
    let log = bench.emulator.requests_json().await.unwrap();
    let importers: BTreeSet<(String, String)> = log["requests"].as_array().unwrap()[before..]
        .iter()
        .filter(|r| r["service"] == "securityhub")
        .map(|r| {
            (
                r["account"].as_str().unwrap().to_owned(),
                r["region"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = accounts
        .iter()
        .flat_map(|a| REGIONS.map(|r| (a.clone(), r.to_owned())))
        .collect();
    assert_eq!(importers, expected);
}

#[tokio::test]
async fn a_region_whose_listing_is_denied_is_reported_and_the_rest_complete() {
    // GIVEN an organization of 3 accounts, and the first ListSecrets of the run denied
    let bench = Bench::start().await.unwrap();
    let accounts = organization(&bench, 2).await;
    let expected = seed_all(&bench, &accounts).await;
    bench
        .emulator
        .set_faults(json!({"rules": [
            {"service": "secretsmanager", "operation": "ListSecrets", "kind": "access_denied", "count": 1}
        ]}))
        .await
        .unwrap();

    // WHEN the organization is audited
    let run = bench.run(&org_audit(&["--format", "json"])).await;

    // THEN exactly one account-Region is missing (both its secrets), every other secret
    // is reported, and that account-Region is named with its error; exit 2
    assert_eq!(run.code, 2);
    let reported = reported(&run);
    assert!(reported.is_subset(&expected));
    let missing: BTreeSet<(String, String)> = expected
        .difference(&reported)
        .map(|(account, region, ..)| (account.clone(), region.clone()))
        .collect();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!(reported.len(), expected.len() - 2);
    let (account, region) = missing.first().unwrap();
    run.assert_stderr_has(&format!(
        "{account} {region}: listing secrets stopped after 0 secret(s): secretsmanager:ListSecrets failed (AccessDenied"
    ));
    run.assert_stderr_has("Accounts: 3 audited (6 account-Region(s) swept");
}
