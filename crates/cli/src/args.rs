//! The command line, as clap derives it: three commands, global AWS flags, and the rule's
//! parameters as flags. Values the rule validates (booleans, key lists) are kept as text
//! here and validated by rule-core's `RuleParameters::from_pairs`, so a mistake gets the
//! same message from the CLI as from the Lambda.

use crate::error::CliError;
use clap::{ArgAction, Args, Parser, Subcommand};
use rule_core::{ParameterError, RuleParameters};
use std::path::PathBuf;

mod audit;
mod check_template;
pub mod doctor;
mod report;
pub use audit::{AuditArgs, Format};
pub use check_template::{CheckTemplateArgs, TemplateFormat};
pub use doctor::{DoctorArgs, DoctorFormat};
pub use report::{DEFAULT_RULE_PREFIX, ReportArgs, ReportFormat};

const MAIN_AFTER_HELP: &str = "\
Examples:
  secrets-cmk audit
  secrets-cmk --profile prod audit --region us-east-1 --region eu-west-1 --format csv
  secrets-cmk remediate --kms-key-id alias/secrets            # dry run: shows, changes nothing
  secrets-cmk remediate --kms-key-id alias/secrets --apply     # re-keys, writes a backout plan
  secrets-cmk backout --plan secrets-cmk-plan-20250101T120000Z.json --apply

AWS configuration is the standard one: environment (AWS_PROFILE, AWS_REGION,
AWS_ENDPOINT_URL, credentials), the shared config and credentials files, SSO, instance
and container roles. --profile and --region override it.

