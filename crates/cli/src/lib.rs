//! `secrets-cmk`, the command-line tool of secrets-cmk: it automates what an auditor does
//! by hand (list every secret, look at its key, ask KMS who manages that key) and the fix
//! and its backout.
//!
//! It shares everything that decides with the Lambda: the decision table (`rule-core`),
//! the AWS adapters and the sweep (`secrets-cmk-aws`). What is here is the command line,
//! rendering, the backout plan, and the order in which remediation looks, checks and
//! changes.
//!
//! | module | what |
//! |---|---|
//! | [`args`] | the command line (clap) |
//! | [`audit`] | `audit`: sweep each Region, render, exit status |
//! | [`remediate`] | `remediate`: pick, pre-check, dry run or re-key with a backout plan |
//! | [`organization`] | `audit --organization` / `--accounts` / `--all-regions`: many accounts and Regions at once, bounded concurrency |
//! | [`security_hub`] | `--security-hub`: ASFF findings imported with BatchImportFindings, by account and Region, failed ones resent and reported |
//! | [`backout`] | `backout`: restore the previous keys from a plan |
//! | [`report`] | `report`: the deployed rule's results across accounts and Regions, from a Config aggregator |
//! | [`doctor`] | `doctor`: read-only checks of the account and Region the rule relies on |
//! | [`change`] | what both share: the services, resolving a stored key, verifying a change |
//! | [`plan`] | the backout plan file (versioned JSON) |
//! | [`output`] | rendering (pure): the findings model, the table for people, JSON, CSV, the HTML report |
//! | [`template`] | `check-template`: the decision table on CloudFormation templates and `cdk.out`, before deployment |
//! | [`term`] | the progress indicator and the terminal width |
//! | [`error`] | errors and exit codes |

pub mod args;
pub mod audit;
pub mod backout;
pub mod change;
pub mod doctor;
pub mod error;
pub mod organization;
pub mod output;
pub mod plan;
pub mod remediate;
pub mod report;
pub mod security_hub;
pub mod template;
pub mod term;

pub use args::Cli;
pub use error::CliError;
