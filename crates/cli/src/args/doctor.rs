//! `secrets-cmk doctor`'s flags and help.

use super::RegionArgs;
use clap::{Args, ValueEnum};

/// The rule name the CDK app deploys by default (`DEFAULT_RULE_NAME`, cdk/lib/config.ts).
pub const DEFAULT_RULE_NAME: &str = "secrets-cmk";

/// The conformance pack the CDK app deploys (`CONFORMANCE_PACK_NAME`, cdk/lib/names.ts).
pub const DEFAULT_PACK_NAME: &str = "secrets-cmk";

/// The member StackSet the organization stack deploys (`MEMBER_STACKSET_NAME`,
/// cdk/lib/names.ts).
pub const DEFAULT_STACK_SET_NAME: &str = "secrets-cmk-member";

/// `doctor`'s help after the flags.
pub const DOCTOR_AFTER_HELP: &str = "\
Examples:
  secrets-cmk doctor
  secrets-cmk --profile prod doctor --region eu-west-1 --rule-name secrets-cmk-prod
  secrets-cmk doctor --format json | jq '.checks[] | select(.status == \"fail\")'
  secrets-cmk --profile management doctor --organization --region us-east-1
  secrets-cmk doctor --organization --role-name OrganizationAccountAccessRole

Read-only checks on the account and Region of the current credentials; nothing is
changed. Each check ends pass, FAIL (with how to fix it) or not checked (with why):

  credentials           GetCallerIdentity answers (it needs no permission)
  recorder              a configuration recorder records AWS::SecretsManager::Secret, is
                        recording, and its last recording did not fail
  resource-id           the resourceId Config gives a secret (ListDiscoveredResources)
                        is its ARN, which is what the rule reports results for
  config-item           the configuration item of a recorded secret on a customer
                        managed key names its key KMSKeyId (what change events carry)
  primary-region        ListSecrets reports PrimaryRegion for a replicated secret (the
                        sweep relies on it to check replica keys); not checked without
                        a replicated secret among the first 100 listed / 20 described
  rule                  the Config rule --rule-name exists, is active, and its last
                        invocation and evaluation did not fail
                        (DescribeConfigRuleEvaluationStatus)
  permissions-cli       the calls `audit`, `remediate` and `backout` make
  permissions-rule      the calls the rule's function makes
  permissions-runbooks  the calls the SSM runbooks make

With --organization (run it in the management or delegated administrator account and
the Region the organization stack was deployed from), also:

  stackset-instances    every instance of the member StackSet (--stack-set-name), per
                        account and Region, is CURRENT and its last operation SUCCEEDED
                        (cloudformation:ListStackInstances; failures listed with their
                        reason; --delegated-admin calls as a delegated administrator)
  stackset-coverage     every ACTIVE account of the StackSet's target OUs (and their
                        child OUs) has an instance in each of its Regions (Organizations
                        DescribeOrganization, ListChildren, ListAccounts); the management
                        account has none, as expected; the instance count against the
                        quota of 100,000 instances per stack set
  conformance-pack-members
                        the organization conformance pack (--conformance-pack-name) is
                        deployed in every member account, or which failed and why; not
                        checked when there is no such pack (a placement that deploys the
                        rule from the StackSet has none)
  member-rules          in every account and Region with an instance, the rule
                        (--rule-name) exists, its last run did not fail, and a periodic
                        rule ran within two periods (DescribeConfigRuleEvaluationStatus
                        there, through --role-name, 8 accounts at a time; no Config
                        aggregator API reports a rule's runs); without --role-name the
                        members are not checked
  central-invocations   placement `central` (the member's rule names a function of another
                        account): Config's invocation on a member's behalf was accepted
                        (a successful invocation, no refusal), which confirms the
                        aws:SourceOrgID grant; FAIL names the refused members

The permission checks take their action lists from contract/contract.json and ask IAM's
policy simulator (iam:SimulatePrincipalPolicy, and iam:GetRole for a role session) about
the caller's own user or role, on this account's and Region's resources; calls Secrets
Manager makes as the caller are simulated with kms:ViaService. The simulator covers
identity policies, permissions boundaries and SCPs, not session policies or resource
policies (a key policy can still refuse). To check the rule's or a runbook's role, run
doctor as that role (e.g. a profile that assumes it). Root, federated users, or a
denied simulation: not checked.

docs/aws-behaviour.md lists every AWS behaviour the code relies on; each one marked
`assumed` names the doctor check that confirms it.

Exit codes:
  0  no check failed (some may be not checked)
  1  at least one check failed
  2  doctor could not run: bad input, no Region, or credentials that do not work";

/// How doctor writes its report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum DoctorFormat {
    /// For people: one block per check, then a summary line.
    #[default]
    Table,
    /// For scripts: one JSON object (`checks`, `summary`).
    Json,
}

