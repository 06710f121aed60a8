//! `secrets-cmk audit`'s flags and help.

use super::{RegionArgs, RuleArgs};
use crate::output::Show;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

pub(super) const AUDIT_AFTER_HELP: &str = "\
Examples:
  secrets-cmk audit
  secrets-cmk audit --region us-east-1 --region eu-west-1 --format json > findings.json
  secrets-cmk audit --kms-key-arns arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab,alias/secrets
  secrets-cmk audit --exemption-tag-key cmk-exempt --check-replicas false --fail-on-noncompliant
  secrets-cmk audit --format asff > findings.asff.json
  secrets-cmk audit --security-hub
  secrets-cmk audit --organization --role-name SecretsCmkAudit --all-regions --format csv > org.csv
  secrets-cmk audit --accounts 111122223333,444455556666 --role-name SecretsCmkAudit --region eu-west-1

Every secret is judged by the rule's own decision table, with the rule's parameters
(each flag is the rule parameter of the same name; same defaults, same validation).
Secrets scheduled for deletion are listed (NOT_APPLICABLE).

Output: table, for people: the counts by verdict, by cause (the decision-table row) and,
across accounts, by account, then one line per finding (NON_COMPLIANT and unverified,
worst first, then by account, Region, name) with its short cause; --show all lists every
secret, --show details adds each one's full reason and fix. On a terminal it fits the
width and has colour (not with NO_COLOR); piped, it is plain and never cut. json (an
array of objects: arn, name, account, region, kms_key_id (as stored; null for the
default key), compliance, row (the decision-table row as a string: \"4\", \"5a\", ...),
owning_service, reason); csv (the same columns, with a header); html (with --output
FILE: one self-contained page with the summary, charts, a findings table that sorts and
filters, and each finding's fix); asff (a JSON array of AWS Security Finding Format
findings, one per secret: Compliance.Status PASSED, FAILED or NOT_AVAILABLE (not
applicable, or unverified), Severity by decision-table row (HIGH: a key of an untrusted
account, missing or not Enabled; MEDIUM: other NON_COMPLIANT; LOW: unverified;
INFORMATIONAL: the rest), a stable Id per secret). With json, csv, html and asff the
summary goes to stderr.

--security-hub also imports every secret's finding into AWS Security Hub
(BatchImportFindings, 100 a call, in the secret's own account and Region: Security Hub
must be enabled there). A re-import updates each secret's finding. Findings Security Hub
fails are sent again (3 times, pausing 0.5, 1 and 2 s), then listed by Id with AWS's
code and message on stderr, and the exit code is 2.

More than one account (credentials of the management or a delegated administrator
account): --organization audits every ACTIVE account of the organization (Organizations
ListAccounts; suspended and closing ones are left out and listed), --accounts ID,ID only
those (with --organization each must be an ACTIVE member; without it no Organizations
call is made). The caller's own account is audited with its own credentials, every other
one through arn:PARTITION:iam::ACCOUNT:role/NAME (--role-name; required then), assumed
once per account and reused until shortly before it expires. The role needs
secretsmanager:ListSecrets and kms:DescribeKey (and account:ListRegions for
--all-regions); nothing that reads a value. Regions: every --region given, or with
--all-regions each account's enabled Regions (Account ListRegions with that account's
credentials). --concurrency N (1 to 64, default 8) account-Regions are swept at once; on
a terminal each has a progress line. An account that cannot be reached (AssumeRole
denied, no such role, ListRegions failing) or a Region whose listing stopped (access
denied, throttled after retries) is reported and counted, and the others go on: the
table ends with the accounts audited and each account or Region not audited and why
(on stderr with json and csv; in the HTML report's parameters); json and csv rows stay
one per secret, with its account and region.

A secret that could not be verified (an AWS error, e.g. DescribeKey denied in its own
account or throttled after retries) is never guessed: its compliance is null (json),
empty (csv) or \"(unverified)\" (table), its reason says why, and the summary counts it.

Exit codes:
  0  every secret was judged, and --fail-on-noncompliant found nothing NON_COMPLIANT
  1  --fail-on-noncompliant, and at least one secret is NON_COMPLIANT
  2  bad input; or at least one secret could not be verified, or a Region could not be
     listed, or an account could not be audited. The results that were gathered are still written first. 2 wins over 1: an
     incomplete audit is not a clean finding.";

/// How `audit` writes its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// An aligned table and a summary line, for people.
    #[default]
    Table,
    /// A JSON array of objects, one per secret.
    Json,
    /// CSV with a header row.
    Csv,
    /// A self-contained HTML report (needs --output).
    Html,
    /// A JSON array of AWS Security Finding Format findings, one per secret.
    Asff,
}

