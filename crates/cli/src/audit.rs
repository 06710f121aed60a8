//! `secrets-cmk audit`: what an auditor does by hand (list every secret, look at its key,
//! ask KMS who manages that key), with the rule's own sweep and decision table, so the
//! CLI and the Lambda can never disagree.

use crate::args::{AuditArgs, Format};
use crate::error::CliError;
use crate::output::{AuditRow, Summary, render_csv, render_json, render_table};
use crate::term::{Progress, stdout_width};
use rule_core::RuleParameters;
use secrets_cmk_aws::clients::{in_region, region_of};
use secrets_cmk_aws::{
    ApiCalls, AwsError, KeyDirectory, KmsKeyDirectory, SdkConfig, SecretStore, SecretsManagerStore,
    Sweep, SweepItem,
};
use std::io::Write;

/// What a sweep of one Region gave: every decided secret, and the ListSecrets error that
/// ended it early, if one did (what was decided before it stands).
#[derive(Debug)]
pub struct RegionSweep {
    /// The decided secrets.
    pub items: Vec<SweepItem>,
    /// Why the sweep stopped before the last page.
    pub error: Option<AwsError>,
}

/// Sweep one Region page by page, showing progress.
pub async fn sweep_region<S, K>(
    store: &S,
    keys: &K,
    params: &RuleParameters,
    region: &str,
    progress: &Progress,
) -> RegionSweep
where
    S: SecretStore + Sync,
    K: KeyDirectory + Sync,
{
    let mut sweep = Sweep::new(store, keys, params);
    let mut items = Vec::new();
    progress.status(format!("{region}: listing secrets"));
    loop {
        match sweep.next_page().await {
            Ok(Some(page)) => {
                items.extend(page);
                progress.status(format!(
                    "{region}: {} secrets checked ({} pages, {} keys described)",
                    items.len(),
                    sweep.pages(),
                    sweep.keys_described()
                ));
            }
            Ok(None) => return RegionSweep { items, error: None },
            Err(error) => {
                return RegionSweep {
                    items,
                    error: Some(error),
                };
            }
        }
    }
}

/// The Regions to audit: those given (each once, in order), else the configuration's.
pub fn audit_regions(base: &SdkConfig, given: &[String]) -> Result<Vec<String>, CliError> {
    let mut regions: Vec<String> = Vec::new();
    for region in given {
        let region = region.trim();
        if region.is_empty() {
            return Err(CliError::Usage("--region must not be empty".into()));
        }
        if !regions.iter().any(|r| r == region) {
            regions.push(region.to_owned());
        }
    }
    if regions.is_empty() {
        regions.push(region_of(base).ok_or(CliError::NoRegion)?);
    }
    Ok(regions)
}

/// Run the audit and write the results to stdout.
pub async fn run(
    base: &SdkConfig,
    regions: &[String],
    args: &AuditArgs,
    progress: &Progress,
) -> Result<(), CliError> {
    let params = args.rule.parameters()?;
    let regions = audit_regions(base, regions)?;
    let calls = ApiCalls::new();
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    // Sequentially: each Region has its own quotas, but one at a time keeps the progress
    // and any error easy to follow, and the KMS quota is shared account-wide anyway.
    for region in &regions {
        let config = in_region(base, region);
        let store = SecretsManagerStore::from_config(&config, calls.clone());
        let keys = KmsKeyDirectory::new(config, calls.clone());
        let swept = sweep_region(&store, &keys, &params, region, progress).await;
        rows.extend(swept.items.iter().map(AuditRow::from_item));
        if let Some(error) = swept.error {
            failures.push(format!("listing secrets in {region} stopped: {error}"));
        }
    }
    progress.clear();
    tracing::info!(regions = regions.len(), secrets = rows.len(), calls = ?calls.snapshot(), "audit done");

    let summary = Summary::of(&rows, regions.len());
    let text = match args.format {
        Format::Table => render_table(&rows, &summary, stdout_width()),
        Format::Json => {
            render_json(&rows).map_err(|e| CliError::Usage(format!("rendering JSON: {e}")))?
        }
        Format::Csv => {
            render_csv(&rows).map_err(|e| CliError::Usage(format!("rendering CSV: {e}")))?
        }
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    if args.format != Format::Table {
        // stdout holds only data in these formats; people still get the counts.
        eprintln!("{}", summary.line());
    }
    outcome(&summary, &failures, args.fail_on_noncompliant)
}

/// The exit status of an audit, from what it found: incomplete (unverified secrets or a
/// Region cut short) is an error (2) and wins over findings (1, only when asked for).
pub fn outcome(
    summary: &Summary,
    failures: &[String],
    fail_on_noncompliant: bool,
) -> Result<(), CliError> {
    let mut missing: Vec<String> = failures.to_vec();
    if summary.unverified > 0 {
        missing.push(format!(
            "{} secret(s) could not be verified (compliance null; the reason says why)",
            summary.unverified
        ));
    }
    if !missing.is_empty() {
        return Err(CliError::Incomplete(format!(
            "audit incomplete: {}",
            missing.join("; ")
        )));
    }
    if fail_on_noncompliant && summary.non_compliant > 0 {
        return Err(CliError::NonCompliant {
            count: summary.non_compliant,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(non_compliant: usize, unverified: usize) -> Summary {
        Summary {
            total: non_compliant + unverified + 1,
            compliant: 1,
            non_compliant,
            unverified,
            regions: 1,
            ..Summary::default()
        }
    }

    #[test]
    fn a_complete_audit_succeeds_unless_findings_are_to_fail() {
        assert!(outcome(&summary(2, 0), &[], false).is_ok());
        assert!(outcome(&summary(0, 0), &[], true).is_ok());
        let err = outcome(&summary(2, 0), &[], true).unwrap_err();
        assert_eq!(err.exit_code(), 1);
        assert_eq!(
            err.to_string(),
            "2 NON_COMPLIANT secret(s) found (--fail-on-noncompliant)"
        );
    }

    #[test]
    fn an_incomplete_audit_is_an_error_and_wins_over_findings() {
        // GIVEN an unverified secret, with and without findings to fail on
        for fail_on in [false, true] {
            let err = outcome(&summary(2, 1), &[], fail_on).unwrap_err();
            // THEN the exit code is 2 and the message counts what is missing
            assert_eq!(err.exit_code(), 2);
            assert!(
                err.to_string()
                    .contains("1 secret(s) could not be verified"),
                "{err}"
            );
        }
        // GIVEN a Region whose listing stopped
        let err = outcome(
            &summary(0, 0),
            &["listing secrets in eu-west-1 stopped: x".into()],
            false,
        )
        .unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("eu-west-1"), "{err}");
    }

    #[test]
    fn regions_are_deduplicated_and_default_to_the_configuration() {
        let base = in_region(&SdkConfig::builder().build(), "ap-south-1");
        let given = [
            "us-east-1".to_owned(),
            "eu-west-1".to_owned(),
            "us-east-1".to_owned(),
        ];
        assert_eq!(
            audit_regions(&base, &given).unwrap(),
            ["us-east-1", "eu-west-1"]
        );
        assert_eq!(audit_regions(&base, &[]).unwrap(), ["ap-south-1"]);
        let none = SdkConfig::builder().build();
        assert!(matches!(audit_regions(&none, &[]), Err(CliError::NoRegion)));
    }
}
