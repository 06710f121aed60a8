//! `secrets-cmk report`: what the deployed rule recorded in every account and Region of
//! an organization, read centrally from an AWS Config aggregator. AWS Config did the
//! distributed work; no role in the member accounts is needed.
//!
//! | module | what |
//! |---|---|
//! | here | the run: read, render, write, the exit status |
//! | [`aggregator`] | the two aggregate read APIs (a trait and its SDK adapter), and paging through them |
//! | [`rows`] | the model: a result per row, its JSON and CSV, the summary line |
//! | [`people`] | the results as findings (the table and the HTML report) |

pub mod aggregator;
pub mod people;
pub mod rows;

use crate::args::{ReportArgs, ReportFormat, single_region};
use crate::error::CliError;
use crate::output::asff::{AsffRun, DEFAULT_GENERATOR_ID, render_asff};
use crate::output::{ReportMeta, TableView, html, render_findings};
use crate::term::{Progress, stdout_view};
use aggregator::{Collected, ConfigAggregator, NO_SUCH_AGGREGATOR, ReadFailure, collect};
use chrono::{SecondsFormat, Utc};
use rows::{ReportSummary, render_csv, render_json, sort_rows};
use secrets_cmk_aws::clients::{in_region, region_of};
use secrets_cmk_aws::{ApiCalls, SdkConfig};

/// What a report read, sorted, with its counts and the aggregator's Region.
#[derive(Debug)]
pub struct Report {
    /// The rules kept, their results (sorted: account, Region, rule, resource) and the
    /// calls that failed.
    pub collected: Collected,
    /// The counts.
    pub summary: ReportSummary,
    /// The aggregator's Region.
    pub region: String,
}

/// Read the aggregator `args` names (for `run`, and for outputs built on the rows, such
/// as the Security Hub import). A missing aggregator is an error naming it; any other
/// failed call is kept in `collected.failures` with what was read before it.
pub async fn read(
    base: &SdkConfig,
    regions: &[String],
    args: &ReportArgs,
    progress: &Progress,
) -> Result<Report, CliError> {
    let aggregator = args.aggregator.trim();
    if aggregator.is_empty() {
        return Err(CliError::Usage("--aggregator must not be empty".into()));
    }
    if args.rule_prefix.is_empty() {
        return Err(CliError::Usage("--rule-name must not be empty".into()));
    }
    let region = match single_region(regions, "report")? {
        Some(region) => region.to_owned(),
        None => region_of(base).ok_or(CliError::NoRegion)?,
    };
    let calls = ApiCalls::new();
    let api = ConfigAggregator::from_config(&in_region(base, &region), calls.clone());
    let mut collected = collect(&api, aggregator, &args.rule_prefix, progress).await;
    progress.clear();
    tracing::info!(
        aggregator,
        rules = collected.scopes.len(),
        results = collected.rows.len(),
        pages = collected.pages,
        calls = ?calls.snapshot(),
        "report read"
    );
    if let Some(missing) = missing_aggregator(&collected.failures) {
        return Err(CliError::Usage(format!(
            "no AWS Config aggregator {aggregator:?} in {region} of this account ({missing}): \
             check the name (aws configservice describe-configuration-aggregators), and pass \
             the aggregator's Region with --region"
        )));
    }
    sort_rows(&mut collected.rows);
    let summary = ReportSummary::of(
        &collected.rows,
        collected
            .scopes
            .iter()
            .map(|s| (s.rule.as_str(), s.account.as_str(), s.region.as_str())),
    );
    Ok(Report {
        collected,
        summary,
        region,
    })
}

