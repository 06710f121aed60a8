//! `secrets-cmk report`'s flags and help.

use super::RegionArgs;
use crate::output::Show;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// The rule name a report looks for by default: the rule's name as the stacks deploy it
/// (`cdk/lib/config.ts` `DEFAULT_RULE_NAME`).
pub const DEFAULT_RULE_PREFIX: &str = "secrets-cmk";

pub(super) const REPORT_AFTER_HELP: &str = "\
Examples:
  secrets-cmk --region us-east-1 report --aggregator org-secrets
  secrets-cmk report --aggregator org-secrets --format json > org-findings.json
  secrets-cmk report --aggregator org-secrets --rule-name secrets-cmk-prod --format csv
  secrets-cmk report --aggregator org-secrets --format html --output org-report.html
  secrets-cmk report --aggregator org-secrets --security-hub --role-name SecretsCmkAudit

Reads what the deployed rule recorded in every account and Region, centrally, from an
AWS Config aggregator of the account and Region the credentials and --region name (the
organization's management or delegated administrator account, typically). No role in
the member accounts is needed: AWS Config did the distributed work.

DescribeAggregateComplianceByConfigRules lists the rules of every source account and
Region; those whose name starts with --rule-name (default secrets-cmk) are kept, so a
rule a conformance pack deployed with a suffix to its name is found too. Then
GetAggregateComplianceDetailsByConfigRule gives each kept rule's results per account
and Region, every page. An aggregator holds COMPLIANT and NON_COMPLIANT results only
(NOT_APPLICABLE ones, exempt or scheduled for deletion, are not aggregated), and its
data lags its sources (minutes, sometimes hours): for the current state of one account,
run `secrets-cmk audit` there.

Output: table, for people: the counts by compliance, by cause and by account (most
findings first), then the findings (NON_COMPLIANT, then INSUFFICIENT_DATA, by account,
Region and secret), one line each; --show all lists the COMPLIANT ones too, --show
details adds each one's full annotation and fix. Fitted to a terminal, plain when piped.
json (an array of objects: account, region, rule, resource_id, compliance (Config's:
COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE, INSUFFICIENT_DATA), annotation (the rule's;
null when none), recorded_at (RFC 3339; null when Config gave none)); csv (the same
columns, with a header); html (with --output FILE: the self-contained report); asff
(a JSON array of AWS Security Finding Format findings, one per result: the Id is the
same as audit's for the secret, so either updates the same finding; LastObservedAt is
when Config recorded the result). With json, csv, html and asff the summary goes to
stderr.

--security-hub also imports the results into Security Hub (BatchImportFindings, 100 a
call, findings that fail resent, then reported by Id). With the default product ARN a
finding is imported only by the account it belongs to, in its Region: the caller's own
results with its credentials, every other account's through the role --role-name
names there (the CDK's audit role with auditImportsToSecurityHub=true). Without
--role-name the other accounts' findings are not imported and the report says so.

Exit codes:
  0  every page was read, and --fail-on-noncompliant found nothing NON_COMPLIANT
  1  --fail-on-noncompliant, and at least one result is NON_COMPLIANT
  2  bad input; the aggregator does not exist in that account and Region (the error
     names it); access denied or another AWS error; with --security-hub, a finding not
     imported. What was read before an error is still written first. 2 wins over 1.";

/// How `report` writes its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ReportFormat {
    /// The summary and the findings, for people.
    #[default]
    Table,
    /// A JSON array of objects, one per result.
    Json,
    /// CSV with a header row.
    Csv,
    /// A self-contained HTML report (needs --output).
    Html,
    /// AWS Security Finding Format: a JSON array of findings, for Security Hub.
    Asff,
}

/// `secrets-cmk report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// `--region`: the aggregator's Region.
    #[command(flatten)]
    pub region: RegionArgs,
    /// The AWS Config aggregator to read (of the caller's account, in --region).
    #[arg(long, value_name = "NAME")]
    pub aggregator: String,
    /// Keep the rules whose name starts with PREFIX.
    #[arg(long = "rule-name", value_name = "PREFIX", default_value = DEFAULT_RULE_PREFIX)]
    pub rule_prefix: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Table: which results to list (findings: NON_COMPLIANT and INSUFFICIENT_DATA).
    #[arg(long, value_enum, default_value_t = Show::Findings)]
    pub show: Show,
    /// Write the output to FILE instead of stdout (needed for --format html).
    #[arg(long, value_name = "FILE", required_if_eq("format", "html"))]
    pub output: Option<PathBuf>,
    /// Exit with 1 when any result is NON_COMPLIANT.
    #[arg(long)]
    pub fail_on_noncompliant: bool,
    /// Also import the results into Security Hub (BatchImportFindings), each by its own
    /// account in its own Region: the caller's with its own credentials, any other
    /// through --role-name.
    #[arg(long)]
    pub security_hub: bool,
    /// With --security-hub: the role to assume in every other account of the results
    /// (`arn:PARTITION:iam::ACCOUNT:role/NAME`, e.g. the CDK's audit role with
    /// auditImportsToSecurityHub=true). Without it, their findings are not imported and
    /// the report says so (exit 2).
    #[arg(long, value_name = "NAME", requires = "security_hub")]
    pub role_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use crate::args::{Cli, Command};
    use clap::Parser;
    use clap::error::ErrorKind;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("secrets-cmk").chain(args.iter().copied()))
    }

    #[test]
    fn report_needs_an_aggregator_and_defaults_to_the_rules_name() {
        // GIVEN no aggregator / THEN a usage error
        let err = parse(&["report"]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MissingRequiredArgument);
        // GIVEN one / THEN the default prefix, table, findings, no failing on findings
        let Command::Report(args) = parse(&["report", "--aggregator", "org"]).unwrap().command
        else {
            panic!("report expected")
        };
        assert_eq!(args.aggregator, "org");
        assert_eq!(args.rule_prefix, super::DEFAULT_RULE_PREFIX);
        assert_eq!(args.format, super::ReportFormat::Table);
        assert!(!args.fail_on_noncompliant && args.output.is_none());
    }

    #[test]
    fn html_needs_an_output_file_and_regions_are_taken_after_the_command() {
        let err = parse(&["report", "--aggregator", "org", "--format", "html"]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MissingRequiredArgument);
        let cli = parse(&[
            "report",
            "--aggregator",
            "org",
            "--region",
            "eu-west-1",
            "--format",
            "asff",
        ])
        .unwrap();
        assert_eq!(cli.regions(), ["eu-west-1"]);
    }

    #[test]
    fn role_name_goes_with_security_hub_only() {
        // GIVEN --role-name without --security-hub / THEN a usage error
        let err = parse(&["report", "--aggregator", "org", "--role-name", "R"]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MissingRequiredArgument);
        // GIVEN both / THEN both are taken
        let Command::Report(args) = parse(&[
            "report",
            "--aggregator",
            "org",
            "--security-hub",
            "--role-name",
            "R",
        ])
        .unwrap()
        .command
        else {
            panic!("report expected")
        };
        assert!(args.security_hub);
        assert_eq!(args.role_name.as_deref(), Some("R"));
    }

    #[test]
    fn the_help_has_examples_and_exit_codes() {
        let err = parse(&["report", "--help"]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DisplayHelp);
        let help = err.to_string();
        assert!(
            help.contains("Examples:") && help.contains("Exit codes:"),
            "{help}"
        );
    }
}
