//! `secrets-cmk check-template`: its flags and help. The rule flags are audit's own
//! ([`RuleArgs`]), so a template is judged with exactly the parameters an audit uses.

use super::{RegionArgs, RuleArgs};
use crate::output::Show;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// The help after the flags: examples, what is decided, output, exit codes, then the
/// limits on untrusted input (formatted from the reader's own constants).
pub(super) fn after_help() -> String {
    format!("{AFTER_HELP}\n\n{}", crate::template::limits::help_text())
}

const AFTER_HELP: &str = "\
Examples:
  secrets-cmk check-template template.yaml
  secrets-cmk check-template cdk.out --format sarif > secrets-cmk.sarif
  secrets-cmk check-template stacks/ --kms-key-arns alias/secrets --exemption-tag-key cmk-exempt
  secrets-cmk --region eu-west-1 check-template template.json --resolve --allowed-key-accounts 444455556666

PATH is a CloudFormation template (JSON, or YAML with the short forms !Ref, !GetAtt, !Sub,
!If, !Join, !ImportValue, ...), a cloud assembly (a cdk.out directory: the stack templates
its manifest.json names, nested assemblies too), or a directory (every .json, .yaml, .yml
and .template file in it that is a template).

Judged, with the rule's own decision table and parameters (the flags are audit's):
every AWS::SecretsManager::Secret (KmsKeyId and each ReplicaRegions entry), and the
secret RDS creates for AWS::RDS::DBInstance / AWS::RDS::DBCluster with
ManageMasterUserPassword: true (MasterUserSecret.KmsKeyId). A key the template creates
(Ref / GetAtt Arn or KeyId of an AWS::KMS::Key, or Ref of an AWS::KMS::Alias targeting
one) is customer managed, Disabled when Enabled is false, and in the stack's Region;
Fn::If: every branch is judged and the worst wins; a parameter: judged by its Default
(the reason says so). Not verifiable from the template: a parameter without Default,
Fn::ImportValue, and a literal customer key or alias: --resolve looks those up with
DescribeKey, in the account and Region of the standard AWS configuration (a key of an
account other than that one and --allowed-key-accounts is never described).

Output: table (for people: the summary and the counts by cause first, then the
findings, NON_COMPLIANT and unverified, worst first, one line each; --show all lists
every resource, --show details adds each one's full reason and fix), json (an array of
objects: template, logical_id, resource_type, compliance (null when not verified),
reason, line: the line of the logical id), sarif (SARIF 2.1.0 for code scanning: a rule
per decision-table row, level error for NON_COMPLIANT) or html (a self-contained report
written to --output FILE). With json, sarif and html the summary goes to stderr.

Exit codes:
  0  every resource was judged and none is NON_COMPLIANT
  1  at least one is NON_COMPLIANT
  2  bad input (a file refused: the error names the file and line), or at least one
     resource could not be verified. 2 wins over 1.";

/// How `check-template` writes its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum TemplateFormat {
    /// An aligned table and a summary line, for people.
    #[default]
    Table,
    /// A JSON array of objects, one per judged resource.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// A self-contained HTML report (needs --output).
    Html,
}

/// `secrets-cmk check-template`.
#[derive(Debug, Args)]
pub struct CheckTemplateArgs {
    /// `--region`: with --resolve, the Region the stack is deployed to.
    #[command(flatten)]
    pub region: RegionArgs,
    /// The rule's parameters.
    #[command(flatten)]
    pub rule: RuleArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TemplateFormat::Table)]
    pub format: TemplateFormat,
    /// Table: which resources to list (findings: NON_COMPLIANT and unverified).
    #[arg(long, value_enum, default_value_t = Show::Findings)]
    pub show: Show,
    /// Write the output to FILE instead of stdout (needed for --format html).
    #[arg(long, value_name = "FILE", required_if_eq("format", "html"))]
    pub output: Option<PathBuf>,
    /// Look up with DescribeKey what the template does not settle (AWS credentials needed).
    #[arg(long)]
    pub resolve: bool,
    /// Templates, cloud assemblies (cdk.out) or directories.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
}