Exit codes: 0 success; 1 NON_COMPLIANT secrets found with --fail-on-noncompliant;
2 bad input, an AWS error, or something left undone (see each command's help).";

const REMEDIATE_AFTER_HELP: &str = "\
Examples:
  secrets-cmk remediate --kms-key-id alias/secrets
  secrets-cmk remediate --kms-key-id alias/secrets --apply --plan rekey-prod.json
  secrets-cmk --region eu-west-1 remediate --kms-key-id arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab \\
      --secret db-password --secret arn:aws:secretsmanager:eu-west-1:111122223333:secret:api-key-AbCdEf --apply

Targets: without --secret, every NON_COMPLIANT secret an audit of the Region finds (the
rule-parameter flags shape that audit, as for `audit`); with --secret, exactly the
secrets named (whatever their compliance).

Pre-checks, as in the SSM runbook SecretsCmk-RekeySecret. The target key must be one the
rule itself would pass: customer managed, Enabled, in the secret's Region, of the secret's
own account or one in --allowed-key-accounts (or named in --kms-key-arns), and one of
--kms-key-arns when given; otherwise nothing is changed and the exit code is 2. A key of
an untrusted account is never even described. Each secret is then checked on its own, and refused with a reason (the others
proceed): a secret managed by another service (OwningService: re-key it through that
service), one scheduled for deletion, one NON_COMPLIANT only because of a replica's key,
one that could not be verified, one named twice. A secret already on the target key is
left alone.

Without --apply nothing is changed: the actions are shown and the exit code is what
--apply would give. With --apply: a backout plan is written first (to --plan FILE, or
secrets-cmk-plan-YYYYMMDDTHHMMSSZ.json in the current directory; an existing file is never
overwritten) and updated after every change; then UpdateSecret with the target's key ARN,
at most 10 per second and at most once per secret, and DescribeSecret to verify. The plan
records, for the old and the new key, the stored reference and the key ARN it resolved to.

Before any change, KMS is asked with DryRun whether you may GenerateDataKey and Encrypt
with the target: UpdateSecret re-encrypts the AWSCURRENT, AWSPENDING and AWSPREVIOUS
versions only if you may use the new key (and kms:Decrypt on the old one); versions with
other labels stay on the old key. A denied dry run is a warning, not a refusal: a
permission granted only through Secrets Manager (kms:ViaService) is denied to a direct
call although the re-key works.

Exit codes: 0 every targeted secret is on the target key; 2 bad input, an unsafe target,
an AWS error, or at least one secret refused or failed (the others were changed).";

const BACKOUT_AFTER_HELP: &str = "\
Examples:
  secrets-cmk backout --plan secrets-cmk-plan-20250101T120000Z.json
  secrets-cmk backout --plan secrets-cmk-plan-20250101T120000Z.json --apply
  secrets-cmk backout --plan shared-keys.json --allowed-key-accounts 444455556666 --apply

Puts every secret of the plan back on the key it had before: a key id or key ARN exactly
as stored, an alias by the key ARN it named when the plan was written (it may point
elsewhere now), and a secret that had no key back on the default key aws/secretsmanager,
with no KmsKeyId. Works in the plan's Region. Idempotent: a secret already on its previous
key is reported and left alone, so running it twice is safe.

A plan is a file anyone may have edited, so every key in it is checked again (resolved
key ARNs are compared, never strings alone). Refused, with nothing changed: a secret that
is not on the plan's new key any more; a previous key of an account other than the
secret's and --allowed-key-accounts; a previous key whose reference no longer names the
key ARN the plan recorded; one that no longer exists or is not Enabled (the secret would
become unreadable). The dry run lists every key it would restore to: review them before
--apply.

AWS advises against changing a secret more often than once every 10 minutes: backing out
at once after a remediation is fine once, not in a loop.

Exit codes: 0 every secret is on its previous key; 2 bad input, an unreadable plan, an
AWS error, or at least one secret refused or failed.";

/// `secrets-cmk`: find the Secrets Manager secrets not encrypted with a customer managed
/// KMS key, re-key them, and back out.
#[derive(Debug, Parser)]
#[command(
    name = "secrets-cmk",
    version,
    about = "Audit AWS Secrets Manager secrets for customer managed KMS keys, re-key them, back out",
    after_help = MAIN_AFTER_HELP,
    propagate_version = true
)]
pub struct Cli {
    /// Flags every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes (before or after the command name).
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Named profile of the AWS config and credentials files (default: AWS_PROFILE, or
    /// the default profile).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS Region (default: AWS_REGION, or the profile's). `audit` takes it more than once.
    #[command(flatten)]
    pub region: RegionArgs,
    /// Log to stderr: -v progress, -vv details, -vvv the AWS SDK's own logs too.
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,
}

/// `--region`, accepted both before and after the command name. (Not a clap `global`
/// flag: clap then keeps only the values of the last level that has any, so
/// `--region a audit --region b` would silently drop `a`.)
#[derive(Debug, Clone, Default, Args)]
pub struct RegionArgs {
    /// AWS Region (default: AWS_REGION, or the profile's); audit: repeat it for several.
    #[arg(long = "region", value_name = "REGION", action = ArgAction::Append)]
    pub regions: Vec<String>,
}

impl Cli {
    /// Every `--region`, before and after the command name, in order.
    pub fn regions(&self) -> Vec<String> {
        let after = match &self.command {
            Command::Audit(args) => &args.region,
            Command::Remediate(args) => &args.region,
            Command::Backout(args) => &args.region,
            Command::CheckTemplate(args) => &args.region,
            Command::Doctor(args) => &args.region,
            Command::Report(args) => &args.region,
        };
        self.global
            .region
            .regions
            .iter()
            .chain(&after.regions)
            .cloned()
            .collect()
    }
}

/// The one Region a command that works in a single Region was given, if any.
pub fn single_region<'a>(
    regions: &'a [String],
    command: &str,
) -> Result<Option<&'a str>, CliError> {
    match regions {
        [] => Ok(None),
        [region] => Ok(Some(region)),
        more => Err(CliError::Usage(format!(
            "{command} works in one Region; --region was given {} times",
            more.len()
        ))),
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report every secret's compliance (read-only).
    #[command(after_help = audit::AUDIT_AFTER_HELP)]
    Audit(AuditArgs),
    /// Re-key NON_COMPLIANT (or named) secrets to a customer managed key; dry run without --apply.
    #[command(after_help = REMEDIATE_AFTER_HELP)]
    Remediate(RemediateArgs),
    /// Restore the keys a remediation changed, from its backout plan; dry run without --apply.
    #[command(after_help = BACKOUT_AFTER_HELP)]
    Backout(BackoutArgs),
    /// Judge CloudFormation templates and CDK cloud assemblies (cdk.out) before they are deployed.
    #[command(after_help = check_template::after_help())]
    CheckTemplate(CheckTemplateArgs),
    /// Read-only checks of the account and Region the rule relies on (recorder, rule, permissions).
    #[command(after_help = doctor::DOCTOR_AFTER_HELP)]
    Doctor(DoctorArgs),
    /// The deployed rule's results in every account and Region, read from an AWS Config aggregator.
    #[command(after_help = report::REPORT_AFTER_HELP)]
    Report(ReportArgs),
}