/// Run the report: read the aggregator, write the results (also a part, when a call
/// failed), and end with the exit status the help states.
pub async fn run(
    base: &SdkConfig,
    regions: &[String],
    args: &ReportArgs,
    progress: &Progress,
) -> Result<(), CliError> {
    let Report {
        collected,
        summary,
        region,
    } = read(base, regions, args, progress).await?;
    let text = render(&collected, &summary, args, &region)?;
    crate::audit::write_output(args.output.as_deref(), &text)?;
    if args.format != ReportFormat::Table || args.output.is_some() {
        eprintln!("{}", summary.line());
    }
    if collected.scopes.is_empty() && collected.failures.is_empty() {
        eprintln!(
            "secrets-cmk: no rule whose name starts with {:?} has results in aggregator {:?} \
             (a rule without results is not listed; aggregated data lags by minutes to hours)",
            args.rule_prefix, args.aggregator
        );
    }
    if let Some(path) = &args.output {
        eprintln!(
            "wrote the {} to {}",
            format_name(args.format),
            path.display()
        );
    }
    let status = outcome(&summary, &collected.failures, args.fail_on_noncompliant);
    if !args.security_hub {
        return status;
    }
    let failures = import_into_security_hub(base, &collected, args, progress).await;
    match status {
        Err(CliError::NonCompliant { .. }) | Ok(()) if !failures.is_empty() => {
            Err(CliError::Incomplete(format!(
                "report incomplete: Security Hub import: {}",
                failures.join("; ")
            )))
        }
        other => other,
    }
}

/// `--security-hub`: every result as a finding, imported by its own account (the
/// caller's with its own credentials, any other through `--role-name`) in its Region.
/// The failures (each also printed).
async fn import_into_security_hub(
    base: &SdkConfig,
    collected: &Collected,
    args: &ReportArgs,
    progress: &Progress,
) -> Vec<String> {
    use crate::organization::Reach;
    use crate::organization::accounts::{AwsDirectory, CallerLookup};
    let calls = ApiCalls::new();
    let caller = match AwsDirectory::from_config(base, calls.clone())
        .caller()
        .await
    {
        Ok(caller) => caller,
        Err(error) => {
            let failure = format!("finding the caller's account: {error}");
            eprintln!("{failure}");
            return vec![failure];
        }
    };
    let accounts: std::collections::BTreeSet<String> = collected
        .rows
        .iter()
        .map(|row| row.account.clone())
        .collect();
    let reach = Reach::new(base, &calls, caller, accounts, args.role_name.clone());
    let subjects = rows::asff_subjects(&collected.rows);
    crate::security_hub::import_reaching(&subjects, &reach, progress).await
}

/// The error's own words when a call found no such aggregator.
fn missing_aggregator(failures: &[ReadFailure]) -> Option<String> {
    failures
        .iter()
        .find(|f| f.error.code == NO_SUCH_AGGREGATOR)
        .map(|f| format!("{}: {}", f.error.code, f.error.message))
}

/// The results in the format asked for. A table for a file is drawn as for a pipe.
fn render(
    collected: &Collected,
    summary: &ReportSummary,
    args: &ReportArgs,
    region: &str,
) -> Result<String, CliError> {
    let rows = &collected.rows;
    Ok(match args.format {
        ReportFormat::Table => {
            let view = match args.output {
                None => stdout_view(args.show),
                Some(_) => TableView {
                    show: args.show,
                    ..TableView::default()
                },
            };
            render_findings(&summary.line(), &people::findings(rows), &view)
        }
        ReportFormat::Json => {
            render_json(rows).map_err(|e| CliError::Usage(format!("rendering JSON: {e}")))?
        }
        ReportFormat::Csv => {
            render_csv(rows).map_err(|e| CliError::Usage(format!("rendering CSV: {e}")))?
        }
        ReportFormat::Asff => render_asff(
            &rows::asff_subjects(rows),
            &AsffRun::now(DEFAULT_GENERATOR_ID),
        )
        .map_err(|e| CliError::Usage(format!("rendering ASFF: {e}")))?,
        ReportFormat::Html => {
            html::render(&people::findings(rows), &report_meta(summary, args, region))
                .map_err(|e| CliError::Usage(format!("rendering HTML: {e}")))?
        }
    })
}