/// `secrets-cmk doctor`.
#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    /// The deployed Config rule to look at.
    #[arg(long, value_name = "NAME", default_value = DEFAULT_RULE_NAME)]
    pub rule_name: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: DoctorFormat,
    /// Also check the organization deployment (from the management or delegated
    /// administrator account).
    #[arg(long)]
    pub organization: bool,
    /// The member StackSet `--organization` looks at.
    #[arg(long, value_name = "NAME", default_value = DEFAULT_STACK_SET_NAME, requires = "organization")]
    pub stack_set_name: String,
    /// The organization conformance pack `--organization` looks at.
    #[arg(long, value_name = "NAME", default_value = DEFAULT_PACK_NAME, requires = "organization")]
    pub conformance_pack_name: String,
    /// With `--organization`: call CloudFormation as a delegated administrator.
    #[arg(long, requires = "organization")]
    pub delegated_admin: bool,
    /// With `--organization`: the role to assume in each member account to read the rule's
    /// last run there (e.g. OrganizationAccountAccessRole); without it, members are not
    /// checked.
    #[arg(long, value_name = "NAME", requires = "organization")]
    pub role_name: Option<String>,
    /// `--region`.
    #[command(flatten)]
    pub region: RegionArgs,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use crate::args::{Cli, Command};
    use clap::Parser;
    use clap::error::ErrorKind;

    fn doctor(args: &[&str]) -> Result<super::DoctorArgs, clap::Error> {
        let mut all = vec!["secrets-cmk", "doctor"];
        all.extend_from_slice(args);
        match Cli::try_parse_from(all)?.command {
            Command::Doctor(doctor) => Ok(doctor),
            _ => unreachable!("parsed another command"),
        }
    }

    #[test]
    fn defaults_are_the_names_the_cdk_deploys() {
        // GIVEN no flags / WHEN parsed / THEN the CDK's names, table, no organization
        let args = doctor(&[]).unwrap();
        assert_eq!(args.rule_name, "secrets-cmk");
        assert_eq!(args.stack_set_name, "secrets-cmk-member");
        assert_eq!(args.conformance_pack_name, "secrets-cmk");
        assert_eq!(args.format, super::DoctorFormat::Table);
        assert!(!args.organization && !args.delegated_admin);
    }

    #[test]
    fn organization_flags_need_organization() {
        assert!(
            doctor(&["--organization", "--delegated-admin"])
                .unwrap()
                .delegated_admin
        );
        assert_eq!(
            doctor(&["--organization", "--role-name", "Reader"])
                .unwrap()
                .role_name
                .as_deref(),
            Some("Reader")
        );
        for flag in [
            &["--delegated-admin"][..],
            &["--stack-set-name", "x"][..],
            &["--role-name", "Reader"][..],
        ] {
            assert_eq!(
                doctor(flag).unwrap_err().kind(),
                ErrorKind::MissingRequiredArgument
            );
        }
        assert_eq!(
            doctor(&["--format", "csv"]).unwrap_err().kind(),
            ErrorKind::InvalidValue
        );
    }

    #[test]
    fn help_has_examples_and_the_exit_codes() {
        let help = doctor(&["--help"]).unwrap_err();
        assert_eq!(help.kind(), ErrorKind::DisplayHelp);
        let text = help.to_string();
        assert!(
            text.contains("Examples:") && text.contains("Exit codes:"),
            "{text}"
        );
    }
}
