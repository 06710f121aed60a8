//! The demo's report step: the rule deployed in every member (the `members` placement:
//! each account's own function, its own credentials) sweeps each Region; an organization
//! aggregator in the management account; then `secrets-cmk report --aggregator` reads
//! every account's results centrally, as a table and as the HTML report.
//!
//! The demo checks what it shows: the report's JSON must hold exactly the last result
//! the rule recorded for each resource in each account and Region (the emulator's log
//! of PutEvaluations, read independently), else the demo fails.

use crate::{cli, finish, path_str};
use aws_sdk_config::types::OrganizationAggregationSource;
use secrets_cmk_harness::events::{RULE_NAME, RuleContext, now, scheduled_event};
use secrets_cmk_harness::seed::assume_role;
use secrets_cmk_harness::{DEFAULT_REGION, Emulator, Error, LambdaOptions, LambdaProcess, Result};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The aggregator the management account reads through.
const AGGREGATOR: &str = "org-secrets";

/// A result as the report and the recording both know it: (account, Region, rule,
/// resource) → (compliance, annotation).
type Results = BTreeMap<(String, String, String, String), (String, Option<String>)>;

/// Sweep every member in every Region with the rule, then report centrally.
pub(crate) async fn show_report(
    emulator: &Emulator,
    binaries: &crate::Binaries,
    members: &[String],
    regions: &[&str],
) -> Result<()> {
    for member in members {
        let credentials = assume_role(&emulator.sts(), member, "demo-rule").await?;
        for region in regions {
            let mut options = LambdaOptions::new(&binaries.rule, emulator)
                .with_region(*region)
                .with_credentials(credentials.clone());
            options.account_id.clone_from(member);
            let lambda = LambdaProcess::start(options).await?;
            let context = RuleContext::new(member.as_str(), *region)
                .with_result_token(emulator.mint_result_token(RULE_NAME).await?);
            println!("    the rule in {member}, {region}: a scheduled sweep");
            finish(
                lambda
                    .invoke_event(&scheduled_event(&context, now()))
                    .await?,
            )?;
            lambda.stop();
        }
    }
    create_aggregator(emulator).await?;

    let report = |extra: &[&str]| -> Vec<String> {
        ["report", "--aggregator", AGGREGATOR]
            .iter()
            .chain(extra)
            .map(|a| (*a).to_owned())
            .collect()
    };
    let what = "every account's results, read from the organization aggregator";
    cli(&binaries.cli, emulator, &report(&[]), what, &[0])?;
    let html = binaries
        .cli
        .with_file_name("secrets-cmk-demo-org-report.html");
    let html_path = path_str(&html);
    let args = report(&["--format", "html", "--output", html_path.as_str()]);
    cli(
        &binaries.cli,
        emulator,
        &args,
        "the same as the HTML report",
        &[0],
    )?;
    println!("    the organization's HTML report is {}", html.display());

    // Not shown: the same as JSON, compared with what the rule recorded.
    let json = quiet_cli(&binaries.cli, emulator, &report(&["--format", "json"]))?;
    let reported = reported_results(&json)?;
    let recorded = recorded_results(emulator).await?;
    if reported != recorded {
        return Err(Error::Invalid(format!(
            "the report differs from what the rule recorded: reported {} results, recorded {}",
            reported.len(),
            recorded.len()
        )));
    }
    println!(
        "    checked: the report holds exactly the {} results the rule recorded in {} accounts",
        recorded.len(),
        members.len() + 1
    );
    Ok(())
}

/// The organization aggregator of the management account (all Regions).
async fn create_aggregator(emulator: &Emulator) -> Result<()> {
    let source = OrganizationAggregationSource::builder()
        .role_arn(format!(
            "arn:aws:iam::{}:role/secrets-cmk-aggregator",
            secrets_cmk_harness::DEFAULT_ACCOUNT
        ))
        .all_aws_regions(true)
        .build()
        .map_err(|e| Error::Invalid(format!("the aggregation source: {e}")))?;
    emulator
        .config(DEFAULT_REGION)
        .put_configuration_aggregator()
        .configuration_aggregator_name(AGGREGATOR)
        .organization_aggregation_source(source)
        .send()
        .await
        .map_err(|e| Error::Invalid(format!("PutConfigurationAggregator: {e}")))?;
    println!("    organization aggregator {AGGREGATOR} created in the management account");
    Ok(())
}

/// The CLI's stdout, without echoing it.
fn quiet_cli(binary: &Path, emulator: &Emulator, args: &[String]) -> Result<String> {
    crate::run_cli(binary, emulator, args).and_then(|output| match output.status.code() {
        Some(0) => Ok(String::from_utf8_lossy(&output.stdout).into_owned()),
        other => Err(Error::Invalid(format!(
            "secrets-cmk {} exited with {other:?}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ))),
    })
}

/// The report's JSON rows as results.
fn reported_results(json: &str) -> Result<Results> {
    let rows: Vec<Value> = serde_json::from_str(json)
        .map_err(|e| Error::Invalid(format!("the report's JSON: {e}")))?;
    let text = |row: &Value, field: &str| -> String {
        row.get(field)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Ok(rows
        .iter()
        .map(|row| {
            (
                (
                    text(row, "account"),
                    text(row, "region"),
                    text(row, "rule"),
                    text(row, "resource_id"),
                ),
                (
                    text(row, "compliance"),
                    row.get("annotation")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                ),
            )
        })
        .collect())
}

/// The last result the rule put for each resource, from the emulator's log. An
/// aggregator holds COMPLIANT and NON_COMPLIANT results only, so NOT_APPLICABLE ones are
/// left out.
async fn recorded_results(emulator: &Emulator) -> Result<Results> {
    let mut last: Results = BTreeMap::new();
    let mut puts = emulator.evaluations().await?;
    puts.sort_by_key(|put| put.seq);
    for put in puts.iter().filter(|put| !put.test_mode) {
        let rule = put.config_rule_name.clone().unwrap_or_default();
        for evaluation in &put.evaluations {
            last.insert(
                (
                    put.account.clone(),
                    put.region.clone(),
                    rule.clone(),
                    evaluation.resource_id.clone(),
                ),
                (
                    evaluation.compliance_type.clone(),
                    evaluation.annotation.clone(),
                ),
            );
        }
    }
    last.retain(|_, (compliance, _)| compliance != "NOT_APPLICABLE");
    Ok(last)
}