/// The rule's parameters, as flags. Each is passed to the rule's own validation.
#[derive(Debug, Clone, Default, Args)]
pub struct RuleArgs {
    /// Approved keys, comma-separated: key ARNs, alias ARNs or alias names (rule
    /// parameter kmsKeyArns). A secret is then compliant only on one of them.
    #[arg(long, value_name = "LIST")]
    pub kms_key_arns: Option<String>,
    /// true or false: every replica's key must pass too (checkReplicas; default true).
    #[arg(long, value_name = "BOOL")]
    pub check_replicas: Option<String>,
    /// true or false: a key that is not Enabled fails (requireEnabledKey; default true).
    #[arg(long, value_name = "BOOL")]
    pub require_enabled_key: Option<String>,
    /// A secret carrying this tag key is NOT_APPLICABLE (exemptionTagKey).
    #[arg(long, value_name = "KEY")]
    pub exemption_tag_key: Option<String>,
    /// Accounts whose keys may protect a secret besides its own, comma-separated 12-digit
    /// ids (allowedKeyAccounts). A key of any other account fails, unless named in
    /// --kms-key-arns; remediation never moves a secret to one.
    #[arg(long, value_name = "LIST")]
    pub allowed_key_accounts: Option<String>,
}

impl RuleArgs {
    /// Whether a flag was given that only shapes which secrets an audit finds
    /// NON_COMPLIANT (the key trust flags, --kms-key-arns and --allowed-key-accounts, also
    /// bound which keys a remediation may use).
    pub fn shapes_selection_only(&self) -> bool {
        self.check_replicas.is_some()
            || self.require_enabled_key.is_some()
            || self.exemption_tag_key.is_some()
    }

    /// The rule's parameters, validated by the rule's own code.
    pub fn parameters(&self) -> Result<RuleParameters, CliError> {
        let pairs = [
            ("kmsKeyArns", &self.kms_key_arns),
            ("checkReplicas", &self.check_replicas),
            ("requireEnabledKey", &self.require_enabled_key),
            ("exemptionTagKey", &self.exemption_tag_key),
            ("allowedKeyAccounts", &self.allowed_key_accounts),
        ];
        let given = pairs
            .iter()
            .filter_map(|(name, value)| value.as_deref().map(|value| (*name, value)));
        RuleParameters::from_pairs(given).map_err(|source| CliError::Parameter {
            flag: flag_of(&source),
            source,
        })
    }
}

/// The flag that carries a rule parameter.
fn flag_of(error: &ParameterError) -> &'static str {
    match error.parameter() {
        Some("kmsKeyArns") => "--kms-key-arns",
        Some("checkReplicas") => "--check-replicas",
        Some("requireEnabledKey") => "--require-enabled-key",
        Some("exemptionTagKey") => "--exemption-tag-key",
        Some("allowedKeyAccounts") => "--allowed-key-accounts",
        _ => "rule parameters",
    }
}

