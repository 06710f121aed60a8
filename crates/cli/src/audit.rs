//! `secrets-cmk audit`: what an auditor does by hand (list every secret, look at its key,
//! ask KMS who manages that key), with the rule's own sweep and decision table, so the
//! CLI and the Lambda can never disagree.

use crate::args::{AuditArgs, Format, RuleArgs};
use crate::error::CliError;
use crate::output::asff::{AsffRun, AsffSubject, DEFAULT_GENERATOR_ID, render_asff};
use crate::output::{
    AuditRow, ReportMeta, Summary, TableView, render_csv, render_html, render_json, render_table,
};
use crate::term::{Progress, stdout_view};
use chrono::{SecondsFormat, Utc};
use rule_core::RuleParameters;
use secrets_cmk_aws::clients::{in_region, region_of};
use secrets_cmk_aws::{
    ApiCalls, AwsError, KeyDirectory, KmsKeyDirectory, SdkConfig, SecretStore, SecretsManagerStore,
    Sweep, SweepItem,
};
use std::io::Write;
use std::path::Path;

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

/// Run the audit and write the results to stdout, or to `--output`.
pub async fn run(
    base: &SdkConfig,
    regions: &[String],
    args: &AuditArgs,
    progress: &Progress,
) -> Result<(), CliError> {
    if args.scope.is_organization_audit() {
        return crate::organization::run(base, regions, args, progress).await;
    }
    let params = args.rule.parameters()?;
    let regions = audit_regions(base, regions)?;
    let calls = ApiCalls::new();
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    // Sequentially: each Region has its own quotas, but one at a time keeps the progress
    // and any error easy to follow, and the KMS quota is shared account-wide anyway.
    let total = regions.len() as u64;
    for (done, region) in (0_u64..).zip(&regions) {
        progress.counted(done, total, format!("{region}: listing secrets"));
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
    let text = render(&rows, &summary, args, &regions)?;
    write_output(args.output.as_deref(), &text)?;
    if args.format != Format::Table || args.output.is_some() {
        // stdout holds only data in these formats; people still get the counts.
        eprintln!("{}", summary.line());
    }
    if let Some(path) = &args.output {
        eprintln!(
            "wrote the {} to {}",
            format_name(args.format),
            path.display()
        );
    }
    if args.security_hub {
        let report = crate::security_hub::import_own_account(base, &rows, progress).await;
        failures.extend(report.announce());
    }
    outcome(&summary, &failures, args.fail_on_noncompliant)
}

/// The results in the format asked for. A table for a file is drawn as for a pipe.
pub(crate) fn render(
    rows: &[AuditRow],
    summary: &Summary,
    args: &AuditArgs,
    regions: &[String],
) -> Result<String, CliError> {
    Ok(match args.format {
        Format::Table => {
            let view = match args.output {
                None => stdout_view(args.show),
                Some(_) => TableView {
                    show: args.show,
                    ..TableView::default()
                },
            };
            render_table(rows, summary, &view)
        }
        Format::Json => {
            render_json(rows).map_err(|e| CliError::Usage(format!("rendering JSON: {e}")))?
        }
        Format::Csv => {
            render_csv(rows).map_err(|e| CliError::Usage(format!("rendering CSV: {e}")))?
        }
        Format::Html => render_html(rows, &report_meta(summary, args, regions))
            .map_err(|e| CliError::Usage(format!("rendering HTML: {e}")))?,
        Format::Asff => render_asff_rows(rows)?,
    })
}

/// What the HTML report says about this run: its counts, time and parameters (as
/// given; the rule's defaults where none was).
pub fn report_meta(summary: &Summary, args: &AuditArgs, regions: &[String]) -> ReportMeta {
    let leading = vec![("Regions".to_owned(), regions.join(", "))];
    run_meta(
        "secrets-cmk audit",
        summary.line(),
        leading,
        &args.rule,
        "(the secret's own account)",
    )
}

/// A report's meta for a run of `title`: `leading` parameters, then the rule's own as
/// given (the rule's defaults where none was; `own_account` says whose account is
/// trusted by default). Shared with check-template.
pub(crate) fn run_meta(
    title: &str,
    headline: String,
    mut parameters: Vec<(String, String)>,
    rule: &RuleArgs,
    own_account: &str,
) -> ReportMeta {
    let or =
        |value: &Option<String>, default: &str| value.clone().unwrap_or_else(|| default.to_owned());
    parameters.extend([
        (
            "kmsKeyArns".to_owned(),
            or(&rule.kms_key_arns, "(any customer managed key)"),
        ),
        (
            "allowedKeyAccounts".to_owned(),
            or(&rule.allowed_key_accounts, own_account),
        ),
        (
            "checkReplicas".to_owned(),
            or(&rule.check_replicas, "true (default)"),
        ),
        (
            "requireEnabledKey".to_owned(),
            or(&rule.require_enabled_key, "true (default)"),
        ),
        (
            "exemptionTagKey".to_owned(),
            or(&rule.exemption_tag_key, "(none)"),
        ),
    ]);
    ReportMeta {
        title: title.to_owned(),
        headline,
        generated_at: Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
        parameters,
    }
}

/// The rows as ASFF findings of this run (`--format asff`).
fn render_asff_rows(rows: &[AuditRow]) -> Result<String, CliError> {
    let subjects: Vec<_> = rows.iter().map(AsffSubject::from_audit_row).collect();
    render_asff(&subjects, &AsffRun::now(DEFAULT_GENERATOR_ID))
        .map_err(|e| CliError::Usage(format!("rendering ASFF: {e}")))
}

pub(crate) fn format_name(format: Format) -> &'static str {
    match format {
        Format::Table => "table",
        Format::Json => "JSON",
        Format::Csv => "CSV",
        Format::Html => "HTML report",
        Format::Asff => "ASFF findings",
    }
}

/// Write `text` to the file, or to stdout. A file that cannot be written is exit 2,
/// naming it.
/// `text` to `--output` FILE, or to stdout (shared with check-template).
pub(crate) fn write_output(path: Option<&Path>, text: &str) -> Result<(), CliError> {
    match path {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| CliError::Usage(format!("cannot write --output {}: {e}", path.display()))),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
            Ok(())
        }
    }
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