/// `secrets-cmk audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// `--region`, repeatable.
    #[command(flatten)]
    pub region: RegionArgs,
    /// The rule's parameters.
    #[command(flatten)]
    pub rule: RuleArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Table: which secrets to list (findings: NON_COMPLIANT and unverified).
    #[arg(long, value_enum, default_value_t = Show::Findings)]
    pub show: Show,
    /// Write the output to FILE instead of stdout (needed for --format html).
    #[arg(long, value_name = "FILE", required_if_eq("format", "html"))]
    pub output: Option<PathBuf>,
    /// Which accounts and Regions: `--organization`, `--accounts`, `--role-name`,
    /// `--all-regions`, `--concurrency`.
    #[command(flatten)]
    pub scope: OrganizationArgs,
    /// Exit with 1 when any secret is NON_COMPLIANT.
    #[arg(long)]
    pub fail_on_noncompliant: bool,
    /// Also import every secret's finding into AWS Security Hub (BatchImportFindings in
    /// the secret's own account and Region; Security Hub must be enabled there).
    #[arg(long)]
    pub security_hub: bool,
}

/// The concurrency `audit --organization` runs at unless told.
pub(super) const DEFAULT_CONCURRENCY: u16 = 8;
/// The most account-Region sweeps at once: each one lists at most a page of 100 secrets
/// and describes its keys, and the KMS and Secrets Manager request quotas are per account
/// and Region, so more only adds credentials and connections to hold.
pub(super) const MAX_CONCURRENCY: u16 = 64;

/// `audit`'s flags for more than the caller's own account (`secrets-cmk audit
/// --organization --role-name NAME`).
#[derive(Debug, Clone, Default, Args)]
pub struct OrganizationArgs {
    /// Audit every ACTIVE account of the organization (Organizations ListAccounts: run it
    /// with credentials of the management or a delegated administrator account).
    #[arg(long)]
    pub organization: bool,
    /// Audit only these accounts, comma-separated 12-digit ids. With --organization each
    /// must be an ACTIVE member; without it, no Organizations call is made.
    #[arg(long, value_name = "ID,ID")]
    pub accounts: Option<String>,
    /// The role assumed in every audited account other than the caller's own
    /// (arn:PARTITION:iam::ACCOUNT:role/NAME); needs ListSecrets and DescribeKey there.
    #[arg(long, value_name = "NAME")]
    pub role_name: Option<String>,
    /// Audit each account's enabled Regions (Account ListRegions, with that account's
    /// credentials) instead of --region.
    #[arg(long, conflicts_with = "regions")]
    pub all_regions: bool,
    /// Account-Region pairs swept at once (1 to 64).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY,
          value_parser = clap::value_parser!(u16).range(1..=MAX_CONCURRENCY as i64))]
    pub concurrency: u16,
}

impl OrganizationArgs {
    /// Whether the audit runs through the organization runner: accounts named or the
    /// whole organization, or each account's enabled Regions.
    pub fn is_organization_audit(&self) -> bool {
        self.organization || self.accounts.is_some() || self.all_regions
    }
}

#[cfg(test)]
mod tests {
    use crate::args::{Cli, Command};
    use clap::Parser;

    fn scope(args: &[&str]) -> Result<super::OrganizationArgs, String> {
        let cli = Cli::try_parse_from([&["secrets-cmk", "audit"], args].concat())
            .map_err(|e| e.to_string())?;
        match cli.command {
            Command::Audit(audit) => Ok(audit.scope),
            other => Err(format!("not audit: {other:?}")),
        }
    }

    #[test]
    fn the_organization_flags_parse_with_their_defaults() {
        // GIVEN no scope flag / THEN a one-account audit at the default concurrency
        let plain = scope(&[]).unwrap();
        assert!(!plain.is_organization_audit());
        assert_eq!(plain.concurrency, super::DEFAULT_CONCURRENCY);
        // GIVEN the organization flags / THEN each is kept
        let org = scope(&[
            "--organization",
            "--role-name",
            "Audit",
            "--accounts",
            "111111111111",
            "--all-regions",
            "--concurrency",
            "64",
        ])
        .unwrap();
        assert!(org.organization && org.all_regions && org.is_organization_audit());
        assert_eq!(org.role_name.as_deref(), Some("Audit"));
        assert_eq!(org.accounts.as_deref(), Some("111111111111"));
        assert_eq!(org.concurrency, 64);
        // AND --accounts or --all-regions alone go through the organization runner too
        assert!(
            scope(&["--accounts", "111111111111"])
                .unwrap()
                .is_organization_audit()
        );
        assert!(scope(&["--all-regions"]).unwrap().is_organization_audit());
    }

    #[test]
    fn a_concurrency_outside_1_to_64_and_all_regions_with_a_region_are_refused() {
        for bad in ["0", "65", "-1", "many"] {
            let err = scope(&[&format!("--concurrency={bad}")]).unwrap_err();
            assert!(err.contains("--concurrency"), "{bad}: {err}");
        }
        let err = scope(&["--all-regions", "--region", "us-east-1"]).unwrap_err();
        assert!(err.contains("--all-regions"), "{err}");
    }
}
