//! Every way a command can end other than success, each with its exit code.
//!
//! Three exit codes, so scripts and CI can branch on them:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | done: the audit is complete (and, with `--fail-on-noncompliant`, found nothing NON_COMPLIANT); every targeted secret is on the wanted key |
//! | 1 | the audit is complete and found NON_COMPLIANT secrets, with `--fail-on-noncompliant`; `doctor`: a check failed |
//! | 2 | bad input, or an AWS error, or something left undone: a secret that could not be verified, a Region that could not be listed, a refused target key, a secret refused or failed |
//!
//! 2 wins over 1: an audit that could not look at everything is not a clean finding.

use rule_core::ParameterError;
use secrets_cmk_aws::AwsError;

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: NON_COMPLIANT secrets found, with `--fail-on-noncompliant`.
pub const EXIT_NON_COMPLIANT: u8 = 1;
/// Exit code: bad input, an AWS error, or something left undone.
pub const EXIT_ERROR: u8 = 2;

/// Why a command did not end in success. The message says what and where; it is printed
/// as `secrets-cmk: error: MESSAGE` (never as a Rust debug dump).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A rule-parameter flag the rule's own validation refuses (same message as the rule).
    #[error("invalid {flag}: {source}")]
    Parameter {
        /// The flag, e.g. `--check-replicas`.
        flag: &'static str,
        /// The rule's validation error.
        #[source]
        source: ParameterError,
    },
    /// Any other bad input (flags that do not go together, a malformed key or secret).
    #[error("{0}")]
    Usage(String),
    /// No Region from `--region`, the environment or the profile.
    #[error("no AWS Region: pass --region REGION, or set AWS_REGION or a region in the profile")]
    NoRegion,
    /// An AWS call failed where the command could not go on.
    #[error("{context}: {source}")]
    Aws {
        /// What the command was doing, and where (Region).
        context: String,
        /// The classified AWS error.
        #[source]
        source: AwsError,
    },
    /// The target key failed a pre-check: nothing was changed.
    #[error("refusing to re-key, nothing was changed:{}", bullets(problems))]
    UnsafeTarget {
        /// One line per problem.
        problems: Vec<String>,
    },
    /// The backout plan file cannot be read or written.
    #[error("backout plan {path}: {problem}")]
    Plan {
        /// The file.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// The command ran, but left something undone or unknown (unverified secrets, a
    /// Region that failed, refused or failed secrets); the details were printed.
    #[error("{0}")]
    Incomplete(String),
    /// The audit found NON_COMPLIANT secrets and `--fail-on-noncompliant` was given.
    #[error("{count} NON_COMPLIANT secret(s) found (--fail-on-noncompliant)")]
    NonCompliant {
        /// How many.
        count: usize,
    },
    /// `check-template`: at least one resource of the templates is NON_COMPLIANT.
    #[error("{count} NON_COMPLIANT resource(s) in the templates")]
    TemplateFindings {
        /// How many.
        count: usize,
    },
    /// `doctor`: at least one check failed (the report says which, and how to fix it).
    #[error("{count} doctor check(s) failed ({summary})")]
    ChecksFailed {
        /// How many failed.
        count: usize,
        /// The report's summary line.
        summary: String,
    },
    /// Writing the results failed (a closed pipe is not reported: see [`CliError::is_quiet`]).
    #[error("writing the output failed: {0}")]
    Output(#[source] std::io::Error),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::NonCompliant { .. }
            | CliError::TemplateFindings { .. }
            | CliError::ChecksFailed { .. } => EXIT_NON_COMPLIANT,
            CliError::Output(err) if err.kind() == std::io::ErrorKind::BrokenPipe => EXIT_OK,
            _ => EXIT_ERROR,
        }
    }

    /// Errors not worth a message: the reader of stdout went away (`| head`).
    pub fn is_quiet(&self) -> bool {
        matches!(self, CliError::Output(err) if err.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// An AWS error with what was being done.
    pub fn aws(context: impl Into<String>, source: AwsError) -> CliError {
        CliError::Aws {
            context: context.into(),
            source,
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(err: std::io::Error) -> CliError {
        CliError::Output(err)
    }
}

fn bullets(lines: &[String]) -> String {
    lines.iter().map(|line| format!("\n  - {line}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rule_core::RuleParameters;

    #[test]
    fn exit_codes_follow_the_documented_table() {
        // GIVEN one error of each kind / WHEN mapped / THEN 1 only for findings, 2 otherwise
        let parameter = RuleParameters::from_pairs([("checkReplicas", "maybe")]).unwrap_err();
        let cases: Vec<(CliError, u8)> = vec![
            (CliError::NonCompliant { count: 3 }, 1),
            (CliError::TemplateFindings { count: 2 }, 1),
            (
                CliError::Parameter {
                    flag: "--check-replicas",
                    source: parameter,
                },
                2,
            ),
            (CliError::Usage("bad".into()), 2),
            (CliError::NoRegion, 2),
            (
                CliError::UnsafeTarget {
                    problems: vec!["x".into()],
                },
                2,
            ),
            (
                CliError::Plan {
                    path: "p".into(),
                    problem: "q".into(),
                },
                2,
            ),
            (CliError::Incomplete("2 secrets not verified".into()), 2),
            (CliError::Output(std::io::Error::other("disk full")), 2),
        ];
        for (error, code) in cases {
            assert_eq!(error.exit_code(), code, "{error}");
        }
    }

    #[test]
    fn a_closed_pipe_ends_quietly_with_success() {
        let closed = CliError::Output(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert!(closed.is_quiet());
        assert_eq!(closed.exit_code(), EXIT_OK);
    }

    #[test]
    fn messages_say_what_and_where() {
        let parameter = RuleParameters::from_pairs([("checkReplicas", "maybe")]).unwrap_err();
        let error = CliError::Parameter {
            flag: "--check-replicas",
            source: parameter,
        };
        assert_eq!(
            error.to_string(),
            "invalid --check-replicas: rule parameter \"checkReplicas\" must be \"true\" or \
             \"false\", found \"maybe\""
        );
        let unsafe_target = CliError::UnsafeTarget {
            problems: vec!["a".into(), "b".into()],
        };
        assert_eq!(
            unsafe_target.to_string(),
            "refusing to re-key, nothing was changed:\n  - a\n  - b"
        );
    }
}