/// `secrets-cmk remediate`.
#[derive(Debug, Args)]
pub struct RemediateArgs {
    /// `--region`.
    #[command(flatten)]
    pub region: RegionArgs,
    /// The customer managed key to move secrets to: key ARN, key id, alias ARN or alias
    /// name, in the secrets' Region.
    #[arg(long, value_name = "KEY")]
    pub kms_key_id: String,
    /// Re-key this secret (ARN or name) instead of every NON_COMPLIANT one; repeatable.
    #[arg(long = "secret", value_name = "ARN_OR_NAME")]
    pub secrets: Vec<String>,
    /// Make the changes (without it: a dry run that changes nothing).
    #[arg(long)]
    pub apply: bool,
    /// Where to write the backout plan (default: secrets-cmk-plan-YYYYMMDDTHHMMSSZ.json).
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// The rule's parameters for the audit that picks the targets (not with --secret).
    #[command(flatten)]
    pub rule: RuleArgs,
}

/// `secrets-cmk backout`.
#[derive(Debug, Args)]
pub struct BackoutArgs {
    /// `--region` (must be the plan's, if given).
    #[command(flatten)]
    pub region: RegionArgs,
    /// The backout plan a `remediate --apply` wrote.
    #[arg(long, value_name = "FILE")]
    pub plan: PathBuf,
    /// Accounts whose keys a secret may be restored to besides its own, comma-separated
    /// 12-digit ids (as the rule's allowedKeyAccounts): a plan naming a key of any other
    /// account is refused.
    #[arg(long, value_name = "LIST")]
    pub allowed_key_accounts: Option<String>,
    /// Make the changes (without it: a dry run that changes nothing).
    #[arg(long)]
    pub apply: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use clap::error::ErrorKind;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("secrets-cmk").chain(args.iter().copied()))
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn audit_takes_the_rule_parameters_and_repeated_regions() {
        // GIVEN an audit with every flag
        let cli = parse(&[
            "--profile",
            "prod",
            "audit",
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
            "--kms-key-arns",
            "alias/a,alias/b",
            "--check-replicas",
            "false",
            "--require-enabled-key",
            "TRUE",
            "--exemption-tag-key",
            "Exempt",
            "--format",
            "csv",
            "--fail-on-noncompliant",
            "-vv",
        ])
        .unwrap();
        // THEN the global flags and the rule's parameters come through
        assert_eq!(cli.global.profile.as_deref(), Some("prod"));
        assert_eq!(cli.regions(), ["us-east-1", "eu-west-1"]);
        assert_eq!(cli.global.verbose, 2);
        let Command::Audit(audit) = cli.command else {
            panic!("audit expected")
        };
        assert_eq!(audit.format, Format::Csv);
        assert!(audit.fail_on_noncompliant);
        let params = audit.rule.parameters().unwrap();
        assert!(!params.check_replicas);
        assert!(params.require_enabled_key);
        assert_eq!(params.exemption_tag_key.as_deref(), Some("Exempt"));
        assert_eq!(params.approved_keys.map(|k| k.len()), Some(2));
    }

    #[test]
    fn regions_before_and_after_the_command_are_all_kept() {
        let cli = parse(&["--region", "us-east-1", "audit", "--region", "eu-west-1"]).unwrap();
        assert_eq!(cli.regions(), ["us-east-1", "eu-west-1"]);
    }

    #[test]
    fn defaults_are_the_rules_defaults() {
        let Command::Audit(audit) = parse(&["audit"]).unwrap().command else {
            panic!()
        };
        assert_eq!(audit.format, Format::Table);
        assert!(!audit.fail_on_noncompliant);
        assert_eq!(audit.rule.parameters().unwrap(), RuleParameters::default());
    }

    #[test]
    fn an_invalid_boolean_gets_the_rules_message_and_names_the_flag() {
        // GIVEN --check-replicas yes (clap accepts the text; the rule's validation decides)
        let Command::Audit(audit) = parse(&["audit", "--check-replicas", "yes"])
            .unwrap()
            .command
        else {
            panic!()
        };
        // WHEN the parameters are built
        let err = audit.rule.parameters().unwrap_err();
        // THEN the flag is named, the message is the rule's, and the exit code is 2
        let message = err.to_string();
        assert!(message.starts_with("invalid --check-replicas: rule parameter \"checkReplicas\""));
        assert!(message.contains("\"yes\""), "{message}");
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn a_bad_approved_key_names_the_flag() {
        let Command::Audit(audit) = parse(&["audit", "--kms-key-arns", "alias/aws/secretsmanager"])
            .unwrap()
            .command
        else {
            panic!()
        };
        let message = audit.rule.parameters().unwrap_err().to_string();
        assert!(message.starts_with("invalid --kms-key-arns: "), "{message}");
        assert!(message.contains("AWS managed key alias"), "{message}");
    }

    #[test]
    fn an_unknown_format_is_a_usage_error() {
        let err = parse(&["audit", "--format", "yaml"]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string()
                .contains("[possible values: table, json, csv, html, asff]"),
            "{err}"
        );
    }

    #[test]
    fn remediate_needs_a_key_and_takes_repeated_secrets() {
        assert_eq!(
            parse(&["remediate"]).unwrap_err().kind(),
            ErrorKind::MissingRequiredArgument
        );
        let cli = parse(&[
            "remediate",
            "--kms-key-id",
            "alias/k",
            "--secret",
            "a",
            "--secret",
            "b",
            "--apply",
            "--plan",
            "p.json",
        ])
        .unwrap();
        let Command::Remediate(remediate) = cli.command else {
            panic!()
        };
        assert_eq!(remediate.kms_key_id, "alias/k");
        assert_eq!(remediate.secrets, ["a", "b"]);
        assert!(remediate.apply);
        assert_eq!(remediate.plan, Some(PathBuf::from("p.json")));
        assert!(!remediate.rule.shapes_selection_only());
    }

    #[test]
    fn backout_needs_a_plan_and_is_a_dry_run_by_default() {
        assert_eq!(
            parse(&["backout"]).unwrap_err().kind(),
            ErrorKind::MissingRequiredArgument
        );
        let Command::Backout(backout) = parse(&["backout", "--plan", "p.json"]).unwrap().command
        else {
            panic!()
        };
        assert!(!backout.apply);
    }

    #[test]
    fn single_region_commands_refuse_several_regions() {
        let cli = parse(&[
            "--region", "a-b-1", "backout", "--plan", "p", "--region", "c-d-2",
        ])
        .unwrap();
        let err = single_region(&cli.regions(), "backout").unwrap_err();
        assert_eq!(
            err.to_string(),
            "backout works in one Region; --region was given 2 times"
        );
        let cli = parse(&["backout", "--plan", "p"]).unwrap();
        assert_eq!(single_region(&cli.regions(), "backout").unwrap(), None);
        let cli = parse(&["--region", "a-b-1", "remediate", "--kms-key-id", "alias/k"]).unwrap();
        assert_eq!(
            single_region(&cli.regions(), "remediate").unwrap(),
            Some("a-b-1")
        );
    }

    #[test]
    fn every_command_has_help_with_examples() {
        for command in [
            &[][..],
            &["audit"][..],
            &["remediate"][..],
            &["backout"][..],
        ] {
            let mut args = command.to_vec();
            args.push("--help");
            let err = parse(&args).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::DisplayHelp);
            assert_eq!(err.exit_code(), 0);
            assert!(err.to_string().contains("Examples:"), "{args:?}");
        }
    }
}