/// What the HTML report says about this run: the aggregator, its Region, the prefix.
pub fn report_meta(summary: &ReportSummary, args: &ReportArgs, region: &str) -> ReportMeta {
    ReportMeta {
        title: "secrets-cmk report".to_owned(),
        headline: summary.line(),
        generated_at: Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
        parameters: vec![
            ("Aggregator".to_owned(), args.aggregator.clone()),
            ("Region".to_owned(), region.to_owned()),
            ("Rule name prefix".to_owned(), args.rule_prefix.clone()),
            (
                "Source".to_owned(),
                "AWS Config aggregated results (COMPLIANT and NON_COMPLIANT; they lag the \
                 accounts by minutes to hours)"
                    .to_owned(),
            ),
        ],
    }
}

fn format_name(format: ReportFormat) -> &'static str {
    match format {
        ReportFormat::Table => "table",
        ReportFormat::Json => "JSON",
        ReportFormat::Csv => "CSV",
        ReportFormat::Html => "HTML report",
        ReportFormat::Asff => "ASFF findings",
    }
}

/// The exit status: a call that failed (the part read was written) is 2 and wins over
/// NON_COMPLIANT results (1, only when asked for).
pub fn outcome(
    summary: &ReportSummary,
    failures: &[ReadFailure],
    fail_on_noncompliant: bool,
) -> Result<(), CliError> {
    if !failures.is_empty() {
        let each: Vec<String> = failures
            .iter()
            .map(|f| format!("{}: {}", f.context, f.error))
            .collect();
        return Err(CliError::Incomplete(format!(
            "report incomplete ({} of the results read were written): {}",
            summary.total,
            each.join("; ")
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
    use crate::report::rows::tests::row;
    use secrets_cmk_aws::{AwsError, FailureKind};

    fn failure(code: &str) -> ReadFailure {
        ReadFailure {
            context: "listing the rules".to_owned(),
            error: AwsError {
                operation: aggregator::DESCRIBE_AGGREGATE,
                kind: FailureKind::Rejected,
                code: code.to_owned(),
                message: "why".to_owned(),
                source: None,
            },
        }
    }

    fn summary_of(compliance: &[&str]) -> ReportSummary {
        let rows: Vec<rows::ReportRow> = compliance
            .iter()
            .enumerate()
            .map(|(i, c)| row("111111111111", &format!("s{i}"), c))
            .collect();
        ReportSummary::of(&rows, [("secrets-cmk", "111111111111", "us-east-1")])
    }

    #[test]
    fn a_complete_report_succeeds_unless_findings_are_to_fail() {
        let summary = summary_of(&["COMPLIANT", "NON_COMPLIANT"]);
        assert!(outcome(&summary, &[], false).is_ok());
        let err = outcome(&summary, &[], true).unwrap_err();
        assert_eq!(err.exit_code(), 1);
        assert!(outcome(&summary_of(&["COMPLIANT"]), &[], true).is_ok());
    }

    #[test]
    fn a_failed_call_is_exit_2_naming_what_was_read_and_wins_over_findings() {
        let summary = summary_of(&["NON_COMPLIANT"]);
        for fail_on in [false, true] {
            let err = outcome(&summary, &[failure("AccessDeniedException")], fail_on).unwrap_err();
            assert_eq!(err.exit_code(), 2);
            let message = err.to_string();
            assert!(message.contains("listing the rules"), "{message}");
            assert!(message.contains("AccessDeniedException"), "{message}");
            assert!(message.contains("1 of the results"), "{message}");
        }
    }

    #[test]
    fn a_missing_aggregator_is_recognised_by_its_code() {
        assert!(missing_aggregator(&[failure("AccessDeniedException")]).is_none());
        let found = missing_aggregator(&[failure(NO_SUCH_AGGREGATOR)]).unwrap();
        assert!(found.starts_with(NO_SUCH_AGGREGATOR), "{found}");
    }
}
